package hostedui_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/linkpool/linkpool/internal/hostedui"
	"github.com/linkpool/linkpool/internal/web"
)

// TestCSRF posts a correct password in ways a cross-site attacker could:
// each is refused with a 403 page and changes nothing.
func TestCSRF(t *testing.T) {
	tests := []struct {
		name    string
		form    func(token string) url.Values
		headers []string
		cookie  bool
	}{
		{name: "cross-origin Origin", cookie: true, headers: []string{"Origin", "https://evil.example"},
			form: func(tok string) url.Values { return url.Values{"_csrf": {tok}} }},
		{name: "Sec-Fetch-Site cross-site", cookie: true, headers: []string{"Sec-Fetch-Site", "cross-site"},
			form: func(tok string) url.Values { return url.Values{"_csrf": {tok}} }},
		{name: "missing token", cookie: true,
			form: func(string) url.Values { return url.Values{} }},
		{name: "wrong token", cookie: true,
			form: func(string) url.Values { return url.Values{"_csrf": {strings.Repeat("A", 43)}} }},
		{name: "token without cookie", cookie: false,
			form: func(tok string) url.Values { return url.Values{"_csrf": {tok}} }},
		{name: "token of another browser", cookie: true,
			form: func(string) url.Values { return url.Values{"_csrf": {"Nt4dvA3bfe5H3590QkfoxfB8dqMv78B9SpvN_4Iz10Q"}} }},
	}
	paths := []string{"/login", "/signup", "/confirm", "/resendcode", "/forgotPassword", "/confirmForgotPassword", "/changePassword", "/passkeys", "/passkeySignIn"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, options{})
			u := e.createUser(t, "bruno", "bruno@example.com", goodPW)
			b := e.browser()
			login := b.get("/login?" + e.authQuery(alexaRedirects[0]).Encode())
			tok := login.csrf(t)
			if !tt.cookie {
				b = e.browser()
			}
			for _, path := range append(paths, mfaFormPaths...) {
				form := tt.form(tok)
				form.Set("username", "bruno")
				form.Set("password", goodPW)
				form.Set("email", "new@example.com")
				p := b.post(path+"?"+e.authQuery(alexaRedirects[0]).Encode(), form, tt.headers...)
				if p.Status != http.StatusForbidden {
					t.Errorf("%s: status %d, want 403\n%s", path, p.Status, p.Body)
					continue
				}
				if p.Location != "" || p.cookie("lp_session") != nil {
					t.Errorf("%s: redirected or signed in", path)
				}
				if !strings.Contains(p.errorText(), "expired or was sent from another site") {
					t.Errorf("%s: 403 page says %q", path, p.errorText())
				}
				if p.Header.Get("X-Frame-Options") != "DENY" {
					t.Errorf("%s: 403 page without security headers", path)
				}
			}
			if got := e.user(t, u.Sub); got.FailedLogins != 0 || got.Code != nil {
				t.Errorf("refused posts changed the user: failures %d, code %+v", got.FailedLogins, got.Code)
			}
			if n := len(e.mailbox.Messages()); n != 0 {
				t.Errorf("refused posts sent %d mails", n)
			}
			p := b.get("/oauth2/authorize?" + e.authQuery(alexaRedirects[0]).Encode())
			if !strings.Contains(p.Location, "/login?") {
				t.Errorf("a refused post opened a session: %q", p.Location)
			}
		})
	}
}

func TestOversizeForm(t *testing.T) {
	e := newEnv(t, options{})
	b := e.browser()
	login := b.get("/login")
	form := url.Values{"_csrf": {login.csrf(t)}, "username": {"x"}, "password": {strings.Repeat("p", 20<<10)}}
	p := b.post("/login", form, "Origin", e.srv.URL)
	if p.Status != http.StatusRequestEntityTooLarge || !strings.Contains(p.errorText(), "too large") {
		t.Fatalf("oversize form: %d %q", p.Status, p.errorText())
	}
	signup := b.get("/signup")
	p = b.submit(signup, map[string]string{"username": strings.Repeat("u", 300), "email": "a@example.com", "password": goodPW})
	if p.Status != http.StatusBadRequest || !strings.Contains(p.Body, "This entry is too long.") {
		t.Fatalf("oversize username: %d\n%s", p.Status, p.Body)
	}
	if strings.Contains(p.Body, strings.Repeat("u", 300)) {
		t.Error("the oversize value was echoed")
	}
}

