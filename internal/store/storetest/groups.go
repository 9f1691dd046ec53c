package storetest

import (
	"testing"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
)

func testGroupCRUD(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := createPool(t, ctx, s, false)
	other := createPool(t, ctx, s, false)

	g := newGroup(p.ID, "admins", ptr(0))
	_, err := s.GetGroup(ctx, p.ID, g.Name)
	mustNotFound(t, err, "GetGroup before create")
	mustOK(t, s.CreateGroup(ctx, g), "CreateGroup")
	noPrec := newGroup(p.ID, "readers", nil)
	mustOK(t, s.CreateGroup(ctx, noPrec), "CreateGroup without precedence")

	for _, want := range []pool.Group{g, noPrec} {
		got, err := s.GetGroup(ctx, p.ID, want.Name)
		mustOK(t, err, "GetGroup "+want.Name)
		mustEqual(t, "GetGroup "+want.Name, got, want)
	}
	got, err := s.GetGroup(ctx, p.ID, "readers")
	mustOK(t, err, "GetGroup readers")
	if got.Precedence != nil {
		t.Fatalf("nil precedence came back as %d", *got.Precedence)
	}

	mustAlreadyExists(t, s.CreateGroup(ctx, newGroup(p.ID, "admins", nil)), "CreateGroup with a taken name")
	got, err = s.GetGroup(ctx, p.ID, "admins")
	mustOK(t, err, "GetGroup after duplicate")
	mustEqual(t, "duplicate create must change nothing", got, g)
	otherAdmins := newGroup(other.ID, "admins", ptr(9))
	mustOK(t, s.CreateGroup(ctx, otherAdmins), "CreateGroup same name other pool")
	_, err = s.GetGroup(ctx, p.ID, "Admins")
	mustNotFound(t, err, "GetGroup is exact-match")

	get := func() (pool.Group, error) { return s.GetGroup(ctx, p.ID, g.Name) }
	update := func(fn func(pool.Group) (pool.Group, error)) error { return s.UpdateGroup(ctx, p.ID, g.Name, fn) }
	checkUpdate(t, "UpdateGroup", g, get, update, mutateGroup)
	get = func() (pool.Group, error) { return s.GetGroup(ctx, p.ID, noPrec.Name) }
	update = func(fn func(pool.Group) (pool.Group, error)) error { return s.UpdateGroup(ctx, p.ID, noPrec.Name, fn) }
	checkUpdate(t, "UpdateGroup setting precedence", noPrec, get, update, mutateGroup)
	mustNotFound(t, s.UpdateGroup(ctx, p.ID, "nobody", failIfCalled[pool.Group](t, "UpdateGroup")), "UpdateGroup of a missing group")

	mustOK(t, s.DeleteGroup(ctx, p.ID, g.Name), "DeleteGroup")
	_, err = s.GetGroup(ctx, p.ID, g.Name)
	mustNotFound(t, err, "GetGroup after delete")
	mustNotFound(t, s.DeleteGroup(ctx, p.ID, g.Name), "DeleteGroup twice")
	got, err = s.GetGroup(ctx, other.ID, "admins")
	mustOK(t, err, "GetGroup other pool after delete")
	mustEqual(t, "other pool's group", got, otherAdmins)
}

