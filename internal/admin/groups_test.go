package admin_test

import (
	"errors"
	"testing"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/admin"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
)

func intp(n int) *int { return &n }

func TestGroups(t *testing.T) {
	e := newEnv(t)
	p := e.pool("SmartLamp")
	g, err := e.svc.CreateGroup(e.ctx, pool.Group{PoolID: p.ID, Name: "admins", Description: "operators", Precedence: intp(1)})
	if err != nil {
		t.Fatal(err)
	}
	if g.CreatedAt.IsZero() || g.UpdatedAt.IsZero() {
		t.Fatalf("dates not set: %+v", g)
	}
	got, err := e.svc.GetGroup(e.ctx, p.ID, "admins")
	if err != nil || got.Description != "operators" || *got.Precedence != 1 {
		t.Fatalf("GetGroup: %+v, %v", got, err)
	}
	u, err := e.svc.UpdateGroup(e.ctx, p.ID, "admins", func(g *pool.Group) {
		g.Precedence = intp(5)
		g.RoleArn = "arn:aws:iam::123456789012:role/admin"
		g.Name = "ignored"
	})
	if err != nil || u.Name != "admins" || *u.Precedence != 5 {
		t.Fatalf("UpdateGroup: %+v, %v", u, err)
	}
	if _, err := e.svc.CreateGroup(e.ctx, pool.Group{PoolID: p.ID, Name: "viewers"}); err != nil {
		t.Fatal(err)
	}
	first, next, err := e.svc.ListGroups(e.ctx, p.ID, 1, "")
	if err != nil || len(first) != 1 || next == "" {
		t.Fatalf("ListGroups first page: %v, %q, %v", first, next, err)
	}
	second, last, err := e.svc.ListGroups(e.ctx, p.ID, 1, next)
	if err != nil || len(second) != 1 || last != "" || second[0].Name == first[0].Name {
		t.Fatalf("ListGroups second page: %v, %q, %v", second, last, err)
	}
	if err := e.svc.DeleteGroup(e.ctx, p.ID, "viewers"); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.GetGroup(e.ctx, p.ID, "viewers")
	wantNotFound(t, err, "Group not found.", admin.KindGroup, "viewers")
}

func TestGroupsRefused(t *testing.T) {
	e := newEnv(t)
	p := e.pool("SmartLamp")
	if _, err := e.svc.CreateGroup(e.ctx, pool.Group{PoolID: p.ID, Name: "admins", Precedence: intp(1)}); err != nil {
		t.Fatal(err)
	}
	before, _ := e.svc.GetGroup(e.ctx, p.ID, "admins")
	_, err := e.svc.CreateGroup(e.ctx, pool.Group{PoolID: p.ID, Name: "admins", Description: "again"})
	ae := wantErr(t, err, account.GroupExistsException, "")
	if ae.Message != "A group with the name admins already exists." || !errors.Is(err, store.ErrAlreadyExists) {
		t.Fatalf("exists: %v", err)
	}
	_, err = e.svc.CreateGroup(e.ctx, pool.Group{PoolID: p.ID, Name: "has space"})
	wantErr(t, err, account.InvalidParameterException, "GroupName")
	_, err = e.svc.CreateGroup(e.ctx, pool.Group{PoolID: "us-east-1_NOPE12345", Name: "x"})
	wantNotFound(t, err, "User pool us-east-1_NOPE12345 does not exist.", admin.KindPool, "us-east-1_NOPE12345")
	_, err = e.svc.UpdateGroup(e.ctx, p.ID, "admins", func(g *pool.Group) { g.Description = "x"; g.RoleArn = "not-an-arn" })
	wantErr(t, err, account.InvalidParameterException, "RoleArn")
	_, err = e.svc.UpdateGroup(e.ctx, p.ID, "admins", func(g *pool.Group) { g.Precedence = intp(-1) })
	wantErr(t, err, account.InvalidParameterException, "Precedence")
	_, err = e.svc.UpdateGroup(e.ctx, p.ID, "nobody", func(g *pool.Group) {})
	wantNotFound(t, err, "Group not found.", admin.KindGroup, "nobody")
	err = e.svc.DeleteGroup(e.ctx, p.ID, "nobody")
	wantNotFound(t, err, "Group not found.", admin.KindGroup, "nobody")
	_, err = e.svc.GetGroup(e.ctx, "us-east-1_NOPE12345", "admins")
	wantNotFound(t, err, "User pool us-east-1_NOPE12345 does not exist.", admin.KindPool, "us-east-1_NOPE12345")
	_, _, err = e.svc.ListGroups(e.ctx, p.ID, 61, "")
	wantErr(t, err, account.InvalidParameterException, "Limit")
	_, _, err = e.svc.ListGroups(e.ctx, p.ID, 0, "garbage")
	wantErr(t, err, account.InvalidParameterException, "NextToken")
	after, _ := e.svc.GetGroup(e.ctx, p.ID, "admins")
	if snapshot(t, before) != snapshot(t, after) {
		t.Fatalf("refused calls changed the group:\n%s\n%s", snapshot(t, before), snapshot(t, after))
	}
	all, _, _ := e.svc.ListGroups(e.ctx, p.ID, 0, "")
	if len(all) != 1 {
		t.Fatalf("refused calls created groups: %v", all)
	}
}

