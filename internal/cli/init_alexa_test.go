package cli

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store/sqlite"
)

func TestInitAlexa(t *testing.T) {
	h := newAdminHarness(t)
	h.env["LINKPOOL_PUBLIC_URL"] = "https://id.example.com"
	h.env["LINKPOOL_AUTH_DOMAIN"] = "auth.example.com"
	res := okJSON[alexaSetup](h, "init", "alexa", "--vendor-id", "M2AAAAAAAAAAAA", "--domain", "smartlamp")
	wantURLs := []string{
		"https://pitangui.amazon.com/api/skill/link/M2AAAAAAAAAAAA",
		"https://layla.amazon.com/api/skill/link/M2AAAAAAAAAAAA",
		"https://alexa.amazon.co.jp/api/skill/link/M2AAAAAAAAAAAA",
	}
	if strings.Join(res.RedirectURLs, " ") != strings.Join(wantURLs, " ") {
		t.Fatalf("redirect URLs %v", res.RedirectURLs)
	}
	if res.AuthorizationURI != "https://smartlamp.auth.example.com/oauth2/authorize" || res.AccessTokenURI != "https://smartlamp.auth.example.com/oauth2/token" {
		t.Fatalf("URIs %s %s", res.AuthorizationURI, res.AccessTokenURI)
	}
	if res.Issuer != "https://id.example.com/"+res.PoolID || len(res.ClientSecret) < 24 || strings.Join(res.Scopes, " ") != "openid" {
		t.Fatalf("setup %+v", res)
	}

	st, err := sqlite.Open(context.Background(), h.dir+"/linkpool.db")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	c, err := st.GetClient(context.Background(), res.ClientID)
	if err != nil {
		t.Fatal(err)
	}
	if !c.HasSecret() || !c.AllowsFlow(pool.FlowCode) || c.AllowsFlow(pool.FlowImplicit) || !c.SupportsCognito() {
		t.Fatalf("client %+v", c)
	}
	if strings.Contains(string(c.SealedSecret), res.ClientSecret) {
		t.Fatal("client secret stored in the clear")
	}
	// Links must not silently die: refresh tokens live ten years.
	if c.RefreshTokenTTL() != 3650*24*time.Hour {
		t.Fatalf("refresh validity %v", c.RefreshTokenTTL())
	}
	if c.AccessTokenTTL() < 360*time.Second {
		t.Fatalf("access validity %v below Alexa's 360 s", c.AccessTokenTTL())
	}
	d, err := st.GetDomain(context.Background(), "smartlamp")
	if err != nil || d.PoolID != res.PoolID {
		t.Fatalf("domain %+v %v", d, err)
	}

	// The human output names every Alexa console field.
	out := h.ok("init", "alexa", "--vendor-id", "M2AAAAAAAAAAAA", "--domain", "otherlamp")
	for _, f := range []string{"Your Web Authorization URI", "Access Token URI", "Your Client ID", "Your Secret", "Your Authentication Scheme", "HTTP Basic", "Scope", "Domain List", "pitangui", "layla", "alexa.amazon.co.jp"} {
		if !strings.Contains(out, f) {
			t.Errorf("output lacks %q", f)
		}
	}
}

func TestInitAlexaErrors(t *testing.T) {
	h := newAdminHarness(t)
	h.fails(2, "--vendor-id is required", "init", "alexa")
	h.fails(2, "--vendor-id", "init", "alexa", "--vendor-id", "bad id")
	h.fails(1, "Domain", "init", "alexa", "--vendor-id", "M2AAAAAAAAAAAA", "--domain", "my-aws-lamp")
	h.ok("init", "alexa", "--vendor-id", "M2AAAAAAAAAAAA", "--domain", "taken")
	h.fails(1, "taken", "init", "alexa", "--vendor-id", "M2AAAAAAAAAAAA", "--domain", "taken")
	// Nothing is left half-created by the failed runs: one pool only.
	out := h.ok("pool", "list")
	if n := strings.Count(out, "SmartLamp"); n != 1 {
		t.Fatalf("%d pools after failed inits:\n%s", n, out)
	}
}

func TestSkillLampCommands(t *testing.T) {
	h := newAdminHarness(t)
	sub := pool.NewSub()
	out := h.ok("skill", "lamp", "add", "--user", sub, "--name", "Reading Lamp")
	if !strings.Contains(out, "Reading Lamp") {
		t.Fatalf("add: %s", out)
	}
	lamps := okJSON[[]struct{ ID, Name string }](h, "skill", "lamp", "list", "--user", sub)
	if len(lamps) != 1 || lamps[0].Name != "Reading Lamp" {
		t.Fatalf("list %+v", lamps)
	}
	other := okJSON[[]struct{ ID string }](h, "skill", "lamp", "list", "--user", pool.NewSub())
	if len(other) != 0 {
		t.Fatal("another user sees the lamp")
	}
	h.ok("skill", "lamp", "remove", "--user", sub, "--id", lamps[0].ID)
	h.fails(1, "does not exist", "skill", "lamp", "remove", "--user", sub, "--id", lamps[0].ID)
	h.fails(2, "--user", "skill", "lamp", "list")
}
