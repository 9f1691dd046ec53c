package attack_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// redirectVariants are redirect URIs an attacker derives from the
// registered one (RFC 9700 §4.1: only an exact string match is safe).
var redirectVariants = []struct{ name, uri string }{
	{"trailing slash", alexaRedirect + "/"},
	{"host case", strings.Replace(alexaRedirect, "pitangui", "PITANGUI", 1)},
	{"scheme case", strings.Replace(alexaRedirect, "https:", "HTTPS:", 1)},
	{"path case", strings.Replace(alexaRedirect, "M2ATTACKVENDOR", "m2attackvendor", 1)},
	{"extra path", alexaRedirect + "/evil"},
	{"query added", alexaRedirect + "?next=" + url.QueryEscape(attackerSite)},
	{"empty query", alexaRedirect + "?"},
	{"fragment", alexaRedirect + "#" + attackerHost},
	{"userinfo before attacker host", "https://pitangui.amazon.com@" + attackerHost + "/api/skill/link/M2ATTACKVENDOR"},
	{"userinfo before real host", "https://" + attackerHost + "@pitangui.amazon.com/api/skill/link/M2ATTACKVENDOR"},
	{"backslash userinfo", "https://" + attackerHost + `\@pitangui.amazon.com/api/skill/link/M2ATTACKVENDOR`},
	{"percent-encoded path", strings.Replace(alexaRedirect, "M2A", "%4D2A", 1)},
	{"percent-encoded dot in host", "https://pitangui%2eamazon.com/api/skill/link/M2ATTACKVENDOR"},
	{"percent-encoded host suffix", "https://pitangui.amazon.com%2e" + attackerHost + "/api/skill/link/M2ATTACKVENDOR"},
	{"dot-dot out of the path", alexaRedirect + "/../../../../evil"},
	{"dot-dot back into the path", "https://pitangui.amazon.com/api/skill/x/../link/M2ATTACKVENDOR"},
	{"encoded dot-dot", alexaRedirect + "/%2e%2e/%2e%2e/evil"},
	{"other scheme http", strings.Replace(alexaRedirect, "https:", "http:", 1)},
	{"other scheme javascript", "javascript:alert(document.domain)//" + alexaRedirect},
	{"other scheme data", "data:text/html,<script>alert(1)</script>"},
	{"other port", strings.Replace(alexaRedirect, "amazon.com/", "amazon.com:8443/", 1)},
	{"explicit default port", strings.Replace(alexaRedirect, "amazon.com/", "amazon.com:443/", 1)},
	{"subdomain", strings.Replace(alexaRedirect, "pitangui.", attackerHost+".pitangui.", 1)},
	{"host suffix", strings.Replace(alexaRedirect, "amazon.com", "amazon.com."+attackerHost, 1)},
	{"trailing dot host", strings.Replace(alexaRedirect, "amazon.com", "amazon.com.", 1)},
	{"attacker site", attackerSite + "/api/skill/link/M2ATTACKVENDOR"},
	{"protocol-relative", "//" + attackerHost + "/api/skill/link/M2ATTACKVENDOR"},
	{"whitespace", " " + alexaRedirect},
	{"newline", alexaRedirect + "\r\nLocation: " + attackerSite},
	{"another pool's registration only", ""}, // filled in below with the other pool's client
}

// TestRedirectURIVariantsNeverRedirect protects the exact redirect_uri
// match: every variant of the registered URI shows the redirect_mismatch
// error page and is never redirected to, for a browser without a session
// and one signed in (where authorization would otherwise complete at once
// with a code).
func TestRedirectURIVariantsNeverRedirect(t *testing.T) {
	tg := newTarget(t, targetOptions{})
	signedIn := tg.browser(t)
	signedIn.signIn(tg.authQuery()) // a session, so a match would redirect with a code
	for _, b := range []struct {
		name string
		b    *browser
	}{{"anonymous", tg.browser(t)}, {"signed in", signedIn}} {
		for _, v := range redirectVariants {
			q := tg.authQuery("redirect_uri", v.uri)
			if v.uri == "" { // the other pool's client with this pool's URL
				q = tg.authQuery("client_id", tg.otherClient.ID)
			}
			t.Run(b.name+"/"+v.name, func(t *testing.T) {
				r := b.b.get("/oauth2/authorize?" + q.Encode())
				expectMismatchPage(t, b.b, r)
			})
		}
		t.Run(b.name+"/repeated redirect_uri", func(t *testing.T) {
			q := tg.authQuery()
			q.Add("redirect_uri", attackerSite)
			expectMismatchPage(t, b.b, b.b.get("/oauth2/authorize?"+q.Encode()))
		})
		t.Run(b.name+"/missing redirect_uri", func(t *testing.T) {
			expectMismatchPage(t, b.b, b.b.get("/oauth2/authorize?"+tg.authQuery("redirect_uri", "").Encode()))
		})
	}
	// The positive control: the registered URI itself still redirects.
	if code := signedIn.authorize(tg.authQuery()); code == "" {
		t.Fatal("no code for the registered redirect URI")
	}
}

