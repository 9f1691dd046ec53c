package hostedui_test

import (
	"context"
	"github.com/linkpool/linkpool/internal/pool"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/linkpool/linkpool/internal/account"
)

// TestLoginFailures checks every way a sign-in fails: an inline error on
// the sign-in page, no session, no redirect, and nothing that tells an
// unknown user from a wrong password or a locked-out user.
func TestLoginFailures(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name     string
		prepare  func(t *testing.T, e *env)
		username string
		password string
		status   int
		wantErr  string
		wantBody string
	}{
		{name: "wrong password", username: "zoe", password: "Wr0ng-guess!", status: http.StatusBadRequest, wantErr: "Incorrect username or password."},
		{name: "unknown user", username: "nobody", password: goodPW, status: http.StatusBadRequest, wantErr: "Incorrect username or password."},
		{name: "empty password", username: "zoe", password: "", status: http.StatusBadRequest, wantErr: "Incorrect username or password."},
		{name: "locked out, right password", username: "zoe", password: goodPW, status: http.StatusBadRequest, wantErr: "Incorrect username or password.",
			prepare: func(t *testing.T, e *env) {
				for range e.pool.LockoutPolicy.MaxFailedAttempts {
					_, _ = e.accounts.Authenticate(ctx, e.pool, "zoe", "Wr0ng-guess!")
				}
			}},
		{name: "disabled, right password", username: "zoe", password: goodPW, status: http.StatusBadRequest, wantErr: "User is disabled.",
			prepare: func(t *testing.T, e *env) {
				if err := e.accounts.AdminDisableUser(ctx, e.pool, "zoe"); err != nil {
					t.Fatal(err)
				}
			}},
		{name: "disabled, wrong password", username: "zoe", password: "Wr0ng-guess!", status: http.StatusBadRequest, wantErr: "Incorrect username or password.",
			prepare: func(t *testing.T, e *env) {
				if err := e.accounts.AdminDisableUser(ctx, e.pool, "zoe"); err != nil {
					t.Fatal(err)
				}
			}},
		{name: "unconfirmed, right password", username: "una", password: goodPW, status: http.StatusOK, wantBody: `id="confirmFormCode"`,
			prepare: func(t *testing.T, e *env) {
				if _, err := e.accounts.SignUp(ctx, e.pool, account.SignUpInput{Username: "una", Password: goodPW, Attributes: map[string]string{"email": "una@example.com"}}); err != nil {
					t.Fatal(err)
				}
				e.clock.Advance(account.DefaultCodeInterval)
			}},
		{name: "unconfirmed, wrong password", username: "una", password: "Wr0ng-guess!", status: http.StatusBadRequest, wantErr: "Incorrect username or password.",
			prepare: func(t *testing.T, e *env) {
				if _, err := e.accounts.SignUp(ctx, e.pool, account.SignUpInput{Username: "una", Password: goodPW, Attributes: map[string]string{"email": "una@example.com"}}); err != nil {
					t.Fatal(err)
				}
			}},
		{name: "oversize username", username: strings.Repeat("z", 300), password: goodPW, status: http.StatusBadRequest, wantErr: "Incorrect username or password."},
		{name: "oversize password", username: "zoe", password: strings.Repeat("x", 2000), status: http.StatusBadRequest, wantErr: "Incorrect username or password."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, options{})
			zoe := e.createUser(t, "zoe", "zoe@example.com", goodPW)
			if tt.prepare != nil {
				tt.prepare(t, e)
			}
			before := len(e.mailbox.Messages())
			p := e.browser().login(alexaRedirects[0], tt.username, tt.password)
			if p.Status != tt.status {
				t.Fatalf("status %d, want %d\n%s", p.Status, tt.status, p.Body)
			}
			if p.Location != "" {
				t.Errorf("redirected to %q", p.Location)
			}
			if p.cookie("lp_session") != nil {
				t.Error("a session cookie was set")
			}
			if tt.wantErr != "" && p.errorText() != tt.wantErr {
				t.Errorf("inline error %q, want %q", p.errorText(), tt.wantErr)
			}
			if tt.wantBody != "" && !strings.Contains(p.Body, tt.wantBody) {
				t.Errorf("page lacks %s:\n%s", tt.wantBody, p.Body)
			}
			if strings.Contains(p.Body, "alert(") || strings.Contains(p.Body, "<script") {
				t.Error("the page uses script")
			}
			if len(tt.password) > 0 && strings.Contains(p.Body, tt.password) {
				t.Error("the page echoes the password")
			}
			if tt.name == "unconfirmed, right password" {
				if n := len(e.mailbox.Messages()); n != before+1 {
					t.Errorf("%d new mails, want a fresh code", n-before)
				}
				if p.cookie("lp_pending") == nil {
					t.Error("no pending cookie for the automatic sign-in after confirmation")
				}
			}
			if tt.name == "oversize username" && e.user(t, zoe.Sub).FailedLogins != 0 {
				t.Error("an oversize username counted against a user")
			}
		})
	}
}

