package cli

import (
	"strings"
	"testing"

	"github.com/linkpool/linkpool/internal/pool"
)

func TestGroupLifecycle(t *testing.T) {
	h := newAdminHarness(t)
	p := h.createPool()
	h.ok("user", "create", "--pool", p.ID, "--username", "dora", "--password", "Sup3r-Secret!", "--permanent")

	g := okJSON[pool.Group](h, "group", "create", "--pool", p.ID, "--name", "admins", "--description", "Lamp administrators", "--precedence", "1")
	if g.Name != "admins" || g.Description != "Lamp administrators" || g.Precedence == nil || *g.Precedence != 1 || g.RoleArn != "" {
		t.Fatalf("created group = %+v", g)
	}
	h.ok("group", "create", "--pool", p.ID, "--name", "viewers")
	if show := h.ok("group", "show", "--pool", p.ID, "--group", "admins"); !strings.Contains(show, "Lamp administrators") {
		t.Errorf("group show:\n%s", show)
	}
	list := h.ok("group", "list", "--pool", p.ID)
	if !strings.Contains(list, "GROUP") || !strings.Contains(list, "admins") || !strings.Contains(list, "viewers") {
		t.Errorf("group list:\n%s", list)
	}
	if gs := okJSON[[]pool.Group](h, "group", "list", "--pool", p.ID); len(gs) != 2 {
		t.Errorf("group list --json = %+v", gs)
	}

	h.ok("group", "update", "--pool", p.ID, "--group", "admins", "--precedence", "5", "--role-arn", "arn:aws:iam::123456789012:role/Admin")
	g = okJSON[pool.Group](h, "group", "show", "--pool", p.ID, "--name", "admins")
	if *g.Precedence != 5 || g.RoleArn != "arn:aws:iam::123456789012:role/Admin" || g.Description != "Lamp administrators" {
		t.Errorf("after update: %+v", g)
	}
	before := h.ok("group", "show", "--pool", p.ID, "--group", "admins", "--json")
	rejects := []struct {
		name  string
		args  []string
		field string
	}{
		{"role not an ARN", []string{"--role-arn", "Admin"}, "RoleArn"},
		{"negative precedence", []string{"--precedence", "-1"}, "Precedence"},
		{"long description", []string{"--description", strings.Repeat("d", 2049)}, "Description"},
	}
	for _, tc := range rejects {
		t.Run(tc.name, func(t *testing.T) {
			h.fails(1, "invalid "+tc.field, append([]string{"group", "update", "--pool", p.ID, "--group", "admins"}, tc.args...)...)
			if after := h.ok("group", "show", "--pool", p.ID, "--group", "admins", "--json"); after != before {
				t.Errorf("a rejected update changed the group:\nbefore %s\nafter %s", before, after)
			}
		})
	}
	h.fails(1, "invalid GroupName", "group", "create", "--pool", p.ID, "--name", "two words")
	h.fails(1, "group admins already exists", "group", "create", "--pool", p.ID, "--name", "admins")
	h.fails(1, "group nobody does not exist", "group", "show", "--pool", p.ID, "--group", "nobody")
	h.fails(2, "nothing to update", "group", "update", "--pool", p.ID, "--group", "admins")

	h.ok("group", "add-user", "--pool", p.ID, "--group", "admins", "--username", "dora")
	h.ok("group", "add-user", "--pool", p.ID, "--group", "viewers", "--username", "DORA")
	h.ok("group", "add-user", "--pool", p.ID, "--group", "admins", "--username", "dora") // idempotent
	members := h.ok("group", "members", "--pool", p.ID, "--group", "admins")
	if !strings.Contains(members, "dora") {
		t.Errorf("group members:\n%s", members)
	}
	if ms := okJSON[[]pool.User](h, "group", "members", "--pool", p.ID, "--group", "admins"); len(ms) != 1 || ms[0].Username != "dora" {
		t.Errorf("group members --json = %+v", ms)
	}
	u := okJSON[userJSON](h, "user", "show", "--pool", p.ID, "--username", "dora")
	if strings.Join(u.Groups, ",") != "admins,viewers" {
		t.Errorf("user show groups = %v, want admins,viewers (by precedence)", u.Groups)
	}
	if show := h.ok("user", "show", "--pool", p.ID, "--username", "dora"); !strings.Contains(show, "admins, viewers") {
		t.Errorf("user show does not list the groups:\n%s", show)
	}
	h.fails(1, "user erin does not exist", "group", "add-user", "--pool", p.ID, "--group", "admins", "--username", "erin")
	h.fails(1, "group staff does not exist", "group", "add-user", "--pool", p.ID, "--group", "staff", "--username", "dora")

	h.ok("group", "remove-user", "--pool", p.ID, "--group", "admins", "--username", "dora")
	if ms := okJSON[[]pool.User](h, "group", "members", "--pool", p.ID, "--group", "admins"); len(ms) != 0 {
		t.Errorf("members after remove-user = %+v", ms)
	}
	h.ok("group", "delete", "--pool", p.ID, "--group", "viewers")
	h.fails(1, "group viewers does not exist", "group", "show", "--pool", p.ID, "--group", "viewers")
	if u := okJSON[userJSON](h, "user", "show", "--pool", p.ID, "--username", "dora"); len(u.Groups) != 0 {
		t.Errorf("groups after delete = %v", u.Groups)
	}
}
