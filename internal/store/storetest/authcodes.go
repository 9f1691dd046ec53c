package storetest

import (
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/store"
)

// testAuthCodeCRUD: a code is redeemed once (RFC 6749 §4.1.2: "The client
// MUST NOT use the authorization code more than once"), and an expired or
// unknown code is not found.
func testAuthCodeCRUD(t *testing.T, s store.Store) {
	ctx := t.Context()
	w := createWorld(t, ctx, s)
	now := base()
	code := newAuthCode(w.pool.ID, w.client.ID, w.user.Sub, now.Add(5*time.Minute))
	mustOK(t, s.CreateAuthCode(ctx, code), "CreateAuthCode")
	mustAlreadyExists(t, s.CreateAuthCode(ctx, code), "CreateAuthCode duplicate")

	redeemAt := now.Add(time.Minute)
	got, err := s.ConsumeAuthCode(ctx, code.ID, redeemAt)
	mustOK(t, err, "ConsumeAuthCode")
	want := code
	want.RedeemedAt = redeemAt
	mustEqual(t, "ConsumeAuthCode", got, want)

	replayAt := redeemAt.Add(time.Second)
	again, err := s.ConsumeAuthCode(ctx, code.ID, replayAt)
	mustBe(t, err, store.ErrConflict, "ConsumeAuthCode twice")
	want.ReplayedAt = replayAt
	mustEqual(t, "ConsumeAuthCode twice returns the code as first redeemed, marked replayed", again, want)
	again, err = s.ConsumeAuthCode(ctx, code.ID, replayAt.Add(time.Second))
	mustBe(t, err, store.ErrConflict, "ConsumeAuthCode three times")
	mustEqual(t, "a later replay keeps the first replay's time", again, want)

	minimal := store.AuthCode{
		ID: randomHex(32), PoolID: w.pool.ID, ClientID: w.client.ID, Sub: w.user.Sub,
		RedirectURI: "https://app.example.com/cb", CreatedAt: now, ExpiresAt: now.Add(time.Minute),
	}
	mustOK(t, s.CreateAuthCode(ctx, minimal), "CreateAuthCode minimal")
	got, err = s.ConsumeAuthCode(ctx, minimal.ID, now)
	mustOK(t, err, "ConsumeAuthCode minimal")
	minimal.RedeemedAt = now
	mustEqual(t, "ConsumeAuthCode minimal", got, minimal)

	tests := []struct {
		name      string
		expiresAt time.Time
		consumeAt time.Time
		unknown   bool
	}{
		{name: "expired", expiresAt: now.Add(-time.Second), consumeAt: now},
		{name: "expires at now", expiresAt: now, consumeAt: now},
		{name: "long expired", expiresAt: now.Add(-24 * time.Hour), consumeAt: now},
		{name: "unknown", unknown: true, consumeAt: now},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := newAuthCode(w.pool.ID, w.client.ID, w.user.Sub, tc.expiresAt)
			if !tc.unknown {
				mustOK(t, s.CreateAuthCode(ctx, c), "CreateAuthCode")
			}
			_, err := s.ConsumeAuthCode(ctx, c.ID, tc.consumeAt)
			mustNotFound(t, err, "ConsumeAuthCode")
			if !tc.unknown {
				// Refusing an expired code must not redeem it: at a time
				// before expiry it is still consumable exactly once.
				at := tc.expiresAt.Add(-time.Millisecond)
				got, err := s.ConsumeAuthCode(ctx, c.ID, at)
				mustOK(t, err, "ConsumeAuthCode before expiry")
				want := c
				want.RedeemedAt = at
				mustEqual(t, "ConsumeAuthCode before expiry", got, want)
			}
		})
	}
}

// testReplayedCodeRefusesGrant: once a code is marked replayed, a grant
// of it is refused and nothing is stored; grants of a code redeemed once,
// of an unknown (collected or never exported) code, and without a code
// are stored.
func testReplayedCodeRefusesGrant(t *testing.T, s store.Store) {
	ctx := t.Context()
	w := createWorld(t, ctx, s)
	now := base()
	code := newAuthCode(w.pool.ID, w.client.ID, w.user.Sub, now.Add(5*time.Minute))
	mustOK(t, s.CreateAuthCode(ctx, code), "CreateAuthCode")
	_, err := s.ConsumeAuthCode(ctx, code.ID, now)
	mustOK(t, err, "ConsumeAuthCode")

	once := newRefreshToken(w.pool.ID, w.client.ID, w.user.Sub, code.ID)
	mustOK(t, s.CreateRefreshToken(ctx, once), "CreateRefreshToken of a code redeemed once")
	unknown := newRefreshToken(w.pool.ID, w.client.ID, w.user.Sub, randomHex(32))
	mustOK(t, s.CreateRefreshToken(ctx, unknown), "CreateRefreshToken of an unknown code")
	implicit := newRefreshToken(w.pool.ID, w.client.ID, w.user.Sub, "")
	mustOK(t, s.CreateRefreshToken(ctx, implicit), "CreateRefreshToken without a code")

	_, err = s.ConsumeAuthCode(ctx, code.ID, now.Add(time.Second))
	mustBe(t, err, store.ErrConflict, "ConsumeAuthCode replay")
	late := newRefreshToken(w.pool.ID, w.client.ID, w.user.Sub, code.ID)
	mustBe(t, s.CreateRefreshToken(ctx, late), store.ErrConflict, "CreateRefreshToken of a replayed code")
	_, err = s.GetRefreshToken(ctx, late.ID)
	mustNotFound(t, err, "GetRefreshToken of the refused grant")
	got, err := s.GetRefreshToken(ctx, once.ID)
	mustOK(t, err, "GetRefreshToken")
	mustEqual(t, "the grant stored before the replay is untouched by the store", got, once)
}
