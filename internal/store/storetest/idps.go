package storetest

import (
	"slices"
	"testing"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
)

// testIdentityProviderCRUD: a provider reads back as stored, by name and
// by each identifier; names are unique per pool; Update stores what the
// callback returns and moves the identifiers with it; Delete removes the
// provider and its identifiers.
func testIdentityProviderCRUD(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := createPool(t, ctx, s, false)
	other := createPool(t, ctx, s, false)
	idp := newIdentityProvider(p.ID, "Corp", "corp.example.com", "corp")
	_, err := s.GetIdentityProvider(ctx, p.ID, idp.ProviderName)
	mustNotFound(t, err, "GetIdentityProvider before create")

	mustOK(t, s.CreateIdentityProvider(ctx, idp), "CreateIdentityProvider")
	bare := pool.IdentityProvider{PoolID: p.ID, ProviderName: pool.ProviderGoogle, ProviderType: pool.ProviderGoogle}
	mustOK(t, s.CreateIdentityProvider(ctx, bare), "CreateIdentityProvider without details, mapping, identifiers or secrets")
	// The same name in another pool is another provider.
	mustOK(t, s.CreateIdentityProvider(ctx, newIdentityProvider(other.ID, "Corp", "corp")), "CreateIdentityProvider in another pool")

	for _, tc := range []struct {
		name string
		get  func() (pool.IdentityProvider, error)
		want pool.IdentityProvider
	}{
		{"GetIdentityProvider", func() (pool.IdentityProvider, error) { return s.GetIdentityProvider(ctx, p.ID, "Corp") }, idp},
		{"GetIdentityProvider bare", func() (pool.IdentityProvider, error) { return s.GetIdentityProvider(ctx, p.ID, pool.ProviderGoogle) }, bare},
		{"GetIdentityProviderByIdentifier first", func() (pool.IdentityProvider, error) {
			return s.GetIdentityProviderByIdentifier(ctx, p.ID, "corp.example.com")
		}, idp},
		{"GetIdentityProviderByIdentifier second", func() (pool.IdentityProvider, error) {
			return s.GetIdentityProviderByIdentifier(ctx, p.ID, "corp")
		}, idp},
	} {
		got, err := tc.get()
		mustOK(t, err, tc.name)
		mustEqual(t, tc.name, got, tc.want)
	}
	for _, tc := range []struct {
		name string
		get  func() (pool.IdentityProvider, error)
	}{
		{"GetIdentityProvider unknown", func() (pool.IdentityProvider, error) { return s.GetIdentityProvider(ctx, p.ID, "Nope") }},
		{"GetIdentityProvider other pool", func() (pool.IdentityProvider, error) { return s.GetIdentityProvider(ctx, pool.NewSub(), "Corp") }},
		{"GetIdentityProvider name differs in case", func() (pool.IdentityProvider, error) { return s.GetIdentityProvider(ctx, p.ID, "corp") }},
		{"GetIdentityProviderByIdentifier unknown", func() (pool.IdentityProvider, error) {
			return s.GetIdentityProviderByIdentifier(ctx, p.ID, "nobody.example.com")
		}},
		{"GetIdentityProviderByIdentifier a provider name", func() (pool.IdentityProvider, error) {
			return s.GetIdentityProviderByIdentifier(ctx, p.ID, "Corp")
		}},
		{"GetIdentityProviderByIdentifier empty", func() (pool.IdentityProvider, error) {
			return s.GetIdentityProviderByIdentifier(ctx, p.ID, "")
		}},
	} {
		_, err := tc.get()
		mustNotFound(t, err, tc.name)
	}
	got, err := s.GetIdentityProviderByIdentifier(ctx, other.ID, "corp")
	mustOK(t, err, "GetIdentityProviderByIdentifier in the other pool")
	if got.PoolID != other.ID {
		t.Fatalf("GetIdentityProviderByIdentifier in the other pool returned pool %q's provider", got.PoolID)
	}

	dup := newIdentityProvider(p.ID, "Corp")
	dup.ProviderType = pool.ProviderSAML
	mustAlreadyExists(t, s.CreateIdentityProvider(ctx, dup), "CreateIdentityProvider with a taken name")
	got, err = s.GetIdentityProvider(ctx, p.ID, "Corp")
	mustOK(t, err, "GetIdentityProvider after the refused duplicate")
	mustEqual(t, "provider after the refused duplicate", got, idp)
	mustNotFound(t, s.CreateIdentityProvider(ctx, newIdentityProvider(pool.NewSub(), "Ghost")), "CreateIdentityProvider in a missing pool")

	get := func() (pool.IdentityProvider, error) { return s.GetIdentityProvider(ctx, p.ID, "Corp") }
	update := func(fn func(pool.IdentityProvider) (pool.IdentityProvider, error)) error {
		return s.UpdateIdentityProvider(ctx, p.ID, "Corp", fn)
	}
	updated := checkUpdate(t, "UpdateIdentityProvider", idp, get, update, mutateIdentityProvider)
	// The identifier the update dropped is free, the new one found.
	_, err = s.GetIdentityProviderByIdentifier(ctx, p.ID, "corp.example.com")
	mustNotFound(t, err, "GetIdentityProviderByIdentifier of the dropped identifier")
	for _, id := range updated.IdpIdentifiers {
		got, err := s.GetIdentityProviderByIdentifier(ctx, p.ID, id)
		mustOK(t, err, "GetIdentityProviderByIdentifier "+id)
		mustEqual(t, "GetIdentityProviderByIdentifier "+id, got, updated)
	}
	mustNotFound(t, s.UpdateIdentityProvider(ctx, p.ID, "Nope", failIfCalled[pool.IdentityProvider](t, "UpdateIdentityProvider")),
		"UpdateIdentityProvider of a missing provider")

	mustOK(t, s.DeleteIdentityProvider(ctx, p.ID, "Corp"), "DeleteIdentityProvider")
	_, err = s.GetIdentityProvider(ctx, p.ID, "Corp")
	mustNotFound(t, err, "GetIdentityProvider after delete")
	for _, id := range updated.IdpIdentifiers {
		_, err := s.GetIdentityProviderByIdentifier(ctx, p.ID, id)
		mustNotFound(t, err, "GetIdentityProviderByIdentifier after delete")
	}
	mustNotFound(t, s.DeleteIdentityProvider(ctx, p.ID, "Corp"), "DeleteIdentityProvider again")
	// The name and identifiers are free again; the other pool's provider
	// and the bare one are untouched.
	mustOK(t, s.CreateIdentityProvider(ctx, newIdentityProvider(p.ID, "Corp", updated.IdpIdentifiers...)), "CreateIdentityProvider after delete")
	_, err = s.GetIdentityProvider(ctx, other.ID, "Corp")
	mustOK(t, err, "GetIdentityProvider of the other pool")
	got, err = s.GetIdentityProvider(ctx, p.ID, pool.ProviderGoogle)
	mustOK(t, err, "GetIdentityProvider bare after delete of another")
	mustEqual(t, "bare provider", got, bare)
}

