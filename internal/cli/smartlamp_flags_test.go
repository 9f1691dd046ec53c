package cli

import (
	"encoding/json"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/linkpool/linkpool/internal/apptest"
	"github.com/linkpool/linkpool/internal/smarthome"
)

// TestServeAndSkillServeShareSkillFlags: `serve` and `skill serve` have
// every SmartLamp setting as a flag of the same name, help text and
// default, and neither has a skill flag outside the shared set but the
// settings of running on one's own (skill serve's page origin and logout
// URL), so the two cannot drift apart again.
func TestServeAndSkillServeShareSkillFlags(t *testing.T) {
	var sf serveFlags
	var kf skillServeFlags
	sets := map[string]*flag.FlagSet{
		"serve":       sf.flagSet(io.Discard),
		"skill serve": kf.flagSet(io.Discard),
	}
	var o smarthome.Options
	shared := map[string]bool{}
	for _, opt := range o.OptionList() {
		shared[opt.Name] = true
		var want string
		for cmd, v := range sets {
			f := v.Lookup(opt.Name)
			if f == nil {
				t.Errorf("%s has no --%s", cmd, opt.Name)
				continue
			}
			if f.Usage != opt.Usage {
				t.Errorf("%s --%s: help %q, want the shared %q", cmd, opt.Name, f.Usage, opt.Usage)
			}
			if want == "" {
				want = f.DefValue
			} else if f.DefValue != want {
				t.Errorf("--%s: default %q here, %q in the other command", opt.Name, f.DefValue, want)
			}
		}
	}
	standalone := map[string]bool{"lamps-url": true, "lamps-logout-url": true}
	for cmd, v := range sets {
		v.VisitAll(func(f *flag.Flag) {
			skillish := strings.HasPrefix(f.Name, "lwa-") || strings.HasPrefix(f.Name, "lamps-") ||
				strings.HasPrefix(f.Name, "event-") || strings.Contains(f.Name, "scope")
			if skillish && !shared[f.Name] && !(cmd == "skill serve" && standalone[f.Name]) {
				t.Errorf("%s defines --%s outside the shared SmartLamp settings (smarthome.Options)", cmd, f.Name)
			}
		})
	}
	d := smarthome.DefaultOptions()
	for _, v := range sets {
		for name, want := range map[string]string{"lwa-token-url": d.LWA.TokenURL, "event-gateway-url": d.EventGatewayURL, "lamps-recheck-interval": d.LampsRecheckInterval.String()} {
			if f := v.Lookup(name); f != nil && f.DefValue != want {
				t.Errorf("--%s default %q, want %q", name, f.DefValue, want)
			}
		}
	}
}

// TestSkillOptionsDocumented: docs/operations.md has one table row per
// SmartLamp setting naming its flag, its LINKPOOL_ variable and its
// Lambda variable (or none).
func TestSkillOptionsDocumented(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "docs", "operations.md"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(b), "\n")
	var o smarthome.Options
	for _, opt := range o.OptionList() {
		lambda := "—"
		if opt.LambdaEnv != "" {
			lambda = "`" + opt.LambdaEnv + "`"
		}
		found := false
		for _, l := range lines {
			if strings.HasPrefix(l, "| `--"+opt.Name+"`") {
				found = true
				if !strings.Contains(l, "`"+EnvName(opt.Name)+"`") || !strings.Contains(l, lambda) {
					t.Errorf("docs/operations.md row of --%s lacks %s or %s: %s", opt.Name, EnvName(opt.Name), lambda, l)
				}
			}
		}
		if !found {
			t.Errorf("docs/operations.md has no table row for --%s", opt.Name)
		}
	}
}

