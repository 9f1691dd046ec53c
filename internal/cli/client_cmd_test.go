package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/linkpool/linkpool/internal/pool"
)

type clientJSON struct {
	pool.Client
	ClientSecret string `json:"ClientSecret"`
}

func TestClientLifecycle(t *testing.T) {
	h := newAdminHarness(t)
	p := h.createPool()
	c := okJSON[clientJSON](h, "client", "create", "--pool", p.ID, "--name", "web",
		"--callback-url", "https://app.example.com/cb", "--callback-url", "http://localhost:3000/cb",
		"--logout-url", "https://app.example.com/bye", "--flows", "code", "--scopes", "openid,email",
		"--access-token-validity", "30", "--access-token-unit", "minutes", "--refresh-token-validity", "3650",
		"--rotate-refresh-tokens", "--retry-grace-seconds", "60", "--prevent-user-existence-errors", "LEGACY",
		"--read-attributes", "email,name", "--auth-session-validity", "5")
	checks := []struct {
		name string
		ok   bool
	}{
		{"id", pool.ValidClientID(c.ID) && c.PoolID == p.ID && c.Name == "web"},
		{"public", c.ClientSecret == ""},
		{"callbacks", strings.Join(c.CallbackURLs, " ") == "https://app.example.com/cb http://localhost:3000/cb"},
		{"flows imply OAuth", c.AllowsFlow(pool.FlowCode)},
		{"scopes", strings.Join(c.AllowedOAuthScopes, ",") == "openid,email"},
		{"access token 30 minutes", c.AccessTokenTTL().Minutes() == 30},
		{"ID token default", c.IDTokenTTL().Hours() == 1},
		{"refresh ten years", c.RefreshTokenTTL().Hours() == 3650*24},
		{"rotation", c.RotatesRefreshTokens() && c.RefreshTokenRotation.RetryGracePeriodSeconds == 60},
		{"existence errors", c.PreventUserExistenceErrors == pool.ExistenceLegacy},
		{"read attributes", strings.Join(c.ReadAttributes, ",") == "email,name"},
		{"session validity", c.AuthSessionValidity == 5},
		{"revocation default", c.EnableTokenRevocation},
	}
	for _, ck := range checks {
		t.Run(ck.name, func(t *testing.T) {
			if !ck.ok {
				t.Errorf("created client: %+v", c)
			}
		})
	}

	show := h.ok("client", "show", "--client", c.ID)
	for _, want := range []string{"ClientId:", c.ID, "none (public client)", "https://app.example.com/cb", "30 minutes"} {
		if !strings.Contains(show, want) {
			t.Errorf("client show lacks %q:\n%s", want, show)
		}
	}
	list := h.ok("client", "list", "--pool", p.ID)
	if !strings.Contains(list, "CLIENT-ID") || !strings.Contains(list, c.ID) {
		t.Errorf("client list:\n%s", list)
	}
	if cs := okJSON[[]clientJSON](h, "client", "list", "--pool", p.ID); len(cs) != 1 || cs[0].ID != c.ID {
		t.Errorf("client list --json = %+v", cs)
	}

	h.ok("client", "update", "--client", c.ID, "--name", "web2", "--callback-url", "https://new.example.com/cb", "--enable-token-revocation=false",
		"--explicit-auth-flows", "ALLOW_REFRESH_TOKEN_AUTH,ALLOW_USER_PASSWORD_AUTH")
	got := okJSON[clientJSON](h, "client", "show", "--client", c.ID)
	if got.Name != "web2" || strings.Join(got.CallbackURLs, " ") != "https://new.example.com/cb" || got.EnableTokenRevocation || !got.RotatesRefreshTokens() ||
		strings.Join(got.ExplicitAuthFlows, ",") != "ALLOW_REFRESH_TOKEN_AUTH,ALLOW_USER_PASSWORD_AUTH" || got.AccessTokenTTL().Minutes() != 30 {
		t.Errorf("after update: %+v", got)
	}

	before := h.ok("client", "show", "--client", c.ID, "--json")
	rejects := []struct {
		name  string
		args  []string
		field string
	}{
		{"http callback", []string{"--callback-url", "http://example.com"}, `CallbackURLs[0]: "http://example.com" must use https`},
		{"fragment", []string{"--callback-url", "https://a.example.com/#x"}, "CallbackURLs[0]"},
		{"unknown flow", []string{"--flows", "password"}, "AllowedOAuthFlows[0]"},
		{"client credentials without secret", []string{"--flows", "client_credentials", "--scopes", "api/read"}, "AllowedOAuthFlows"},
		{"bad scope", []string{"--scopes", "read"}, "AllowedOAuthScopes[0]"},
		{"access token too long", []string{"--access-token-validity", "2", "--access-token-unit", "days"}, "AccessTokenValidity"},
		{"bad unit", []string{"--id-token-unit", "weeks"}, "TokenValidityUnits.IdToken"},
		{"grace too long", []string{"--retry-grace-seconds", "61"}, "RefreshTokenRotation.RetryGracePeriodSeconds"},
		{"session too long", []string{"--auth-session-validity", "16"}, "AuthSessionValidity"},
		{"existence errors", []string{"--prevent-user-existence-errors", "MAYBE"}, "PreventUserExistenceErrors"},
		{"default redirect not registered", []string{"--default-redirect-uri", "https://other.example.com/cb"}, "DefaultRedirectURI"},
		{"provider", []string{"--identity-providers", "Google"}, "SupportedIdentityProviders[0]"},
		{"explicit auth flow", []string{"--explicit-auth-flows", "ALLOW_REFRESH_TOKEN_AUTH,ALLOW_MAGIC"}, "ExplicitAuthFlows[1]"},
	}
	for _, tc := range rejects {
		t.Run(tc.name, func(t *testing.T) {
			h.fails(1, "linkpool client update: invalid "+tc.field, append([]string{"client", "update", "--client", c.ID}, tc.args...)...)
			if after := h.ok("client", "show", "--client", c.ID, "--json"); after != before {
				t.Errorf("a rejected update changed the client:\nbefore %s\nafter %s", before, after)
			}
		})
	}
	h.fails(1, "linkpool client create: invalid CallbackURLs[0]", "client", "create", "--pool", p.ID, "--name", "bad", "--callback-url", "http://example.com", "--flows", "code")
	if cs := okJSON[[]clientJSON](h, "client", "list", "--pool", p.ID); len(cs) != 1 {
		t.Errorf("a rejected create left a client: %+v", cs)
	}
	h.fails(2, "nothing to update", "client", "update", "--client", c.ID)
	h.fails(2, "--name is required", "client", "create", "--pool", p.ID)

	h.ok("client", "delete", "--client", c.ID)
	h.fails(1, "client "+c.ID+" does not exist", "client", "show", "--client", c.ID)
	h.fails(1, "does not exist", "client", "delete", "--client", c.ID)
}

