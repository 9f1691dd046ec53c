package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/smarthome/skillstore"
	"github.com/linkpool/linkpool/internal/store"
)

// wholeStoreListings are the export listings, paged like the scoped ones
// (testPagination runs them too).
func wholeStoreListings() []listing {
	return []listing{
		{"ListAllRefreshTokens", func(t *testing.T, ctx context.Context, s skillstore.Database) (listFunc, func() string) {
			w := createWorld(t, ctx, s)
			return func(o store.ListOptions) ([]string, string, error) {
					pg, err := s.ListAllRefreshTokens(ctx, o)
					return keysOf(pg.Items, func(x store.RefreshToken) string { return x.ID }), pg.Next, err
				}, func() string {
					rt := newRefreshToken(w.pool.ID, w.client.ID, w.user.Sub, "")
					mustOK(t, s.CreateRefreshToken(ctx, rt), "CreateRefreshToken")
					return rt.ID
				}
		}},
		{"ListAllLamps", func(t *testing.T, ctx context.Context, s skillstore.Database) (listFunc, func() string) {
			owners := []string{pool.NewSub(), pool.NewSub()}
			n := 0
			return func(o store.ListOptions) ([]string, string, error) {
					pg, err := s.ListAllLamps(ctx, o)
					return keysOf(pg.Items, func(x skillstore.Lamp) string { return x.Owner + "/" + x.ID }), pg.Next, err
				}, func() string {
					// Alternate owners so that pages end inside and
					// between owners.
					l := newLamp(owners[n%2], fmt.Sprintf("lamp-%d-%s", n, randomHex(2)))
					n++
					mustOK(t, s.CreateLamp(ctx, l), "CreateLamp")
					return l.Owner + "/" + l.ID
				}
		}},
		{"ListAllWebAuthnCredentials", func(t *testing.T, ctx context.Context, s skillstore.Database) (listFunc, func() string) {
			worlds := []world{createWorld(t, ctx, s), createWorld(t, ctx, s)}
			n := 0
			return func(o store.ListOptions) ([]string, string, error) {
					pg, err := s.ListAllWebAuthnCredentials(ctx, o)
					return keysOf(pg.Items, webAuthnKey), pg.Next, err
				}, func() string {
					// Alternate pools so that pages end inside and
					// between pools.
					w := worlds[n%2]
					n++
					c := newWebAuthnCredential(w.pool.ID, w.user.Sub)
					mustOK(t, s.CreateWebAuthnCredential(ctx, c), "CreateWebAuthnCredential")
					return webAuthnKey(c)
				}
		}},
		{"ListAlexaGrants", func(t *testing.T, ctx context.Context, s skillstore.Database) (listFunc, func() string) {
			return func(o store.ListOptions) ([]string, string, error) {
					pg, err := s.ListAlexaGrants(ctx, o)
					return keysOf(pg.Items, func(x skillstore.AlexaGrant) string { return x.Owner }), pg.Next, err
				}, func() string {
					g := newAlexaGrant(pool.NewSub())
					mustOK(t, s.PutAlexaGrant(ctx, g), "PutAlexaGrant")
					return g.Owner
				}
		}},
	}
}