// TestServeSkillFlagErrors: the SmartLamp flags of serve are checked
// before anything starts, with messages naming the flags.
func TestServeSkillFlagErrors(t *testing.T) {
	h := newAdminHarness(t)
	run := func(args ...string) []string {
		return append([]string{"serve", "--addr", apptest.FreeAddr(t), "--admin-addr", ""}, args...)
	}
	h.fails(2, "--skill-pool needs --skill-client-id", run("--skill-pool", "p")...)
	h.fails(2, "--skill-client-id needs --skill-pool", run("--skill-client-id", "c")...)
	h.fails(2, "--lwa-client-id configures the SmartLamp skill", run("--lwa-client-id", "x", "--lwa-client-secret", "y")...)
	h.fails(2, "--lwa-client-id and --lwa-client-secret go together", run("--skill-pool", "p", "--skill-client-id", "c", "--lwa-client-id", "x")...)
	h.fails(2, "--event-gateway-url", run("--skill-pool", "p", "--skill-client-id", "c", "--event-gateway-url", "api.amazonalexa.com")...)
	h.fails(2, "--lamps-recheck-interval must be positive", run("--skill-pool", "p", "--skill-client-id", "c", "--lamps-recheck-interval", "0s")...)
	h.fails(2, "leave out --skill-pool", run("--demo", "--skill-pool", "p", "--skill-client-id", "c")...)
	h.fails(2, "--lamps-client-secret needs --lamps-client-id", "skill", "serve", "--issuer", "https://issuer.example", "--client-id", "c", "--lamps-client-secret", "s")

	// The environment counts as the flags do.
	h.env["LINKPOOL_LWA_CLIENT_ID"] = "x"
	h.fails(2, "--lwa-client-id configures the SmartLamp skill", run()...)
	delete(h.env, "LINKPOOL_LWA_CLIENT_ID")

	// Names that do not exist fail at start, before serving.
	p := h.createPool()
	other := h.createPool()
	out := h.ok("client", "create", "--pool", other.ID, "--name", "elsewhere", "--json")
	var c struct{ ClientId string }
	if err := json.Unmarshal([]byte(out), &c); err != nil {
		t.Fatal(err)
	}
	h.fails(1, "pool nope does not exist", run("--skill-pool", "nope", "--skill-client-id", "c")...)
	h.fails(1, "client nope does not exist", run("--skill-pool", p.ID, "--skill-client-id", "nope")...)
	h.fails(1, "belongs to pool "+other.ID, run("--skill-pool", p.ID, "--skill-client-id", c.ClientId)...)
}

// TestDemoSkillTakesServeSkillFlags: --demo mounts the skill for the demo
// pool and its clients with the skill settings serve was given, so the
// demo sends ChangeReports when given an LWA client.
func TestDemoSkillTakesServeSkillFlags(t *testing.T) {
	var f serveFlags
	fs := f.flagSet(io.Discard)
	env := map[string]string{"LINKPOOL_LWA_CLIENT_SECRET": "lwa-secret"}
	if err := parse(fs, []string{"--demo", "--public-url", "https://lamps.example", "--lwa-client-id", "amzn1.x",
		"--event-gateway-url", "https://api.eu.amazonalexa.com/v3/events", "--required-scope", "openid"}, func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	if err := f.checkSkill(fs); err != nil {
		t.Fatal(err)
	}
	so := demoOrPoolSkill(&f, &demoState{PoolID: "us-east-1_demo", ClientID: "alexa", LampsClient: "web"})
	if so.PoolID != "us-east-1_demo" || len(so.ClientIDs) != 1 || so.ClientIDs[0] != "alexa" || so.LampsClientID != "web" ||
		so.LampsRedirectURL != "https://lamps.example/lamps/callback" {
		t.Errorf("demo skill %+v", so)
	}
	if so.LWA.ClientID != "amzn1.x" || so.LWA.ClientSecret != "lwa-secret" || so.LWA.TokenURL != smarthome.DefaultLWATokenURL ||
		so.EventGatewayURL != "https://api.eu.amazonalexa.com/v3/events" || len(so.RequiredScopes) != 1 || !so.EventsEnabled() {
		t.Errorf("demo skill settings %+v", so.Options)
	}
}
