package storetest

import (
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
)

func testRefreshTokenCRUD(t *testing.T, s store.Store) {
	ctx := t.Context()
	w := createWorld(t, ctx, s)
	rt := newRefreshToken(w.pool.ID, w.client.ID, w.user.Sub, randomHex(32))
	_, err := s.GetRefreshToken(ctx, rt.ID)
	mustNotFound(t, err, "GetRefreshToken before create")
	mustOK(t, s.CreateRefreshToken(ctx, rt), "CreateRefreshToken")

	got, err := s.GetRefreshToken(ctx, rt.ID)
	mustOK(t, err, "GetRefreshToken")
	mustEqual(t, "GetRefreshToken", got, rt)
	got, err = s.GetRefreshTokenByOrigin(ctx, rt.OriginJTI)
	mustOK(t, err, "GetRefreshTokenByOrigin")
	mustEqual(t, "GetRefreshTokenByOrigin", got, rt)
	_, err = s.GetRefreshTokenByOrigin(ctx, pool.NewSub())
	mustNotFound(t, err, "GetRefreshTokenByOrigin unknown")

	// An implicit grant: no code, no refresh secret.
	implicit := newRefreshToken(w.pool.ID, w.client.ID, w.user.Sub, "")
	implicit.SecretHash, implicit.PrevSecretHash, implicit.PrevValidUntil = "", "", time.Time{}
	implicit.LastUsedAt = time.Time{}
	mustOK(t, s.CreateRefreshToken(ctx, implicit), "CreateRefreshToken implicit")
	got, err = s.GetRefreshToken(ctx, implicit.ID)
	mustOK(t, err, "GetRefreshToken implicit")
	mustEqual(t, "GetRefreshToken implicit", got, implicit)

	dupID := newRefreshToken(w.pool.ID, w.client.ID, w.user.Sub, "")
	dupID.ID = rt.ID
	mustAlreadyExists(t, s.CreateRefreshToken(ctx, dupID), "CreateRefreshToken with a taken id")
	_, err = s.GetRefreshTokenByOrigin(ctx, dupID.OriginJTI)
	mustNotFound(t, err, "rejected token must not be stored")
	dupOrigin := newRefreshToken(w.pool.ID, w.client.ID, w.user.Sub, "")
	dupOrigin.OriginJTI = rt.OriginJTI
	mustAlreadyExists(t, s.CreateRefreshToken(ctx, dupOrigin), "CreateRefreshToken with a taken origin")
	_, err = s.GetRefreshToken(ctx, dupOrigin.ID)
	mustNotFound(t, err, "rejected token must not be stored")

	get := func() (store.RefreshToken, error) { return s.GetRefreshToken(ctx, rt.ID) }
	update := func(fn func(store.RefreshToken) (store.RefreshToken, error)) error {
		return s.UpdateRefreshToken(ctx, rt.ID, fn)
	}
	updated := checkUpdate(t, "UpdateRefreshToken", rt, get, update, mutateRefreshToken)
	got, err = s.GetRefreshTokenByOrigin(ctx, rt.OriginJTI)
	mustOK(t, err, "GetRefreshTokenByOrigin after update")
	mustEqual(t, "GetRefreshTokenByOrigin after update", got, updated)
	mustNotFound(t, s.UpdateRefreshToken(ctx, randomHex(16), failIfCalled[store.RefreshToken](t, "UpdateRefreshToken")),
		"UpdateRefreshToken of a missing token")

	// ListRefreshTokens: the user's grants in the pool, revoked ones too.
	second := newRefreshToken(w.pool.ID, w.client.ID, w.user.Sub, "")
	mustOK(t, s.CreateRefreshToken(ctx, second), "CreateRefreshToken second")
	otherUser := createUser(t, ctx, s, w.pool, "other-"+randomHex(3), "")
	foreign := newRefreshToken(w.pool.ID, w.client.ID, otherUser.Sub, "")
	mustOK(t, s.CreateRefreshToken(ctx, foreign), "CreateRefreshToken other user")
	list, err := s.ListRefreshTokens(ctx, w.pool.ID, w.user.Sub)
	mustOK(t, err, "ListRefreshTokens")
	var ids []string
	for _, x := range list {
		ids = append(ids, x.ID)
		if x.ID == rt.ID {
			mustEqual(t, "ListRefreshTokens item", x, updated)
		}
	}
	if !sameSet(ids, []string{rt.ID, implicit.ID, second.ID}) {
		t.Fatalf("ListRefreshTokens = %v, want the user's three grants (%s revoked)", ids, rt.ID)
	}
	list, err = s.ListRefreshTokens(ctx, w.pool.ID, pool.NewSub())
	mustOK(t, err, "ListRefreshTokens of an unknown user")
	if len(list) != 0 {
		t.Fatalf("ListRefreshTokens of an unknown user returned %d tokens", len(list))
	}
}

