package hostedui_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/linkpool/linkpool/internal/hostedui"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/web"
)

func TestBranding(t *testing.T) {
	e := newEnv(t, options{})
	b := e.browser()
	p := b.get("/login")
	if strings.Contains(p.Body, "brand.css") || strings.Contains(p.Body, `class="logo"`) {
		t.Error("an unbranded pool links branding")
	}
	e.updatePool(t, func(p *pool.Pool) {
		p.Branding = pool.Branding{
			LogoURL: "data:image/png;base64,iVBORw0KGgo=", PrimaryColor: "#0a7c59", BackgroundColor: "#fafafa",
			CSS: ".card { border-top: 4px solid var(--primary); }",
		}
	})
	p = b.get("/login")
	if !strings.Contains(p.Body, `<img class="logo" src="data:image/png;base64,iVBORw0KGgo=" alt="SmartLamp">`) {
		t.Errorf("logo missing:\n%s", p.Body)
	}
	m := strings.Index(p.Body, "/static/brand.css?v=")
	if m < 0 {
		t.Fatalf("no brand stylesheet:\n%s", p.Body)
	}
	href := p.Body[m : m+strings.IndexByte(p.Body[m:], '"')]
	css := b.get(href)
	if css.Status != http.StatusOK || css.Header.Get("Content-Type") != "text/css; charset=utf-8" || css.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("brand.css: %d %v", css.Status, css.Header)
	}
	for _, want := range []string{"--primary: #0a7c59;", "--background: #fafafa;", ".card { border-top: 4px solid var(--primary); }"} {
		if !strings.Contains(css.Body, want) {
			t.Errorf("brand.css lacks %q:\n%s", want, css.Body)
		}
	}
	req, _ := http.NewRequest(http.MethodGet, b.url(href), nil)
	req.Header.Set("If-None-Match", css.Header.Get("ETag"))
	if again := b.do(req); again.Status != http.StatusNotModified {
		t.Errorf("conditional request: %d, want 304", again.Status)
	}

	style := b.get("/static/style.css")
	if style.Status != http.StatusOK || !strings.Contains(style.Body, "--primary") || !strings.Contains(style.Body, "min-height: 48px") {
		t.Errorf("style.css: %d", style.Status)
	}
	if !strings.Contains(style.Header.Get("Cache-Control"), "max-age") {
		t.Errorf("style.css is not cacheable: %q", style.Header.Get("Cache-Control"))
	}
}

// TestAccessibleMarkup checks what the Alexa app's web view and screen
// readers rely on, on every page with a form.
func TestAccessibleMarkup(t *testing.T) {
	e := newEnv(t, options{})
	b := e.browser()
	q := e.authQuery(alexaRedirects[0]).Encode()
	for _, path := range []string{"/login", "/signup", "/confirm", "/resendcode", "/forgotPassword", "/confirmForgotPassword", "/changePassword"} {
		p := b.get(path + "?" + q)
		if p.Status != http.StatusOK {
			t.Errorf("%s: %d", path, p.Status)
			continue
		}
		if !strings.Contains(p.Body, `<html lang="en" dir="ltr">`) || !strings.Contains(p.Body, `name="viewport"`) {
			t.Errorf("%s: no lang or viewport", path)
		}
		for _, in := range inputIDs(p.Body) {
			if !strings.Contains(p.Body, `<label for="`+in+`">`) {
				t.Errorf("%s: input #%s has no label", path, in)
			}
		}
		if n := strings.Count(p.Body, "<input id="); n != strings.Count(p.Body, "autocomplete=") {
			t.Errorf("%s: %d visible inputs but %d autocomplete attributes", path, n, strings.Count(p.Body, "autocomplete="))
		}
		if strings.Contains(p.Body, "<script") || strings.Contains(p.Body, " onclick=") || strings.Contains(p.Body, "javascript:") {
			t.Errorf("%s: script in the page", path)
		}
	}
}

func inputIDs(body string) []string {
	var ids []string
	for _, part := range strings.Split(body, "<input id=\"")[1:] {
		ids = append(ids, part[:strings.IndexByte(part, '"')])
	}
	return ids
}

