package storetest

import (
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
)

func testUserCRUD(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := createPool(t, ctx, s, false)
	u := newUser(p, "Alice", "Alice@Example.com")
	_, err := s.GetUser(ctx, p.ID, u.Sub)
	mustNotFound(t, err, "GetUser before create")

	mustOK(t, s.CreateUser(ctx, u), "CreateUser")
	bare := newUser(p, "bob", "")
	bare.Code = nil
	bare.Attributes = nil
	mustOK(t, s.CreateUser(ctx, bare), "CreateUser without email and code")

	lookups := []struct {
		name string
		get  func() (pool.User, error)
		want pool.User
	}{
		{"GetUser", func() (pool.User, error) { return s.GetUser(ctx, p.ID, u.Sub) }, u},
		{"GetUserByUsername", func() (pool.User, error) { return s.GetUserByUsername(ctx, p.ID, p.UsernameKey("ALICE")) }, u},
		{"GetUserByEmail", func() (pool.User, error) { return s.GetUserByEmail(ctx, p.ID, pool.EmailKey("alice@example.COM")) }, u},
		{"GetUser bare", func() (pool.User, error) { return s.GetUser(ctx, p.ID, bare.Sub) }, bare},
		{"GetUserByUsername bare", func() (pool.User, error) { return s.GetUserByUsername(ctx, p.ID, "bob") }, bare},
	}
	for _, tc := range lookups {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.get()
			mustOK(t, err, tc.name)
			mustEqual(t, tc.name, got, tc.want)
		})
	}

	other := createPool(t, ctx, s, false)
	misses := []struct {
		name string
		get  func() (pool.User, error)
	}{
		{"GetUser unknown sub", func() (pool.User, error) { return s.GetUser(ctx, p.ID, pool.NewSub()) }},
		{"GetUser other pool", func() (pool.User, error) { return s.GetUser(ctx, other.ID, u.Sub) }},
		{"GetUserByUsername unknown", func() (pool.User, error) { return s.GetUserByUsername(ctx, p.ID, "carol") }},
		{"GetUserByUsername other pool", func() (pool.User, error) { return s.GetUserByUsername(ctx, other.ID, u.UsernameKey) }},
		{"GetUserByEmail unknown", func() (pool.User, error) { return s.GetUserByEmail(ctx, p.ID, "carol@example.com") }},
		{"GetUserByEmail other pool", func() (pool.User, error) { return s.GetUserByEmail(ctx, other.ID, u.EmailKey) }},
		{"GetUserByEmail empty key", func() (pool.User, error) { return s.GetUserByEmail(ctx, p.ID, "") }},
	}
	for _, tc := range misses {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.get()
			mustNotFound(t, err, tc.name)
		})
	}

	dup := newUser(p, "someone-else", "else@example.com")
	dup.Sub = u.Sub
	mustAlreadyExists(t, s.CreateUser(ctx, dup), "CreateUser with a taken sub")

	get := func() (pool.User, error) { return s.GetUser(ctx, p.ID, u.Sub) }
	update := func(fn func(pool.User) (pool.User, error)) error { return s.UpdateUser(ctx, p.ID, u.Sub, fn) }
	updated := checkUpdate(t, "UpdateUser", u, get, update, mutateUser)
	// The lookup keys follow the update.
	_, err = s.GetUserByUsername(ctx, p.ID, u.UsernameKey)
	mustNotFound(t, err, "GetUserByUsername with the old key")
	_, err = s.GetUserByEmail(ctx, p.ID, u.EmailKey)
	mustNotFound(t, err, "GetUserByEmail with the old key")
	got, err := s.GetUserByUsername(ctx, p.ID, updated.UsernameKey)
	mustOK(t, err, "GetUserByUsername with the new key")
	mustEqual(t, "GetUserByUsername with the new key", got, updated)
	got, err = s.GetUserByEmail(ctx, p.ID, updated.EmailKey)
	mustOK(t, err, "GetUserByEmail with the new key")
	mustEqual(t, "GetUserByEmail with the new key", got, updated)

	// Clearing optional fields sticks.
	mustOK(t, s.UpdateUser(ctx, p.ID, u.Sub, func(old pool.User) (pool.User, error) {
		old.Code, old.EmailKey, old.LockedUntil = nil, "", time.Time{}
		return old, nil
	}), "UpdateUser clearing fields")
	got, err = s.GetUser(ctx, p.ID, u.Sub)
	mustOK(t, err, "GetUser after clearing")
	if got.Code != nil || got.EmailKey != "" || !got.LockedUntil.IsZero() {
		t.Fatalf("cleared fields came back: Code=%v EmailKey=%q LockedUntil=%v", got.Code, got.EmailKey, got.LockedUntil)
	}

	missing := pool.NewSub()
	mustNotFound(t, s.UpdateUser(ctx, p.ID, missing, failIfCalled[pool.User](t, "UpdateUser")), "UpdateUser of a missing user")
	mustNotFound(t, s.UpdateUser(ctx, other.ID, u.Sub, failIfCalled[pool.User](t, "UpdateUser")), "UpdateUser in the wrong pool")

	mustNotFound(t, s.DeleteUser(ctx, other.ID, u.Sub), "DeleteUser in the wrong pool")
	mustOK(t, s.DeleteUser(ctx, p.ID, u.Sub), "DeleteUser")
	_, err = s.GetUser(ctx, p.ID, u.Sub)
	mustNotFound(t, err, "GetUser after delete")
	_, err = s.GetUserByUsername(ctx, p.ID, updated.UsernameKey)
	mustNotFound(t, err, "GetUserByUsername after delete")
	mustNotFound(t, s.DeleteUser(ctx, p.ID, u.Sub), "DeleteUser twice")
	got, err = s.GetUser(ctx, p.ID, bare.Sub)
	mustOK(t, err, "GetUser of the remaining user")
	mustEqual(t, "remaining user", got, bare)
}

