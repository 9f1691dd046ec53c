package alexasim_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/alexasim"
)

const unableToLink = "We were unable to link SmartLamp at this time."

// TestLinkDiagnoses provokes each account-linking failure with a
// misbehaving authorization server and asserts the diagnosis code, its
// severity and, for errors, the generic message of the Alexa app.
func TestLinkDiagnoses(t *testing.T) {
	schema := loadSchema(t)
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	tests := []struct {
		name     string
		setup    func(f *fakeAS, c *alexasim.Console, env *alexasim.Env)
		password string
		want     string
		severity alexasim.Severity
		detail   string // substring of the diagnosis detail
	}{
		{name: "error page instead of login", setup: func(f *fakeAS, c *alexasim.Console, env *alexasim.Env) { f.loginStatus = http.StatusBadRequest },
			want: alexasim.CodeRedirectURINotAccepted, severity: alexasim.Error, detail: "redirect_mismatch"},
		{name: "redirect to another region", setup: func(f *fakeAS, c *alexasim.Console, env *alexasim.Env) {
			f.redirect = func(_, state, code string) string {
				return alexasim.RegionEU.RedirectURL(vendorID) + "?" + url.Values{"code": {code}, "state": {state}}.Encode()
			}
		}, want: alexasim.CodeRedirectURIMismatch, severity: alexasim.Error, detail: "region EU"},
		{name: "redirect to another host", setup: func(f *fakeAS, c *alexasim.Console, env *alexasim.Env) {
			f.redirect = func(_, state, code string) string {
				return "https://callback.invalid/cb?" + url.Values{"code": {code}, "state": {state}}.Encode()
			}
		}, want: alexasim.CodeRedirectURIMismatch, severity: alexasim.Error, detail: "https://callback.invalid/cb instead of"},
		{name: "state dropped", setup: func(f *fakeAS, c *alexasim.Console, env *alexasim.Env) {
			f.redirect = func(uri, _, code string) string { return uri + "?code=" + code }
		}, want: alexasim.CodeStateMissing, severity: alexasim.Error},
		{name: "state changed", setup: func(f *fakeAS, c *alexasim.Console, env *alexasim.Env) {
			f.redirect = func(uri, state, code string) string {
				return uri + "?code=" + code + "&state=" + url.QueryEscape(state[:20])
			}
		}, want: alexasim.CodeStateMismatch, severity: alexasim.Error},
		{name: "code missing", setup: func(f *fakeAS, c *alexasim.Console, env *alexasim.Env) {
			f.redirect = func(uri, state, _ string) string { return uri + "?state=" + url.QueryEscape(state) }
		}, want: alexasim.CodeCodeMissing, severity: alexasim.Error},
		{name: "error on the redirect", setup: func(f *fakeAS, c *alexasim.Console, env *alexasim.Env) {
			f.redirect = func(uri, state, _ string) string {
				return uri + "?error=access_denied&error_description=user+said+no&state=" + url.QueryEscape(state)
			}
		}, want: alexasim.CodeAuthorizationError, severity: alexasim.Error, detail: "error=access_denied (user said no)"},
		{name: "wrong password", password: "wrong", want: alexasim.CodeSignInFailed, severity: alexasim.Error,
			detail: `sign-in failed: the login page came back with the message "Wrong email or password."`},
		{name: "token endpoint too slow", setup: func(f *fakeAS, c *alexasim.Console, env *alexasim.Env) {
			f.tokenDelay, env.TokenTimeout = 2*time.Second, 100*time.Millisecond
		}, want: alexasim.CodeTokenEndpointTimeout, severity: alexasim.Error, detail: "within 100ms"},
		{name: "token endpoint unreachable", setup: func(f *fakeAS, c *alexasim.Console, env *alexasim.Env) { c.AccessTokenURI = closed.URL + "/token" },
			want: alexasim.CodeTokenEndpointUnreachable, severity: alexasim.Error},
		{name: "basic refused, body expected", setup: func(f *fakeAS, c *alexasim.Console, env *alexasim.Env) { f.bodyOnly = true },
			want: alexasim.CodeTokenInvalidClient, severity: alexasim.Error, detail: `the server may expect "Credentials in request body"`},
		{name: "wrong secret", setup: func(f *fakeAS, c *alexasim.Console, env *alexasim.Env) {
			c.ClientSecret, c.Scheme = "not-the-secret", alexasim.SchemeRequestBody
		}, want: alexasim.CodeTokenInvalidClient, severity: alexasim.Error, detail: "HTTP 401 invalid_client"},
		{name: "invalid_grant", setup: func(f *fakeAS, c *alexasim.Console, env *alexasim.Env) {
			f.tokenStatus, f.tokenRaw = http.StatusBadRequest, `{"error":"invalid_grant","error_description":"code expired"}`
		}, want: alexasim.CodeTokenInvalidGrant, severity: alexasim.Error, detail: "code expired"},
		{name: "HTTP error", setup: func(f *fakeAS, c *alexasim.Console, env *alexasim.Env) {
			f.tokenStatus, f.tokenCT, f.tokenRaw = http.StatusBadGateway, "text/html", "<h1>Bad gateway</h1>"
		}, want: alexasim.CodeTokenHTTPError, severity: alexasim.Error, detail: "HTTP 502"},
		{name: "token endpoint redirects", setup: func(f *fakeAS, c *alexasim.Console, env *alexasim.Env) {
			f.tokenStatus, f.tokenCT, f.tokenRaw = http.StatusFound, "text/html", ""
			f.tokenLocation = "/login?next=token"
		}, want: alexasim.CodeTokenHTTPError, severity: alexasim.Error, detail: "HTTP 302 redirecting to"},
		{name: "HTML token response", setup: func(f *fakeAS, c *alexasim.Console, env *alexasim.Env) {
			f.tokenCT, f.tokenRaw = "text/html; charset=utf-8", "<html>welcome</html>"
		}, want: alexasim.CodeTokenNotJSON, severity: alexasim.Error, detail: "text/html"},
		{name: "form-encoded token response", setup: func(f *fakeAS, c *alexasim.Console, env *alexasim.Env) {
			f.tokenCT, f.tokenRaw = "application/x-www-form-urlencoded", "access_token=SECRETTOKEN&token_type=bearer"
		}, want: alexasim.CodeTokenNotJSON, severity: alexasim.Error, detail: "application/x-www-form-urlencoded"},
		{name: "JSON content type, broken body", setup: func(f *fakeAS, c *alexasim.Console, env *alexasim.Env) { f.tokenRaw = `{"access_token":` },
			want: alexasim.CodeTokenNotJSON, severity: alexasim.Error, detail: "not a JSON object"},
		{name: "token_type mac", setup: func(f *fakeAS, c *alexasim.Console, env *alexasim.Env) { f.token = map[string]any{"token_type": "mac"} },
			want: alexasim.CodeTokenTypeInvalid, severity: alexasim.Error},
		{name: "no access token", setup: func(f *fakeAS, c *alexasim.Console, env *alexasim.Env) { f.token = map[string]any{"access_token": nil} },
			want: alexasim.CodeAccessTokenMissing, severity: alexasim.Error},
		{name: "expires_in 300", setup: func(f *fakeAS, c *alexasim.Console, env *alexasim.Env) { f.token = map[string]any{"expires_in": 300} },
			want: alexasim.CodeExpiresInTooShort, severity: alexasim.Error, detail: "expires_in is 300 seconds"},
		{name: "expires_in missing without default", setup: func(f *fakeAS, c *alexasim.Console, env *alexasim.Env) { f.token = map[string]any{"expires_in": nil} },
			want: alexasim.CodeExpiresInMissing, severity: alexasim.Error, detail: "no Default Access Token Expiration Time"},
		{name: "expires_in missing with a short default", setup: func(f *fakeAS, c *alexasim.Console, env *alexasim.Env) {
			f.token, c.DefaultTokenExpiration = map[string]any{"expires_in": nil}, 60
		}, want: alexasim.CodeExpiresInTooShort, severity: alexasim.Error, detail: "default access token expiration time is 60"},
		{name: "no refresh token", setup: func(f *fakeAS, c *alexasim.Console, env *alexasim.Env) {
			f.token = map[string]any{"refresh_token": nil}
		},
			want: alexasim.CodeRefreshTokenMissing, severity: alexasim.Error},
		{name: "public host over http", setup: func(f *fakeAS, c *alexasim.Console, env *alexasim.Env) {
			c.AuthorizationURI = "http://auth.example.com/authorize"
		},
			want: alexasim.CodeNotHTTPS, severity: alexasim.Error, detail: "does not accept it"},
		{name: "https on another port", setup: func(f *fakeAS, c *alexasim.Console, env *alexasim.Env) {
			c.AccessTokenURI = "https://auth.example.com:8443/token"
		},
			want: alexasim.CodeNotHTTPS, severity: alexasim.Error},
		{name: "no scopes", setup: func(f *fakeAS, c *alexasim.Console, env *alexasim.Env) { c.Scopes = nil },
			want: alexasim.CodeConsoleIncomplete, severity: alexasim.Error, detail: "at least one scope"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFakeAS(t)
			c := f.console()
			env := alexasim.Env{Skill: stubSkill(), Schema: schema}
			if tc.setup != nil {
				tc.setup(f, &c, &env)
			}
			pw := fakePassword
			if tc.password != "" {
				pw = tc.password
			}
			res, err := alexasim.LinkAccount(context.Background(), alexasim.LinkOptions{
				Console: c, SignIn: alexasim.FormSignIn{Username: fakeUser, Password: pw}, Env: env,
			})
			var de *alexasim.DiagnosedError
			if !errors.As(err, &de) || !errors.Is(err, alexasim.ErrUnlinked) {
				t.Fatalf("err %v, want a DiagnosedError of an unlinked link", err)
			}
			if res.OK || res.UserMessage != unableToLink || res.Link.IsLinked() {
				t.Fatalf("ok %v message %q linked %v", res.OK, res.UserMessage, res.Link.IsLinked())
			}
			found := false
			for _, d := range res.Diagnoses {
				if d.Code == tc.want && d.Severity == tc.severity && strings.Contains(d.Detail, tc.detail) && d.Rule != "" {
					found = true
				}
			}
			if !found {
				t.Fatalf("want %s (%s) with %q, got %v", tc.want, tc.severity, tc.detail, res.Diagnoses)
			}
			if res.Link.Status.Code == "" || res.Link.Status.State != alexasim.Unlinked {
				t.Fatalf("status %+v", res.Link.Status)
			}
			for _, d := range res.Diagnoses {
				if strings.Contains(d.Detail, "SECRETTOKEN") || strings.Contains(d.Detail, "alexa-secret") || strings.Contains(d.Detail, "code-1") {
					t.Fatalf("a diagnosis leaks a secret: %s", d.Detail)
				}
			}
		})
	}
}

