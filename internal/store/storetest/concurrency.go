package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
)

// race runs fn(i) for i in [0, n) on n goroutines released together, and
// waits for all of them.
func race(n int, fn func(i int)) {
	var ready, done sync.WaitGroup
	start := make(chan struct{})
	ready.Add(n)
	done.Add(n)
	for i := range n {
		go func() {
			defer done.Done()
			ready.Done()
			<-start
			fn(i)
		}()
	}
	ready.Wait()
	close(start)
	done.Wait()
}

// testAuthCodeSingleUse: of 50 concurrent redemptions exactly one wins;
// the others learn that the code was redeemed (RFC 6749 §4.1.2, RFC 9700
// §4.5 replay detection needs the code back).
func testAuthCodeSingleUse(t *testing.T, s store.Store) {
	ctx := t.Context()
	w := createWorld(t, ctx, s)
	now := base()
	code := newAuthCode(w.pool.ID, w.client.ID, w.user.Sub, now.Add(time.Minute))
	mustOK(t, s.CreateAuthCode(ctx, code), "CreateAuthCode")

	const n = 50
	got := make([]store.AuthCode, n)
	errs := make([]error, n)
	race(n, func(i int) { got[i], errs[i] = s.ConsumeAuthCode(ctx, code.ID, now) })

	want := code
	want.RedeemedAt = now
	wins := 0
	for i, err := range errs {
		switch {
		case err == nil:
			wins++
			mustEqual(t, "winner's code", got[i], want)
		case errors.Is(err, store.ErrConflict):
			if got[i].ID != code.ID || got[i].RedeemedAt.IsZero() {
				t.Errorf("loser %d got code %q redeemed at %v with ErrConflict, want the redeemed code", i, got[i].ID, got[i].RedeemedAt)
			}
		default:
			t.Errorf("ConsumeAuthCode %d: unexpected error %v", i, err)
		}
	}
	if wins != 1 {
		t.Fatalf("%d concurrent redemptions succeeded, want exactly 1", wins)
	}
}

// testCodeReplayRevocation races, for many codes, a redemption that
// stores its grant against a replay that marks the code and then revokes
// its grants, as the token endpoint does. Whatever the interleaving, no
// unrevoked grant of the code may remain: either the grant is refused or
// the revocation reaches it.
func testCodeReplayRevocation(t *testing.T, s store.Store) {
	ctx := t.Context()
	w := createWorld(t, ctx, s)
	now := base()
	const rounds = 40
	refused := 0
	for round := range rounds {
		code := newAuthCode(w.pool.ID, w.client.ID, w.user.Sub, now.Add(time.Minute))
		mustOK(t, s.CreateAuthCode(ctx, code), "CreateAuthCode")
		_, err := s.ConsumeAuthCode(ctx, code.ID, now)
		mustOK(t, err, "ConsumeAuthCode")
		rt := newRefreshToken(w.pool.ID, w.client.ID, w.user.Sub, code.ID)
		var createErr, replayErr, revokeErr error
		race(2, func(i int) {
			if i == 0 {
				createErr = s.CreateRefreshToken(ctx, rt)
				return
			}
			if _, replayErr = s.ConsumeAuthCode(ctx, code.ID, now); errors.Is(replayErr, store.ErrConflict) {
				_, revokeErr = s.RevokeRefreshTokens(ctx, store.RevokeFilter{PoolID: w.pool.ID, CodeID: code.ID}, now)
			}
		})
		mustBe(t, replayErr, store.ErrConflict, "ConsumeAuthCode replay")
		mustOK(t, revokeErr, "RevokeRefreshTokens")
		if errors.Is(createErr, store.ErrConflict) {
			refused++
			continue
		}
		mustOK(t, createErr, "CreateRefreshToken")
		got, err := s.GetRefreshToken(ctx, rt.ID)
		mustOK(t, err, "GetRefreshToken")
		if !got.Revoked() {
			t.Fatalf("round %d: the grant of a replayed code was stored and not revoked", round)
		}
	}
	t.Logf("%d of %d grants refused, the others revoked", refused, rounds)
}

