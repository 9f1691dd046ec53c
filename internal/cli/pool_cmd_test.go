package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/linkpool/linkpool/internal/pool"
)

func TestPoolLifecycle(t *testing.T) {
	h := newAdminHarness(t)
	css := filepath.Join(t.TempDir(), "brand.css")
	if err := os.WriteFile(css, []byte("body{color:#123}"), 0o600); err != nil {
		t.Fatal(err)
	}
	p := h.createPool("--alias-attributes", "email,preferred_username", "--min-length", "10",
		"--require-symbols=false", "--lockout-max-attempts", "3", "--primary-color", "#0a7c59",
		"--css-file", css, "--email-from", "no-reply@example.com",
		"--custom-attribute", "tier:String:mutable", "--custom-attribute", "age:Number")
	if !pool.ValidPoolID(p.ID) || !strings.HasPrefix(p.ID, "us-east-1_") {
		t.Fatalf("pool id %q", p.ID)
	}
	checks := []struct {
		name string
		ok   bool
	}{
		{"alias attributes", strings.Join(p.AliasAttributes, ",") == "email,preferred_username"},
		{"minimum length", p.PasswordPolicy.MinimumLength == 10},
		{"symbols off", !p.PasswordPolicy.RequireSymbols},
		{"uppercase default kept", p.PasswordPolicy.RequireUppercase},
		{"lockout", p.LockoutPolicy.MaxFailedAttempts == 3 && p.LockoutPolicy.BaseLockoutSeconds == 60},
		{"colour", p.Branding.PrimaryColor == "#0a7c59"},
		{"css from file", p.Branding.CSS == "body{color:#123}"},
		{"email from", p.EmailFrom == "no-reply@example.com"},
		{"schema", len(p.Schema) == 2 && p.Schema[0] == pool.SchemaAttribute{Name: "custom:tier", AttributeDataType: "String", Mutable: true} && !p.Schema[1].Mutable},
		{"algorithm", p.SigningAlgorithm == pool.AlgES256},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			if !c.ok {
				t.Errorf("created pool: %+v", p)
			}
		})
	}

	show := h.ok("pool", "show", "--pool", p.ID)
	for _, want := range []string{"Id:", p.ID, "Name:", "Test", "at least 10 characters", "custom:tier (String, mutable)"} {
		if !strings.Contains(show, want) {
			t.Errorf("pool show lacks %q:\n%s", want, show)
		}
	}
	if got := okJSON[pool.Pool](h, "pool", "show", "--pool", p.ID); got.ID != p.ID || got.Name != "Test" {
		t.Errorf("pool show --json = %+v", got)
	}

	list := h.ok("pool", "list")
	if !strings.Contains(list, "ID") || !strings.Contains(list, p.ID) {
		t.Errorf("pool list:\n%s", list)
	}
	if pools := okJSON[[]pool.Pool](h, "pool", "list"); len(pools) != 1 || pools[0].ID != p.ID {
		t.Errorf("pool list --json = %+v", pools)
	}

	out := h.ok("pool", "update", "--pool", p.ID, "--name", "Renamed", "--temporary-password-days", "3", "--custom-attribute", "plan:String")
	if !strings.Contains(out, "Updated pool") {
		t.Errorf("pool update output:\n%s", out)
	}
	got := okJSON[pool.Pool](h, "pool", "show", "--pool", p.ID)
	if got.Name != "Renamed" || got.PasswordPolicy.TemporaryPasswordValidityDays != 3 || got.PasswordPolicy.MinimumLength != 10 || len(got.Schema) != 3 {
		t.Errorf("after update: %+v", got)
	}
	if !got.UpdatedAt.After(got.CreatedAt) && !got.UpdatedAt.Equal(got.CreatedAt) {
		t.Errorf("LastModifiedDate %v before CreationDate %v", got.UpdatedAt, got.CreatedAt)
	}

	h.fails(2, "--yes", "pool", "delete", "--pool", p.ID)
	h.ok("pool", "show", "--pool", p.ID)
	h.ok("pool", "delete", "--pool", p.ID, "--yes")
	h.fails(1, "pool "+p.ID+" does not exist", "pool", "show", "--pool", p.ID)
	h.fails(1, "does not exist", "pool", "delete", "--pool", p.ID, "--yes")
}