// testUserUniqueness covers CreateUser's unique keys: the sub, the
// UsernameKey and a non-empty EmailKey, each per pool. Case-insensitivity
// is the pool's UsernameKey, computed by the caller.
func testUserUniqueness(t *testing.T, s store.Store) {
	ctx := t.Context()
	type spec struct{ username, email string }
	tests := []struct {
		name          string
		caseSensitive bool
		samePool      bool
		sameSub       bool
		first, second spec
		wantExists    bool
	}{
		{name: "same username same pool", samePool: true, first: spec{"alice", "a1@example.com"}, second: spec{"alice", "a2@example.com"}, wantExists: true},
		{name: "same username other pool", first: spec{"alice", "a1@example.com"}, second: spec{"alice", "a1@example.com"}},
		{name: "case-insensitive pool folds case", samePool: true, first: spec{"Alice", ""}, second: spec{"aLICE", ""}, wantExists: true},
		{name: "case-sensitive pool keeps case", caseSensitive: true, samePool: true, first: spec{"Alice", ""}, second: spec{"alice", ""}},
		{name: "case-sensitive pool same name", caseSensitive: true, samePool: true, first: spec{"Alice", ""}, second: spec{"Alice", ""}, wantExists: true},
		{name: "same email same pool", samePool: true, first: spec{"alice", "Shared@Example.com"}, second: spec{"bob", "shared@example.com"}, wantExists: true},
		{name: "same email other pool", first: spec{"alice", "shared@example.com"}, second: spec{"bob", "shared@example.com"}},
		{name: "both without email", samePool: true, first: spec{"alice", ""}, second: spec{"bob", ""}},
		{name: "same sub same pool", samePool: true, sameSub: true, first: spec{"alice", ""}, second: spec{"bob", ""}, wantExists: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p1 := createPool(t, ctx, s, tc.caseSensitive)
			p2 := p1
			if !tc.samePool {
				p2 = createPool(t, ctx, s, tc.caseSensitive)
			}
			a := createUser(t, ctx, s, p1, tc.first.username, tc.first.email)
			b := newUser(p2, tc.second.username, tc.second.email)
			if tc.sameSub {
				b.Sub = a.Sub
			}
			err := s.CreateUser(ctx, b)
			if !tc.wantExists {
				mustOK(t, err, "CreateUser second")
				got, err := s.GetUserByUsername(ctx, p2.ID, b.UsernameKey)
				mustOK(t, err, "GetUserByUsername second")
				mustEqual(t, "second user", got, b)
				got, err = s.GetUserByUsername(ctx, p1.ID, a.UsernameKey)
				mustOK(t, err, "GetUserByUsername first")
				mustEqual(t, "first user", got, a)
				return
			}
			mustAlreadyExists(t, err, "CreateUser second")
			if !tc.sameSub {
				_, err = s.GetUser(ctx, p2.ID, b.Sub)
				mustNotFound(t, err, "GetUser of the rejected user")
			}
			got, err := s.GetUser(ctx, p1.ID, a.Sub)
			mustOK(t, err, "GetUser first")
			mustEqual(t, "first user after rejected create", got, a)
		})
	}
}

// testUserUpdateUniqueness: an update to a taken UsernameKey or EmailKey
// fails with ErrAlreadyExists and changes nothing.
func testUserUpdateUniqueness(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := createPool(t, ctx, s, false)
	a := createUser(t, ctx, s, p, "alice", "alice@example.com")
	b := createUser(t, ctx, s, p, "bob", "bob@example.com")
	c := createUser(t, ctx, s, p, "carol", "")

	tests := []struct {
		name   string
		target pool.User
		change func(u *pool.User)
	}{
		{"username taken", b, func(u *pool.User) { u.Username, u.UsernameKey = "Alice", p.UsernameKey("Alice") }},
		{"email taken", b, func(u *pool.User) {
			u.Attributes["email"], u.EmailKey = "ALICE@example.com", pool.EmailKey("ALICE@example.com")
		}},
		{"email added but taken", c, func(u *pool.User) { u.EmailKey = a.EmailKey }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := s.UpdateUser(ctx, p.ID, tc.target.Sub, func(old pool.User) (pool.User, error) {
				old.FailedLogins += 10
				tc.change(&old)
				return old, nil
			})
			mustAlreadyExists(t, err, "UpdateUser")
			for _, u := range []pool.User{a, b, c} {
				got, err := s.GetUser(ctx, p.ID, u.Sub)
				mustOK(t, err, "GetUser "+u.Username)
				mustEqual(t, "failed update must change nothing: "+u.Username, got, u)
			}
		})
	}

	// Two users may both drop their email.
	for _, u := range []pool.User{a, b} {
		mustOK(t, s.UpdateUser(ctx, p.ID, u.Sub, func(old pool.User) (pool.User, error) {
			old.EmailKey = ""
			delete(old.Attributes, pool.AttrEmail)
			return old, nil
		}), "UpdateUser clearing email of "+u.Username)
	}
	// A freed key can be taken.
	mustOK(t, s.UpdateUser(ctx, p.ID, c.Sub, func(old pool.User) (pool.User, error) {
		old.EmailKey = a.EmailKey
		return old, nil
	}), "UpdateUser taking a freed email key")
	got, err := s.GetUserByEmail(ctx, p.ID, a.EmailKey)
	mustOK(t, err, "GetUserByEmail freed key")
	if got.Sub != c.Sub {
		t.Fatalf("GetUserByEmail returned %s, want %s", got.Sub, c.Sub)
	}
}
