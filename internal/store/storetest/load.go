package storetest

import (
	"testing"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/smarthome/skillstore"
)

// testLoadFederation: the bulk load (skillstore.Database.Load) writes
// identity providers with their identifiers and users with their
// identities' index rows, as the Create methods do; an identifier two
// providers list, or an identity two users claim, fails the whole load
// with store.ErrAlreadyExists and leaves the store empty.
func testLoadFederation(t *testing.T, s skillstore.Database) {
	ctx := t.Context()
	p := newPool(false)
	a := newIdentityProvider(p.ID, "A", "a.example.com", "shared")
	b := newIdentityProvider(p.ID, "B", "b.example.com")
	u1 := newUser(p, "u1", "")
	u1.Identities = []pool.Identity{newIdentity("A", "subject-1", true), newIdentity("B", "subject-1", false)}
	u2 := newUser(p, "u2", "")
	u2.Identities = []pool.Identity{newIdentity("A", "subject-2", true)}
	load := func(idps []pool.IdentityProvider, users ...pool.User) error {
		return s.Load(ctx, func(l skillstore.Loader) error {
			if err := l.Pool(p); err != nil {
				return err
			}
			for _, x := range idps {
				if err := l.IdentityProvider(x); err != nil {
					return err
				}
			}
			for _, u := range users {
				if err := l.User(u); err != nil {
					return err
				}
			}
			return nil
		})
	}
	empty := func(what string) {
		t.Helper()
		_, err := s.GetPool(ctx, p.ID)
		mustNotFound(t, err, "GetPool after "+what)
		_, err = s.GetIdentityProviderByIdentifier(ctx, p.ID, "a.example.com")
		mustNotFound(t, err, "GetIdentityProviderByIdentifier after "+what)
		_, err = s.GetUserByIdentity(ctx, p.ID, "A", "subject-1")
		mustNotFound(t, err, "GetUserByIdentity after "+what)
	}

	b2 := b
	b2.IdpIdentifiers = []string{"b.example.com", "shared"}
	mustAlreadyExists(t, load([]pool.IdentityProvider{a, b2}, u1), "Load of two providers with one identifier")
	empty("the refused load of providers")
	thief := u2
	thief.Identities = append(thief.Identities, newIdentity("B", "subject-1", false))
	mustAlreadyExists(t, load([]pool.IdentityProvider{a, b}, u1, thief), "Load of two users with one identity")
	empty("the refused load of users")

	mustOK(t, load([]pool.IdentityProvider{a, b}, u1, u2), "Load")
	for _, tc := range []struct{ identifier, want string }{{"a.example.com", "A"}, {"shared", "A"}, {"b.example.com", "B"}} {
		got, err := s.GetIdentityProviderByIdentifier(ctx, p.ID, tc.identifier)
		mustOK(t, err, "GetIdentityProviderByIdentifier "+tc.identifier)
		mustEqual(t, "provider of "+tc.identifier, got.ProviderName, tc.want)
	}
	got, err := s.GetIdentityProvider(ctx, p.ID, "A")
	mustOK(t, err, "GetIdentityProvider A")
	mustEqual(t, "loaded provider", got, a)
	for _, tc := range []struct {
		provider, subject string
		want              pool.User
	}{{"A", "subject-1", u1}, {"B", "subject-1", u1}, {"A", "subject-2", u2}} {
		got, err := s.GetUserByIdentity(ctx, p.ID, tc.provider, tc.subject)
		mustOK(t, err, "GetUserByIdentity "+tc.provider+" "+tc.subject)
		mustEqual(t, "user of "+tc.provider+" "+tc.subject, got, tc.want)
	}
	// The loaded index rows hold as the Create methods' do.
	mustAlreadyExists(t, s.CreateIdentityProvider(ctx, newIdentityProvider(p.ID, "C", "shared")), "CreateIdentityProvider with a loaded identifier")
	c := newUser(p, "u3", "")
	c.Identities = []pool.Identity{newIdentity("B", "subject-1", true)}
	mustAlreadyExists(t, s.CreateUser(ctx, c), "CreateUser with a loaded identity")
}