// testRefreshTokenRevoke covers RevokeRefreshTokens filters (RFC 7009 §2.1:
// revoking a refresh token also invalidates its grant; Cognito
// GlobalSignOut revokes per user, RFC 9700 §4.14 code replay per code).
func testRefreshTokenRevoke(t *testing.T, s store.Store) {
	ctx := t.Context()
	now := base().Add(time.Hour)
	type grants struct {
		p          pool.Pool
		u1, u2     pool.User
		c1, c2     pool.Client
		t1, t2, t3 store.RefreshToken // u1/c1/codeA, u1/c2/codeB, u2/c1/codeC
		t4         store.RefreshToken // u2/c2, implicit
	}
	setup := func(t *testing.T) grants {
		var g grants
		g.p = createPool(t, ctx, s, false)
		g.u1 = createUser(t, ctx, s, g.p, "u1", "")
		g.u2 = createUser(t, ctx, s, g.p, "u2", "")
		g.c1, g.c2 = newClient(g.p.ID), newClient(g.p.ID)
		mustOK(t, s.CreateClient(ctx, g.c1), "CreateClient")
		mustOK(t, s.CreateClient(ctx, g.c2), "CreateClient")
		g.t1 = newRefreshToken(g.p.ID, g.c1.ID, g.u1.Sub, randomHex(32))
		g.t2 = newRefreshToken(g.p.ID, g.c2.ID, g.u1.Sub, randomHex(32))
		g.t3 = newRefreshToken(g.p.ID, g.c1.ID, g.u2.Sub, randomHex(32))
		g.t4 = newRefreshToken(g.p.ID, g.c2.ID, g.u2.Sub, "")
		for _, rt := range []store.RefreshToken{g.t1, g.t2, g.t3, g.t4} {
			mustOK(t, s.CreateRefreshToken(ctx, rt), "CreateRefreshToken")
		}
		return g
	}
	// A bystander pool whose grants share nothing but must never be touched.
	by := setup(t)

	tests := []struct {
		name   string
		filter func(g grants) store.RevokeFilter
		want   func(g grants) []string
	}{
		{"by sub", func(g grants) store.RevokeFilter { return store.RevokeFilter{PoolID: g.p.ID, Sub: g.u1.Sub} },
			func(g grants) []string { return []string{g.t1.ID, g.t2.ID} }},
		{"by client", func(g grants) store.RevokeFilter { return store.RevokeFilter{PoolID: g.p.ID, ClientID: g.c1.ID} },
			func(g grants) []string { return []string{g.t1.ID, g.t3.ID} }},
		{"by code", func(g grants) store.RevokeFilter { return store.RevokeFilter{PoolID: g.p.ID, CodeID: g.t2.CodeID} },
			func(g grants) []string { return []string{g.t2.ID} }},
		{"by sub and client", func(g grants) store.RevokeFilter {
			return store.RevokeFilter{PoolID: g.p.ID, Sub: g.u2.Sub, ClientID: g.c2.ID}
		}, func(g grants) []string { return []string{g.t4.ID} }},
		{"by pool", func(g grants) store.RevokeFilter { return store.RevokeFilter{PoolID: g.p.ID} },
			func(g grants) []string { return []string{g.t1.ID, g.t2.ID, g.t3.ID, g.t4.ID} }},
		{"no match", func(g grants) store.RevokeFilter { return store.RevokeFilter{PoolID: g.p.ID, Sub: pool.NewSub()} },
			func(g grants) []string { return nil }},
		{"sub of another pool", func(g grants) store.RevokeFilter { return store.RevokeFilter{PoolID: g.p.ID, Sub: by.u1.Sub} },
			func(g grants) []string { return nil }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := setup(t)
			want := tc.want(g)
			n, err := s.RevokeRefreshTokens(ctx, tc.filter(g), now)
			mustOK(t, err, "RevokeRefreshTokens")
			if n != int64(len(want)) {
				t.Fatalf("RevokeRefreshTokens revoked %d, want %d", n, len(want))
			}
			checkRevoked(t, s, []store.RefreshToken{g.t1, g.t2, g.t3, g.t4}, want, now)
			// Already revoked grants are neither counted nor re-stamped.
			n, err = s.RevokeRefreshTokens(ctx, tc.filter(g), now.Add(time.Hour))
			mustOK(t, err, "RevokeRefreshTokens again")
			if n != 0 {
				t.Fatalf("RevokeRefreshTokens again revoked %d, want 0", n)
			}
			checkRevoked(t, s, []store.RefreshToken{g.t1, g.t2, g.t3, g.t4}, want, now)
			checkRevoked(t, s, []store.RefreshToken{by.t1, by.t2, by.t3, by.t4}, nil, now)
		})
	}

	t.Run("pool required", func(t *testing.T) {
		n, err := s.RevokeRefreshTokens(ctx, store.RevokeFilter{Sub: by.u1.Sub}, now)
		if err == nil {
			t.Fatalf("RevokeRefreshTokens without PoolID succeeded (revoked %d)", n)
		}
		checkRevoked(t, s, []store.RefreshToken{by.t1, by.t2, by.t3, by.t4}, nil, now)
	})
}

// checkRevoked asserts that exactly the tokens in revoked are revoked, at
// at, and that revocation changed nothing else.
func checkRevoked(t *testing.T, s store.Store, all []store.RefreshToken, revoked []string, at time.Time) {
	t.Helper()
	for _, rt := range all {
		got, err := s.GetRefreshToken(t.Context(), rt.ID)
		mustOK(t, err, "GetRefreshToken")
		want := rt
		for _, id := range revoked {
			if id == rt.ID {
				want.RevokedAt = at
			}
		}
		mustEqual(t, "token "+rt.ID, got, want)
		if got.Revoked() != !want.RevokedAt.IsZero() {
			t.Fatalf("token %s: Revoked() = %v", rt.ID, got.Revoked())
		}
	}
}