// TestLinkWarnings: deviations that Alexa tolerates are warnings; the
// link succeeds.
func TestLinkWarnings(t *testing.T) {
	schema := loadSchema(t)
	tests := []struct {
		name    string
		setup   func(f *fakeAS, c *alexasim.Console)
		want    string
		expires int
	}{
		{"expires_in missing with a default", func(f *fakeAS, c *alexasim.Console) {
			f.token, c.DefaultTokenExpiration = map[string]any{"expires_in": nil}, 3600
		}, alexasim.CodeExpiresInMissing, 3600},
		{"token over 2048 bytes", func(f *fakeAS, c *alexasim.Console) {
			f.token = map[string]any{"access_token": strings.Repeat("a", 3000)}
		}, alexasim.CodeTokenTooLarge, 3600},
		{"expires_in as a string", func(f *fakeAS, c *alexasim.Console) {
			f.token = map[string]any{"expires_in": "7200"}
		}, "", 7200},
		{"login page loads a CDN script", func(f *fakeAS, c *alexasim.Console) {
			f.loginPage = strings.Replace(f.loginForm(url.Values{}, ""), "<title>", `<script src="https://cdn.example.net/app.js"></script><link rel="stylesheet" href="https://fonts.example.org/f.css"><img src="/logo.png"><title>`, 1)
			c.DomainList = []string{"fonts.example.org"}
		}, alexasim.CodeLoginPageResource, 3600},
		{"login page without viewport", func(f *fakeAS, c *alexasim.Console) {
			f.loginPage = strings.Replace(f.loginForm(url.Values{}, ""), `<meta name="viewport" content="width=device-width, initial-scale=1">`, "", 1)
		}, alexasim.CodeLoginPageNotMobile, 3600},
		{"login page with alert", func(f *fakeAS, c *alexasim.Console) {
			f.loginPage = strings.Replace(f.loginForm(url.Values{}, ""), "</body>", `<script>function bad(){ alert("hi") }</script></body>`, 1)
		}, alexasim.CodeLoginPagePopup, 3600},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeAS(t)
			c := f.console()
			tc.setup(f, &c)
			if f.loginPage != "" {
				// The static page posts to /login without the request's
				// query, so the redirect needs it from the authorization
				// request: serve the page with the real action.
				page := f.loginPage
				f.loginPage = ""
				f.srv.Config.Handler = withPage(f.srv.Config.Handler, page)
			}
			res, err := alexasim.LinkAccount(context.Background(), alexasim.LinkOptions{
				Console: c, SignIn: alexasim.FormSignIn{Username: fakeUser, Password: fakePassword}, Env: alexasim.Env{Skill: stubSkill(), Schema: schema},
			})
			if err != nil || !res.OK || res.UserMessage != "" {
				t.Fatalf("link failed: %v %v", err, res.Diagnoses)
			}
			got := unexpected(res.Diagnoses)
			if tc.want == "" && len(got) != 0 || tc.want != "" && (len(got) != 1 || got[0].Code != tc.want || got[0].Severity != alexasim.Warning) {
				t.Fatalf("diagnoses %v, want only %s", got, tc.want)
			}
			if res.Link.Tokens.ExpiresIn != tc.expires {
				t.Fatalf("expires %d, want %d", res.Link.Tokens.ExpiresIn, tc.expires)
			}
			if tc.want == alexasim.CodeLoginPageResource && (!strings.Contains(got[0].Detail, "cdn.example.net/app.js") || strings.Contains(got[0].Detail, "fonts.example.org") || strings.Contains(got[0].Detail, "logo.png")) {
				t.Fatalf("foreign resources: %s", got[0].Detail)
			}
		})
	}
}