func TestSecurityHeaders(t *testing.T) {
	e := newEnv(t, options{})
	e.createUser(t, "cara", "cara@example.com", goodPW)
	b := e.browser()
	pages := map[string]*page{
		"login":     b.get("/login?" + e.authQuery(alexaRedirects[0]).Encode()),
		"error":     b.get("/error?error=redirect_mismatch&client_id=" + e.client.ID),
		"redirect":  b.get("/oauth2/authorize?" + e.authQuery(alexaRedirects[0]).Encode()),
		"signed in": b.login(alexaRedirects[0], "cara", goodPW),
		"logout":    b.get("/logout?client_id=" + e.client.ID + "&logout_uri=" + url.QueryEscape(logoutURL)),
	}
	for name, p := range pages {
		h := p.Header
		csp := h.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'none'", "frame-ancestors 'none'", "base-uri 'none'", "style-src 'self'", "form-action 'self'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: CSP %q lacks %s", name, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "script-src") {
			t.Errorf("%s: CSP %q allows script or inline styles", name, csp)
		}
		for k, want := range map[string]string{
			"X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff",
			"Referrer-Policy": "no-referrer", "Cache-Control": "no-store",
		} {
			if h.Get(k) != want {
				t.Errorf("%s: %s = %q, want %q", name, k, h.Get(k), want)
			}
		}
	}
	if p := pages["login"]; !strings.Contains(p.Body, `<meta name="viewport" content="width=device-width, initial-scale=1">`) {
		t.Error("no viewport meta")
	}
	sess := pages["signed in"].cookie("lp_session")
	if sess == nil || !sess.HttpOnly || sess.SameSite != http.SameSiteLaxMode || sess.Path != "/"+e.pool.ID || sess.MaxAge != 3600 || sess.Secure {
		t.Errorf("session cookie over http = %+v", sess)
	}
	csrf := pages["login"].cookie("lp_csrf")
	if csrf == nil || !csrf.HttpOnly || csrf.SameSite != http.SameSiteStrictMode {
		t.Errorf("CSRF cookie = %+v", csrf)
	}
}

// TestSecureCookies serves the pool under an https base URL: every cookie
// is Secure and the CSRF cookie takes the __Host- prefix.
func TestSecureCookies(t *testing.T) {
	e := newEnv(t, options{https: true})
	b := e.browser()
	p := b.get("/login?" + e.authQuery(alexaRedirects[0], "lang", "zh-CN").Encode())
	c := p.cookie("__Host-lp_csrf")
	if c == nil || !c.Secure || c.Path != "/" || c.Domain != "" {
		t.Errorf("CSRF cookie over https = %+v", c)
	}
	if c := p.cookie("lp_lang"); c == nil || !c.Secure {
		t.Errorf("language cookie over https = %+v", c)
	}
	if p.cookie("lp_csrf") != nil {
		t.Error("a CSRF cookie without the __Host- prefix over https")
	}
}

func TestRateLimits(t *testing.T) {
	tests := []struct {
		name   string
		limits func() hostedui.Limits
		path   string
		fields map[string]string
	}{
		{name: "login per address", limits: func() hostedui.Limits { return hostedui.Limits{Login: web.NewLimiter(0.001, 3)} },
			path: "/login", fields: map[string]string{"username": "dora", "password": "Wr0ng-guess!"}},
		{name: "login per address and user", limits: func() hostedui.Limits { return hostedui.Limits{LoginUser: web.NewLimiter(0.001, 3)} },
			path: "/login", fields: map[string]string{"username": "dora", "password": "Wr0ng-guess!"}},
		{name: "sign-up", limits: func() hostedui.Limits { return hostedui.Limits{SignUp: web.NewLimiter(0.001, 3)} },
			path: "/signup", fields: map[string]string{"username": "dora", "email": "dora@example.com", "password": "weak"}},
		{name: "forgot password", limits: func() hostedui.Limits { return hostedui.Limits{ForgotPassword: web.NewLimiter(0.001, 3)} },
			path: "/forgotPassword", fields: map[string]string{"username": "dora"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, options{limits: tt.limits()})
			b := e.browser()
			form := b.get(tt.path)
			for i := range 3 {
				if p := b.submit(form, tt.fields); p.Status == http.StatusTooManyRequests {
					t.Fatalf("post %d limited already", i+1)
				}
			}
			p := b.submit(form, tt.fields)
			if p.Status != http.StatusTooManyRequests {
				t.Fatalf("status %d after the limit, want 429", p.Status)
			}
			if p.Header.Get("Retry-After") == "" || !strings.Contains(p.errorText(), "Too many attempts") {
				t.Errorf("429 page: Retry-After %q, message %q", p.Header.Get("Retry-After"), p.errorText())
			}
			if strings.Contains(p.Body, "<form") {
				t.Error("the 429 page has a form")
			}
		})
	}
}

