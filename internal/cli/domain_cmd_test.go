package cli

import (
	"strings"
	"testing"

	"github.com/linkpool/linkpool/internal/pool"
)

func TestDomainLifecycle(t *testing.T) {
	h := newAdminHarness(t)
	p := h.createPool()

	out := h.ok("domain", "create", "--pool", p.ID, "--domain", "smartlamp", "--auth-domain", "auth.example.net")
	if !strings.Contains(out, "https://smartlamp.auth.example.net") {
		t.Errorf("domain create does not show the served URL:\n%s", out)
	}
	// Without --auth-domain the pool is served under the public URL.
	out = h.ok("domain", "show", "--domain", "smartlamp", "--public-url", "https://id.example.org")
	if !strings.Contains(out, "https://id.example.org/"+p.ID) || !strings.Contains(out, "prefix") {
		t.Errorf("domain show:\n%s", out)
	}
	// serve's environment variables apply here too.
	h.env["LINKPOOL_AUTH_DOMAIN"] = "env.example.net"
	if out := h.ok("domain", "show", "--domain", "smartlamp"); !strings.Contains(out, "https://smartlamp.env.example.net") {
		t.Errorf("LINKPOOL_AUTH_DOMAIN not used:\n%s", out)
	}
	delete(h.env, "LINKPOOL_AUTH_DOMAIN")

	custom := okJSON[pool.Domain](h, "domain", "create", "--pool", p.ID, "--custom-domain", "login.example.com")
	if !custom.Custom || custom.PoolID != p.ID || custom.Domain != "login.example.com" {
		t.Errorf("custom domain = %+v", custom)
	}
	list := h.ok("domain", "list", "--pool", p.ID)
	for _, want := range []string{"DOMAIN", "smartlamp", "login.example.com", "https://login.example.com", "custom"} {
		if !strings.Contains(list, want) {
			t.Errorf("domain list lacks %q:\n%s", want, list)
		}
	}
	if ds := okJSON[[]pool.Domain](h, "domain", "list", "--pool", p.ID); len(ds) != 2 {
		t.Errorf("domain list --json = %+v", ds)
	}
	if show := h.ok("pool", "show", "--pool", p.ID); !strings.Contains(show, "smartlamp") {
		t.Errorf("pool show does not list the domain:\n%s", show)
	}

	rejects := []struct {
		name string
		code int
		want string
		args []string
	}{
		{"reserved word", 1, "invalid Domain", []string{"--pool", p.ID, "--domain", "my-aws-login"}},
		{"upper case", 1, "invalid Domain", []string{"--pool", p.ID, "--domain", "Lamp"}},
		{"custom not a host", 1, "invalid Domain", []string{"--pool", p.ID, "--custom-domain", "localhost"}},
		{"taken", 1, "domain smartlamp already exists", []string{"--pool", p.ID, "--domain", "smartlamp"}},
		{"unknown pool", 1, "pool us-east-1_ZZZZZZZZZ does not exist", []string{"--pool", "us-east-1_ZZZZZZZZZ", "--domain", "other"}},
		{"both kinds", 2, "either", []string{"--pool", p.ID, "--domain", "a", "--custom-domain", "a.example.com"}},
		{"neither kind", 2, "either", []string{"--pool", p.ID}},
	}
	for _, tc := range rejects {
		t.Run(tc.name, func(t *testing.T) {
			h.fails(tc.code, tc.want, append([]string{"domain", "create"}, tc.args...)...)
			if ds := okJSON[[]pool.Domain](h, "domain", "list", "--pool", p.ID); len(ds) != 2 {
				t.Errorf("a rejected create changed the domains: %+v", ds)
			}
		})
	}

	h.ok("domain", "delete", "--domain", "smartlamp")
	h.fails(1, "domain smartlamp does not exist", "domain", "show", "--domain", "smartlamp")
	h.fails(1, "domain smartlamp does not exist", "domain", "delete", "--domain", "smartlamp")
}
