package storetest

import (
	"testing"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
)

// testUserIdentities: a user's identities read back with the user, from
// every read of users; GetUserByIdentity finds the user by each of them;
// a (provider, subject) belongs to one user of a pool, on create and on
// update, and a refused write stores nothing; an update frees the
// identities it removes and takes those it adds; deleting the user
// frees its identities, deleting the provider does not.
func testUserIdentities(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := createPool(t, ctx, s, false)
	other := createPool(t, ctx, s, false)
	mustOK(t, s.CreateIdentityProvider(ctx, newIdentityProvider(p.ID, "Corp")), "CreateIdentityProvider")

	alice := newUser(p, "Corp_alice", "")
	alice.Status = pool.StatusExternalProvider
	alice.PasswordHash = ""
	alice.Identities = []pool.Identity{newIdentity("Corp", "alice-subject", true), newIdentity("Google", "1234567890", false)}
	mustOK(t, s.CreateUser(ctx, alice), "CreateUser with identities")
	bare := newUser(p, "bare", "")
	bare.Identities = nil
	mustOK(t, s.CreateUser(ctx, bare), "CreateUser without identities")

	byIdentity := func(provider, subject string) (pool.User, error) {
		return s.GetUserByIdentity(ctx, p.ID, provider, subject)
	}
	for _, tc := range []struct {
		name string
		get  func() (pool.User, error)
		want pool.User
	}{
		{"GetUser", func() (pool.User, error) { return s.GetUser(ctx, p.ID, alice.Sub) }, alice},
		{"GetUserByUsername", func() (pool.User, error) { return s.GetUserByUsername(ctx, p.ID, alice.UsernameKey) }, alice},
		{"GetUserByIdentity Corp", func() (pool.User, error) { return byIdentity("Corp", "alice-subject") }, alice},
		{"GetUserByIdentity Google", func() (pool.User, error) { return byIdentity("Google", "1234567890") }, alice},
		{"GetUser without identities", func() (pool.User, error) { return s.GetUser(ctx, p.ID, bare.Sub) }, bare},
	} {
		got, err := tc.get()
		mustOK(t, err, tc.name)
		mustEqual(t, tc.name, got, tc.want)
	}
	page, err := s.ListUsers(ctx, p.ID, store.ListOptions{})
	mustOK(t, err, "ListUsers")
	for _, u := range page.Items {
		if u.Sub == alice.Sub {
			mustEqual(t, "ListUsers item", u, alice)
		}
	}
	for _, tc := range []struct{ name, pool, provider, subject string }{
		{"unknown subject", p.ID, "Corp", "nobody"},
		{"subject of another provider", p.ID, "Corp", "1234567890"},
		{"provider name differs in case", p.ID, "corp", "alice-subject"},
		{"other pool", other.ID, "Corp", "alice-subject"},
		{"empty", p.ID, "", ""},
	} {
		_, err := s.GetUserByIdentity(ctx, tc.pool, tc.provider, tc.subject)
		mustNotFound(t, err, "GetUserByIdentity "+tc.name)
	}

	// Another user with one of alice's identities: refused, not stored.
	bob := newUser(p, "bob", "bob@example.com")
	bob.Identities = []pool.Identity{newIdentity("Corp", "bob-subject", true), newIdentity("Corp", "alice-subject", false)}
	mustAlreadyExists(t, s.CreateUser(ctx, bob), "CreateUser with another user's identity")
	_, err = s.GetUser(ctx, p.ID, bob.Sub)
	mustNotFound(t, err, "GetUser of the refused user")
	_, err = byIdentity("Corp", "bob-subject")
	mustNotFound(t, err, "GetUserByIdentity of the refused user's other identity")
	// The same subject at another provider, or in another pool, is free.
	bob.Identities = []pool.Identity{newIdentity("Corp", "bob-subject", true), newIdentity("Other", "alice-subject", false)}
	mustOK(t, s.CreateUser(ctx, bob), "CreateUser with the subject at another provider")
	elsewhere := newUser(other, "alice", "")
	elsewhere.Identities = alice.Identities
	mustOK(t, s.CreateUser(ctx, elsewhere), "CreateUser with alice's identities in another pool")

	// Updating bob to take alice's identity: refused, bob unchanged.
	err = s.UpdateUser(ctx, p.ID, bob.Sub, func(u pool.User) (pool.User, error) {
		u.Identities = append(u.Identities, newIdentity("Google", "1234567890", false))
		u.Attributes = map[string]string{"name": "changed"}
		return u, nil
	})
	mustAlreadyExists(t, err, "UpdateUser taking another user's identity")
	got, err := s.GetUser(ctx, p.ID, bob.Sub)
	mustOK(t, err, "GetUser bob")
	mustEqual(t, "bob after the refused update", got, bob)
	got, err = byIdentity("Google", "1234567890")
	mustOK(t, err, "GetUserByIdentity Google after the refused update")
	mustEqual(t, "owner of Google identity", got.Sub, alice.Sub)

	// Alice unlinks Google; bob links it.
	err = s.UpdateUser(ctx, p.ID, alice.Sub, func(u pool.User) (pool.User, error) {
		u.Identities = u.Identities[:1]
		return u, nil
	})
	mustOK(t, err, "UpdateUser removing an identity")
	_, err = byIdentity("Google", "1234567890")
	mustNotFound(t, err, "GetUserByIdentity of the removed identity")
	err = s.UpdateUser(ctx, p.ID, bob.Sub, func(u pool.User) (pool.User, error) {
		u.Identities = append(u.Identities, newIdentity("Google", "1234567890", false))
		return u, nil
	})
	mustOK(t, err, "UpdateUser taking a freed identity")
	got, err = byIdentity("Google", "1234567890")
	mustOK(t, err, "GetUserByIdentity of the moved identity")
	mustEqual(t, "owner of the moved identity", got.Sub, bob.Sub)
	mustEqual(t, "bob's identities", len(got.Identities), 3)
	// An update that leaves the identities alone keeps them.
	err = s.UpdateUser(ctx, p.ID, bob.Sub, func(u pool.User) (pool.User, error) { u.FailedLogins++; return u, nil })
	mustOK(t, err, "UpdateUser of another field")
	_, err = byIdentity("Corp", "bob-subject")
	mustOK(t, err, "GetUserByIdentity after an update of another field")

	// Deleting the provider leaves the links, as in Cognito.
	mustOK(t, s.DeleteIdentityProvider(ctx, p.ID, "Corp"), "DeleteIdentityProvider")
	got, err = byIdentity("Corp", "alice-subject")
	mustOK(t, err, "GetUserByIdentity after DeleteIdentityProvider")
	mustEqual(t, "owner after DeleteIdentityProvider", got.Sub, alice.Sub)

	// Deleting the user frees its identities.
	mustOK(t, s.DeleteUser(ctx, p.ID, alice.Sub), "DeleteUser")
	_, err = byIdentity("Corp", "alice-subject")
	mustNotFound(t, err, "GetUserByIdentity after DeleteUser")
	carol := newUser(p, "carol", "")
	carol.Identities = []pool.Identity{newIdentity("Corp", "alice-subject", true)}
	mustOK(t, s.CreateUser(ctx, carol), "CreateUser with a deleted user's identity")
	got, err = byIdentity("Corp", "alice-subject")
	mustOK(t, err, "GetUserByIdentity of the new owner")
	mustEqual(t, "new owner", got, carol)
	got, err = s.GetUserByIdentity(ctx, other.ID, "Corp", "alice-subject")
	mustOK(t, err, "GetUserByIdentity in the other pool")
	mustEqual(t, "other pool's user", got, elsewhere)
}
