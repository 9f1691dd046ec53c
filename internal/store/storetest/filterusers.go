package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
)

// filterUser creates a user of p with exactly the given attributes (none
// of newUser's defaults), status and enabled flag.
func filterUser(t *testing.T, ctx context.Context, s store.Store, p pool.Pool, username string, attrs map[string]string, status string, enabled bool) pool.User {
	t.Helper()
	u := newUser(p, username, "")
	u.Attributes = attrs
	u.Status, u.Enabled = status, enabled
	mustOK(t, s.CreateUser(ctx, u), "CreateUser "+username)
	return u
}

// filterAll pages through FilterUsers with limit users a page and
// returns the usernames in the order listed.
func filterAll(t *testing.T, ctx context.Context, s store.Store, poolID string, f store.UserFilter, limit int) []string {
	t.Helper()
	list := func(o store.ListOptions) ([]string, string, error) {
		pg, err := s.FilterUsers(ctx, poolID, f, o)
		return keysOf(pg.Items, func(u pool.User) string { return u.Username }), pg.Next, err
	}
	names, _ := traverse(t, list, limit)
	return names
}

// testFilterUsers: every searchable attribute, exact and prefix, with
// the case rules of store.UserFilter, values with SQL's special
// characters, attributes some users lack, values longer than the
// indexed key, and the pool's scope.
func testFilterUsers(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := createPool(t, ctx, s, false)
	other := createPool(t, ctx, s, false)
	long := strings.Repeat("名", store.FilterKeyRunes) // as long as the indexed key
	filterUser(t, ctx, s, p, "Alice", map[string]string{
		"email": "Alice@Example.COM", "name": "Alice Liddell", "given_name": "Alice", "family_name": "Liddell",
		"phone_number": "+15550100", "preferred_username": "ally",
	}, pool.StatusConfirmed, true)
	filterUser(t, ctx, s, p, "bob", map[string]string{
		"email": "bob@example.com", "name": "Bob", "given_name": "Robert",
	}, pool.StatusUnconfirmed, false)
	filterUser(t, ctx, s, p, "carol", map[string]string{
		"name": `50% _off_ 'quoted' "double" back\slash`, "family_name": "O'Brien",
	}, pool.StatusForceChangePassword, true)
	filterUser(t, ctx, s, p, "dave", map[string]string{
		"email": "dave@EXAMPLE.org", "name": "alice liddell", "phone_number": "+15550101",
	}, pool.StatusResetRequired, true)
	filterUser(t, ctx, s, p, "émile", map[string]string{
		"email": "Émile@example.com", "name": "Émile", "given_name": "É",
	}, pool.StatusConfirmed, true)
	filterUser(t, ctx, s, p, "long1", map[string]string{"name": long + "a"}, pool.StatusConfirmed, true)
	filterUser(t, ctx, s, p, "long2", map[string]string{"name": long + "b"}, pool.StatusConfirmed, true)
	filterUser(t, ctx, s, p, "long3", map[string]string{"name": long}, pool.StatusConfirmed, true)
	filterUser(t, ctx, s, p, "bare", nil, pool.StatusConfirmed, true)
	// The same values in another pool are never listed.
	filterUser(t, ctx, s, other, "alice", map[string]string{"email": "alice@example.com", "name": "Alice Liddell"}, pool.StatusConfirmed, true)

	sub := func(name string) string {
		u, err := s.GetUserByUsername(ctx, p.ID, p.UsernameKey(name))
		mustOK(t, err, "GetUserByUsername "+name)
		return u.Sub
	}
	aliceSub := sub("alice")
	tests := []struct {
		attr, value string
		prefix      bool
		want        []string
	}{
		// username: the caller passes the key; prefixes of keys.
		{"username", "alice", false, []string{"Alice"}},
		{"username", "Alice", false, nil},
		{"username", "long", true, []string{"long1", "long2", "long3"}},
		{"username", "", true, []string{"Alice", "bare", "bob", "carol", "dave", "long1", "long2", "long3", "émile"}},
		{"sub", aliceSub, false, []string{"Alice"}},
		{"sub", aliceSub[:30], true, []string{"Alice"}},
		{"sub", strings.ToUpper(aliceSub), false, nil},
		// email ignores ASCII case, and only ASCII case.
		{"email", "alice@example.com", false, []string{"Alice"}},
		{"email", "ALICE@EXAMPLE.COM", false, []string{"Alice"}},
		{"email", "alice@example", true, []string{"Alice"}},
		{"email", "B", true, []string{"bob"}},
		{"email", "DAVE@example.ORG", false, []string{"dave"}},
		{"email", "", true, []string{"Alice", "bob", "dave", "émile"}},
		{"email", "émile@example.com", false, nil},
		{"email", "ÉMILE@example.com", false, []string{"émile"}},
		{"email", "É", true, []string{"émile"}},
		{"email", "nobody@example.com", false, nil},
		// The other attributes are exact.
		{"name", "Alice Liddell", false, []string{"Alice"}},
		{"name", "alice liddell", false, []string{"dave"}},
		{"name", "Alice", true, []string{"Alice"}},
		{"name", "ALICE", true, nil},
		{"name", "", true, []string{"Alice", "bob", "carol", "dave", "long3", "long1", "long2", "émile"}},
		{"name", "Bob", false, []string{"bob"}},
		{"name", "Bo", false, nil},
		{"given_name", "Alice", false, []string{"Alice"}},
		{"given_name", "R", true, []string{"bob"}},
		{"given_name", "É", false, []string{"émile"}},
		{"given_name", "é", false, nil},
		{"family_name", "Liddell", false, []string{"Alice"}},
		{"family_name", "O'", true, []string{"carol"}},
		{"phone_number", "+1555010", true, []string{"Alice", "dave"}},
		{"phone_number", "+15550101", false, []string{"dave"}},
		{"preferred_username", "ally", false, []string{"Alice"}},
		{"preferred_username", "al", true, []string{"Alice"}},
		// SQL's wildcards, quotes and escapes are ordinary characters.
		{"name", `50% _off_ 'quoted' "double" back\slash`, false, []string{"carol"}},
		{"name", `50%`, true, []string{"carol"}},
		{"name", `5_%`, true, nil},
		{"name", `%`, true, nil},
		{"name", `_`, true, nil},
		{"name", `50% _off_ 'q`, true, []string{"carol"}},
		{"family_name", `O\'Brien`, false, nil},
		{"family_name", `O'Brien`, false, []string{"carol"}},
		// Values longer than the indexed key still match exactly.
		{"name", long, false, []string{"long3"}},
		{"name", long + "a", false, []string{"long1"}},
		{"name", long + "c", false, nil},
		{"name", long, true, []string{"long3", "long1", "long2"}},
		{"name", long + "b", true, []string{"long2"}},
		{"name", long[:len(long)-len("名")], true, []string{"long3", "long1", "long2"}},
		// Statuses ignore ASCII case; status is Enabled or Disabled.
		{"cognito:user_status", "confirmed", false, []string{"Alice", "bare", "long1", "long2", "long3", "émile"}},
		{"cognito:user_status", "UNCONFIRMED", false, []string{"bob"}},
		{"cognito:user_status", "Force_", true, []string{"carol"}},
		{"cognito:user_status", "CONFIRM", false, nil},
		{"status", "Disabled", false, []string{"bob"}},
		{"status", "DISABLED", false, []string{"bob"}},
		{"status", "en", true, []string{"Alice", "bare", "carol", "dave", "long1", "long2", "long3", "émile"}},
		{"status", "Enabled ", false, nil},
	}
	for _, tc := range tests {
		op := "="
		if tc.prefix {
			op = "^="
		}
		f := store.UserFilter{Attribute: tc.attr, Value: tc.value, Prefix: tc.prefix}
		for _, limit := range []int{1, 2, store.MaxPageSize} {
			t.Run(fmt.Sprintf("%s %s %q by %d", tc.attr, op, tc.value, limit), func(t *testing.T) {
				got := filterAll(t, ctx, s, p.ID, f, limit)
				if !sameSet(got, tc.want) || len(got) != len(tc.want) {
					t.Fatalf("got %q, want %q", got, tc.want)
				}
			})
		}
	}
}

