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
