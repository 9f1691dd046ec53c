package smarthome_test

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/smarthome"
	"github.com/linkpool/linkpool/internal/testclock"
)

// signInToLamps signs a fresh browser in to the page and returns it with a
// client that does not follow redirects.
func signInToLamps(t *testing.T, pe *pageEnv) (c, noFollow *http.Client) {
	t.Helper()
	c = browser(t)
	resp, body := get(t, c, pe.srv.URL+"/lamps")
	if resp.StatusCode != 200 || resp.Request.URL.Path != "/lamps" || !strings.Contains(body, "Signed in as") {
		t.Fatalf("sign-in: %d %s\n%s", resp.StatusCode, resp.Request.URL, body)
	}
	return c, &http.Client{Jar: c.Jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// sessionCookieOf returns the browser's /lamps session cookie.
func sessionCookieOf(t *testing.T, pe *pageEnv, c *http.Client) *http.Cookie {
	t.Helper()
	u, _ := url.Parse(pe.srv.URL + "/lamps")
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == "smartlamp_session" {
			return &http.Cookie{Name: ck.Name, Value: ck.Value}
		}
	}
	t.Fatal("no session cookie")
	return nil
}

// withCookie is a browser that holds only the given cookie and follows no
// redirects, as an attacker replaying a copied cookie would.
func withCookie(t *testing.T, pe *pageEnv, ck *http.Cookie) *http.Client {
	t.Helper()
	c := browser(t)
	u, _ := url.Parse(pe.srv.URL + "/lamps")
	c.Jar.SetCookies(u, []*http.Cookie{{Name: ck.Name, Value: ck.Value, Path: "/lamps"}})
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return c
}

// wantSignedOut checks that the client's session no longer opens the page
// nor switches a lamp.
func wantSignedOut(t *testing.T, pe *pageEnv, c *http.Client, lampID string) {
	t.Helper()
	resp, body := get(t, c, pe.srv.URL+"/lamps")
	if resp.StatusCode != http.StatusFound || !strings.HasPrefix(resp.Header.Get("Location"), pe.prov.URL+"/oauth2/authorize?") {
		t.Errorf("/lamps: %d %s, want a redirect to sign in\n%s", resp.StatusCode, resp.Header.Get("Location"), body)
	}
	resp, _ = post(t, c, pe.srv.URL+"/lamps/toggle", url.Values{"lamp": {lampID}},
		map[string]string{"Origin": pe.srv.URL, "Sec-Fetch-Site": "same-origin"})
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("toggle: %d, want 401", resp.StatusCode)
	}
}

func TestLampsLogoutEndsCopiedSession(t *testing.T) {
	const sub = "page-user"
	pe := newPageEnv(t, sub)
	l := pe.addLamp(t, sub, "lamp-desk")
	c, _ := signInToLamps(t, pe)
	copied := sessionCookieOf(t, pe, c)

	resp, body := post(t, c, pe.srv.URL+"/lamps/logout", url.Values{"_csrf": {pageToken(t, pe, c)}},
		map[string]string{"Origin": pe.srv.URL, "Sec-Fetch-Site": "same-origin"})
	if resp.StatusCode != 200 || !strings.Contains(body, "Signed out") {
		t.Fatalf("logout: %d %s", resp.StatusCode, body)
	}
	wantSignedOut(t, pe, withCookie(t, pe, copied), l.ID)
}

func TestLampsSessionEndsWhenIssuerRefusesRefresh(t *testing.T) {
	const sub = "page-user"
	clock := testclock.New(time.Now())
	pe := newPageEnvWith(t, sub, func(c *smarthome.LampsConfig) { c.Now = clock.Now })
	l := pe.addLamp(t, sub, "lamp-desk")
	c, noFollow := signInToLamps(t, pe)

	// Within the re-check interval the issuer is not asked again.
	for range 3 {
		if resp, _ := get(t, noFollow, pe.srv.URL+"/lamps"); resp.StatusCode != 200 {
			t.Fatalf("/lamps: %d", resp.StatusCode)
		}
	}
	pe.prov.mu.Lock()
	if pe.prov.refreshes != 0 {
		t.Errorf("%d refreshes within the re-check interval", pe.prov.refreshes)
	}
	// The user signs out everywhere at the issuer (or is disabled there):
	// its refresh tokens stop working.
	pe.prov.revoked["refresh-code-1"] = true
	pe.prov.mu.Unlock()
	clock.Advance(smarthome.DefaultRecheckInterval + time.Second)

	wantSignedOut(t, pe, withCookie(t, pe, sessionCookieOf(t, pe, c)), l.ID)
	pe.prov.mu.Lock()
	if pe.prov.refreshes != 1 {
		t.Errorf("%d refreshes, want 1", pe.prov.refreshes)
	}
	pe.prov.mu.Unlock()
}

