package storetest

import (
	"errors"
	"fmt"
	"testing"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
)

// testIdentityRace: concurrent first sign-ins through one provider
// identity, each creating its own user, and concurrent links of one
// identity to existing users: exactly one of each wins, the others fail
// with store.ErrAlreadyExists and store nothing. The users of the link
// race also link identities of their own in reverse orders, so that a
// backend that takes index rows in no fixed order can deadlock; a
// deadlock it resolves by retrying is no failure.
func testIdentityRace(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := createPool(t, ctx, s, false)
	const n = 16
	claim := newIdentity("Corp", "contested", true)

	users := make([]pool.User, n)
	errs := make([]error, n)
	for i := range users {
		users[i] = newUser(p, fmt.Sprintf("Corp_racer%d", i), "")
		users[i].Identities = []pool.Identity{newIdentity("Google", fmt.Sprintf("g-%d", i), false), claim}
	}
	race(n, func(i int) { errs[i] = s.CreateUser(ctx, users[i]) })
	winner := onlyWinner(t, "CreateUser", errs)
	got, err := s.GetUserByIdentity(ctx, p.ID, "Corp", "contested")
	mustOK(t, err, "GetUserByIdentity")
	mustEqual(t, "winner of the sign-in race", got, users[winner])
	for i := range users {
		if i == winner {
			continue
		}
		_, err := s.GetUser(ctx, p.ID, users[i].Sub)
		mustNotFound(t, err, "GetUser of a loser of the sign-in race")
		_, err = s.GetUserByIdentity(ctx, p.ID, "Google", fmt.Sprintf("g-%d", i))
		mustNotFound(t, err, "GetUserByIdentity of a loser's other identity")
	}

	linkers := make([]pool.User, n)
	for i := range linkers {
		linkers[i] = createUser(t, ctx, s, p, fmt.Sprintf("linker%d", i), "")
	}
	shared := []pool.Identity{newIdentity("Corp", "linked-a", false), newIdentity("Corp", "linked-b", false)}
	race(n, func(i int) {
		errs[i] = s.UpdateUser(ctx, p.ID, linkers[i].Sub, func(u pool.User) (pool.User, error) {
			ids := []pool.Identity{shared[i%2], shared[1-i%2]}
			u.Identities = append(u.Identities[:len(u.Identities):len(u.Identities)], ids...)
			return u, nil
		})
	})
	winner = onlyWinner(t, "UpdateUser", errs)
	for _, id := range shared {
		got, err := s.GetUserByIdentity(ctx, p.ID, id.ProviderName, id.UserID)
		mustOK(t, err, "GetUserByIdentity "+id.UserID)
		mustEqual(t, "owner of "+id.UserID, got.Sub, linkers[winner].Sub)
	}
	for i := range linkers {
		got, err := s.GetUser(ctx, p.ID, linkers[i].Sub)
		mustOK(t, err, "GetUser linker")
		if want := len(linkers[i].Identities) + 2*btoi(i == winner); len(got.Identities) != want {
			t.Fatalf("linker %d has %d identities, want %d", i, len(got.Identities), want)
		}
	}
}

// onlyWinner returns the index of the one nil error in errs and fails
// the test unless every other is store.ErrAlreadyExists.
func onlyWinner(t *testing.T, what string, errs []error) int {
	t.Helper()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil:
			if winner >= 0 {
				t.Fatalf("%s %d and %d both won", what, winner, i)
			}
			winner = i
		case !errors.Is(err, store.ErrAlreadyExists):
			t.Fatalf("%s %d: got %v, want nil or ErrAlreadyExists", what, i, err)
		}
	}
	if winner < 0 {
		t.Fatalf("no %s succeeded", what)
	}
	return winner
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
