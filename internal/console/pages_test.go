package console_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/linkpool/linkpool/internal/admin"
	"github.com/linkpool/linkpool/internal/console"
	"github.com/linkpool/linkpool/internal/hostedui"
	"github.com/linkpool/linkpool/internal/pool"
)

// TestPoolPageShowsAlexaValues: the page of a pool with an Alexa client
// shows the Alexa console's values as `init alexa` prints them, and not
// the client's secret.
func TestPoolPageShowsAlexaValues(t *testing.T) {
	e := newEnv(t)
	p := e.Pool(t, "eu-west-1", "SmartLamp")
	c, secret := e.Client(t, p, "alexa", admin.AlexaRedirectURLs("M2ABCDEF"))
	web, _ := e.Client(t, p, "web", []string{"https://app.example.com/cb"})
	e.operator(t, "viewer", true)
	b := e.signedIn(t, "viewer")
	res, body := e.get(t, b, "/console/pools/"+p.ID)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("pool page: %d: %s", res.StatusCode, body)
	}
	for _, want := range []string{
		e.URL + "/" + p.ID + "/oauth2/authorize", e.URL + "/" + p.ID + "/oauth2/token", c.ID, "HTTP Basic (Recommended)",
		"https://pitangui.amazon.com/api/skill/link/M2ABCDEF", "https://layla.amazon.com/api/skill/link/M2ABCDEF",
		"https://alexa.amazon.co.jp/api/skill/link/M2ABCDEF", "linkpool client show --client " + c.ID + " --reveal-secret",
		web.ID, "https://app.example.com/cb",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("pool page lacks %q", want)
		}
	}
	if strings.Count(body, `class="fields alexa"`) != 1 {
		t.Errorf("Alexa values shown %d times, want for the Alexa client only", strings.Count(body, `class="fields alexa"`))
	}
	if strings.Contains(body, secret) {
		t.Error("the pool page shows the client secret")
	}
	_, body = e.get(t, b, "/console/pools/"+console.SystemPoolID)
	if !strings.Contains(body, "own system pool") || !strings.Contains(body, e.ConsoleURL+"/console/callback") {
		t.Errorf("system pool page: %s", body)
	}
}

// TestUsersPageFilter: the users page takes Cognito's ListUsers filter
// grammar, answers a malformed filter 400 with Cognito's message, and
// an unknown pool or user 404.
func TestUsersPageFilter(t *testing.T) {
	e := newEnv(t)
	p, ann := e.customer(t, "ann", "ann@example.com")
	bob := e.addUser(t, p, "bob", "bob@example.com")
	e.operator(t, "viewer", true)
	b := e.signedIn(t, "viewer")
	users := "/console/pools/" + p.ID + "/users"
	for filter, want := range map[string][]string{
		``:                          {ann.Sub, bob.Sub},
		`email = "bob@example.com"`: {bob.Sub},
		`username ^= "a"`:           {ann.Sub},
		`sub = "` + ann.Sub + `"`:   {ann.Sub},
		`status = "Disabled"`:       {},
	} {
		res, body := e.get(t, b, users+"?filter="+url.QueryEscape(filter))
		if res.StatusCode != http.StatusOK {
			t.Errorf("filter %q: %d: %s", filter, res.StatusCode, body)
			continue
		}
		for _, u := range []pool.User{ann, bob} {
			if got, wanted := strings.Contains(body, "/users/"+u.Sub+`"`), contains(want, u.Sub); got != wanted {
				t.Errorf("filter %q: lists %s: %v, want %v", filter, u.Username, got, wanted)
			}
		}
	}
	res, body := e.get(t, b, users+"?filter="+url.QueryEscape(`email = bob`))
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Error while parsing filter.") {
		t.Errorf("malformed filter: %d: %s", res.StatusCode, body)
	}
	res, body = e.get(t, b, users+"?filter="+url.QueryEscape(`password = "x"`))
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Invalid search attribute") {
		t.Errorf("unknown attribute: %d: %s", res.StatusCode, body)
	}
	for _, path := range []string{"/console/pools/us-east-1_AAAAAAAAA", "/console/pools/nonsense", "/console/pools/" + p.ID + "/users/" + bob.Sub + "x", "/console/nowhere"} {
		if res, _ := e.get(t, b, path); res.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", path, res.StatusCode)
		}
	}
}

func contains(list []string, s string) bool { return slices.Contains(list, s) }

// TestConsoleSpeaksChinese: Accept-Language or the lang parameter, which
// is remembered, picks Simplified Chinese; other languages get English.
func TestConsoleSpeaksChinese(t *testing.T) {
	e := newEnv(t)
	e.operator(t, "root", false)
	b := e.signedIn(t, "root")
	get := func(path, acceptLang string) string {
		req, _ := http.NewRequest(http.MethodGet, e.ConsoleURL+path, nil)
		req.Header.Set("Accept-Language", acceptLang)
		res, err := b.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return readBody(t, res)
	}
	if body := get("/console/", "zh-CN,zh;q=0.9"); !strings.Contains(body, `<html lang="zh-CN"`) || !strings.Contains(body, "<h1>概览</h1>") {
		t.Errorf("zh-CN: %s", body)
	}
	if body := get("/console/", "de-DE"); !strings.Contains(body, `<html lang="en"`) || !strings.Contains(body, "<h1>Dashboard</h1>") {
		t.Errorf("de-DE: %s", body)
	}
	get("/console/pools?lang=zh-CN", "en")
	if body := get("/console/audit", "en"); !strings.Contains(body, "<h1>审计日志</h1>") {
		t.Errorf("lang=zh-CN not remembered: %s", body)
	}
}

// TestHTTPSConsoleCookies: a console served over https uses __Host-
// cookies (Secure, Path=/).
func TestHTTPSConsoleCookies(t *testing.T) {
	e := newEnv(t)
	c, err := console.New(console.Config{Admin: e.Admin, Store: e.DB, Audit: e.Audit, Box: e.Box, SignInPreview: hostedui.Preview, PublicURL: e.URL, URL: "https://console.example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Ensure(context.Background()); err != nil {
		t.Fatal(err)
	}
	rec := httptestRecorder(c, "/console/signin")
	var found bool
	for _, ck := range rec.Result().Cookies() {
		if ck.Name == "__Host-lp_console_signin" {
			found = ck.Secure && ck.Path == "/" && ck.HttpOnly && ck.SameSite == http.SameSiteLaxMode
		}
	}
	if !found {
		t.Errorf("sign-in cookies %v", rec.Result().Cookies())
	}
	if loc := rec.Result().Header.Get("Location"); !strings.Contains(loc, url.QueryEscape("https://console.example.com/console/callback")) {
		t.Errorf("redirect_uri of %q", loc)
	}
	if _, err := console.New(console.Config{Admin: e.Admin, Store: e.DB, Audit: e.Audit, Box: e.Box, SignInPreview: hostedui.Preview, PublicURL: e.URL, URL: "https://console.example.com/admin"}); err == nil {
		t.Error("a console URL with a path is accepted")
	}
}