// TestSignInWithForeignRedirectNeverRedirects protects the hosted login
// form: a valid sign-in posted with an attacker's redirect_uri in the
// carried query ends on the error page, with no code anywhere.
func TestSignInWithForeignRedirectNeverRedirects(t *testing.T) {
	tg := newTarget(t, targetOptions{})
	b := tg.browser(t)
	page := b.get("/login?" + tg.authQuery().Encode())
	if page.Status != http.StatusOK {
		t.Fatalf("login page: %d", page.Status)
	}
	form := url.Values{"_csrf": {page.csrf(t)}, "username": {"carol"}, "password": {userPassword}}
	for _, v := range []string{attackerSite + "/cb", alexaRedirect + "/", "https://pitangui.amazon.com@" + attackerHost + "/"} {
		r := b.post("/login?"+tg.authQuery("redirect_uri", v).Encode(), form, tg.sameOrigin()...)
		expectMismatchPage(t, b, r)
	}
}

// TestLogoutURIVariantsNeverRedirect protects /logout from serving as an
// open redirector: logout_uri must equal a registered sign-out URL, and a
// redirect_uri given instead must equal a registered callback URL.
func TestLogoutURIVariantsNeverRedirect(t *testing.T) {
	tg := newTarget(t, targetOptions{})
	registered := tg.publicURL + "/lamps"
	host := strings.TrimPrefix(tg.publicURL, "http://")
	for _, v := range []string{
		registered + "/", registered + "?next=" + attackerSite, registered + "#x", strings.ToUpper(registered),
		"http://" + host + "@" + attackerHost + "/lamps", "http://" + attackerHost + "/lamps", "https://" + host + "/lamps",
		"//" + attackerHost + "/lamps", registered + "/../../evil", strings.Replace(registered, "/lamps", "/%6Camps", 1),
	} {
		t.Run("logout_uri "+v, func(t *testing.T) {
			b := tg.browser(t)
			r := b.get("/logout?" + url.Values{"client_id": {tg.lamps.ID}, "logout_uri": {v}}.Encode())
			if r.Location != "" || r.Status != http.StatusBadRequest {
				t.Fatalf("%d %q, want the 400 error page", r.Status, r.Location)
			}
		})
	}
	for _, v := range redirectVariants[:10] {
		t.Run("redirect_uri "+v.name, func(t *testing.T) {
			b := tg.browser(t)
			q := tg.authQuery("redirect_uri", v.uri)
			q.Set("client_id", tg.alexa.ID)
			expectMismatchPage(t, b, b.get("/logout?"+q.Encode()))
		})
	}
	// The positive control.
	b := tg.browser(t)
	if r := b.get("/logout?" + url.Values{"client_id": {tg.lamps.ID}, "logout_uri": {registered}}.Encode()); r.Location != registered {
		t.Fatalf("the registered logout URL: %d %q", r.Status, r.Location)
	}
}

// expectMismatchPage checks that r is no redirect off the server and, if
// it is the redirect to the pool's own /error page, that the page shows
// redirect_mismatch with status 400 and carries no code.
func expectMismatchPage(t *testing.T, b *browser, r *reply) {
	t.Helper()
	if strings.Contains(r.Location, "code=") || strings.Contains(r.Body, "code=") {
		t.Fatalf("a code left the server: %d %q", r.Status, r.Location)
	}
	if r.Status == http.StatusFound || r.Status == http.StatusSeeOther {
		loc, err := url.Parse(r.Location)
		if err != nil || loc.Host != "" || loc.Scheme != "" || !strings.HasPrefix(loc.Path, "/"+b.tg.pool.ID+"/error") {
			t.Fatalf("redirected off the server: %d %q", r.Status, r.Location)
		}
		if loc.Query().Get("error") != "redirect_mismatch" {
			t.Fatalf("error page for %q, want redirect_mismatch", loc.Query().Get("error"))
		}
		r = b.get(r.Location)
	}
	if r.Status != http.StatusBadRequest {
		t.Fatalf("error page status %d, want 400\n%.1000s", r.Status, r.Body)
	}
	if r.Location != "" {
		t.Fatalf("error page redirects to %q", r.Location)
	}
	msg := errorPattern.FindStringSubmatch(r.Body)
	// "… an address that is not registered for it", or for another
	// pool's client "No app with client id … is registered".
	if msg == nil || !strings.Contains(msg[1], "registered") {
		t.Fatalf("error page does not explain the mismatch:\n%.2000s", r.Body)
	}
	if strings.Contains(r.Body, attackerHost) {
		t.Fatalf("error page links to the attacker:\n%.2000s", r.Body)
	}
}
