package oauth_test

import (
	"context"
	"testing"

	"github.com/linkpool/linkpool/internal/pool"
)

// TestCachedClientFollowsChanges: the token endpoint authenticates
// clients from the configuration cache, and a change to the client takes
// effect at the next request: a new secret replaces the old one, and a
// deleted client is refused with invalid_client.
func TestCachedClientFollowsChanges(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	first := h.exchange(t, h.authorize(t, h.authQuery()))
	if r := h.refresh(t, first.RefreshToken); r.Status != 200 {
		t.Fatalf("refresh: %+v", r)
	}
	secret := pool.NewClientSecret()
	if err := h.st.UpdateClient(ctx, h.client.ID, func(c pool.Client) (pool.Client, error) {
		c.SealedSecret = h.box.Seal([]byte(secret), c.SecretAAD())
		return c, nil
	}); err != nil {
		t.Fatal(err)
	}
	if r := h.refresh(t, first.RefreshToken); r.Status != 401 || r.Error != "invalid_client" {
		t.Fatalf("refresh with the replaced secret: %d %s", r.Status, r.Error)
	}
	if r := h.post(t, "/oauth2/token", formRefresh(first.RefreshToken), h.client.ID, secret); r.Status != 200 {
		t.Fatalf("refresh with the new secret: %d %s", r.Status, r.Error)
	}
	if err := h.st.DeleteClient(ctx, h.client.ID); err != nil {
		t.Fatal(err)
	}
	if r := h.post(t, "/oauth2/token", formRefresh(first.RefreshToken), h.client.ID, secret); r.Status != 401 || r.Error != "invalid_client" {
		t.Fatalf("refresh of a deleted client: %d %s", r.Status, r.Error)
	}
}

// TestGroupsFollowChanges: a pool without groups is known from the
// configuration cache to give no cognito:groups claim; creating a group
// and adding the user shows in the next refresh, and deleting the group
// removes it.
func TestGroupsFollowChanges(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	first := h.exchange(t, h.authorize(t, h.authQuery()))
	groups := func() any {
		t.Helper()
		r := h.refresh(t, first.RefreshToken)
		if r.Status != 200 {
			t.Fatalf("refresh: %d %s", r.Status, r.Error)
		}
		return h.claims(t, "access", r.AccessToken)["cognito:groups"]
	}
	if g := groups(); g != nil {
		t.Fatalf("cognito:groups without groups: %v", g)
	}
	if err := h.st.CreateGroup(ctx, pool.Group{PoolID: h.pool.ID, Name: "family", CreatedAt: h.clock.Now(), UpdatedAt: h.clock.Now()}); err != nil {
		t.Fatal(err)
	}
	if err := h.st.AddUserToGroup(ctx, h.pool.ID, "family", h.user.Sub); err != nil {
		t.Fatal(err)
	}
	if g, _ := groups().([]any); len(g) != 1 || g[0] != "family" {
		t.Fatalf("cognito:groups after joining a group: %v", g)
	}
	if err := h.st.DeleteGroup(ctx, h.pool.ID, "family"); err != nil {
		t.Fatal(err)
	}
	if g := groups(); g != nil {
		t.Fatalf("cognito:groups after the group was deleted: %v", g)
	}
}