// testListAll: the whole-store listings return every row of every pool
// and owner with all its fields, revoked and expired grants included.
func testListAll(t *testing.T, s skillstore.Database) {
	ctx := t.Context()
	a, b := createWorld(t, ctx, s), createWorld(t, ctx, s)
	t0 := base()

	live := newRefreshToken(a.pool.ID, a.client.ID, a.user.Sub, "code-a")
	revoked := newRefreshToken(b.pool.ID, b.client.ID, b.user.Sub, "")
	revoked.RevokedAt = t0
	expired := newRefreshToken(b.pool.ID, b.client.ID, b.user.Sub, "")
	expired.ExpiresAt = t0.Add(-time.Hour)
	tokens := map[string]store.RefreshToken{}
	for _, rt := range []store.RefreshToken{live, revoked, expired} {
		mustOK(t, s.CreateRefreshToken(ctx, rt), "CreateRefreshToken")
		tokens[rt.ID] = rt
	}

	lamps := map[string]skillstore.Lamp{}
	for _, owner := range []string{a.user.Sub, b.user.Sub} {
		for _, id := range []string{"b", "a"} {
			l := newLamp(owner, id)
			mustOK(t, s.CreateLamp(ctx, l), "CreateLamp")
			lamps[owner+"/"+id] = l
		}
	}

	grants := map[string]skillstore.AlexaGrant{}
	exchanged := newAlexaGrant(a.user.Sub)
	pending := newAlexaGrant(b.user.Sub)
	pending.SealedTokens, pending.TokenExpiresAt = nil, time.Time{}
	for _, g := range []skillstore.AlexaGrant{exchanged, pending} {
		mustOK(t, s.PutAlexaGrant(ctx, g), "PutAlexaGrant")
		grants[g.Owner] = g
	}

	passkeys := map[string]pool.WebAuthnCredential{}
	for _, w := range []world{a, b, a} {
		c := newWebAuthnCredential(w.pool.ID, w.user.Sub)
		mustOK(t, s.CreateWebAuthnCredential(ctx, c), "CreateWebAuthnCredential")
		passkeys[webAuthnKey(c)] = c
	}

	tests := []struct {
		name  string
		check func(t *testing.T)
	}{
		{"refresh tokens", func(t *testing.T) {
			got := collect(t, func(o store.ListOptions) (store.Page[store.RefreshToken], error) {
				return s.ListAllRefreshTokens(ctx, o)
			})
			checkAll(t, got, tokens, func(x store.RefreshToken) string { return x.ID })
		}},
		{"lamps", func(t *testing.T) {
			got := collect(t, func(o store.ListOptions) (store.Page[skillstore.Lamp], error) { return s.ListAllLamps(ctx, o) })
			checkAll(t, got, lamps, func(x skillstore.Lamp) string { return x.Owner + "/" + x.ID })
		}},
		{"passkeys", func(t *testing.T) {
			got := collect(t, func(o store.ListOptions) (store.Page[pool.WebAuthnCredential], error) {
				return s.ListAllWebAuthnCredentials(ctx, o)
			})
			checkAll(t, got, passkeys, webAuthnKey)
		}},
		{"alexa grants", func(t *testing.T) {
			got := collect(t, func(o store.ListOptions) (store.Page[skillstore.AlexaGrant], error) { return s.ListAlexaGrants(ctx, o) })
			checkAll(t, got, grants, func(x skillstore.AlexaGrant) string { return x.Owner })
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, tc.check)
	}
}

func webAuthnKey(c pool.WebAuthnCredential) string { return c.PoolID + "/" + fmt.Sprintf("%x", c.ID) }

// collect pages through a listing two items at a time.
func collect[T any](t *testing.T, list func(store.ListOptions) (store.Page[T], error)) []T {
	t.Helper()
	var out []T
	opts := store.ListOptions{Limit: 2}
	for range 1000 {
		page, err := list(opts)
		mustOK(t, err, "list")
		out = append(out, page.Items...)
		if page.Next == "" {
			return out
		}
		opts.PageToken = page.Next
	}
	t.Fatal("listing never ended")
	return nil
}

// checkAll fails unless got holds exactly the values of want, each equal
// to what was stored.
func checkAll[T any](t *testing.T, got []T, want map[string]T, key func(T) string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("listed %d items, want %d", len(got), len(want))
	}
	seen := map[string]bool{}
	for _, g := range got {
		k := key(g)
		w, ok := want[k]
		if !ok || seen[k] {
			t.Fatalf("listed unexpected or repeated item %q", k)
		}
		seen[k] = true
		mustEqual(t, "listed "+k, g, w)
	}
}