func TestPoolUpdateRejects(t *testing.T) {
	h := newAdminHarness(t)
	p := h.createPool("--alias-attributes", "email")
	before := h.ok("pool", "show", "--pool", p.ID, "--json")
	tests := []struct {
		name  string
		args  []string
		field string
	}{
		{"minimum length too small", []string{"--min-length", "3"}, "PasswordPolicy.MinimumLength"},
		{"minimum length too large", []string{"--min-length", "100"}, "PasswordPolicy.MinimumLength"},
		{"lockout inverted", []string{"--lockout-base-seconds", "7200"}, "LockoutPolicy"},
		{"bad colour", []string{"--primary-color", "green"}, "Branding.PrimaryColor"},
		{"http logo", []string{"--logo-url", "http://example.com/logo.png"}, "Branding.LogoURL"},
		{"bad algorithm", []string{"--signing-alg", "HS256"}, "SigningAlgorithm"},
		{"bad name", []string{"--name", "no/slash"}, "PoolName"},
		{"duplicate custom attribute", []string{"--custom-attribute", "x:String", "--custom-attribute", "x:Number"}, "Schema[1].Name"},
		{"bad custom type", []string{"--custom-attribute", "y:Text"}, "Schema[0].AttributeDataType"},
		{"auto-verify unknown", []string{"--auto-verified-attributes", "nickname"}, "AutoVerifiedAttributes"},
		{"bad sender", []string{"--email-from", "no-reply"}, "EmailFrom"},
		{"immutable aliases", []string{"--alias-attributes", "preferred_username"}, "AliasAttributes"},
		{"immutable username attributes", []string{"--username-attributes", "email"}, "UsernameAttributes"},
		{"immutable case sensitivity", []string{"--case-sensitive"}, "CaseSensitive"},
		{"message of an unknown language", []string{"--message", "xx:login.submit=Go"}, "Branding.Messages"},
		{"message of an unknown key", []string{"--message", "en:login.nothing=Go"}, "Branding.Messages"},
		{"message without its placeholder", []string{"--message", "en:login.intro=Sign in with your account."}, "Branding.Messages"},
		{"message with a foreign placeholder", []string{"--message", "en:login.submit=Sign in to {pool}"}, "Branding.Messages"},
		{"message on two lines", []string{"--message", "en:login.submit=Sign\nin"}, "Branding.Messages"},
		{"message too long", []string{"--message", "en:login.submit=" + strings.Repeat("x", 1025)}, "Branding.Messages"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"pool", "update", "--pool", p.ID}, tc.args...)
			r := h.fails(1, "invalid "+tc.field, args...)
			if !strings.HasPrefix(r.stderr, "linkpool pool update: ") || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
				t.Errorf("want one line naming the command, got:\n%s", r.stderr)
			}
			if after := h.ok("pool", "show", "--pool", p.ID, "--json"); after != before {
				t.Errorf("a rejected update changed the pool:\nbefore %s\nafter %s", before, after)
			}
		})
	}
}

func TestPoolCreateRejects(t *testing.T) {
	h := newAdminHarness(t)
	tests := []struct {
		name string
		code int
		want string
		args []string
	}{
		{"missing name", 2, "--name is required", nil},
		{"bad region", 2, "--region", []string{"--name", "A", "--region", "mars"}},
		{"unknown flag", 2, "not defined", []string{"--name", "A", "--colour", "red"}},
		{"stray argument", 2, "unexpected arguments", []string{"--name", "A", "extra"}},
		{"not an integer", 2, "invalid value", []string{"--name", "A", "--min-length", "ten"}},
		{"custom attribute syntax", 2, "--custom-attribute", []string{"--name", "A", "--custom-attribute", "nocolon"}},
		{"missing css file", 1, "--css-file", []string{"--name", "A", "--css-file", "/nonexistent/x.css"}},
		{"alias and username attributes", 1, "invalid AliasAttributes", []string{"--name", "A", "--username-attributes", "email", "--alias-attributes", "email"}},
		{"username attribute", 1, "invalid UsernameAttributes", []string{"--name", "A", "--username-attributes", "nickname"}},
		{"temporary password days", 1, "invalid PasswordPolicy.TemporaryPasswordValidityDays", []string{"--name", "A", "--temporary-password-days", "400"}},
		{"lockout attempts", 1, "invalid LockoutPolicy.MaxFailedAttempts", []string{"--name", "A", "--lockout-max-attempts", "0"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h.fails(tc.code, tc.want, append([]string{"pool", "create"}, tc.args...)...)
		})
	}
	// Nothing was created; a rejected setting did not even create the
	// database.
	if _, err := os.Stat(filepath.Join(h.dir, "linkpool.db")); err == nil {
		t.Error("a rejected pool create created the database")
	}
	if pools := okJSON[[]pool.Pool](h, "pool", "list"); len(pools) != 0 {
		t.Errorf("pools after rejected creates: %+v", pools)
	}
}

func TestCommandUsage(t *testing.T) {
	h := newAdminHarness(t)
	tests := []struct {
		name string
		code int
		want string
		args []string
	}{
		{"missing subcommand", 2, "missing subcommand", []string{"pool"}},
		{"unknown subcommand", 2, `unknown subcommand "frobnicate"`, []string{"client", "frobnicate"}},
		{"help", 0, "", []string{"group", "-h"}},
		{"subcommand help", 0, "", []string{"pool", "create", "-h"}},
		{"missing pool", 2, "--pool is required", []string{"keys", "list"}},
		{"unknown pool", 1, "pool us-east-1_AAAAAAAAA does not exist", []string{"client", "list", "--pool", "us-east-1_AAAAAAAAA"}},
		{"unknown client", 1, "client abc does not exist", []string{"client", "show", "--client", "abc"}},
		{"unknown domain", 1, "domain nowhere does not exist", []string{"domain", "show", "--domain", "nowhere"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h.fails(tc.code, tc.want, tc.args...)
		})
	}
}
