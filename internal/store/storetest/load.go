package storetest

import (
	"testing"
	"time"

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
	loaded, err := s.GetPool(ctx, p.ID)
	mustOK(t, err, "GetPool after Load")
	mustEqual(t, "loaded pool", loaded, p)
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

// testLoadPasskeys: the bulk load writes passkeys as
// CreateWebAuthnCredential does, after their users; a credential id
// twice in a pool fails the whole load with store.ErrAlreadyExists, a
// credential of a user the load lacks with store.ErrNotFound, and either
// leaves the store empty.
func testLoadPasskeys(t *testing.T, s skillstore.Database) {
	ctx := t.Context()
	p := newPool(false)
	u1, u2 := newUser(p, "u1", ""), newUser(p, "u2", "")
	c1, c2, c3 := newWebAuthnCredential(p.ID, u1.Sub), newWebAuthnCredential(p.ID, u2.Sub), newWebAuthnCredential(p.ID, u1.Sub)
	c3.CreatedAt = c1.CreatedAt.Add(time.Second)
	c3.Transports, c3.AAGUID = nil, nil
	load := func(passkeys ...pool.WebAuthnCredential) error {
		return s.Load(ctx, func(l skillstore.Loader) error {
			if err := l.Pool(p); err != nil {
				return err
			}
			// Users and passkeys interleaved, as tables change in an
			// import.
			if err := l.User(u1); err != nil {
				return err
			}
			if err := l.WebAuthnCredential(passkeys[0]); err != nil {
				return err
			}
			if err := l.User(u2); err != nil {
				return err
			}
			for _, c := range passkeys[1:] {
				if err := l.WebAuthnCredential(c); err != nil {
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
		_, err = s.GetWebAuthnCredential(ctx, p.ID, c1.ID)
		mustNotFound(t, err, "GetWebAuthnCredential after "+what)
	}

	dup := c2
	dup.ID = c1.ID
	mustAlreadyExists(t, load(c1, dup), "Load of two passkeys with one id")
	empty("the refused load of a duplicate")
	orphan := newWebAuthnCredential(p.ID, pool.NewSub())
	mustNotFound(t, load(c1, c2, orphan), "Load of a passkey without its user")
	empty("the refused load of an orphan")

	mustOK(t, load(c1, c2, c3), "Load")
	got, err := s.ListWebAuthnCredentials(ctx, p.ID, u1.Sub)
	mustOK(t, err, "ListWebAuthnCredentials u1")
	mustEqual(t, "u1's loaded passkeys", got, []pool.WebAuthnCredential{c1, c3})
	got, err = s.ListWebAuthnCredentials(ctx, p.ID, u2.Sub)
	mustOK(t, err, "ListWebAuthnCredentials u2")
	mustEqual(t, "u2's loaded passkeys", got, []pool.WebAuthnCredential{c2})
	// The loaded rows hold as the Create method's do.
	again := newWebAuthnCredential(p.ID, u2.Sub)
	again.ID = c3.ID
	mustAlreadyExists(t, s.CreateWebAuthnCredential(ctx, again), "CreateWebAuthnCredential with a loaded id")
	mustOK(t, s.DeleteUser(ctx, p.ID, u1.Sub), "DeleteUser")
	_, err = s.GetWebAuthnCredential(ctx, p.ID, c1.ID)
	mustNotFound(t, err, "loaded passkey after DeleteUser")
}