// testRefreshRotation races refresh-token rotation with a grace period
// (Cognito RefreshTokenRotation.RetryGracePeriodSeconds, RFC 9700 §4.14.2).
// Each of 20 workers repeatedly reads the token and presents the secret it
// read. The callback rotates when the presented secret is current,
// accepts it without rotating when it is the previous one within the
// grace period, and refuses otherwise.
//
// Callbacks may run more than once per call, but only the last run of a
// call that returned nil was committed. Those committed rotations must
// form one chain from the initial secret to the stored one, each secret
// rotated away at most once: two committed rotations from the same secret
// would be a lost update.
func testRefreshRotation(t *testing.T, s store.Store) {
	ctx := t.Context()
	w := createWorld(t, ctx, s)
	now := base()
	const grace = 30 * time.Second
	rt := newRefreshToken(w.pool.ID, w.client.ID, w.user.Sub, "")
	rt.SecretHash, rt.PrevSecretHash, rt.PrevValidUntil = "s0", "", time.Time{}
	mustOK(t, s.CreateRefreshToken(ctx, rt), "CreateRefreshToken")
	errReused := errors.New("storetest: refresh token reused")

	type outcome struct {
		err      error
		decision string // rotate, grace, refuse: of the last callback run
		from, to string // the secrets of a rotation
		getErr   error
	}
	const workers, rounds = 20, 5
	results := make([][]outcome, workers)
	race(workers, func(i int) {
		for r := range rounds {
			cur, err := s.GetRefreshToken(ctx, rt.ID)
			if err != nil {
				results[i] = append(results[i], outcome{getErr: err})
				return
			}
			presented := cur.SecretHash
			var o outcome
			run := 0
			o.err = s.UpdateRefreshToken(ctx, rt.ID, func(old store.RefreshToken) (store.RefreshToken, error) {
				run++
				o.from, o.to = "", ""
				switch {
				case presented == old.SecretHash:
					o.decision = "rotate"
					o.from, o.to = old.SecretHash, fmt.Sprintf("s-w%d-r%d-run%d", i, r, run)
					old.PrevSecretHash, old.PrevValidUntil, old.SecretHash = old.SecretHash, now.Add(grace), o.to
					old.LastUsedAt = now
					return old, nil
				case presented == old.PrevSecretHash && now.Before(old.PrevValidUntil):
					o.decision = "grace"
					old.LastUsedAt = now
					return old, nil
				default:
					o.decision = "refuse"
					return old, errReused
				}
			})
			results[i] = append(results[i], o)
		}
	})

	next := map[string]string{} // committed rotations: from -> to
	rotations := 0
	for i, rs := range results {
		for _, o := range rs {
			switch {
			case o.getErr != nil:
				t.Fatalf("worker %d: GetRefreshToken: %v", i, o.getErr)
			case o.err == nil && o.decision == "rotate":
				rotations++
				if prev, dup := next[o.from]; dup {
					t.Fatalf("lost update: secret %q was rotated to both %q and %q", o.from, prev, o.to)
				}
				next[o.from] = o.to
			case o.err == nil && o.decision == "grace":
			case o.err == errReused && o.decision == "refuse":
			default:
				t.Fatalf("worker %d: UpdateRefreshToken returned %v after the callback decided %q", i, o.err, o.decision)
			}
		}
	}
	if rotations == 0 {
		t.Fatal("no rotation was committed")
	}

	final, err := s.GetRefreshToken(ctx, rt.ID)
	mustOK(t, err, "GetRefreshToken final")
	secret, prev := "s0", ""
	for step := range rotations {
		to, ok := next[secret]
		if !ok {
			t.Fatalf("rotation chain breaks after %d of %d rotations at %q", step, rotations, secret)
		}
		secret, prev = to, secret
	}
	if final.SecretHash != secret || final.PrevSecretHash != prev {
		t.Fatalf("stored secret %q (previous %q) after %d rotations, want %q (previous %q)",
			final.SecretHash, final.PrevSecretHash, rotations, secret, prev)
	}
	if !final.PrevValidUntil.Equal(now.Add(grace).Truncate(time.Microsecond)) || !final.LastUsedAt.Equal(now.Truncate(time.Microsecond)) {
		t.Fatalf("final PrevValidUntil %v LastUsedAt %v", final.PrevValidUntil, final.LastUsedAt)
	}
	t.Logf("%d committed rotations", rotations)
}

// testFailedLoginCounter: 40 concurrent increments of one counter, none
// lost, so lockout cannot be dodged by parallel guessing.
func testFailedLoginCounter(t *testing.T, s store.Store) {
	ctx := t.Context()
	w := createWorld(t, ctx, s)
	mustOK(t, s.UpdateUser(ctx, w.pool.ID, w.user.Sub, func(u pool.User) (pool.User, error) {
		u.FailedLogins = 0
		return u, nil
	}), "UpdateUser reset")
	const n = 40
	errs := make([]error, n)
	race(n, func(i int) {
		errs[i] = s.UpdateUser(ctx, w.pool.ID, w.user.Sub, func(u pool.User) (pool.User, error) {
			u.FailedLogins++
			return u, nil
		})
	})
	for i, err := range errs {
		mustOK(t, err, fmt.Sprintf("UpdateUser %d", i))
	}
	got, err := s.GetUser(ctx, w.pool.ID, w.user.Sub)
	mustOK(t, err, "GetUser")
	if got.FailedLogins != n {
		t.Fatalf("FailedLogins = %d after %d concurrent increments", got.FailedLogins, n)
	}
}

