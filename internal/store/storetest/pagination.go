package storetest

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/smarthome/skillstore"
	"github.com/linkpool/linkpool/internal/store"
)

// listing adapts one paginated List method: list returns the keys of one
// page, add creates one more item and returns its key.
type listing struct {
	name string
	// setup prepares a scope (a pool, a group) and returns its list and
	// add functions. Items outside the scope are created too, so that a
	// listing that ignores its scope fails.
	setup func(t *testing.T, ctx context.Context, s skillstore.Database) (list listFunc, add func() string)
}

type listFunc func(opts store.ListOptions) (keys []string, next string, err error)

func listings() []listing {
	return append(scopedListings(), wholeStoreListings()...)
}

func scopedListings() []listing {
	return []listing{
		{"ListPools", func(t *testing.T, ctx context.Context, s skillstore.Database) (listFunc, func() string) {
			return func(o store.ListOptions) ([]string, string, error) {
					p, err := s.ListPools(ctx, o)
					return keysOf(p.Items, func(x pool.Pool) string { return x.ID }), p.Next, err
				}, func() string {
					return createPool(t, ctx, s, false).ID
				}
		}},
		{"ListClients", func(t *testing.T, ctx context.Context, s skillstore.Database) (listFunc, func() string) {
			p := createPool(t, ctx, s, false)
			noise := createPool(t, ctx, s, false)
			mustOK(t, s.CreateClient(ctx, newClient(noise.ID)), "CreateClient noise")
			return func(o store.ListOptions) ([]string, string, error) {
					pg, err := s.ListClients(ctx, p.ID, o)
					return keysOf(pg.Items, func(x pool.Client) string { return x.ID }), pg.Next, err
				}, func() string {
					c := newClient(p.ID)
					mustOK(t, s.CreateClient(ctx, c), "CreateClient")
					return c.ID
				}
		}},
		{"ListUsers", func(t *testing.T, ctx context.Context, s skillstore.Database) (listFunc, func() string) {
			p := createPool(t, ctx, s, false)
			noise := createPool(t, ctx, s, false)
			createUser(t, ctx, s, noise, "noise", "")
			return func(o store.ListOptions) ([]string, string, error) {
					pg, err := s.ListUsers(ctx, p.ID, o)
					return keysOf(pg.Items, func(x pool.User) string { return x.Sub }), pg.Next, err
				}, func() string {
					return createUser(t, ctx, s, p, "user-"+randomHex(6), "").Sub
				}
		}},
		{"ListGroups", func(t *testing.T, ctx context.Context, s skillstore.Database) (listFunc, func() string) {
			p := createPool(t, ctx, s, false)
			noise := createPool(t, ctx, s, false)
			mustOK(t, s.CreateGroup(ctx, newGroup(noise.ID, "noise", nil)), "CreateGroup noise")
			return func(o store.ListOptions) ([]string, string, error) {
					pg, err := s.ListGroups(ctx, p.ID, o)
					return keysOf(pg.Items, func(x pool.Group) string { return x.Name }), pg.Next, err
				}, func() string {
					g := newGroup(p.ID, "group-"+randomHex(6), nil)
					mustOK(t, s.CreateGroup(ctx, g), "CreateGroup")
					return g.Name
				}
		}},
		{"ListIdentityProviders", func(t *testing.T, ctx context.Context, s skillstore.Database) (listFunc, func() string) {
			p := createPool(t, ctx, s, false)
			noise := createPool(t, ctx, s, false)
			mustOK(t, s.CreateIdentityProvider(ctx, newIdentityProvider(noise.ID, "noise", "noise")), "CreateIdentityProvider noise")
			return func(o store.ListOptions) ([]string, string, error) {
					pg, err := s.ListIdentityProviders(ctx, p.ID, o)
					return keysOf(pg.Items, func(x pool.IdentityProvider) string { return x.ProviderName }), pg.Next, err
				}, func() string {
					x := newIdentityProvider(p.ID, "idp-"+randomHex(6), randomHex(6))
					mustOK(t, s.CreateIdentityProvider(ctx, x), "CreateIdentityProvider")
					return x.ProviderName
				}
		}},
		{"ListUsersInGroup", func(t *testing.T, ctx context.Context, s skillstore.Database) (listFunc, func() string) {
			p := createPool(t, ctx, s, false)
			for _, g := range []string{"members", "others"} {
				mustOK(t, s.CreateGroup(ctx, newGroup(p.ID, g, nil)), "CreateGroup")
			}
			outsider := createUser(t, ctx, s, p, "outsider", "")
			mustOK(t, s.AddUserToGroup(ctx, p.ID, "others", outsider.Sub), "AddUserToGroup outsider")
			return func(o store.ListOptions) ([]string, string, error) {
					pg, err := s.ListUsersInGroup(ctx, p.ID, "members", o)
					return keysOf(pg.Items, func(x pool.User) string { return x.Sub }), pg.Next, err
				}, func() string {
					u := createUser(t, ctx, s, p, "member-"+randomHex(6), "")
					mustOK(t, s.AddUserToGroup(ctx, p.ID, "members", u.Sub), "AddUserToGroup")
					mustOK(t, s.AddUserToGroup(ctx, p.ID, "others", u.Sub), "AddUserToGroup others")
					return u.Sub
				}
		}},
	}
}