// testIdentityProviderIdentifiers: an identifier belongs to one provider
// of a pool. Creating or updating a provider with an identifier another
// has fails with store.ErrAlreadyExists and stores nothing; an update
// that drops an identifier frees it at once.
func testIdentityProviderIdentifiers(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := createPool(t, ctx, s, false)
	a := newIdentityProvider(p.ID, "A", "shared", "a-only")
	b := newIdentityProvider(p.ID, "B", "b-only")
	mustOK(t, s.CreateIdentityProvider(ctx, a), "CreateIdentityProvider A")
	mustOK(t, s.CreateIdentityProvider(ctx, b), "CreateIdentityProvider B")

	owner := func(identifier, want string) {
		t.Helper()
		got, err := s.GetIdentityProviderByIdentifier(ctx, p.ID, identifier)
		if want == "" {
			mustNotFound(t, err, "GetIdentityProviderByIdentifier "+identifier)
			return
		}
		mustOK(t, err, "GetIdentityProviderByIdentifier "+identifier)
		if got.ProviderName != want {
			t.Fatalf("identifier %q belongs to %q, want %q", identifier, got.ProviderName, want)
		}
	}

	// Create with a taken identifier: nothing of the provider is stored,
	// its other identifiers included.
	c := newIdentityProvider(p.ID, "C", "c-only", "shared")
	mustAlreadyExists(t, s.CreateIdentityProvider(ctx, c), "CreateIdentityProvider with a taken identifier")
	_, err := s.GetIdentityProvider(ctx, p.ID, "C")
	mustNotFound(t, err, "GetIdentityProvider of the refused provider")
	owner("c-only", "")
	owner("shared", "A")
	// The same identifier in another pool is free.
	other := createPool(t, ctx, s, false)
	mustOK(t, s.CreateIdentityProvider(ctx, newIdentityProvider(other.ID, "C", "shared")), "CreateIdentityProvider in another pool")
	owner("shared", "A")

	// Update B to take A's identifier: refused, B as it was.
	err = s.UpdateIdentityProvider(ctx, p.ID, "B", func(x pool.IdentityProvider) (pool.IdentityProvider, error) {
		x.IdpIdentifiers = []string{"b-only", "b-new", "shared"}
		x.AttributeMapping = map[string]string{"email": "mail"}
		return x, nil
	})
	mustAlreadyExists(t, err, "UpdateIdentityProvider taking another provider's identifier")
	got, err := s.GetIdentityProvider(ctx, p.ID, "B")
	mustOK(t, err, "GetIdentityProvider B")
	mustEqual(t, "B after the refused update", got, b)
	owner("b-new", "")
	owner("shared", "A")

	// A drops "shared", B takes it; an update that keeps its identifiers
	// (in another order) conflicts with nothing.
	err = s.UpdateIdentityProvider(ctx, p.ID, "A", func(x pool.IdentityProvider) (pool.IdentityProvider, error) {
		x.IdpIdentifiers = []string{"a-only"}
		return x, nil
	})
	mustOK(t, err, "UpdateIdentityProvider dropping an identifier")
	owner("shared", "")
	err = s.UpdateIdentityProvider(ctx, p.ID, "B", func(x pool.IdentityProvider) (pool.IdentityProvider, error) {
		x.IdpIdentifiers = []string{"shared", "b-only"}
		return x, nil
	})
	mustOK(t, err, "UpdateIdentityProvider taking a freed identifier")
	owner("shared", "B")
	err = s.UpdateIdentityProvider(ctx, p.ID, "B", func(x pool.IdentityProvider) (pool.IdentityProvider, error) {
		x.IdpIdentifiers = []string{"b-only", "shared"}
		return x, nil
	})
	mustOK(t, err, "UpdateIdentityProvider reordering its identifiers")
	got, err = s.GetIdentityProvider(ctx, p.ID, "B")
	mustOK(t, err, "GetIdentityProvider B")
	if !slices.Equal(got.IdpIdentifiers, []string{"b-only", "shared"}) {
		t.Fatalf("B's identifiers = %v, want them in the order stored", got.IdpIdentifiers)
	}
	owner("shared", "B")
	owner("b-only", "B")
	// Removing every identifier frees them all.
	err = s.UpdateIdentityProvider(ctx, p.ID, "B", func(x pool.IdentityProvider) (pool.IdentityProvider, error) {
		x.IdpIdentifiers = nil
		return x, nil
	})
	mustOK(t, err, "UpdateIdentityProvider dropping every identifier")
	owner("shared", "")
	owner("b-only", "")
	mustOK(t, s.CreateIdentityProvider(ctx, newIdentityProvider(p.ID, "D", "shared", "b-only")), "CreateIdentityProvider with freed identifiers")
	owner("shared", "D")
}