// testKeyRotationCAS: instances that all observed the same key-set version
// race to rotate; exactly one does (Dex server/signer rotation,
// errAlreadyRotated).
func testKeyRotationCAS(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := createPool(t, ctx, s, false)
	mustOK(t, s.UpdateKeySet(ctx, p.ID, func(ks store.KeySet) (store.KeySet, error) {
		ks.Keys = []store.SigningKey{newSigningKey("k0", store.KeyActive)}
		return ks, nil
	}), "UpdateKeySet initial")
	errAlreadyRotated := errors.New("storetest: already rotated")

	const n = 10
	observed := make([]int64, n)
	errs := make([]error, n)
	var observedAll sync.WaitGroup
	observedAll.Add(n)
	release := make(chan struct{})
	go func() { observedAll.Wait(); close(release) }()
	race(n, func(i int) {
		ks, err := s.GetKeySet(ctx, p.ID)
		observedAll.Done()
		if err != nil {
			errs[i] = err
			return
		}
		observed[i] = ks.Version
		<-release // nobody rotates before everyone has looked
		errs[i] = s.UpdateKeySet(ctx, p.ID, func(cur store.KeySet) (store.KeySet, error) {
			if cur.Version != observed[i] {
				return cur, errAlreadyRotated
			}
			cur.Keys = append(cur.Keys[:len(cur.Keys):len(cur.Keys)], newSigningKey(fmt.Sprintf("k-w%d", i), store.KeyNext))
			return cur, nil
		})
	})
	winner := -1
	for i, err := range errs {
		if observed[i] != 1 {
			t.Fatalf("worker %d observed version %d, want 1", i, observed[i])
		}
		switch {
		case err == nil:
			if winner >= 0 {
				t.Fatalf("workers %d and %d both rotated", winner, i)
			}
			winner = i
		case err != errAlreadyRotated:
			t.Fatalf("worker %d: UpdateKeySet returned %v, want nil or the callback's error", i, err)
		}
	}
	if winner < 0 {
		t.Fatal("nobody rotated")
	}
	ks, err := s.GetKeySet(ctx, p.ID)
	mustOK(t, err, "GetKeySet")
	if ks.Version != 2 || len(ks.Keys) != 2 || ks.Keys[1].KID != fmt.Sprintf("k-w%d", winner) {
		t.Fatalf("after the race: version %d with %d keys, want version 2 with k0 and k-w%d", ks.Version, len(ks.Keys), winner)
	}
}

// testCreateUserRace: concurrent sign-ups for one username; one wins.
func testCreateUserRace(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := createPool(t, ctx, s, false)
	const n = 20
	users := make([]pool.User, n)
	errs := make([]error, n)
	for i := range users {
		// The pool folds case: every spelling is the same key.
		users[i] = newUser(p, []string{"Racer", "RACER", "racer"}[i%3], "")
	}
	race(n, func(i int) { errs[i] = s.CreateUser(ctx, users[i]) })
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil:
			if winner >= 0 {
				t.Fatalf("users %d and %d both created with username key %q", winner, i, users[i].UsernameKey)
			}
			winner = i
		case !errors.Is(err, store.ErrAlreadyExists):
			t.Fatalf("CreateUser %d: got %v, want nil or ErrAlreadyExists", i, err)
		}
	}
	if winner < 0 {
		t.Fatal("no CreateUser succeeded")
	}
	got, err := s.GetUserByUsername(ctx, p.ID, p.UsernameKey("racer"))
	mustOK(t, err, "GetUserByUsername")
	mustEqual(t, "winner", got, users[winner])
	page, err := s.ListUsers(ctx, p.ID, store.ListOptions{})
	mustOK(t, err, "ListUsers")
	if len(page.Items) != 1 {
		t.Fatalf("ListUsers = %d users, want 1", len(page.Items))
	}
}

// testAddUserToGroupRace: concurrent idempotent adds leave one membership.
func testAddUserToGroupRace(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := createPool(t, ctx, s, false)
	u := createUser(t, ctx, s, p, "alice", "")
	mustOK(t, s.CreateGroup(ctx, newGroup(p.ID, "admins", nil)), "CreateGroup")
	const n = 10
	errs := make([]error, n)
	race(n, func(i int) { errs[i] = s.AddUserToGroup(ctx, p.ID, "admins", u.Sub) })
	for i, err := range errs {
		mustOK(t, err, fmt.Sprintf("AddUserToGroup %d", i))
	}
	if subs := userSubs(listAllUsersInGroup(t, s, p.ID, "admins")); !equalStrings(subs, []string{u.Sub}) {
		t.Fatalf("members after concurrent adds = %v, want [%s]", subs, u.Sub)
	}
}
