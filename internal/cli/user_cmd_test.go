package cli

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store/sqlite"
)

type userJSON struct {
	pool.User
	Groups            []string `json:"Groups"`
	TemporaryPassword string   `json:"TemporaryPassword"`
}

func TestUserLifecycle(t *testing.T) {
	h := newAdminHarness(t)
	p := h.createPool("--alias-attributes", "email", "--custom-attribute", "tier:String:mutable")

	created := h.ok("user", "create", "--pool", p.ID, "--username", "alice", "--email", "alice@example.com", "--email-verified",
		"--attribute", "name=Alice Liddell", "--attribute", "custom:tier=gold")
	if !strings.Contains(created, "Temporary password (shown once): ") {
		t.Fatalf("user create without a password does not print the generated one:\n%s", created)
	}
	generated := strings.TrimSpace(strings.SplitN(strings.SplitN(created, "Temporary password (shown once): ", 2)[1], "\n", 2)[0])
	if len(generated) < 16 {
		t.Errorf("generated password %q is short", generated)
	}

	u := okJSON[userJSON](h, "user", "show", "--pool", p.ID, "--username", "alice")
	checks := []struct {
		name string
		ok   bool
	}{
		{"status", u.Status == pool.StatusForceChangePassword},
		{"enabled", u.Enabled},
		{"email verified", u.Email() == "alice@example.com" && u.EmailVerified()},
		{"attribute with a space", u.Attributes["name"] == "Alice Liddell"},
		{"custom attribute", u.Attributes["custom:tier"] == "gold"},
		{"groups listed", u.Groups != nil && len(u.Groups) == 0},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			if !c.ok {
				t.Errorf("user = %+v", u)
			}
		})
	}
	// A verified email alias finds the user too.
	if byEmail := okJSON[userJSON](h, "user", "show", "--pool", p.ID, "--username", "ALICE@example.com"); byEmail.Sub != u.Sub {
		t.Errorf("lookup by email found %q, want %q", byEmail.Sub, u.Sub)
	}
	raw := h.ok("user", "show", "--pool", p.ID, "--username", "alice", "--json") + h.ok("user", "show", "--pool", p.ID, "--username", "alice")
	if strings.Contains(raw, "argon2") || strings.Contains(raw, generated) {
		t.Error("user show prints the password or its hash")
	}

	list := h.ok("user", "list", "--pool", p.ID)
	if !strings.Contains(list, "USERNAME") || !strings.Contains(list, "alice@example.com") {
		t.Errorf("user list:\n%s", list)
	}

	h.ok("user", "update", "--pool", p.ID, "--username", "alice", "--attribute", "given_name=Alice", "--attribute", "name=")
	u = okJSON[userJSON](h, "user", "show", "--pool", p.ID, "--username", "alice")
	if u.Attributes["given_name"] != "Alice" || u.Attributes["name"] != "" {
		t.Errorf("after update: %v", u.Attributes)
	}

	const newPassword = "Corr3ct-Horse-Battery"
	r := h.exec(newPassword+"\n", "user", "set-password", "--pool", p.ID, "--username", "alice", "--password-stdin", "--permanent")
	if r.code != 0 {
		t.Fatalf("set-password: exit %d: %s", r.code, r.stderr)
	}
	if strings.Contains(r.stdout+r.stderr, newPassword) {
		t.Error("set-password echoes the password")
	}
	if u = okJSON[userJSON](h, "user", "show", "--pool", p.ID, "--username", "alice"); u.Status != pool.StatusConfirmed {
		t.Errorf("status after a permanent password = %s", u.Status)
	}
	h.ok("user", "set-password", "--pool", p.ID, "--username", "alice", "--password", "Another-Passw0rd!")
	if u = okJSON[userJSON](h, "user", "show", "--pool", p.ID, "--username", "alice"); u.Status != pool.StatusForceChangePassword {
		t.Errorf("status after a temporary password = %s", u.Status)
	}

	h.ok("user", "disable", "--pool", p.ID, "--username", "alice")
	if u = okJSON[userJSON](h, "user", "show", "--pool", p.ID, "--username", "alice"); u.Enabled {
		t.Error("user still enabled after disable")
	}
	h.ok("user", "enable", "--pool", p.ID, "--username", "alice")
	if u = okJSON[userJSON](h, "user", "show", "--pool", p.ID, "--username", "alice"); !u.Enabled {
		t.Error("user still disabled after enable")
	}
	h.ok("user", "sign-out-everywhere", "--pool", p.ID, "--username", "alice")
	if show := h.ok("user", "show", "--pool", p.ID, "--username", "alice"); !strings.Contains(show, "SignedOutEverywhereAt") {
		t.Errorf("user show after sign-out-everywhere:\n%s", show)
	}

	h.fails(1, "User cannot be confirmed", "user", "confirm", "--pool", p.ID, "--username", "alice")
	markUnconfirmed(t, h, p.ID, u.Sub)
	h.ok("user", "confirm", "--pool", p.ID, "--username", "alice")
	if u = okJSON[userJSON](h, "user", "show", "--pool", p.ID, "--username", "alice"); u.Status != pool.StatusConfirmed {
		t.Errorf("status after confirm = %s", u.Status)
	}

	h.ok("user", "delete", "--pool", p.ID, "--username", "alice")
	h.fails(1, "user alice does not exist", "user", "show", "--pool", p.ID, "--username", "alice")
	for _, verb := range []string{"delete", "disable", "enable", "confirm", "sign-out-everywhere"} {
		h.fails(1, "user alice does not exist", "user", verb, "--pool", p.ID, "--username", "alice")
	}
}

