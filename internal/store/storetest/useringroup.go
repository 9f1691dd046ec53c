package storetest

import (
	"testing"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
)

// testCreateUserInGroup: CreateUserInGroup creates the group when it is
// missing, the user with its identities and the membership together; an
// existing group is kept as it is; a conflict (sub, username, email or
// identity taken) fails with ErrAlreadyExists and leaves no group, user
// or membership behind.
func testCreateUserInGroup(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := createPool(t, ctx, s, false)
	mustOK(t, s.CreateIdentityProvider(ctx, newIdentityProvider(p.ID, "Corp")), "CreateIdentityProvider")
	g := newGroup(p.ID, "pool_Corp", nil)

	members := func(group string) []string {
		t.Helper()
		page, err := s.ListUsersInGroup(ctx, p.ID, group, store.ListOptions{})
		if err != nil && !isNotFound(err) {
			t.Fatalf("ListUsersInGroup %s: %v", group, err)
		}
		var subs []string
		for _, u := range page.Items {
			subs = append(subs, u.Sub)
		}
		return subs
	}

	ann := newUser(p, "Corp_ann", "")
	ann.Identities = []pool.Identity{newIdentity("Corp", "ann", true)}
	mustOK(t, s.CreateUserInGroup(ctx, ann, g), "CreateUserInGroup with a missing group")
	got, err := s.GetGroup(ctx, p.ID, g.Name)
	mustOK(t, err, "GetGroup after CreateUserInGroup")
	mustEqual(t, "created group", got, g)
	gotUser, err := s.GetUserByIdentity(ctx, p.ID, "Corp", "ann")
	mustOK(t, err, "GetUserByIdentity after CreateUserInGroup")
	mustEqual(t, "created user", gotUser, ann)
	if m := members(g.Name); !equalStrings(m, []string{ann.Sub}) {
		t.Fatalf("members = %v, want [%s]", m, ann.Sub)
	}

	// An existing group is joined, not replaced.
	bob := newUser(p, "Corp_bob", "")
	bob.Identities = []pool.Identity{newIdentity("Corp", "bob", true)}
	other := mutateGroup(g)
	mustOK(t, s.CreateUserInGroup(ctx, bob, other), "CreateUserInGroup with an existing group")
	got, err = s.GetGroup(ctx, p.ID, g.Name)
	mustOK(t, err, "GetGroup after the second CreateUserInGroup")
	mustEqual(t, "existing group must not change", got, g)
	if m := members(g.Name); !sameSet(m, []string{ann.Sub, bob.Sub}) {
		t.Fatalf("members = %v, want ann and bob", m)
	}

	// Conflicts change nothing: not even the group of the failed call.
	fresh := newGroup(p.ID, "pool_Fresh", nil)
	conflicts := map[string]func(u *pool.User){
		"username": func(u *pool.User) { u.Username, u.UsernameKey = ann.Username, ann.UsernameKey },
		"sub":      func(u *pool.User) { u.Sub = ann.Sub },
		"identity": func(u *pool.User) { u.Identities = []pool.Identity{newIdentity("Corp", "ann", true)} },
	}
	for name, edit := range conflicts {
		u := newUser(p, "Corp_carl", "")
		u.Identities = []pool.Identity{newIdentity("Corp", "carl", true)}
		edit(&u)
		mustAlreadyExists(t, s.CreateUserInGroup(ctx, u, fresh), "CreateUserInGroup with a taken "+name)
		_, err := s.GetGroup(ctx, p.ID, fresh.Name)
		mustNotFound(t, err, "group of a CreateUserInGroup refused for its "+name)
		if m := members(fresh.Name); len(m) != 0 {
			t.Fatalf("%s conflict left members %v", name, m)
		}
		if u.Sub != ann.Sub {
			_, err = s.GetUser(ctx, p.ID, u.Sub)
			mustNotFound(t, err, "user of a CreateUserInGroup refused for its "+name)
		}
		if u.Identities[0].UserID == "carl" {
			_, err = s.GetUserByIdentity(ctx, p.ID, "Corp", "carl")
			mustNotFound(t, err, "identity of a CreateUserInGroup refused for its "+name)
		}
	}
	gotUser, err = s.GetUser(ctx, p.ID, ann.Sub)
	mustOK(t, err, "GetUser ann after the conflicts")
	mustEqual(t, "ann after the conflicts", gotUser, ann)

	// A group of another pool is not joined; a missing pool fails.
	mustNotFound(t, s.CreateUserInGroup(ctx, newUser(pool.Pool{ID: "us-east-1_missing"}, "x", ""), newGroup("us-east-1_missing", "g", nil)),
		"CreateUserInGroup in a missing pool")
}