// TestUnknownUserIndistinguishable compares the answers for a wrong
// password and an unknown user byte for byte, once the typed username is
// masked.
func TestUnknownUserIndistinguishable(t *testing.T) {
	e := newEnv(t, options{})
	e.createUser(t, "amber", "amber@example.com", goodPW)
	b := e.browser()
	login := b.get("/login?" + e.authQuery(alexaRedirects[0]).Encode())
	known := b.submit(login, map[string]string{"username": "amber", "password": "Wr0ng-guess!"})
	unknown := b.submit(login, map[string]string{"username": "ghost", "password": "Wr0ng-guess!"})
	if known.Status != unknown.Status {
		t.Fatalf("statuses %d and %d differ", known.Status, unknown.Status)
	}
	a := strings.ReplaceAll(known.Body, `value="amber"`, `value="X"`)
	c := strings.ReplaceAll(unknown.Body, `value="ghost"`, `value="X"`)
	if a != c {
		t.Errorf("bodies differ:\n%s\n----\n%s", a, c)
	}
	for _, h := range []string{"Content-Security-Policy", "Set-Cookie", "Content-Type"} {
		if known.Header.Get(h) != unknown.Header.Get(h) {
			t.Errorf("header %s differs: %q vs %q", h, known.Header.Get(h), unknown.Header.Get(h))
		}
	}
}

func TestAuthorizeErrors(t *testing.T) {
	tests := []struct {
		name       string
		query      func(e *env) url.Values
		wantError  string // on the error page
		toClient   string // error redirected to the client
		wantStatus int
	}{
		{name: "unregistered redirect_uri", query: func(e *env) url.Values {
			return e.authQuery("https://evil.example/steal")
		}, wantError: "not registered for it (client id "},
		{name: "redirect_uri differing in case", query: func(e *env) url.Values {
			return e.authQuery(strings.ToUpper(alexaRedirects[0][:8]) + alexaRedirects[0][8:])
		}, wantError: "not registered for it"},
		{name: "unknown client", query: func(e *env) url.Values {
			q := e.authQuery(alexaRedirects[0])
			q.Set("client_id", "aaaaaaaaaaaaaaaaaaaaaaaaaa")
			return q
		}, wantError: "No app with client id aaaaaaaaaaaaaaaaaaaaaaaaaa is registered with SmartLamp."},
		{name: "malformed client", query: func(e *env) url.Values {
			q := e.authQuery(alexaRedirects[0])
			q.Set("client_id", "<b>x</b>")
			return q
		}, wantError: "An error was encountered with the requested page."},
		{name: "implicit grant not allowed", query: func(e *env) url.Values {
			return e.authQuery(alexaRedirects[0], "response_type", "token")
		}, toClient: "unauthorized_client"},
		{name: "unsupported response type", query: func(e *env) url.Values {
			return e.authQuery(alexaRedirects[0], "response_type", "id_token")
		}, toClient: "unsupported_response_type"},
		{name: "plain PKCE", query: func(e *env) url.Values {
			return e.authQuery(alexaRedirects[0], "code_challenge", strings.Repeat("a", 43), "code_challenge_method", "plain")
		}, toClient: "invalid_request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, options{})
			b := e.browser()
			for _, path := range []string{"/oauth2/authorize", "/login", "/signup"} {
				p := b.get(path + "?" + tt.query(e).Encode())
				if p.Status != http.StatusFound {
					t.Fatalf("%s: status %d, want a redirect\n%s", path, p.Status, p.Body)
				}
				loc, err := url.Parse(p.Location)
				if err != nil {
					t.Fatal(err)
				}
				if tt.toClient != "" {
					params := loc.Query()
					if loc.Fragment != "" { // implicit grant errors travel in the fragment (RFC 6749 §4.2.2.1)
						params, _ = url.ParseQuery(loc.Fragment)
					}
					if loc.Host != "pitangui.amazon.com" || params.Get("error") != tt.toClient || params.Get("state") != "alexa-state-42" {
						t.Errorf("%s: redirected to %s, want %s to the client", path, p.Location, tt.toClient)
					}
					continue
				}
				if loc.Host != "" || loc.Path != "/"+e.pool.ID+"/error" || loc.Query().Get("error") != "redirect_mismatch" {
					t.Fatalf("%s: redirected to %q, want the pool's /error page", path, p.Location)
				}
				p = b.get(p.Location)
				if p.Status != http.StatusBadRequest || p.Location != "" {
					t.Fatalf("error page: %d %q", p.Status, p.Location)
				}
				if !strings.Contains(p.errorText(), tt.wantError) {
					t.Errorf("error page says %q, want %q", p.errorText(), tt.wantError)
				}
				if strings.Contains(p.Body, "pitangui") || strings.Contains(p.Body, "evil.example") {
					t.Error("the error page lists redirect URIs")
				}
			}
		})
	}
}