func testGroupMembership(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := createPool(t, ctx, s, false)
	alice := createUser(t, ctx, s, p, "alice", "alice@example.com")
	bob := createUser(t, ctx, s, p, "bob", "bob@example.com")
	admins := newGroup(p.ID, "admins", ptr(1))
	users := newGroup(p.ID, "users", ptr(2))
	mustOK(t, s.CreateGroup(ctx, admins), "CreateGroup admins")
	mustOK(t, s.CreateGroup(ctx, users), "CreateGroup users")

	mustOK(t, s.AddUserToGroup(ctx, p.ID, "admins", alice.Sub), "AddUserToGroup")
	mustOK(t, s.AddUserToGroup(ctx, p.ID, "admins", alice.Sub), "AddUserToGroup again (idempotent)")
	mustOK(t, s.AddUserToGroup(ctx, p.ID, "users", alice.Sub), "AddUserToGroup users")
	mustOK(t, s.AddUserToGroup(ctx, p.ID, "users", bob.Sub), "AddUserToGroup bob")
	mustNotFound(t, s.AddUserToGroup(ctx, p.ID, "nobody", alice.Sub), "AddUserToGroup missing group")
	mustNotFound(t, s.AddUserToGroup(ctx, p.ID, "admins", pool.NewSub()), "AddUserToGroup missing user")

	groups, err := s.ListGroupsForUser(ctx, p.ID, alice.Sub)
	mustOK(t, err, "ListGroupsForUser")
	if len(groups) != 2 {
		t.Fatalf("ListGroupsForUser = %d groups, want 2 (no duplicates from the repeated add)", len(groups))
	}
	mustEqual(t, "ListGroupsForUser[0]", groups[0], admins)
	mustEqual(t, "ListGroupsForUser[1]", groups[1], users)

	members := listAllUsersInGroup(t, s, p.ID, "users")
	if subs := userSubs(members); !sameSet(subs, []string{alice.Sub, bob.Sub}) {
		t.Fatalf("ListUsersInGroup(users) = %v, want alice and bob", subs)
	}
	for _, m := range members {
		if m.Sub == alice.Sub {
			mustEqual(t, "ListUsersInGroup item", m, alice)
		}
	}

	mustOK(t, s.RemoveUserFromGroup(ctx, p.ID, "users", alice.Sub), "RemoveUserFromGroup")
	mustOK(t, s.RemoveUserFromGroup(ctx, p.ID, "users", alice.Sub), "RemoveUserFromGroup of a non-member")
	groups, err = s.ListGroupsForUser(ctx, p.ID, alice.Sub)
	mustOK(t, err, "ListGroupsForUser after remove")
	if len(groups) != 1 || groups[0].Name != "admins" {
		t.Fatalf("ListGroupsForUser after remove = %v, want [admins]", groupNames(groups))
	}
	if subs := userSubs(listAllUsersInGroup(t, s, p.ID, "users")); !sameSet(subs, []string{bob.Sub}) {
		t.Fatalf("ListUsersInGroup(users) after remove = %v, want bob", subs)
	}

	// Deleting a group ends its memberships.
	mustOK(t, s.DeleteGroup(ctx, p.ID, "admins"), "DeleteGroup")
	groups, err = s.ListGroupsForUser(ctx, p.ID, alice.Sub)
	mustOK(t, err, "ListGroupsForUser after DeleteGroup")
	if len(groups) != 0 {
		t.Fatalf("ListGroupsForUser after DeleteGroup = %v, want none", groupNames(groups))
	}
	// A re-created group starts empty.
	mustOK(t, s.CreateGroup(ctx, admins), "CreateGroup admins again")
	if m := listAllUsersInGroup(t, s, p.ID, "admins"); len(m) != 0 {
		t.Fatalf("re-created group has members %v", userSubs(m))
	}
}

// testListGroupsForUserOrder: precedence ascending, nil precedence last,
// then name (Cognito "cognito:groups" and "cognito:preferred_role").
func testListGroupsForUserOrder(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := createPool(t, ctx, s, false)
	u := createUser(t, ctx, s, p, "alice", "")
	other := createUser(t, ctx, s, p, "bob", "")
	groups := []pool.Group{
		newGroup(p.ID, "gamma", nil),
		newGroup(p.ID, "beta", ptr(5)),
		newGroup(p.ID, "zeta", ptr(0)),
		newGroup(p.ID, "delta", nil),
		newGroup(p.ID, "alpha", ptr(5)),
		newGroup(p.ID, "omega", ptr(2)),
		newGroup(p.ID, "aaa-not-member", ptr(0)),
	}
	for _, g := range groups {
		mustOK(t, s.CreateGroup(ctx, g), "CreateGroup "+g.Name)
		if g.Name != "aaa-not-member" {
			mustOK(t, s.AddUserToGroup(ctx, p.ID, g.Name, u.Sub), "AddUserToGroup "+g.Name)
		}
	}
	mustOK(t, s.AddUserToGroup(ctx, p.ID, "aaa-not-member", other.Sub), "AddUserToGroup other")

	got, err := s.ListGroupsForUser(ctx, p.ID, u.Sub)
	mustOK(t, err, "ListGroupsForUser")
	want := []string{"zeta", "omega", "alpha", "beta", "delta", "gamma"}
	if names := groupNames(got); !equalStrings(names, want) {
		t.Fatalf("ListGroupsForUser = %v, want %v", names, want)
	}
	byName := map[string]pool.Group{}
	for _, g := range groups {
		byName[g.Name] = g
	}
	for _, g := range got {
		mustEqual(t, "ListGroupsForUser item "+g.Name, g, byName[g.Name])
	}

	none, err := s.ListGroupsForUser(ctx, p.ID, pool.NewSub())
	if err != nil && !isNotFound(err) {
		t.Fatalf("ListGroupsForUser of an unknown user: %v", err)
	}
	if len(none) != 0 {
		t.Fatalf("ListGroupsForUser of an unknown user = %v", groupNames(none))
	}
}

func groupNames(gs []pool.Group) []string {
	out := make([]string, len(gs))
	for i, g := range gs {
		out[i] = g.Name
	}
	return out
}

func userSubs(us []pool.User) []string {
	out := make([]string, len(us))
	for i, u := range us {
		out[i] = u.Sub
	}
	return out
}

func listAllUsersInGroup(t *testing.T, s store.Store, poolID, group string) []pool.User {
	t.Helper()
	var out []pool.User
	opts := store.ListOptions{Limit: store.MaxPageSize}
	for range 1000 {
		page, err := s.ListUsersInGroup(t.Context(), poolID, group, opts)
		mustOK(t, err, "ListUsersInGroup")
		out = append(out, page.Items...)
		if page.Next == "" {
			return out
		}
		opts.PageToken = page.Next
	}
	t.Fatal("ListUsersInGroup never returned an empty Next")
	return nil
}
