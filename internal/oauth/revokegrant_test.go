package oauth_test

import (
	"context"
	"testing"
)

// TestRevokeGrant: the grant an access token came from (origin_jti) is
// revoked for its own user only; the refresh token then gets
// invalid_grant, and another grant of the user is untouched.
func TestRevokeGrant(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	first := h.exchange(t, h.authorize(t, h.authQuery()))
	second := h.exchange(t, h.authorize(t, h.authQuery()))
	origin, _ := h.claims(t, "access", first.AccessToken)["origin_jti"].(string)
	if origin == "" {
		t.Fatal("access token without origin_jti")
	}
	// Another user's sub, another pool, or no origin: nothing happens.
	for _, c := range []struct{ pool, sub, origin string }{
		{h.pool.ID, "someone-else", origin}, {"eu-west-1_Other", h.user.Sub, origin}, {h.pool.ID, h.user.Sub, ""}, {h.pool.ID, h.user.Sub, "unknown-origin"},
	} {
		if err := h.svc.RevokeGrant(ctx, c.pool, c.sub, c.origin); err != nil {
			t.Fatalf("RevokeGrant(%q, %q, %q): %v", c.pool, c.sub, c.origin, err)
		}
	}
	if r := h.refresh(t, first.RefreshToken); r.Status != 200 {
		t.Fatalf("a mismatched RevokeGrant revoked the grant: %d %s", r.Status, r.Error)
	}
	if err := h.svc.RevokeGrant(ctx, h.pool.ID, h.user.Sub, origin); err != nil {
		t.Fatal(err)
	}
	if r := h.refresh(t, first.RefreshToken); r.Status != 400 || r.Error != "invalid_grant" {
		t.Fatalf("refresh after RevokeGrant: %d %s", r.Status, r.Error)
	}
	if r := h.refresh(t, second.RefreshToken); r.Status != 200 {
		t.Fatalf("another grant of the user broke: %d %s", r.Status, r.Error)
	}
	// Again: already revoked, no error.
	if err := h.svc.RevokeGrant(ctx, h.pool.ID, h.user.Sub, origin); err != nil {
		t.Fatal(err)
	}
}