func TestLanguage(t *testing.T) {
	e := newEnv(t, options{})
	b := e.browser()
	p := b.get("/login?" + e.authQuery(alexaRedirects[0], "lang", "zh-CN").Encode())
	if !strings.Contains(p.Body, `<html lang="zh-CN" dir="ltr">`) || !strings.Contains(p.Body, "请使用您的 SmartLamp 账户登录。") {
		t.Fatalf("lang=zh-CN did not give Chinese:\n%s", p.Body)
	}
	if c := p.cookie("lp_lang"); c == nil || c.Value != "zh-CN" {
		t.Fatalf("language cookie = %+v", c)
	}
	// The cookie holds without the parameter, over Accept-Language.
	b.header.Set("Accept-Language", "en-US,en;q=0.9")
	p = b.get("/forgotPassword")
	if !strings.Contains(p.Body, "忘记密码？") {
		t.Errorf("the language cookie was not used:\n%s", p.Body)
	}
	// Errors are translated too.
	p = b.get("/login?" + e.authQuery(alexaRedirects[0]).Encode())
	p = b.submit(p, map[string]string{"username": "nobody", "password": goodPW})
	if p.errorText() != "用户名或密码错误。" {
		t.Errorf("error in Chinese = %q", p.errorText())
	}
	// lang switches back, and an unsupported language falls through.
	p = b.get("/login?lang=en")
	if !strings.Contains(p.Body, `<html lang="en" dir="ltr">`) {
		t.Error("lang=en did not switch back")
	}
	fresh := e.browser()
	fresh.header.Set("Accept-Language", "zh-CN,zh;q=0.9")
	p = fresh.get("/signup?lang=ru")
	if !strings.Contains(p.Body, `<html lang="zh-CN" dir="ltr">`) || p.cookie("lp_lang") != nil {
		t.Errorf("lang=ru with Accept-Language zh-CN: want Chinese and no cookie")
	}
	fresh = e.browser()
	p = fresh.get("/signup")
	if !strings.Contains(p.Body, `<html lang="en" dir="ltr">`) || !strings.Contains(p.Body, "Create your SmartLamp account.") {
		t.Errorf("default language is not English")
	}
}

// TestAcceptLanguage picks the page's language from Accept-Language:
// regional variants get their language, Traditional Chinese its own
// catalog, Arabic a right-to-left page, and unlisted languages English.
func TestAcceptLanguage(t *testing.T) {
	e := newEnv(t, options{})
	for header, want := range map[string]string{
		"zh-TW,zh-Hant;q=0.9": "zh-TW", "zh-Hant": "zh-TW", "zh-HK": "zh-TW", "de-DE,de;q=0.9": "de", "en-IN": "en",
		"zh-CN,zh;q=0.9": "zh-CN", "zh-CN": "zh-CN", "zh": "zh-CN", "es-MX": "es", "fr-CA": "fr", "pt-PT": "pt-BR",
		"ar-SA,ar;q=0.9": "ar", "ru-RU,ru;q=0.9": "en", "sv,ru;q=0.5": "en",
	} {
		b := e.browser()
		b.header.Set("Accept-Language", header)
		p := b.get("/login?" + e.authQuery(alexaRedirects[0]).Encode())
		dir := "ltr"
		if want == "ar" {
			dir = "rtl"
		}
		if !strings.Contains(p.Body, `<html lang="`+want+`" dir="`+dir+`">`) {
			t.Errorf("Accept-Language %s: page not in %s (%s)", header, want, dir)
		}
	}
}

// TestPoolMessageOverrides: a pool's own wording replaces the catalog's
// in its language only, with the placeholders filled.
func TestPoolMessageOverrides(t *testing.T) {
	e := newEnv(t, options{editPool: func(p *pool.Pool) {
		p.Branding.Messages = map[string]map[string]string{"en": {"login.intro": "Welcome back to {pool}.", "login.submit": "Let me in"}}
	}})
	b := e.browser()
	en := b.get("/login?" + e.authQuery(alexaRedirects[0], "lang", "en").Encode())
	for _, want := range []string{"Welcome back to SmartLamp.", ">Let me in<"} {
		if !strings.Contains(en.Body, want) {
			t.Errorf("English page lacks %q:\n%s", want, en.Body)
		}
	}
	if strings.Contains(en.Body, "Sign in with your SmartLamp account.") {
		t.Error("the catalog's text is still shown")
	}
	zh := e.browser().get("/login?" + e.authQuery(alexaRedirects[0], "lang", "zh-CN").Encode())
	if strings.Contains(zh.Body, "Let me in") || !strings.Contains(zh.Body, "请使用您的 SmartLamp 账户登录。") {
		t.Errorf("the English override reached the Chinese page:\n%s", zh.Body)
	}
}