func keysOf[T any](items []T, key func(T) string) []string {
	out := make([]string, len(items))
	for i, x := range items {
		out[i] = key(x)
	}
	return out
}

// traverse pages through a listing with the given limit and returns the
// keys in order and the page sizes.
func traverse(t *testing.T, list listFunc, limit int) (keys []string, sizes []int) {
	t.Helper()
	opts := store.ListOptions{Limit: limit}
	for range 10000 {
		page, next, err := list(opts)
		mustOK(t, err, fmt.Sprintf("list page %d", len(sizes)+1))
		keys = append(keys, page...)
		sizes = append(sizes, len(page))
		if next == "" {
			return keys, sizes
		}
		if len(page) == 0 {
			t.Fatalf("page %d is empty but Next is %q", len(sizes), next)
		}
		opts.PageToken = next
	}
	t.Fatal("listing never ended")
	return nil, nil
}

// testPagination: every item exactly once, in a stable order, in pages of
// the requested size, the last page with an empty Next.
func testPagination(t *testing.T, s skillstore.Database) {
	tests := []struct {
		name  string
		items int
		limit int
	}{
		{"empty", 0, 3},
		{"one partial page", 2, 3},
		{"exact multiple", 6, 3},
		{"remainder", 7, 3},
		{"limit one", 3, 1},
		{"default limit", 7, 0},
	}
	for _, l := range listings() {
		t.Run(l.name, func(t *testing.T) {
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					// A fresh scope per case. ListPools is store-wide, so
					// the expectation starts from what is already listed.
					list, add := l.setup(t, t.Context(), s)
					want, _ := traverse(t, list, store.MaxPageSize)
					for range tc.items {
						want = append(want, add())
					}
					keys, sizes := traverse(t, list, tc.limit)
					if w := pageSizes(len(want), tc.limit); !slices.Equal(sizes, w) {
						t.Fatalf("page sizes = %v, want %v", sizes, w)
					}
					checkOnce(t, keys, want)
					again, _ := traverse(t, list, tc.limit)
					if !slices.Equal(keys, again) {
						t.Fatalf("order is not stable: %v then %v", keys, again)
					}
					whole, _ := traverse(t, list, store.MaxPageSize)
					if !slices.Equal(keys, whole) {
						t.Fatalf("order depends on the page size: %v with limit %d, %v in one page", keys, tc.limit, whole)
					}
				})
			}
			t.Run("malformed token", func(t *testing.T) {
				list, add := l.setup(t, t.Context(), s)
				add()
				for _, tok := range []string{"!!not a token!!", "%", "\x00\xff"} {
					keys, _, err := list(store.ListOptions{PageToken: tok})
					mustBe(t, err, store.ErrInvalidPageToken, fmt.Sprintf("list with page token %q", tok))
					if len(keys) != 0 {
						t.Fatalf("list with a malformed page token returned items %v", keys)
					}
				}
			})
		})
	}
}

// pageSizes is how n items split into pages of limit (0: the default).
func pageSizes(n, limit int) []int {
	if limit == 0 {
		limit = store.DefaultPageSize
	}
	if n == 0 {
		return []int{0}
	}
	var out []int
	for ; n > limit; n -= limit {
		out = append(out, limit)
	}
	return append(out, n)
}

func checkOnce(t *testing.T, got, want []string) {
	t.Helper()
	if !sameSet(got, want) {
		t.Fatalf("listed %d items %v, want each of %d items %v exactly once", len(got), got, len(want), want)
	}
}

// testPaginationLimits: Limit 0 means store.DefaultPageSize and a Limit
// above store.MaxPageSize is capped.
func testPaginationLimits(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := createPool(t, ctx, s, false)
	total := store.MaxPageSize + 1
	want := make([]string, 0, total)
	for i := range total {
		g := newGroup(p.ID, fmt.Sprintf("g%05d", i), nil)
		mustOK(t, s.CreateGroup(ctx, g), "CreateGroup")
		want = append(want, g.Name)
	}
	tests := []struct {
		name  string
		limit int
		first int
	}{
		{"default", 0, store.DefaultPageSize},
		{"capped", store.MaxPageSize + 500, store.MaxPageSize},
		{"max", store.MaxPageSize, store.MaxPageSize},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			page, err := s.ListGroups(ctx, p.ID, store.ListOptions{Limit: tc.limit})
			mustOK(t, err, "ListGroups")
			if len(page.Items) != tc.first || page.Next == "" {
				t.Fatalf("first page: %d items, Next %q; want %d items and a Next", len(page.Items), page.Next, tc.first)
			}
			list := func(o store.ListOptions) ([]string, string, error) {
				pg, err := s.ListGroups(ctx, p.ID, o)
				return keysOf(pg.Items, func(x pool.Group) string { return x.Name }), pg.Next, err
			}
			keys, _ := traverse(t, list, tc.limit)
			checkOnce(t, keys, want)
		})
	}
}