// testIdentityProviderCascade: deleting a pool deletes its providers and
// their identifiers, and its users' identity links; another pool's stay.
func testIdentityProviderCascade(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := createPool(t, ctx, s, false)
	bystander := createPool(t, ctx, s, false)
	var users []pool.User
	for _, x := range []pool.Pool{p, bystander} {
		mustOK(t, s.CreateIdentityProvider(ctx, newIdentityProvider(x.ID, "Corp", "corp")), "CreateIdentityProvider")
		u := newUser(x, "fed", "")
		u.Identities = []pool.Identity{newIdentity("Corp", "subject-1", true)}
		mustOK(t, s.CreateUser(ctx, u), "CreateUser")
		users = append(users, u)
	}
	mustOK(t, s.DeletePool(ctx, p.ID), "DeletePool")
	_, err := s.GetIdentityProvider(ctx, p.ID, "Corp")
	mustNotFound(t, err, "GetIdentityProvider after DeletePool")
	_, err = s.GetIdentityProviderByIdentifier(ctx, p.ID, "corp")
	mustNotFound(t, err, "GetIdentityProviderByIdentifier after DeletePool")
	_, err = s.GetUserByIdentity(ctx, p.ID, "Corp", "subject-1")
	mustNotFound(t, err, "GetUserByIdentity after DeletePool")
	page, err := s.ListIdentityProviders(ctx, p.ID, store.ListOptions{})
	mustOK(t, err, "ListIdentityProviders after DeletePool")
	if len(page.Items) != 0 {
		t.Fatalf("ListIdentityProviders after DeletePool: %d providers", len(page.Items))
	}

	got, err := s.GetIdentityProviderByIdentifier(ctx, bystander.ID, "corp")
	mustOK(t, err, "GetIdentityProviderByIdentifier of the bystander")
	mustEqual(t, "bystander provider", got, newIdentityProvider(bystander.ID, "Corp", "corp"))
	gotUser, err := s.GetUserByIdentity(ctx, bystander.ID, "Corp", "subject-1")
	mustOK(t, err, "GetUserByIdentity of the bystander")
	mustEqual(t, "bystander user", gotUser, users[1])

	// A pool created again under the deleted one's id starts empty.
	mustOK(t, s.CreatePool(ctx, p), "CreatePool again")
	mustOK(t, s.CreateIdentityProvider(ctx, newIdentityProvider(p.ID, "Corp", "corp")), "CreateIdentityProvider in the new pool")
	again := newUser(p, "fed", "")
	again.Identities = users[0].Identities
	mustOK(t, s.CreateUser(ctx, again), "CreateUser with the deleted user's identity")
}