func TestGroupMembership(t *testing.T) {
	e := newEnv(t)
	p := e.pool("SmartLamp")
	for _, n := range []string{"admins", "viewers"} {
		if _, err := e.svc.CreateGroup(e.ctx, pool.Group{PoolID: p.ID, Name: n}); err != nil {
			t.Fatal(err)
		}
	}
	dora := e.user(p, "dora")
	e.user(p, "erin")
	u, err := e.svc.AdminAddUserToGroup(e.ctx, p.ID, "admins", "dora")
	if err != nil || u.Sub != dora.Sub {
		t.Fatalf("AdminAddUserToGroup: %+v, %v", u, err)
	}
	// Adding again changes nothing.
	if _, err := e.svc.AdminAddUserToGroup(e.ctx, p.ID, "admins", "dora"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.AdminAddUserToGroup(e.ctx, p.ID, "viewers", "dora"); err != nil {
		t.Fatal(err)
	}
	groups, err := e.svc.AdminListGroupsForUser(e.ctx, p.ID, "dora")
	if err != nil || len(groups) != 2 {
		t.Fatalf("AdminListGroupsForUser: %v, %v", groups, err)
	}
	members, next, err := e.svc.ListUsersInGroup(e.ctx, p.ID, "admins", 0, "")
	if err != nil || len(members) != 1 || members[0].Sub != dora.Sub || next != "" {
		t.Fatalf("ListUsersInGroup: %v, %q, %v", members, next, err)
	}

	_, err = e.svc.AdminAddUserToGroup(e.ctx, p.ID, "admins", "nobody")
	wantErr(t, err, account.UserNotFoundException, "")
	_, err = e.svc.AdminAddUserToGroup(e.ctx, p.ID, "staff", "erin")
	wantNotFound(t, err, "Group not found.", admin.KindGroup, "staff")
	_, err = e.svc.AdminListGroupsForUser(e.ctx, p.ID, "nobody")
	wantErr(t, err, account.UserNotFoundException, "")
	_, _, err = e.svc.ListUsersInGroup(e.ctx, p.ID, "staff", 0, "")
	wantNotFound(t, err, "Group not found.", admin.KindGroup, "staff")
	_, _, err = e.svc.ListUsersInGroup(e.ctx, p.ID, "admins", 99, "")
	wantErr(t, err, account.InvalidParameterException, "Limit")
	if members, _, _ := e.svc.ListUsersInGroup(e.ctx, p.ID, "admins", 0, ""); len(members) != 1 {
		t.Fatalf("refused calls changed the members: %v", members)
	}

	if _, err := e.svc.AdminRemoveUserFromGroup(e.ctx, p.ID, "admins", "dora"); err != nil {
		t.Fatal(err)
	}
	groups, _ = e.svc.AdminListGroupsForUser(e.ctx, p.ID, "dora")
	if len(groups) != 1 || groups[0].Name != "viewers" {
		t.Fatalf("after removal: %v", groups)
	}
	_, err = e.svc.AdminRemoveUserFromGroup(e.ctx, p.ID, "admins", "nobody")
	wantErr(t, err, account.UserNotFoundException, "")
}
