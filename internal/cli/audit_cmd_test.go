package cli

import (
	"strings"
	"testing"

	"github.com/linkpool/linkpool/internal/audit"
	"github.com/linkpool/linkpool/internal/pool"
)

// TestAuditListCLI: the changes of CLI commands are recorded once each,
// under the OS user, with their result, and without any secret value.
func TestAuditListCLI(t *testing.T) {
	h := newAdminHarness(t)
	p := h.createPool()
	c := okJSON[clientJSON](h, "client", "create", "--pool", p.ID, "--name", "web", "--generate-secret",
		"--callback-url", "https://app.example.com/cb", "--flows", "code", "--scopes", "openid")
	if c.ClientSecret == "" {
		t.Fatal("client create printed no secret")
	}
	const email = "alice.audit@example.com"
	u := okJSON[struct {
		pool.User
		TemporaryPassword string `json:"TemporaryPassword"`
	}](h, "user", "create", "--pool", p.ID, "--username", "alice", "--email", email)
	if u.TemporaryPassword == "" {
		t.Fatal("user create printed no temporary password")
	}
	h.ok("user", "disable", "--pool", p.ID, "--username", "alice")
	h.fails(1, "", "user", "disable", "--pool", p.ID, "--username", "nobody")
	// Reads are not recorded.
	h.ok("user", "list", "--pool", p.ID)
	h.ok("client", "list", "--pool", p.ID)

	raw := h.ok("audit", "list", "--json")
	for what, secret := range map[string]string{"client secret": c.ClientSecret, "temporary password": u.TemporaryPassword, "email address": email} {
		if strings.Contains(raw, secret) {
			t.Errorf("the audit log holds the %s:\n%s", what, raw)
		}
	}
	recs := okJSON[[]auditRecord](h, "audit", "list")
	type key struct{ action, result string }
	got := map[key]auditRecord{}
	count := map[key]int{}
	me := audit.CLIActor()
	for _, r := range recs {
		k := key{r.Action, r.Result}
		got[k], count[k] = r, count[k]+1
		if r.Actor.Kind != audit.KindCLI || r.Actor.ID != me.ID || me.ID == "" {
			t.Errorf("%s recorded under %+v, want cli/%s", r.Action, r.Actor, me.ID)
		}
		if r.UserPoolID != p.ID {
			t.Errorf("%s recorded in pool %q, want %s", r.Action, r.UserPoolID, p.ID)
		}
	}
	want := []key{{"CreateUserPool", "ok"}, {"CreateUserPoolClient", "ok"}, {"AdminCreateUser", "ok"},
		{"AdminDisableUser", "ok"}, {"AdminDisableUser", "UserNotFoundException"}}
	if len(recs) != len(want) {
		t.Errorf("%d records, want %d: %+v", len(recs), len(want), recs)
	}
	for _, k := range want {
		if count[k] != 1 {
			t.Errorf("%v recorded %d times, want once", k, count[k])
		}
	}
	if r := got[key{"CreateUserPoolClient", "ok"}]; r.Target != c.ID || !hasChange(r.Changed, "Name", "web", false) ||
		!hasChange(r.Changed, "SealedSecret", "", true) {
		t.Errorf("CreateUserPoolClient record: %+v", r)
	}
	if r := got[key{"AdminCreateUser", "ok"}]; r.Target != u.Sub || !hasChange(r.Changed, "email", "", true) ||
		!hasChange(r.Changed, "TemporaryPassword", "", true) {
		t.Errorf("AdminCreateUser record: %+v", r)
	}
	if r := got[key{"AdminDisableUser", "ok"}]; r.Target != u.Sub || !hasChange(r.Changed, "Enabled", "false", false) {
		t.Errorf("AdminDisableUser record: %+v", r)
	}
	if r := got[key{"AdminDisableUser", "UserNotFoundException"}]; r.Target != "" {
		t.Errorf("failed AdminDisableUser names a target: %+v", r)
	}
	// Newest first.
	if recs[0].Action != "AdminDisableUser" || recs[len(recs)-1].Action != "CreateUserPool" {
		t.Errorf("records not newest first: %s ... %s", recs[0].Action, recs[len(recs)-1].Action)
	}

	// Filters and the text table.
	only := okJSON[[]auditRecord](h, "audit", "list", "--action", "AdminDisableUser", "--since", "1h", "--limit", "1")
	if len(only) != 1 || only[0].Action != "AdminDisableUser" {
		t.Errorf("--action --limit 1: %+v", only)
	}
	if n := len(okJSON[[]auditRecord](h, "audit", "list", "--pool", "us-east-1_none")); n != 0 {
		t.Errorf("--pool of another pool lists %d records", n)
	}
	if n := len(okJSON[[]auditRecord](h, "audit", "list", "--actor", "api")); n != 0 {
		t.Errorf("--actor api lists %d records", n)
	}
	if n := len(okJSON[[]auditRecord](h, "audit", "list", "--until", "2000-01-01T00:00:00Z")); n != 0 {
		t.Errorf("--until 2000 lists %d records", n)
	}
	text := h.ok("audit", "list", "--pool", p.ID)
	if !strings.Contains(text, "ACTION") || !strings.Contains(text, "cli/"+me.ID) || !strings.Contains(text, "Enabled=false") ||
		!strings.Contains(text, "email=***") {
		t.Errorf("text listing:\n%s", text)
	}
	h.fails(2, "--since", "audit", "list", "--since", "yesterday")
	h.fails(2, "--since must be before --until", "audit", "list", "--since", "1h", "--until", "2h")
}

func hasChange(cs []auditChange, field, value string, withheld bool) bool {
	for _, c := range cs {
		if c.Field == field {
			return c.Value == value && c.Withheld == withheld
		}
	}
	return false
}

func TestRetentionFlag(t *testing.T) {
	for in, want := range map[string]string{"400d": "400d", "0": "0s", "36h": "36h0m0s", "2w": "14d"} {
		var r retention
		if err := r.Set(in); err != nil || r.String() != want {
			t.Errorf("Set(%q): %v, %q; want %q", in, err, r.String(), want)
		}
	}
	for _, in := range []string{"-1d", "x", "1.5d"} {
		var r retention
		if err := r.Set(in); err == nil {
			t.Errorf("Set(%q) accepted", in)
		}
	}
}