// withPage serves page for GET /authorize with the form action carrying
// the request's query.
func withPage(next http.Handler, page string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && r.URL.Path == "/authorize" {
			w.Header().Set("Content-Type", "text/html")
			_, _ = w.Write([]byte(strings.Replace(page, `action="/login?"`, `action="/login?`+strings.ReplaceAll(r.URL.RawQuery, "&", "&amp;")+`"`, 1)))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// TestFormSignInHeaders: the form post carries Origin and Sec-Fetch-Site
// as a web view sends them, and keeps the hidden CSRF field and the named
// submit button (checked by the fake server).
func TestFormSignInHeaders(t *testing.T) {
	f := newFakeAS(t)
	res, err := alexasim.LinkAccount(context.Background(), alexasim.LinkOptions{
		Console: f.console(), SignIn: alexasim.FormSignIn{Username: fakeUser, Password: fakePassword}, Env: alexasim.Env{Skill: stubSkill()},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.origins) != 1 || f.origins[0] != f.srv.URL+" same-origin" {
		t.Fatalf("origins %q", f.origins)
	}
	if res.Discovery.Schema != alexasim.SchemaSkipped {
		t.Fatalf("schema %q without a schema", res.Discovery.Schema)
	}
}

// TestTokenEndpointTimeoutDefault waits the real 4.5 s Alexa allows.
func TestTokenEndpointTimeoutDefault(t *testing.T) {
	if testing.Short() {
		t.Skip("waits out the default timeout: -short")
	}
	if alexasim.DefaultTokenTimeout != 4500*time.Millisecond || alexasim.DefaultSkillTimeout != 8*time.Second {
		t.Fatalf("deadlines %s %s", alexasim.DefaultTokenTimeout, alexasim.DefaultSkillTimeout)
	}
	t.Parallel()
	f := newFakeAS(t)
	f.tokenDelay = 5 * time.Second
	res, err := alexasim.LinkAccount(context.Background(), alexasim.LinkOptions{
		Console: f.console(), SignIn: alexasim.FormSignIn{Username: fakeUser, Password: fakePassword}, Env: alexasim.Env{Skill: stubSkill()},
	})
	if err == nil || !res.Diagnoses.Has(alexasim.CodeTokenEndpointTimeout) || res.UserMessage != unableToLink {
		t.Fatalf("err %v diagnoses %v", err, res.Diagnoses)
	}
}

// TestRefreshLifecycle exercises refresh against a server that fails on
// request: transient 503s are retried and never unlink, invalid_grant
// unlinks, a refresh response without refresh_token keeps the old one.
func TestRefreshLifecycle(t *testing.T) {
	tests := []struct {
		name      string
		statuses  []int
		newRT     any // refresh_token in refresh responses (nil: none)
		wantErr   bool
		unlinked  bool
		codes     string
		wantRT    string
		refreshes int
	}{
		{name: "plain", newRT: nil, codes: "", wantRT: "rt-1", refreshes: 1},
		{name: "rotated", newRT: "rt-2", codes: "", wantRT: "rt-2", refreshes: 1},
		{name: "one 503", statuses: []int{503}, newRT: "rt-1", codes: alexasim.CodeTransientRetry, wantRT: "rt-1", refreshes: 2},
		{name: "always 503", statuses: []int{503, 503, 503}, wantErr: true,
			codes: "TRANSIENT_RETRY,TRANSIENT_RETRY,TOKEN_HTTP_ERROR,REFRESH_FAILED", wantRT: "rt-1", refreshes: 3},
		{name: "invalid_grant", statuses: []int{400}, wantErr: true, unlinked: true, codes: alexasim.CodeRefreshInvalidGrantUnlink, refreshes: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeAS(t)
			clk := newClock()
			var slept []time.Duration
			env := alexasim.Env{Skill: stubSkill(), Now: clk.Now, Sleep: func(ctx context.Context, d time.Duration) error {
				slept = append(slept, d)
				return nil
			}}
			res, err := alexasim.LinkAccount(context.Background(), alexasim.LinkOptions{
				Console: f.console(), SignIn: alexasim.FormSignIn{Username: fakeUser, Password: fakePassword}, Env: env,
			})
			if err != nil {
				t.Fatal(err)
			}
			lk := res.Link
			f.mu.Lock()
			f.refreshStatuses = tc.statuses
			f.token = map[string]any{"refresh_token": tc.newRT}
			f.mu.Unlock()
			clk.Advance(time.Hour)
			rep, err := lk.Power(context.Background(), "lamp-1", true)
			if (err != nil) != tc.wantErr || errors.Is(err, alexasim.ErrUnlinked) != tc.unlinked {
				t.Fatalf("err %v", err)
			}
			if codes(rep.Diagnoses) != tc.codes {
				t.Fatalf("codes %s, want %s: %v", codes(rep.Diagnoses), tc.codes, rep.Diagnoses)
			}
			if lk.IsLinked() == tc.unlinked || lk.Tokens.RefreshToken != tc.wantRT || f.refreshes != tc.refreshes {
				t.Fatalf("linked %v refresh token %q refreshes %d", lk.IsLinked(), lk.Tokens.RefreshToken, f.refreshes)
			}
			if !tc.wantErr && (rep.Name != "Alexa/Response" || lk.Expired()) {
				t.Fatalf("reply %q expired %v", rep.Name, lk.Expired())
			}
			if len(slept) != strings.Count(tc.codes, alexasim.CodeTransientRetry) || len(slept) == 2 && slept[1] != 2*slept[0] {
				t.Fatalf("backoff %v", slept)
			}
		})
	}
}

// TestSkillDiagnoses provokes the skill-side failures with the SmartLamp
// skill behind a tampering wrapper or a failing proxy.
func TestSkillDiagnoses(t *testing.T) {
	l := newLab(t, labOptions{})
	ctx := context.Background()
	real := alexasim.LambdaSkill(l.skill.Invoke)
	var fail503 atomic.Int32
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if fail503.Add(-1) >= 0 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		target, _ := url.Parse(l.srv.URL)
		httputil.NewSingleHostReverseProxy(target).ServeHTTP(w, r)
	}))
	t.Cleanup(proxy.Close)

	linkTests := []struct {
		name  string
		lab   labOptions
		skill alexasim.Skill
		env   func(e *alexasim.Env)
		want  []string
	}{
		{name: "LWA refuses the skill's grant exchange", lab: labOptions{lwaSecret: "wrong"},
			want: []string{alexasim.CodeAcceptGrantFailed}},
		{name: "AcceptGrant not answered", skill: alexasim.LambdaSkill(func(ctx context.Context, b []byte) ([]byte, error) {
			if strings.Contains(string(b), `"AcceptGrant"`) {
				return nil, errors.New("function error: handler crashed")
			}
			return real(ctx, b)
		}), want: []string{alexasim.CodeSkillUnreachable, alexasim.CodeAcceptGrantNotAnswered}},
		{name: "AcceptGrant answered with Response", skill: tamper(real, "AcceptGrant", func(doc map[string]any) {
			h := event(doc)["header"].(map[string]any)
			h["namespace"], h["name"] = "Alexa", "Response"
		}), want: []string{alexasim.CodeReplyUnexpected, alexasim.CodeAcceptGrantNotAnswered}},
		{name: "discovery finds nothing", skill: tamper(real, "Discover", func(doc map[string]any) {
			event(doc)["payload"] = map[string]any{"endpoints": []any{}}
		}), want: []string{alexasim.CodeDiscoveryFailed}},
		{name: "discovery too slow", skill: alexasim.LambdaSkill(func(ctx context.Context, b []byte) ([]byte, error) {
			if strings.Contains(string(b), `"Discover"`) {
				<-ctx.Done()
				return nil, ctx.Err()
			}
			return real(ctx, b)
		}), env: func(e *alexasim.Env) { e.SkillTimeout = 100 * time.Millisecond },
			want: []string{alexasim.CodeSkillTimeout, alexasim.CodeDiscoveryFailed}},
	}
	for _, tc := range linkTests {
		t.Run(tc.name, func(t *testing.T) {
			ll := l
			if tc.lab.lwaSecret != "" {
				ll = newLab(t, tc.lab)
			}
			skill := tc.skill
			if skill == nil {
				skill = alexasim.LambdaSkill(ll.skill.Invoke)
			}
			env := ll.env(skill)
			if tc.env != nil {
				tc.env(&env)
			}
			res, err := alexasim.LinkAccount(ctx, alexasim.LinkOptions{
				Console: ll.console(alexasim.RegionNA, alexasim.SchemeHTTPBasic, true),
				SignIn:  alexasim.FormSignIn{Username: username, Password: userPassword}, Env: env, Gateway: ll.gwSrv.URL,
			})
			if err == nil || res.OK || res.UserMessage != unableToLink {
				t.Fatalf("link did not fail: %v", res.Diagnoses)
			}
			if got := codes(unexpected(res.Diagnoses)); got != strings.Join(tc.want, ",") {
				t.Fatalf("codes %s, want %v: %v", got, tc.want, res.Diagnoses)
			}
		})
	}

	directiveTests := []struct {
		name    string
		skill   func() alexasim.Skill
		want    string
		wantErr bool
	}{
		{name: "timeOfSample with an offset", skill: func() alexasim.Skill {
			return tamper(real, "TurnOn", func(doc map[string]any) {
				p := doc["context"].(map[string]any)["properties"].([]any)[0].(map[string]any)
				p["timeOfSample"] = "2026-11-25T18:30:30+00:00"
			})
		}, want: alexasim.CodeReplySchemaInvalid, wantErr: true},
		{name: "correlation token not echoed", skill: func() alexasim.Skill {
			return tamper(real, "TurnOn", func(doc map[string]any) {
				event(doc)["header"].(map[string]any)["correlationToken"] = "someone-else"
			})
		}, want: alexasim.CodeCorrelationTokenMismatch, wantErr: true},
		{name: "wrong endpoint", skill: func() alexasim.Skill {
			return tamper(real, "TurnOn", func(doc map[string]any) {
				event(doc)["endpoint"].(map[string]any)["endpointId"] = "lamp-other"
			})
		}, want: alexasim.CodeEndpointMismatch, wantErr: true},
		{name: "one 503 from the skill endpoint", skill: func() alexasim.Skill {
			fail503.Store(1)
			return &alexasim.HTTPSkill{URL: proxy.URL + "/alexa/smart-home"}
		}, want: alexasim.CodeTransientRetry},
		{name: "skill endpoint keeps failing", skill: func() alexasim.Skill {
			fail503.Store(10)
			return &alexasim.HTTPSkill{URL: proxy.URL + "/alexa/smart-home"}
		}, want: "TRANSIENT_RETRY,TRANSIENT_RETRY,SKILL_HTTP_ERROR", wantErr: true},
	}
	for _, tc := range directiveTests {
		t.Run(tc.name, func(t *testing.T) {
			lk := l.link(t, l.console(alexasim.RegionEU, alexasim.SchemeRequestBody, false), real)
			lk.Env.Skill = tc.skill()
			rep, err := lk.Power(ctx, lk.Endpoints[0].ID, true)
			if (err != nil) != tc.wantErr || errors.Is(err, alexasim.ErrUnlinked) {
				t.Fatalf("err %v", err)
			}
			if codes(rep.Diagnoses) != tc.want {
				t.Fatalf("codes %s, want %s: %v", codes(rep.Diagnoses), tc.want, rep.Diagnoses)
			}
			if !lk.IsLinked() {
				t.Fatal("a reply problem unlinked the link")
			}
		})
	}
}