func TestClientSecret(t *testing.T) {
	h := newAdminHarness(t)
	p := h.createPool()
	c := okJSON[clientJSON](h, "client", "create", "--pool", p.ID, "--name", "alexa", "--generate-secret",
		"--callback-url", "https://pitangui.amazon.com/api/skill/link/M2XXXXXXXXXX", "--flows", "code", "--scopes", "openid")
	if len(c.ClientSecret) != 52 {
		t.Fatalf("generated secret %q: want 52 characters", c.ClientSecret)
	}
	human := h.ok("client", "create", "--pool", p.ID, "--name", "m2m", "--generate-secret", "--flows", "client_credentials", "--scopes", "api/read")
	if !strings.Contains(human, "shown once") {
		t.Errorf("create output does not say the secret is shown once:\n%s", human)
	}

	// Sealed at rest: neither the database nor its WAL holds the secret.
	assertNotInDataDir(t, h.dir, c.ClientSecret)

	show := h.ok("client", "show", "--client", c.ID)
	if strings.Contains(show, c.ClientSecret) || !strings.Contains(show, "--reveal-secret") {
		t.Errorf("client show without --reveal-secret:\n%s", show)
	}
	if got := okJSON[clientJSON](h, "client", "show", "--client", c.ID); got.ClientSecret != "" {
		t.Error("client show --json printed the secret without --reveal-secret")
	}
	if got := okJSON[clientJSON](h, "client", "show", "--client", c.ID, "--reveal-secret"); got.ClientSecret != c.ClientSecret {
		t.Errorf("--reveal-secret = %q, want the generated secret", got.ClientSecret)
	}

	rot := okJSON[clientJSON](h, "client", "rotate-secret", "--client", c.ID)
	if len(rot.ClientSecret) != 52 || rot.ClientSecret == c.ClientSecret {
		t.Fatalf("rotated secret %q", rot.ClientSecret)
	}
	if got := okJSON[clientJSON](h, "client", "show", "--client", c.ID, "--reveal-secret"); got.ClientSecret != rot.ClientSecret {
		t.Errorf("after rotation --reveal-secret = %q, want the new secret", got.ClientSecret)
	}
	assertNotInDataDir(t, h.dir, rot.ClientSecret)
	if out := h.ok("client", "rotate-secret", "--client", c.ID); !strings.Contains(out, "stopped working") {
		t.Errorf("rotate-secret output does not say the old secret stopped working:\n%s", out)
	}

	pub := okJSON[clientJSON](h, "client", "create", "--pool", p.ID, "--name", "spa")
	h.fails(1, "public", "client", "rotate-secret", "--client", pub.ID)
	if got := okJSON[clientJSON](h, "client", "show", "--client", pub.ID, "--reveal-secret"); got.ClientSecret != "" {
		t.Error("a refused rotation gave the public client a secret")
	}

	// With another master key the sealed secret does not open, and the
	// message says why without printing anything secret.
	other := h.env
	h.env = map[string]string{"LINKPOOL_DATA": h.dir, "LINKPOOL_MASTER_KEY": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}
	h.fails(1, "right master key", "client", "show", "--client", c.ID, "--reveal-secret")
	h.env = other
}

// assertNotInDataDir fails when any file of the data directory (the
// database, its WAL and shared memory) contains secret.
func assertNotInDataDir(t *testing.T, dir, secret string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(e.Name(), "linkpool.db") {
			seen++
		}
		if bytes.Contains(b, []byte(secret)) {
			t.Errorf("%s contains the client secret in the clear", e.Name())
		}
	}
	if seen == 0 {
		t.Fatalf("no database files in %s", dir)
	}
}