// testPageTokens pins the one page-token format of both backends
// (store.PageToken): Next is the token of the listing's scope for the key
// of the last item returned, a token made with store.PageToken continues
// after its key, and a token of another listing is refused with
// store.ErrInvalidPageToken and returns nothing.
func testPageTokens(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := createPool(t, ctx, s, false)
	other := createPool(t, ctx, s, false)
	var names []string
	for i := range 3 {
		g := newGroup(p.ID, fmt.Sprintf("g%d", i), nil)
		mustOK(t, s.CreateGroup(ctx, g), "CreateGroup")
		names = append(names, g.Name)
		mustOK(t, s.CreateGroup(ctx, newGroup(other.ID, g.Name, nil)), "CreateGroup in the other pool")
	}
	var clients []string
	for range 2 {
		c := newClient(p.ID)
		mustOK(t, s.CreateClient(ctx, c), "CreateClient")
		clients = append(clients, c.ID)
	}
	slices.Sort(clients)

	page, err := s.ListGroups(ctx, p.ID, store.ListOptions{Limit: 1})
	mustOK(t, err, "ListGroups")
	if want := store.PageToken("groups/"+p.ID, names[0]); len(page.Items) != 1 || page.Next != want {
		t.Fatalf("first page of groups: %d items, Next %q; want 1 item and Next %q", len(page.Items), page.Next, want)
	}
	cpage, err := s.ListClients(ctx, p.ID, store.ListOptions{Limit: 1})
	mustOK(t, err, "ListClients")
	if want := store.PageToken("clients/"+p.ID, clients[0]); cpage.Next != want {
		t.Fatalf("first page of clients: Next %q, want %q", cpage.Next, want)
	}
	ppage, err := s.ListPools(ctx, store.ListOptions{Limit: 1})
	mustOK(t, err, "ListPools")
	if key, err := store.PageKey("pools", ppage.Next); err != nil || len(ppage.Items) != 1 || key != ppage.Items[0].ID {
		t.Fatalf("first page of pools: Next %q holds key %q (%v), want the last pool's id", ppage.Next, key, err)
	}

	// A token made by hand continues after its key.
	page, err = s.ListGroups(ctx, p.ID, store.ListOptions{PageToken: store.PageToken("groups/"+p.ID, names[0])})
	mustOK(t, err, "ListGroups after g0")
	if got := keysOf(page.Items, func(g pool.Group) string { return g.Name }); !slices.Equal(got, names[1:]) || page.Next != "" {
		t.Fatalf("groups after %q = %v, Next %q; want %v and no Next", names[0], got, page.Next, names[1:])
	}

	// Tokens of another listing, another pool, or with no key are refused.
	for _, tc := range []struct{ name, token string }{
		{"a clients token", cpage.Next},
		{"a token of the other pool", store.PageToken("groups/"+other.ID, names[0])},
		{"a pools token", ppage.Next},
		{"a token with an empty key", store.PageToken("groups/"+p.ID, "")},
		{"a token without a scope", store.PageToken("", names[0])},
		{"a token whose key is not UTF-8", store.PageToken("groups/"+p.ID, "g\xff")},
		{"a token whose key holds NUL", store.PageToken("groups/"+p.ID, "g\x00")},
	} {
		page, err := s.ListGroups(ctx, p.ID, store.ListOptions{PageToken: tc.token})
		mustBe(t, err, store.ErrInvalidPageToken, "ListGroups with "+tc.name)
		if len(page.Items) != 0 {
			t.Fatalf("ListGroups with %s returned %d items", tc.name, len(page.Items))
		}
	}
	_, err = s.ListClients(ctx, p.ID, store.ListOptions{PageToken: store.PageToken("groups/"+p.ID, names[0])})
	mustBe(t, err, store.ErrInvalidPageToken, "ListClients with a groups token")

	// Identity providers page in their own scope, by name.
	for _, name := range []string{"b", "a", "c"} {
		mustOK(t, s.CreateIdentityProvider(ctx, newIdentityProvider(p.ID, name)), "CreateIdentityProvider")
	}
	ipage, err := s.ListIdentityProviders(ctx, p.ID, store.ListOptions{Limit: 1})
	mustOK(t, err, "ListIdentityProviders")
	if want := store.PageToken("idps/"+p.ID, "a"); ipage.Next != want {
		t.Fatalf("first page of identity providers: Next %q, want %q", ipage.Next, want)
	}
	_, err = s.ListIdentityProviders(ctx, p.ID, store.ListOptions{PageToken: store.PageToken("groups/"+p.ID, "a")})
	mustBe(t, err, store.ErrInvalidPageToken, "ListIdentityProviders with a groups token")
	_, err = s.ListIdentityProviders(ctx, other.ID, store.ListOptions{PageToken: ipage.Next})
	mustBe(t, err, store.ErrInvalidPageToken, "ListIdentityProviders with a token of another pool")
}