// testFilterUsersOrder: a filtered listing is ordered by the attribute's
// key, then sub; pages resume after the last user listed, so users
// created or deleted between pages shift nothing, and a token serves only
// listings by its attribute.
func testFilterUsersOrder(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := createPool(t, ctx, s, false)
	var subs []string
	for i := range 7 {
		for _, given := range []string{"Sam", "Samantha", "Samuel"} {
			u := filterUser(t, ctx, s, p, fmt.Sprintf("%s-%d", strings.ToLower(given), i),
				map[string]string{"given_name": given, "email": fmt.Sprintf("%s%d@example.com", strings.ToLower(given), i%3)}, pool.StatusConfirmed, true)
			if given == "Sam" {
				subs = append(subs, u.Sub)
			}
		}
	}
	filterUser(t, ctx, s, p, "other", map[string]string{"given_name": "Sa"}, pool.StatusConfirmed, true)
	slices.Sort(subs)

	// Exact: by sub.
	pg, err := s.FilterUsers(ctx, p.ID, store.UserFilter{Attribute: "given_name", Value: "Sam"}, store.ListOptions{Limit: store.MaxPageSize})
	mustOK(t, err, "FilterUsers")
	if got := keysOf(pg.Items, func(u pool.User) string { return u.Sub }); !slices.Equal(got, subs) || pg.Next != "" {
		t.Fatalf("given_name = Sam: subs %q next %q, want %q", got, pg.Next, subs)
	}
	// Prefix: by key, then sub, page after page.
	f := store.UserFilter{Attribute: "given_name", Value: "Sam", Prefix: true}
	var got []pool.User
	opts := store.ListOptions{Limit: 4}
	for {
		pg, err := s.FilterUsers(ctx, p.ID, f, opts)
		mustOK(t, err, "FilterUsers page")
		if len(pg.Items) > 4 {
			t.Fatalf("page of %d users, limit 4", len(pg.Items))
		}
		got = append(got, pg.Items...)
		if pg.Next == "" {
			break
		}
		if len(got) == 4 {
			// Between pages: a user that sorts before the next page, one
			// that sorts into it, and one deleted from it.
			before := newUser(p, "sam-before", "")
			before.Sub = "00000000-0000-4000-8000-000000000000"
			before.Attributes = map[string]string{"given_name": "Sam"}
			mustOK(t, s.CreateUser(ctx, before), "CreateUser sam-before")
			filterUser(t, ctx, s, p, "samuel-late", map[string]string{"given_name": "Samuelle"}, pool.StatusConfirmed, true)
			gone, err := s.GetUserByUsername(ctx, p.ID, "samuel-6")
			mustOK(t, err, "GetUserByUsername")
			mustOK(t, s.DeleteUser(ctx, p.ID, gone.Sub), "DeleteUser")
		}
		opts.PageToken = pg.Next
	}
	key := func(u pool.User) string { return u.Attributes["given_name"] + "\x00" + u.Sub }
	if !slices.IsSortedFunc(got, func(a, b pool.User) int { return strings.Compare(key(a), key(b)) }) {
		t.Fatalf("prefix listing out of order: %q", keysOf(got, key))
	}
	names := keysOf(got, func(u pool.User) string { return u.Username })
	if len(names) != 21 || !slices.Contains(names, "samuel-late") || slices.Contains(names, "samuel-6") || slices.Contains(names, "other") {
		t.Fatalf("prefix listing across changes: %q", names)
	}
	seen := map[string]bool{}
	for _, n := range names {
		if seen[n] {
			t.Fatalf("%s listed twice: %q", n, names)
		}
		seen[n] = true
	}

	// A token belongs to its pool and attribute; the plain listing's
	// tokens are not the filtered one's.
	first, err := s.FilterUsers(ctx, p.ID, f, store.ListOptions{Limit: 1})
	mustOK(t, err, "FilterUsers first")
	plain, err := s.ListUsers(ctx, p.ID, store.ListOptions{Limit: 1})
	mustOK(t, err, "ListUsers")
	other := createPool(t, ctx, s, false)
	for name, call := range map[string]func() error{
		"other attribute": func() error {
			_, err := s.FilterUsers(ctx, p.ID, store.UserFilter{Attribute: "email", Value: "s", Prefix: true}, store.ListOptions{PageToken: first.Next})
			return err
		},
		"other pool": func() error {
			_, err := s.FilterUsers(ctx, other.ID, f, store.ListOptions{PageToken: first.Next})
			return err
		},
		"plain token": func() error {
			_, err := s.FilterUsers(ctx, p.ID, f, store.ListOptions{PageToken: plain.Next})
			return err
		},
		"filtered token on the plain listing": func() error {
			_, err := s.ListUsers(ctx, p.ID, store.ListOptions{PageToken: first.Next})
			return err
		},
		"garbage": func() error {
			_, err := s.FilterUsers(ctx, p.ID, f, store.ListOptions{PageToken: "not a token"})
			return err
		},
	} {
		if err := call(); !errors.Is(err, store.ErrInvalidPageToken) {
			t.Errorf("%s: err = %v, want ErrInvalidPageToken", name, err)
		}
	}

	// A filter the store cannot serve is an error, not a listing.
	for _, f := range []store.UserFilter{{Attribute: "custom:tier", Value: "x"}, {Attribute: "name", Value: "a\x00b"}} {
		if _, err := s.FilterUsers(ctx, p.ID, f, store.ListOptions{}); err == nil || errors.Is(err, store.ErrInvalidPageToken) {
			t.Errorf("FilterUsers(%+v): err = %v, want a failure", f, err)
		}
	}
}
