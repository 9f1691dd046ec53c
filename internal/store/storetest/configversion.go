package storetest

import (
	"context"
	"testing"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
)

// testConfigVersion: every write to pools, clients, domains, groups and
// identity providers,
// cascaded deletes included, raises ConfigVersion and ConfigWrites; writes
// to other tables (users, group memberships) and failed writes that
// change nothing do not raise ConfigVersion.
func testConfigVersion(t *testing.T, s store.Store) {
	ctx := t.Context()
	version := func() int64 {
		t.Helper()
		v, err := s.ConfigVersion(ctx)
		mustOK(t, err, "ConfigVersion")
		return v
	}
	changes := func(what string, write func() error) {
		t.Helper()
		v, w := version(), s.ConfigWrites()
		mustOK(t, write(), what)
		if got := version(); got <= v {
			t.Errorf("%s: ConfigVersion %d, was %d: want it raised", what, got, v)
		}
		if got := s.ConfigWrites(); got <= w {
			t.Errorf("%s: ConfigWrites %d, was %d: want it raised", what, got, w)
		}
	}
	unchanged := func(what string, write func() error) {
		t.Helper()
		v := version()
		_ = write()
		if got := version(); got != v {
			t.Errorf("%s: ConfigVersion %d, was %d: want it unchanged", what, got, v)
		}
	}

	p := newPool(false)
	changes("CreatePool", func() error { return s.CreatePool(ctx, p) })
	changes("UpdatePool", func() error {
		return s.UpdatePool(ctx, p.ID, func(p pool.Pool) (pool.Pool, error) { p.Name = "renamed"; return p, nil })
	})
	c := newClient(p.ID)
	changes("CreateClient", func() error { return s.CreateClient(ctx, c) })
	changes("UpdateClient", func() error {
		return s.UpdateClient(ctx, c.ID, func(c pool.Client) (pool.Client, error) { c.Name = "renamed"; return c, nil })
	})
	d := newDomain(p.ID, false)
	changes("CreateDomain", func() error { return s.CreateDomain(ctx, d) })
	changes("DeleteDomain", func() error { return s.DeleteDomain(ctx, d.Domain) })
	changes("DeleteClient", func() error { return s.DeleteClient(ctx, c.ID) })

	g := pool.Group{PoolID: p.ID, Name: "admins", CreatedAt: base(), UpdatedAt: base()}
	changes("CreateGroup", func() error { return s.CreateGroup(ctx, g) })
	changes("UpdateGroup", func() error {
		return s.UpdateGroup(ctx, p.ID, g.Name, func(g pool.Group) (pool.Group, error) { g.Description = "d"; return g, nil })
	})
	idp := newIdentityProvider(p.ID, "Corp", "corp")
	changes("CreateIdentityProvider", func() error { return s.CreateIdentityProvider(ctx, idp) })
	changes("UpdateIdentityProvider", func() error {
		return s.UpdateIdentityProvider(ctx, p.ID, idp.ProviderName, func(x pool.IdentityProvider) (pool.IdentityProvider, error) {
			x.IdpIdentifiers = []string{"corp2"}
			return x, nil
		})
	})
	unchanged("CreateIdentityProvider with a taken name", func() error { return s.CreateIdentityProvider(ctx, idp) })
	unchanged("CreateIdentityProvider with a taken identifier", func() error {
		return s.CreateIdentityProvider(ctx, newIdentityProvider(p.ID, "Other", "corp2"))
	})
	unchanged("UpdateIdentityProvider refused by its callback", func() error {
		return s.UpdateIdentityProvider(ctx, p.ID, idp.ProviderName, func(x pool.IdentityProvider) (pool.IdentityProvider, error) {
			return x, errRefused
		})
	})
	changes("DeleteIdentityProvider", func() error { return s.DeleteIdentityProvider(ctx, p.ID, idp.ProviderName) })
	unchanged("DeleteIdentityProvider of a missing provider", func() error { return s.DeleteIdentityProvider(ctx, p.ID, idp.ProviderName) })
	mustOK(t, s.CreateIdentityProvider(ctx, idp), "CreateIdentityProvider again")

	u := newUser(p, "alice", "alice@example.com")
	unchanged("CreateUser", func() error { return s.CreateUser(ctx, u) })
	unchanged("AddUserToGroup", func() error { return s.AddUserToGroup(ctx, p.ID, g.Name, u.Sub) })
	changes("DeleteGroup", func() error { return s.DeleteGroup(ctx, p.ID, g.Name) })
	unchanged("DeleteClient of a missing client", func() error { return s.DeleteClient(ctx, c.ID) })
	unchanged("CreatePool with a taken id", func() error { return s.CreatePool(ctx, p) })

	// Deleting a pool deletes its clients, domains and providers by
	// cascade.
	c2 := newClient(p.ID)
	mustOK(t, s.CreateClient(ctx, c2), "CreateClient")
	mustOK(t, s.CreateDomain(ctx, newDomain(p.ID, true)), "CreateDomain")
	changes("DeletePool", func() error { return s.DeletePool(ctx, p.ID) })
	_, err := s.GetClient(context.Background(), c2.ID)
	mustNotFound(t, err, "GetClient after DeletePool")
	_, err = s.GetIdentityProvider(ctx, p.ID, idp.ProviderName)
	mustNotFound(t, err, "GetIdentityProvider after DeletePool")
}
