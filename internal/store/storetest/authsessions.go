package storetest

import (
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
)

// testUserWithoutSRPVerifier: a user stored without an SRP verifier
// reads back without one (nil, not an empty slice), and one set later
// by UpdateUser is kept.
func testUserWithoutSRPVerifier(t *testing.T, s store.Store) {
	ctx := t.Context()
	w := createWorld(t, ctx, s)
	u := newUser(w.pool, "no-verifier", "")
	u.SRPSalt, u.SRPVerifier = "", nil
	mustOK(t, s.CreateUser(ctx, u), "CreateUser")
	got, err := s.GetUser(ctx, w.pool.ID, u.Sub)
	mustOK(t, err, "GetUser")
	mustEqual(t, "user without verifier", got, u)
	err = s.UpdateUser(ctx, w.pool.ID, u.Sub, func(cur pool.User) (pool.User, error) {
		cur.SRPSalt, cur.SRPVerifier = "0a0b", []byte("sealed verifier")
		return cur, nil
	})
	mustOK(t, err, "UpdateUser")
	got, err = s.GetUser(ctx, w.pool.ID, u.Sub)
	mustOK(t, err, "GetUser after update")
	if got.SRPSalt != "0a0b" || string(got.SRPVerifier) != "sealed verifier" {
		t.Fatalf("after update: salt %q verifier %q", got.SRPSalt, got.SRPVerifier)
	}
}

// testConsumeAuthSession: an id is consumed once; a second use is a
// conflict until garbage collection removes it after its expiry.
func testConsumeAuthSession(t *testing.T, s store.Store) {
	ctx := t.Context()
	now := base()
	mustOK(t, s.ConsumeAuthSession(ctx, "sess-1", now.Add(-time.Second)), "ConsumeAuthSession expired")
	mustOK(t, s.ConsumeAuthSession(ctx, "sess-2", now.Add(3*time.Minute)), "ConsumeAuthSession live")
	mustBe(t, s.ConsumeAuthSession(ctx, "sess-2", now.Add(3*time.Minute)), store.ErrConflict, "second ConsumeAuthSession")
	mustBe(t, s.ConsumeAuthSession(ctx, "sess-1", now.Add(time.Minute)), store.ErrConflict, "ConsumeAuthSession of an expired, uncollected id")
	res, err := s.GarbageCollect(ctx, now)
	mustOK(t, err, "GarbageCollect")
	if res != (store.GCResult{AuthSessions: 1}) {
		t.Fatalf("GarbageCollect = %+v, want one auth session", res)
	}
	mustBe(t, s.ConsumeAuthSession(ctx, "sess-2", now.Add(3*time.Minute)), store.ErrConflict, "live id after GC")
}

// testConsumeAuthSessionRace: of 20 concurrent consumptions of one id,
// exactly one succeeds and the others are conflicts.
func testConsumeAuthSessionRace(t *testing.T, s store.Store) {
	ctx := t.Context()
	var ok, conflict atomic.Int32
	race(20, func(int) {
		err := s.ConsumeAuthSession(ctx, "raced", base().Add(time.Minute))
		switch {
		case err == nil:
			ok.Add(1)
		case errors.Is(err, store.ErrConflict):
			conflict.Add(1)
		default:
			t.Errorf("ConsumeAuthSession: %v", err)
		}
	})
	if ok.Load() != 1 || conflict.Load() != 19 {
		t.Fatalf("%d succeeded, %d conflicts; want 1 and 19", ok.Load(), conflict.Load())
	}
}