// TestInternalErrorPage breaks the store under a running server: the page
// is a generic error with the request id, and no detail leaks.
func TestInternalErrorPage(t *testing.T) {
	e := newEnv(t, options{})
	b := e.browser()
	login := b.get("/login")
	if err := e.st.Close(); err != nil {
		t.Fatal(err)
	}
	p := b.submit(login, map[string]string{"username": "eve", "password": goodPW})
	if p.Status < 500 {
		t.Fatalf("status %d with a closed store, want 5xx", p.Status)
	}
	id := p.Header.Get("X-Request-Id")
	if id == "" || !strings.Contains(p.Body, id) || !strings.Contains(p.errorText(), "Something went wrong on our side") {
		t.Errorf("error page lacks the message or request id %q:\n%s", id, p.Body)
	}
	for _, leak := range []string{"sql", "database", "closed", goodPW, "goroutine"} {
		if strings.Contains(strings.ToLower(p.Body), leak) {
			t.Errorf("the error page leaks %q", leak)
		}
	}
	if !strings.Contains(e.logs.String(), id) {
		t.Error("the internal error was not logged with the request id")
	}
	if strings.Contains(e.logs.String(), goodPW) {
		t.Error("the log contains the password")
	}
}

// TestUserLimitCountsOnlyFailedSignIns protects people who sign in often
// from one address: the limit per address and username counts failed
// sign-ins only, so quick successful sign-ins beyond its burst all
// succeed, while failures are still refused once it is spent.
func TestUserLimitCountsOnlyFailedSignIns(t *testing.T) {
	e := newEnv(t, options{limits: hostedui.Limits{LoginUser: web.NewLimiter(0.001, 6)}})
	e.createUser(t, "dora", "dora@example.com", goodPW)
	for i := range 10 {
		p := e.browser().login(alexaRedirects[0], "dora", goodPW)
		if p.Status == http.StatusTooManyRequests {
			t.Fatalf("successful sign-in %d refused with 429", i+1)
		}
		codeFrom(t, p, alexaRedirects[0])
	}
	b := e.browser()
	form := b.get("/login?" + e.authQuery(alexaRedirects[0]).Encode())
	for i := range 6 {
		if p := b.submit(form, map[string]string{"username": "dora", "password": "Wr0ng-guess!"}); p.Status != http.StatusBadRequest {
			t.Fatalf("failed sign-in %d: status %d, want 400", i+1, p.Status)
		}
	}
	if p := b.submit(form, map[string]string{"username": "dora", "password": "Wr0ng-guess!"}); p.Status != http.StatusTooManyRequests {
		t.Fatalf("failed sign-in beyond the limit: status %d, want 429", p.Status)
	}
	if p := b.submit(form, map[string]string{"username": "dora", "password": goodPW}); p.Status != http.StatusTooManyRequests {
		t.Fatalf("sign-in once the limit is spent: status %d, want 429", p.Status)
	}
}

// TestScriptOnlyOnPasskeyPages is the inverse of the script-free policy:
// in a pool with passkeys, the two passkey pages carry a nonce policy
// whose nonce is their script tag's and changes with every response,
// and every other page stays without script.
func TestScriptOnlyOnPasskeyPages(t *testing.T) {
	e := newEnv(t, options{localhost: true, editPool: allowPasskeys})
	e.createUser(t, "cara", "cara@example.com", goodPW)
	b := e.browser()
	q := "?" + e.authQuery(alexaRedirects[0]).Encode()
	plain := map[string]*page{
		"login":  b.get("/login" + q),
		"signup": b.get("/signup" + q),
		"forgot": b.get("/forgotPassword" + q),
		"error":  b.get("/error?error=redirect_mismatch&client_id=" + e.client.ID),
	}
	signedIn := b.submit(b.get("/login"), map[string]string{"username": "cara", "password": goodPW})
	plain["signed in"] = signedIn
	for name, p := range plain {
		if csp := p.Header.Get("Content-Security-Policy"); strings.Contains(csp, "script-src") || strings.Contains(p.Body, "<script") {
			t.Errorf("%s: script allowed or present: %q", name, csp)
		}
	}
	seen := map[string]bool{}
	for _, path := range []string{"/passkeySignIn" + q, "/passkeySignIn" + q, "/passkeys", "/passkeys"} {
		p := b.get(path)
		if p.Status != http.StatusOK {
			t.Fatalf("%s: %d", path, p.Status)
		}
		nonce := checkPasskeyCSP(t, p)
		if seen[nonce] {
			t.Errorf("%s: nonce %q used twice", path, nonce)
		}
		seen[nonce] = true
	}
}
