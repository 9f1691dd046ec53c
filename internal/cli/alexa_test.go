package cli

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/alexasim"
	"github.com/linkpool/linkpool/internal/apptest"
	"github.com/linkpool/linkpool/internal/smarthome/alexa"
	"github.com/linkpool/linkpool/internal/smarthome/smarthometest"
)

var demoSecretRe = regexp.MustCompile(`Your Secret:\s+(\S+)`)

// alexaLab is `serve --demo` on loopback with the alexa commands run in
// process against it, a state file of their own and Amazon's schema.
type alexaLab struct {
	h      *adminHarness
	s      *server
	demo   demoState
	gw     *httptest.Server
	linkFl []string
}

func newAlexaLab(t *testing.T) *alexaLab {
	t.Helper()
	schema := filepath.Join(smarthometest.DataDir(t), "schema", alexasim.SchemaFile)
	h := newAdminHarness(t)
	s := startServe(t, "http", h.env, "--demo")
	var st demoState
	b, err := os.ReadFile(filepath.Join(h.dir, "demo.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatal(err)
	}
	password, secret := demoSecrets(t, s.stdout.String())
	gw := httptest.NewServer(alexasim.NewGateway(alexasim.GatewayConfig{ClientID: "lwa", ClientSecret: "lwa-secret"}))
	t.Cleanup(gw.Close)
	h.env["LINKPOOL_ALEXA_STATE"] = filepath.Join(t.TempDir(), "cfg", "alexa.json")
	h.env["LINKPOOL_ALEXA_SCHEMA"] = schema
	h.env["LINKPOOL_CLIENT_SECRET"] = secret
	h.env["LINKPOOL_PASSWORD"] = password
	base := s.url + "/" + st.PoolID
	return &alexaLab{h: h, s: s, demo: st, gw: gw, linkFl: []string{
		"--authorization-uri", base + "/oauth2/authorize", "--access-token-uri", base + "/oauth2/token",
		"--client-id", st.ClientID, "--vendor-id", demoVendorID, "--scope", "openid",
		"--username", st.Username, "--skill", s.url + "/alexa/smart-home",
	}}
}

func (l *alexaLab) link(extra ...string) cmdResult {
	return l.h.run(append(append([]string{"alexa", "link"}, l.linkFl...), extra...)...)
}

func TestAlexaCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("Alexa simulator end-to-end test: -short")
	}
	l := newAlexaLab(t)
	h := l.h
	r := l.link("--region", "EU", "--pkce", "--send-events", "--gateway", l.gw.URL, "--scheme", "body")
	if r.code != 0 {
		t.Fatalf("link: %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{"region EU, redirect https://layla.amazon.com/api/skill/link/" + demoVendorID, "[ok  ] token exchange", "[ok  ] AcceptGrant",
		"[ok  ] discovery", "WARNING NOT_HTTPS", "Linked. The access token expires", "Desk Lamp"} {
		if !strings.Contains(r.stdout, want) {
			t.Fatalf("link output lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, h.env["LINKPOOL_CLIENT_SECRET"]) || strings.Contains(r.stdout, h.env["LINKPOOL_PASSWORD"]) {
		t.Fatal("link output shows a secret")
	}
	if fi, err := os.Stat(h.env["LINKPOOL_ALEXA_STATE"]); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("state file: %v %v", fi, err)
	}

	status := okJSON[[]linkSummary](h, "alexa", "status")
	if len(status) != 1 || status[0].Status.State != alexasim.Linked || len(status[0].Endpoints) != 1 || status[0].Scheme != alexasim.SchemeRequestBody {
		t.Fatalf("status %+v", status)
	}
	ep := status[0].Endpoints[0].ID

	out := h.ok("alexa", "discover")
	if !strings.Contains(out, "Alexa.Discovery/Discover: Alexa.Discovery/Discover.Response (schema valid") || !strings.Contains(out, ep) {
		t.Fatalf("discover:\n%s", out)
	}
	steps := []struct {
		args []string
		want string
	}{
		{[]string{"alexa", "power", "on", "Desk Lamp"}, "PowerController.powerState = \"ON\""},
		{[]string{"alexa", "brightness", ep, "40"}, "BrightnessController.brightness = 40"},
		{[]string{"alexa", "brightness", "--link", "default", ep, "-15"}, "BrightnessController.brightness = 25"},
		{[]string{"alexa", "color", ep, "red"}, `"hue":0`},
		{[]string{"alexa", "temperature", ep, "2700"}, "colorTemperatureInKelvin = 2700"},
		{[]string{"alexa", "temperature", ep, "warmer"}, "Alexa/Response (schema valid"},
		{[]string{"alexa", "refresh"}, "Refreshed"},
	}
	for _, s := range steps {
		out := h.ok(s.args...)
		if !strings.Contains(out, s.want) {
			t.Fatalf("%v: output lacks %q:\n%s", s.args, s.want, out)
		}
	}
	rep := okJSON[directiveReport](h, "alexa", "state", ep)
	power, _ := rep.Property(alexa.NamespacePowerController, alexa.PropPowerState)
	bright, _ := rep.Property(alexa.NamespaceBrightnessController, alexa.PropBrightness)
	if rep.Name != "Alexa/StateReport" || power.Value != "ON" || bright.Value != float64(25) || rep.Schema != alexasim.SchemaValid {
		t.Fatalf("state %+v", rep.Reply)
	}

	// The skill invoked in process as its Lambda handler, over the same
	// database.
	out = h.ok("alexa", "power", "off", ep, "--lambda", "--pool-id", l.demo.PoolID, "--public-url", l.s.url)
	if !strings.Contains(out, `powerState = "OFF"`) {
		t.Fatalf("lambda:\n%s", out)
	}

	// A wrong secret: Alexa's generic message and the diagnosis.
	bad := l.h.env["LINKPOOL_CLIENT_SECRET"]
	l.h.env["LINKPOOL_CLIENT_SECRET"] = "wrong-secret"
	r = l.link("--link", "bad")
	l.h.env["LINKPOOL_CLIENT_SECRET"] = bad
	if r.code != 1 || !strings.Contains(r.stdout, "ERROR   TOKEN_INVALID_CLIENT") || !strings.Contains(r.stdout, `The Alexa app shows: "We were unable to link SmartLamp at this time."`) ||
		!strings.Contains(r.stderr, "linking failed: TOKEN_INVALID_CLIENT") {
		t.Fatalf("wrong secret: %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	var jr struct {
		OK          bool                 `json:"ok"`
		UserMessage string               `json:"user_message"`
		Diagnoses   []alexasim.Diagnosis `json:"diagnoses"`
		Link        linkSummary          `json:"link"`
	}
	l.h.env["LINKPOOL_CLIENT_SECRET"] = "wrong-secret"
	r = l.link("--link", "bad", "--json")
	l.h.env["LINKPOOL_CLIENT_SECRET"] = bad
	if err := json.Unmarshal([]byte(r.stdout), &jr); err != nil || r.code != 1 || jr.OK || jr.Link.Status.Code != alexasim.CodeTokenInvalidClient {
		t.Fatalf("json: %v %d %+v", err, r.code, jr)
	}

	// The user is disabled: the skill answers INVALID_AUTHORIZATION_CREDENTIAL
	// and the link breaks.
	h.ok("user", "disable", "--pool", l.demo.PoolID, "--username", l.demo.Username)
	r = h.run("alexa", "state", ep)
	if r.code != 1 || !strings.Contains(r.stdout, "CREDENTIAL_ERROR_UNLINK") || !strings.Contains(r.stdout, "The link is unlinked") {
		t.Fatalf("after disable: %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	r = h.run("alexa", "power", "on", ep)
	if r.code != 1 || !strings.Contains(r.stdout, "LINK_UNLINKED") {
		t.Fatalf("unlinked: %d\n%s", r.code, r.stdout)
	}
	h.ok("user", "enable", "--pool", l.demo.PoolID, "--username", l.demo.Username)
	if r := l.link(); r.code != 0 {
		t.Fatalf("relink: %s", r.stdout)
	}
	out = h.ok("alexa", "unlink")
	if !strings.Contains(out, "Unlinked") || !strings.Contains(out, "The skill acknowledged the AlexaSkillEvent.SkillDisabled event") {
		t.Fatal(out)
	}
	status = okJSON[[]linkSummary](h, "alexa", "status")
	if len(status) != 2 || status[1].Name != "default" || status[1].Status.Code != "DISABLED_BY_USER" {
		t.Fatalf("status after unlink %+v", status)
	}
}

func TestAlexaCheckCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("Alexa simulator end-to-end test: -short")
	}
	l := newAlexaLab(t)
	r := l.h.run(append([]string{"alexa", "check"}, l.linkFl...)...)
	if r.code != 0 || !strings.Contains(r.stdout, ", 0 FAIL,") || !strings.Contains(r.stdout, "PASS  all three Alexa redirect URLs accepted") {
		t.Fatalf("check: %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	// linkpool passes the localization (Simplified Chinese, German),
	// branding, repeated refresh and unlink items; Russian is not
	// localized.
	for _, tc := range []struct {
		lang      string
		localized alexasim.CheckStatus
	}{{"zh-CN", alexasim.Pass}, {"de-DE", alexasim.Pass}, {"ru-RU", alexasim.Warn}} {
		r = l.h.run(append([]string{"alexa", "check", "--json", "--lang", tc.lang, "--brand", "SmartLamp"}, l.linkFl...)...)
		var rep alexasim.CheckReport
		if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil || r.code != 0 || !rep.OK {
			t.Fatalf("check --lang %s: %v %d\n%s\n%s", tc.lang, err, r.code, r.stdout, r.stderr)
		}
		want := map[string]alexasim.CheckStatus{
			alexasim.CheckLoginLocalized: tc.localized, alexasim.CheckLoginBranded: alexasim.Pass,
			alexasim.CheckRefresh: alexasim.Pass, alexasim.CheckUnlinkRevokes: alexasim.Pass,
		}
		for id, st := range want {
			if it, _ := rep.Item(id); it.Status != st {
				t.Errorf("check --lang %s: %s is %s (%s), want %s", tc.lang, id, it.Status, it.Reason, st)
			}
		}
		if it, _ := rep.Item(alexasim.CheckRefresh); !strings.HasPrefix(it.Reason, "5 refreshes over 5h0m") {
			t.Errorf("refresh reason %q", it.Reason)
		}
	}
	// The demo client has one redirect URL for vendor LINKPOOLDEMO: another
	// vendor id is refused in every region.
	args := append([]string{"alexa", "check", "--json"}, l.linkFl...)
	for i, a := range args {
		if a == demoVendorID {
			args[i] = "OTHERVENDOR"
		}
	}
	r = l.h.run(args...)
	var rep alexasim.CheckReport
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil || r.code != 1 || rep.OK {
		t.Fatalf("check other vendor: %v %d\n%s", err, r.code, r.stdout)
	}
	if it, _ := rep.Item(alexasim.CheckRedirectURLs); it.Status != alexasim.Fail {
		t.Fatalf("redirect URLs: %+v", it)
	}
}

func TestAlexaUsageErrors(t *testing.T) {
	h := newAdminHarness(t)
	h.env["LINKPOOL_ALEXA_STATE"] = filepath.Join(t.TempDir(), "alexa.json")
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"link without console", []string{"alexa", "link"}, 2, "--authorization-uri is required"},
		{"bad region", []string{"alexa", "link", "--region", "MARS"}, 2, "unknown region"},
		{"no such link", []string{"alexa", "discover"}, 1, `no link "default"`},
		{"brightness out of range", []string{"alexa", "brightness", "lamp", "101"}, 1, ""},
		{"missing endpoint", []string{"alexa", "state"}, 2, "usage: linkpool alexa state <endpoint>"},
		{"unknown verb", []string{"alexa", "dance"}, 2, "unknown subcommand"},
		{"gateway without client", []string{"alexa", "gateway"}, 2, "--client-id and --client-secret are required"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h.fails(tc.code, tc.want, tc.args...)
		})
	}
}

// TestAlexaGatewayAndEvents runs `alexa gateway`, has a skill-side client
// exchange a grant code and send a ChangeReport, and lists it with `alexa
// events`.
func TestAlexaGatewayAndEvents(t *testing.T) {
	schema := filepath.Join(smarthometest.DataDir(t), "schema", alexasim.SchemaFile)
	addr := apptest.FreeAddr(t)
	out := &apptest.Log{}
	e := &env{stdin: strings.NewReader(""), stdout: out, stderr: out, getenv: func(k string) string {
		return map[string]string{"LINKPOOL_CLIENT_SECRET": "lwa-secret", "LINKPOOL_ALEXA_SCHEMA": schema}[k]
	}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() { done <- e.main(ctx, []string{"alexa", "gateway", "--addr", addr, "--client-id", "lwa"}) }()
	base := "http://" + addr
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get(base + "/events")
		if err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("gateway not up: %s", out)
		}
		time.Sleep(20 * time.Millisecond)
	}
	resp, err := http.PostForm(base+"/grants", url.Values{"link": {"kitchen"}})
	if err != nil {
		t.Fatal(err)
	}
	var g struct{ Code string }
	_ = json.NewDecoder(resp.Body).Decode(&g)
	resp.Body.Close()
	resp, err = http.PostForm(base+"/auth/o2/token", url.Values{"grant_type": {"authorization_code"}, "code": {g.Code}, "client_id": {"lwa"}, "client_secret": {"lwa-secret"}})
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	now := time.Now()
	msg, _ := alexa.ChangeReport("lamp-9", alexa.Scope{Type: "BearerToken", Token: tok.AccessToken}, alexa.CauseAppInteraction,
		[]alexa.Property{alexa.Brightness(70, now, 0)}, nil).Marshal()
	req, _ := http.NewRequest(http.MethodPost, base+"/v3/events", strings.NewReader(string(msg)))
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("event: HTTP %d", resp.StatusCode)
	}
	h := newAdminHarness(t)
	h.env["LINKPOOL_ALEXA_STATE"] = filepath.Join(t.TempDir(), "alexa.json")
	list := h.ok("alexa", "events", "--all", "--gateway", base)
	for _, want := range []string{"kitchen", "Alexa/ChangeReport", "lamp-9", "APP_INTERACTION", "brightness=70", "202", "valid"} {
		if !strings.Contains(list, want) {
			t.Fatalf("events output lacks %q:\n%s", want, list)
		}
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("gateway exited %d: %s", code, out)
	}
	if !strings.Contains(out.String(), "Alexa gateway stand-in listening on "+base) {
		t.Fatalf("gateway output: %s", out)
	}
}
