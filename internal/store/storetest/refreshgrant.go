package storetest

import (
	"testing"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
)

// testRefreshGrant: GetRefreshGrant reads what GetRefreshToken and
// GetUser read, in one round trip; a grant whose sub has no user comes
// back with UserFound false; an unknown id is ErrNotFound.
func testRefreshGrant(t *testing.T, s store.Store) {
	ctx := t.Context()
	w := createWorld(t, ctx, s)
	_, err := s.GetRefreshGrant(ctx, randomHex(16))
	mustNotFound(t, err, "GetRefreshGrant of an unknown id")

	rt := newRefreshToken(w.pool.ID, w.client.ID, w.user.Sub, randomHex(32))
	mustOK(t, s.CreateRefreshToken(ctx, rt), "CreateRefreshToken")
	g, err := s.GetRefreshGrant(ctx, rt.ID)
	mustOK(t, err, "GetRefreshGrant")
	mustEqual(t, "GetRefreshGrant token", g.Token, rt)
	u, err := s.GetUser(ctx, w.pool.ID, w.user.Sub)
	mustOK(t, err, "GetUser")
	if !g.UserFound {
		t.Fatal("GetRefreshGrant: UserFound false for an existing user")
	}
	mustEqual(t, "GetRefreshGrant user", g.User, u)

	orphan := newRefreshToken(w.pool.ID, w.client.ID, pool.NewSub(), randomHex(32))
	if err := s.CreateRefreshToken(ctx, orphan); err != nil {
		return // the backend keeps grants of existing users only
	}
	g, err = s.GetRefreshGrant(ctx, orphan.ID)
	mustOK(t, err, "GetRefreshGrant of a grant without user")
	mustEqual(t, "GetRefreshGrant token without user", g.Token, orphan)
	if g.UserFound {
		t.Fatalf("GetRefreshGrant of a grant without user: UserFound, user %+v", g.User)
	}
}