// markUnconfirmed puts a user back into UNCONFIRMED, the state a
// self sign-up leaves before its code is entered.
func markUnconfirmed(t *testing.T, h *adminHarness, poolID, sub string) {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(h.dir, "linkpool.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.UpdateUser(ctx, poolID, sub, func(u pool.User) (pool.User, error) {
		u.Status = pool.StatusUnconfirmed
		return u, nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestUserCreateRejects(t *testing.T) {
	h := newAdminHarness(t)
	p := h.createPool()
	h.ok("user", "create", "--pool", p.ID, "--username", "bob", "--password", "Sup3r-Secret!", "--permanent")
	const weak = "zzqqzzqq"
	tests := []struct {
		name  string
		code  int
		want  string
		stdin string
		args  []string
	}{
		{"weak password", 1, "InvalidPasswordException", "", []string{"--username", "carol", "--password", weak}},
		{"weak password on stdin", 1, "InvalidPasswordException", weak + "\n", []string{"--username", "carol", "--password-stdin"}},
		{"unknown attribute", 1, "InvalidParameterException", "", []string{"--username", "carol", "--attribute", "shoe_size=44"}},
		{"undeclared custom attribute", 1, "custom:tier", "", []string{"--username", "carol", "--attribute", "custom:tier=gold"}},
		{"bad email", 1, "email", "", []string{"--username", "carol", "--email", "not-an-address"}},
		{"username with a space", 1, "Username", "", []string{"--username", "carol smith"}},
		{"taken", 1, "UsernameExistsException", "", []string{"--username", "BOB"}},
		{"missing username", 2, "--username is required", "", nil},
		{"two passwords", 2, "only one", "", []string{"--username", "carol", "--password", "A-b1cdefgh", "--temporary-password", "A-b1cdefgh"}},
		{"temporary and permanent", 2, "contradict", "", []string{"--username", "carol", "--temporary-password", "A-b1cdefgh", "--permanent"}},
		{"attribute syntax", 2, "name=value", "", []string{"--username", "carol", "--attribute", "novalue"}},
		{"empty stdin", 2, "no password", "", []string{"--username", "carol", "--password-stdin"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := h.exec(tc.stdin, append([]string{"user", "create", "--pool", p.ID}, tc.args...)...)
			if r.code != tc.code || !strings.Contains(r.stderr, tc.want) {
				t.Fatalf("exit %d, want %d with %q:\n%s", r.code, tc.code, tc.want, r.stderr)
			}
			if strings.Contains(r.stderr, weak) {
				t.Error("the error message contains the password")
			}
		})
	}
	users := okJSON[struct{ Users []pool.User }](h, "user", "list", "--pool", p.ID)
	if len(users.Users) != 1 || users.Users[0].Username != "bob" {
		t.Errorf("users after rejected creates: %+v", users.Users)
	}
	h.fails(2, "--password-stdin", "user", "set-password", "--pool", p.ID, "--username", "bob")
	h.fails(2, "--attribute is required", "user", "update", "--pool", p.ID, "--username", "bob")
	h.fails(1, "InvalidPasswordException", "user", "set-password", "--pool", p.ID, "--username", "bob", "--password", weak)
	h.fails(1, "pool us-east-1_NOPE12345 does not exist", "user", "show", "--pool", "us-east-1_NOPE12345", "--username", "bob")
}

func TestUserListPages(t *testing.T) {
	h := newAdminHarness(t)
	p := h.createPool()
	for _, name := range []string{"u1", "u2", "u3"} {
		h.ok("user", "create", "--pool", p.ID, "--username", name, "--password", "Sup3r-Secret!", "--permanent")
	}
	type page struct {
		Users           []pool.User
		PaginationToken string
	}
	first := okJSON[page](h, "user", "list", "--pool", p.ID, "--limit", "2")
	if len(first.Users) != 2 || first.PaginationToken == "" {
		t.Fatalf("first page = %+v", first)
	}
	second := okJSON[page](h, "user", "list", "--pool", p.ID, "--limit", "2", "--page-token", first.PaginationToken)
	if len(second.Users) != 1 || second.PaginationToken != "" {
		t.Fatalf("second page = %+v", second)
	}
	seen := map[string]bool{}
	for _, u := range append(first.Users, second.Users...) {
		seen[u.Username] = true
	}
	if len(seen) != 3 {
		t.Errorf("pages cover %v, want u1, u2 and u3", seen)
	}
	if out := h.ok("user", "list", "--pool", p.ID, "--limit", "2"); !strings.Contains(out, "--page-token") {
		t.Errorf("the table does not say how to get the next page:\n%s", out)
	}
	h.fails(2, "--page-token", "user", "list", "--pool", p.ID, "--page-token", "garbage")
	h.fails(2, "--limit", "user", "list", "--pool", p.ID, "--limit", "0")
}

func TestUserEmailAsUsername(t *testing.T) {
	h := newAdminHarness(t)
	p := h.createPool("--username-attributes", "email")
	h.ok("user", "create", "--pool", p.ID, "--email", "fay@example.com", "--password", "Sup3r-Secret!", "--permanent")
	u := okJSON[userJSON](h, "user", "show", "--pool", p.ID, "--username", "Fay@Example.com")
	if u.Email() != "fay@example.com" || u.Status != pool.StatusConfirmed {
		t.Fatalf("user = %+v", u)
	}
	h.ok("group", "create", "--pool", p.ID, "--name", "g")
	h.ok("group", "add-user", "--pool", p.ID, "--group", "g", "--username", "fay@example.com")
	if ms := okJSON[[]pool.User](h, "group", "members", "--pool", p.ID, "--group", "g"); len(ms) != 1 || ms[0].Sub != u.Sub {
		t.Errorf("members = %+v", ms)
	}
	h.fails(1, "InvalidParameterException", "user", "create", "--pool", p.ID, "--username", "gus", "--password", "Sup3r-Secret!")
}

// TestUserListFilter: user list --filter takes the ListUsers Filter
// grammar, pages with it, and refuses a malformed filter as a usage error.
func TestUserListFilter(t *testing.T) {
	h := newAdminHarness(t)
	p := h.createPool()
	for _, name := range []string{"ann", "anna", "bert"} {
		h.ok("user", "create", "--pool", p.ID, "--username", name, "--email", strings.ToUpper(name)+"@example.com", "--attribute", "family_name=O'Hara")
	}
	type listing struct {
		Users           []pool.User
		PaginationToken string
	}
	got := okJSON[listing](h, "user", "list", "--pool", p.ID, "--filter", `email ^= "ann"`)
	if len(got.Users) != 2 || got.Users[0].Username != "ann" || got.Users[1].Username != "anna" || got.PaginationToken != "" {
		t.Fatalf(`email ^= "ann": %+v`, got)
	}
	first := okJSON[listing](h, "user", "list", "--pool", p.ID, "--filter", `family_name = "O'Hara"`, "--limit", "2")
	rest := okJSON[listing](h, "user", "list", "--pool", p.ID, "--filter", `family_name = "O'Hara"`, "--limit", "2", "--page-token", first.PaginationToken)
	if len(first.Users) != 2 || first.PaginationToken == "" || len(rest.Users) != 1 || rest.PaginationToken != "" {
		t.Fatalf("pages of family_name: %+v then %+v", first, rest)
	}
	// The table's hint for the next page repeats the filter, quoted for
	// the shell.
	table := h.ok("user", "list", "--pool", p.ID, "--filter", `family_name = "O'Hara"`, "--limit", "1")
	if !strings.Contains(table, `--filter 'family_name = "O'\''Hara"' --page-token `) {
		t.Errorf("next-page hint:\n%s", table)
	}
	h.fails(2, "--filter: Error while parsing filter.", "user", "list", "--pool", p.ID, "--filter", `email == "x"`)
	h.fails(2, "--filter: Invalid search attribute: custom:tier", "user", "list", "--pool", p.ID, "--filter", `custom:tier = "x"`)
	h.fails(2, "--page-token", "user", "list", "--pool", p.ID, "--filter", `email ^= "a"`, "--page-token", first.PaginationToken)
}