func TestLampsSessionSurvivesIssuerOutage(t *testing.T) {
	const sub = "page-user"
	clock := testclock.New(time.Now())
	pe := newPageEnvWith(t, sub, func(c *smarthome.LampsConfig) { c.Now = clock.Now })
	_, noFollow := signInToLamps(t, pe)

	pe.prov.mu.Lock()
	pe.prov.tokenError = "500"
	pe.prov.mu.Unlock()
	clock.Advance(smarthome.DefaultRecheckInterval + time.Second)
	resp, body := get(t, noFollow, pe.srv.URL+"/lamps")
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, `href="/lamps"`) {
		t.Fatalf("/lamps while the issuer fails: %d, want 503 with a link to try again\n%s", resp.StatusCode, body)
	}

	pe.prov.mu.Lock()
	pe.prov.tokenError = ""
	pe.prov.mu.Unlock()
	resp, body = get(t, noFollow, pe.srv.URL+"/lamps")
	if resp.StatusCode != 200 || !strings.Contains(body, "Signed in as") {
		t.Fatalf("/lamps once the issuer is back: %d\n%s", resp.StatusCode, body)
	}
}

func TestLampsSessionTokensSealedAtRest(t *testing.T) {
	const sub = "page-user"
	pe := newPageEnv(t, sub)
	signInToLamps(t, pe)
	files, _ := filepath.Glob(pe.dbPath + "*")
	if len(files) == 0 {
		t.Fatal("no database files")
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		checkNoSecret(t, f, string(b), "refresh-code-1", "opaque-access")
	}
}

func TestLampsCallbackCodeExchangeFailure(t *testing.T) {
	tests := []struct {
		name       string
		tokenError string
		wantStatus int
	}{
		{name: "code refused", tokenError: "invalid_grant", wantStatus: http.StatusBadRequest},
		{name: "issuer failing", tokenError: "500", wantStatus: http.StatusServiceUnavailable},
	}
	pe := newPageEnv(t, "page-user")
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pe.prov.mu.Lock()
			pe.prov.tokenError = tc.tokenError
			pe.prov.mu.Unlock()
			c := browser(t)
			resp, body := get(t, c, pe.srv.URL+"/lamps")
			if resp.StatusCode != tc.wantStatus || resp.Request.URL.Path != "/lamps/callback" {
				t.Errorf("callback: %d at %s, want %d", resp.StatusCode, resp.Request.URL.Path, tc.wantStatus)
			}
			if !strings.Contains(body, "<h1>Something went wrong</h1>") || !strings.Contains(body, `<a class="button" href="/lamps">Try again</a>`) {
				t.Errorf("no error page with a link to try again:\n%s", body)
			}
			for _, ck := range c.Jar.Cookies(resp.Request.URL) {
				if ck.Name == "smartlamp_session" {
					t.Error("a session was started")
				}
			}
		})
	}
}

func TestLampsStaticHasNoDirectoryListing(t *testing.T) {
	pe := newPageEnv(t, "page-user")
	c := browser(t)
	for _, path := range []string{"/lamps/static/"} {
		c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		resp, body := get(t, c, pe.srv.URL+path)
		if resp.StatusCode != http.StatusNotFound || strings.Contains(body, "style.css") {
			t.Errorf("%s: %d\n%s", path, resp.StatusCode, body)
		}
	}
	if resp, _ := get(t, c, pe.srv.URL+"/lamps/static/style.css"); resp.StatusCode != 200 {
		t.Errorf("style.css: %d", resp.StatusCode)
	}
}

// TestLampsSessionWithoutRefreshTokenChecksUserInfo: when the issuer gave
// no refresh token, the page re-checks with userInfo and ends the session
// when userInfo refuses the access token, or once that token expired.
func TestLampsSessionWithoutRefreshTokenChecksUserInfo(t *testing.T) {
	const sub = "page-user"
	setup := func(t *testing.T) (*pageEnv, *testclock.Clock, string, *http.Client) {
		clock := testclock.New(time.Now())
		pe := newPageEnvWith(t, sub, func(c *smarthome.LampsConfig) { c.Now = clock.Now })
		l := pe.addLamp(t, sub, "lamp-desk")
		pe.prov.mu.Lock()
		pe.prov.noRefresh = true
		pe.prov.mu.Unlock()
		_, noFollow := signInToLamps(t, pe)
		return pe, clock, l.ID, noFollow
	}
	t.Run("accepted, then expired", func(t *testing.T) {
		pe, clock, lampID, c := setup(t)
		clock.Advance(smarthome.DefaultRecheckInterval + time.Second)
		if resp, _ := get(t, c, pe.srv.URL+"/lamps"); resp.StatusCode != 200 {
			t.Fatalf("/lamps: %d", resp.StatusCode)
		}
		pe.prov.mu.Lock()
		if pe.prov.userInfos != 1 || pe.prov.refreshes != 0 {
			t.Errorf("userInfo calls %d, refreshes %d; want 1 and 0", pe.prov.userInfos, pe.prov.refreshes)
		}
		pe.prov.mu.Unlock()
		// The access token expires after an hour: nothing is left to
		// check with.
		clock.Advance(time.Hour)
		wantSignedOut(t, pe, c, lampID)
	})
	t.Run("refused", func(t *testing.T) {
		pe, clock, lampID, c := setup(t)
		pe.prov.mu.Lock()
		pe.prov.revoked["opaque-access"] = true
		pe.prov.mu.Unlock()
		clock.Advance(smarthome.DefaultRecheckInterval + time.Second)
		wantSignedOut(t, pe, c, lampID)
	})
}
