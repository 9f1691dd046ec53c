package hostedui_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/pool"
)

// BenchmarkLoginPage renders the sign-in page for an Alexa authorization
// request: parse and validate the request, look up the client, render.
func BenchmarkLoginPage(b *testing.B) {
	e := newEnv(b, options{})
	h := e.srv.Config.Handler
	target := "/" + e.pool.ID + "/login?" + e.authQuery(alexaRedirects[0]).Encode()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d", rec.Code)
		}
	}
}

// BenchmarkSilentAuthorize measures /oauth2/authorize with a valid
// session: session and user lookups and a stored authorization code.
func BenchmarkSilentAuthorize(b *testing.B) {
	e := newEnv(b, options{})
	e.createUser(b, "bench", "bench@example.com", goodPW)
	br := e.browser()
	p := br.login(alexaRedirects[0], "bench", goodPW)
	if p.Status != http.StatusFound {
		b.Fatalf("login: %d", p.Status)
	}
	u, _ := url.Parse(e.base)
	var cookie string
	for _, c := range br.c.Jar.Cookies(u) {
		if c.Name == "lp_session" {
			cookie = c.Name + "=" + c.Value
		}
	}
	h := e.srv.Config.Handler
	target := "/" + e.pool.ID + "/oauth2/authorize?" + e.authQuery(alexaRedirects[0]).Encode()
	for b.Loop() {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet, target, nil)
		req.Header.Set("Cookie", cookie)
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusFound || !strings.HasPrefix(rec.Header().Get("Location"), alexaRedirects[0]) {
			b.Fatalf("status %d to %q", rec.Code, rec.Header().Get("Location"))
		}
	}
}

// BenchmarkTOTPSignIn measures a whole sign-in with an authenticator
// app through the pages: authorization request, sign-in page, password,
// the MFA cookie, the code prompt and the code, up to the redirect with
// an authorization code. Each round moves the clock to the next TOTP
// step, since a step's code signs in once.
func BenchmarkTOTPSignIn(b *testing.B) {
	e := newEnv(b, options{editPool: mfaPool(pool.MFAOn, true, false)})
	e.createUser(b, "bench", "bench@example.com", goodPW)
	secret := e.enableTOTP(b, "bench")
	for b.Loop() {
		br := e.browser()
		p := br.toMFA(alexaRedirects[0], "bench", goodPW, "/mfa")
		codeFrom(b, br.submit(p, map[string]string{"code": totpAt(b, secret, e.clock.Now())}), alexaRedirects[0])
		e.clock.Advance(30 * time.Second)
	}
}