func TestLogoutErrors(t *testing.T) {
	tests := []struct {
		name     string
		query    func(e *env) url.Values
		status   int
		wantText string
		wantLoc  string
	}{
		{name: "no client", query: func(e *env) url.Values { return url.Values{"logout_uri": {logoutURL}} },
			status: http.StatusBadRequest, wantText: "needs a client_id"},
		{name: "unknown client", query: func(e *env) url.Values {
			return url.Values{"client_id": {"bbbbbbbbbbbbbbbbbbbbbbbbbb"}, "logout_uri": {logoutURL}}
		}, status: http.StatusBadRequest, wantText: "No app with client id bbbbbbbbbbbbbbbbbbbbbbbbbb"},
		{name: "unregistered logout_uri", query: func(e *env) url.Values {
			return url.Values{"client_id": {e.client.ID}, "logout_uri": {"https://evil.example/bye"}}
		}, status: http.StatusBadRequest, wantText: "not registered for this app"},
		{name: "logout_uri with a suffix", query: func(e *env) url.Values {
			return url.Values{"client_id": {e.client.ID}, "logout_uri": {logoutURL + "/../x"}}
		}, status: http.StatusBadRequest, wantText: "not registered for this app"},
		{name: "neither form", query: func(e *env) url.Values { return url.Values{"client_id": {e.client.ID}} },
			status: http.StatusBadRequest, wantText: "needs a client_id and either"},
		{name: "redirect_uri without response_type", query: func(e *env) url.Values {
			return url.Values{"client_id": {e.client.ID}, "redirect_uri": {alexaRedirects[0]}}
		}, status: http.StatusBadRequest, wantText: "needs a client_id and either"},
		{name: "unregistered redirect_uri", query: func(e *env) url.Values {
			return url.Values{"client_id": {e.client.ID}, "redirect_uri": {"https://evil.example/cb"}, "response_type": {"code"}}
		}, status: http.StatusFound, wantLoc: "/error?"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, options{})
			e.createUser(t, "max", "max@example.com", goodPW)
			b := e.browser()
			codeFrom(t, b.login(alexaRedirects[0], "max", goodPW), alexaRedirects[0])
			p := b.get("/logout?" + tt.query(e).Encode())
			if p.Status != tt.status {
				t.Fatalf("status %d, want %d\n%s", p.Status, tt.status, p.Body)
			}
			if tt.wantText != "" && !strings.Contains(p.errorText(), tt.wantText) {
				t.Errorf("page says %q, want %q", p.errorText(), tt.wantText)
			}
			if tt.wantLoc != "" && !strings.Contains(p.Location, tt.wantLoc) {
				t.Errorf("redirected to %q", p.Location)
			}
			if strings.Contains(p.Location, "evil.example") {
				t.Fatal("redirected to an unregistered URL")
			}
			// The session ends whatever the parameters.
			p = b.get("/oauth2/authorize?" + e.authQuery(alexaRedirects[0]).Encode())
			if !strings.Contains(p.Location, "/login?") {
				t.Errorf("session survived a logout request: %q", p.Location)
			}
		})
	}
}

func TestErrorPage(t *testing.T) {
	e := newEnv(t, options{})
	b := e.browser()
	tests := []struct {
		name, query, want string
	}{
		{name: "redirect mismatch", query: "error=redirect_mismatch&client_id=" + e.client.ID, want: "not registered for it (client id " + e.client.ID + ")"},
		{name: "unknown client", query: "error=redirect_mismatch&client_id=cccccccccccccccccccccccccc", want: "No app with client id cccccccccccccccccccccccccc"},
		{name: "injected text", query: "error=redirect_mismatch&client_id=" + url.QueryEscape("<script>alert(1)</script>"), want: "An error was encountered with the requested page."},
		{name: "other error", query: "error=server_error", want: "An error was encountered with the requested page."},
		{name: "chinese", query: "error=redirect_mismatch&lang=zh-CN&client_id=" + e.client.ID, want: "客户端 ID：" + e.client.ID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := b.get("/error?" + tt.query)
			if p.Status != http.StatusBadRequest || !strings.Contains(p.errorText(), tt.want) {
				t.Errorf("%d %q, want %q", p.Status, p.errorText(), tt.want)
			}
			if strings.Contains(p.Body, "<script>") {
				t.Error("unescaped input in the page")
			}
		})
	}
}

// TestPagesHaveOneReferrerTag protects the markup of every hosted page:
// exactly one referrer meta tag (the Referrer-Policy header is the other
// half), in the form pages, the error page and the rate-limit page alike.
func TestPagesHaveOneReferrerTag(t *testing.T) {
	e := newEnv(t, options{limits: hostedui.Limits{ForgotPassword: web.NewLimiter(0.001, 1)}})
	b := e.browser()
	q := e.authQuery(alexaRedirects[0]).Encode()
	forgot := b.get("/forgotPassword?" + q)
	b.submit(forgot, map[string]string{"username": "dora"})
	pages := map[string]*page{
		"login":   b.get("/login?" + q),
		"signup":  b.get("/signup?" + q),
		"forgot":  forgot,
		"chinese": b.get("/login?lang=zh-CN&" + q),
		"error":   b.get("/error?error=server_error"),
		"429":     b.submit(forgot, map[string]string{"username": "dora"}),
	}
	for name, p := range pages {
		if n := strings.Count(strings.ToLower(p.Body), `name="referrer"`); n != 1 {
			t.Errorf("%s page (%d) has %d referrer meta tags, want 1", name, p.Status, n)
		}
	}
	if pages["429"].Status != http.StatusTooManyRequests {
		t.Errorf("rate-limit page: status %d", pages["429"].Status)
	}
}
