package console_test

import (
	"context"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/admin"
	"github.com/linkpool/linkpool/internal/audit"
	"github.com/linkpool/linkpool/internal/console"
)

// readRoutes are the console's pages, with a pool and a user to show.
func readRoutes(poolID, sub string) []string {
	return []string{
		"/console/", "/console/pools", "/console/pools/" + poolID, "/console/pools/" + poolID + "/users",
		"/console/pools/" + poolID + "/users?filter=" + url.QueryEscape(`username = "x"`),
		"/console/pools/" + poolID + "/users/" + sub, "/console/audit", "/console/pools/" + poolID + "/keys",
		"/console/pools/" + poolID + "/settings", "/console/pools/" + poolID + "/branding",
		"/console/pools/" + poolID + "/branding/preview?lang=en", "/console/pools/" + poolID + "/domains",
		systemClientPath,
		"/console/pools/" + poolID + "/idps", "/console/pools/" + poolID + "/triggers", "/console/pools/" + poolID + "/groups",
	}
}

// systemClientPath is the page of the console's own app client, which
// every console has.
const systemClientPath = "/console/pools/" + console.SystemPoolID + "/clients/" + console.SystemClientID

// writeRoutes are the console's posts that change something.
func writeRoutes(poolID, sub string) []string {
	user := "/console/pools/" + poolID + "/users/" + sub
	return []string{
		user + "/disable", user + "/enable", user + "/reset-password", user + "/signout", user + "/delete",
		user + "/reset-mfa", user + "/unlink", user + "/resend-invitation", user + "/groups/add", user + "/groups/remove",
		user + "/mfa-preference",
		"/console/pools", "/console/pools/" + poolID + "/delete", "/console/pools/" + poolID + "/keys/rotate",
		"/console/pools/" + poolID + "/users",
		"/console/pools/" + poolID + "/settings", "/console/pools/" + poolID + "/settings/mfa",
		"/console/pools/" + poolID + "/branding", "/console/pools/" + poolID + "/domains",
		"/console/pools/" + poolID + "/domains/lamps/delete",
		"/console/pools/" + poolID + "/clients", systemClientPath, systemClientPath + "/rotate-secret", systemClientPath + "/delete",
		"/console/pools/" + poolID + "/idps", "/console/pools/" + poolID + "/idps/Corp/update", "/console/pools/" + poolID + "/idps/Corp/delete",
		"/console/pools/" + poolID + "/triggers", "/console/pools/" + poolID + "/triggers/rotate-secret",
		"/console/pools/" + poolID + "/groups", "/console/pools/" + poolID + "/groups/staff/update", "/console/pools/" + poolID + "/groups/staff/delete",
	}
}

// adminPages are the console's forms, shown to administrators only.
func adminPages(poolID string) []string {
	return []string{"/console/pools/new", "/console/pools/" + poolID + "/users/new", "/console/pools/" + poolID + "/clients/new",
		"/console/pools/" + poolID + "/idps/new"}
}

// messageKey matches a catalog key left in a page.
var messageKey = regexp.MustCompile(`\b(console|date|page|error)\.[a-z_]+(\.[a-z_]+)?\b`)

// TestAnonymousIsSentToSignIn: every page sends a request without a
// session to sign in and come back; every post is refused 401, and so
// is a forged session cookie.
func TestAnonymousIsSentToSignIn(t *testing.T) {
	e := newEnv(t)
	p, u := e.customer(t, "ann", "ann@example.com")
	jar, _ := cookiejar.New(nil)
	b := noRedirects(jar)
	for _, path := range readRoutes(p.ID, u.Sub) {
		res, body := e.get(t, b, path)
		want := "/console/signin?next=" + url.QueryEscape(path)
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != want {
			t.Errorf("GET %s: %d to %q, want 303 to %q: %s", path, res.StatusCode, res.Header.Get("Location"), want, body)
		}
	}
	for _, path := range append(writeRoutes(p.ID, u.Sub), "/console/signout") {
		res, _ := e.post(t, b, path, e.ConsoleURL, url.Values{"csrf": {"x"}})
		if res.StatusCode != http.StatusUnauthorized {
			t.Errorf("POST %s: %d, want 401", path, res.StatusCode)
		}
	}
	// A cookie the server did not seal is no session.
	jar.SetCookies(mustParse(t, e.ConsoleURL+"/console/"), []*http.Cookie{{Name: "lp_console", Value: "eyJzdWIiOiJ4In0", Path: "/console"}})
	if res, _ := e.get(t, b, "/console/pools"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("forged session: %d, want 303 to sign in", res.StatusCode)
	}
	if got := e.auditRecords(t, "AdminDisableUser"); len(got) != 0 {
		t.Errorf("audit records: %+v", got)
	}
}

// TestNonOperatorIsRefused: a user of the system pool in neither console
// group signs in at the pool but gets no console session (403); an
// operator removed from their group loses the console at the next
// request, and so does one who is disabled.
func TestNonOperatorIsRefused(t *testing.T) {
	e := newEnv(t)
	e.systemUser(t, "visitor")
	b, res := e.signIn(t, "visitor")
	body := readBody(t, res)
	if res.StatusCode != http.StatusForbidden || !strings.Contains(body, "not a console operator") {
		t.Fatalf("callback of a non-operator: %d: %s", res.StatusCode, body)
	}
	if res, _ := e.get(t, b, "/console/"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("non-operator after callback: %d, want 303 to sign in", res.StatusCode)
	}

	e.operator(t, "ops", false)
	b = e.signedIn(t, "ops")
	if res, body := e.get(t, b, "/console/pools"); res.StatusCode != http.StatusOK {
		t.Fatalf("operator: %d: %s", res.StatusCode, body)
	}
	ctx := context.Background()
	if _, err := e.Admin.AdminRemoveUserFromGroup(ctx, console.SystemPoolID, console.GroupAdmin, "ops"); err != nil {
		t.Fatal(err)
	}
	if res, _ := e.get(t, b, "/console/pools"); res.StatusCode != http.StatusForbidden {
		t.Errorf("operator removed from the admin group: %d, want 403", res.StatusCode)
	}

	e.operator(t, "ops2", true)
	b = e.signedIn(t, "ops2")
	p, err := e.Admin.DescribeUserPool(ctx, console.SystemPoolID)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Accounts.AdminDisableUser(ctx, p, "ops2"); err != nil {
		t.Fatal(err)
	}
	if res, _ := e.get(t, b, "/console/"); res.StatusCode != http.StatusForbidden {
		t.Errorf("disabled operator: %d, want 403", res.StatusCode)
	}
}

// TestReadOnlyCannotWrite: a read-only operator sees every page but no
// disable button, and a post is refused 403 with nothing changed and
// nothing recorded.
func TestReadOnlyCannotWrite(t *testing.T) {
	e := newEnv(t)
	p, u := e.customer(t, "ann", "ann@example.com")
	e.operator(t, "viewer", true)
	b := e.signedIn(t, "viewer")
	for _, path := range readRoutes(p.ID, u.Sub) {
		res, body := e.get(t, b, path)
		if res.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %d: %s", path, res.StatusCode, body)
		}
		if k := messageKey.FindString(body); k != "" {
			t.Errorf("GET %s shows the message key %q", path, k)
		}
	}
	_, page := e.get(t, b, "/console/pools/"+p.ID+"/users/"+u.Sub)
	if strings.Contains(page, `id="disable"`) {
		t.Error("the read-only operator is offered the disable button")
	}
	token := csrf(t, page) // the sign-out form's
	for _, path := range writeRoutes(p.ID, u.Sub) {
		res, body := e.post(t, b, path, e.ConsoleURL, url.Values{"csrf": {token}})
		if res.StatusCode != http.StatusForbidden || !strings.Contains(body, "read-only access") {
			t.Errorf("POST %s: %d: %s", path, res.StatusCode, body)
		}
	}
	got, err := e.DB.GetUser(context.Background(), p.ID, u.Sub)
	if err != nil || !got.Enabled {
		t.Errorf("user after the refused posts: enabled %v, %v", got.Enabled, err)
	}
	if recs := e.auditRecords(t, "AdminDisableUser"); len(recs) != 0 {
		t.Errorf("audit records: %+v", recs)
	}
}

// TestCrossSitePostIsRefused: an administrator's post without the CSRF
// token, with another session's token, or from a foreign origin is
// refused 403 and changes nothing.
func TestCrossSitePostIsRefused(t *testing.T) {
	e := newEnv(t)
	p, u := e.customer(t, "ann", "ann@example.com")
	root := e.operator(t, "root", false)
	e.operator(t, "other", false)
	b := e.signedIn(t, "root")
	_, page := e.get(t, b, "/console/pools/"+p.ID+"/users/"+u.Sub)
	token := csrf(t, page)
	_, otherPage := e.get(t, e.signedIn(t, "other"), "/console/")
	otherToken := csrf(t, otherPage)
	path := "/console/pools/" + p.ID + "/users/" + u.Sub + "/disable"
	for name, c := range map[string]struct {
		origin string
		form   url.Values
	}{
		"no token":            {e.ConsoleURL, url.Values{}},
		"empty token":         {e.ConsoleURL, url.Values{"csrf": {""}}},
		"another's token":     {e.ConsoleURL, url.Values{"csrf": {otherToken}}},
		"foreign origin":      {"https://evil.example", url.Values{"csrf": {token}}},
		"public origin":       {e.URL, url.Values{"csrf": {token}}},
		"origin null":         {"null", url.Values{"csrf": {token}}},
		"no origin, no token": {"", url.Values{}},
	} {
		res, body := e.post(t, b, path, c.origin, c.form)
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("%s: %d: %s", name, res.StatusCode, body)
		}
	}
	// A post from a cross-site page without an Origin header (an old
	// browser) is refused by its Sec-Fetch-Site.
	req, _ := http.NewRequest(http.MethodPost, e.ConsoleURL+path, strings.NewReader(url.Values{"csrf": {token}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	res, err := b.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if readBody(t, res); res.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site without Origin: %d", res.StatusCode)
	}
	got, err := e.DB.GetUser(context.Background(), p.ID, u.Sub)
	if err != nil || !got.Enabled {
		t.Fatalf("user after the refused posts: enabled %v, %v", got.Enabled, err)
	}
	if recs := e.auditRecords(t, "AdminDisableUser"); len(recs) != 0 {
		t.Errorf("audit records: %+v", recs)
	}
	// An administrator cannot disable their own account from the console:
	// their page offers no button, and a post is refused.
	if _, page := e.get(t, b, "/console/pools/"+console.SystemPoolID+"/users/"+root.Sub); strings.Contains(page, `id="disable"`) {
		t.Error("the administrator's own page offers to disable them")
	}
	self := "/console/pools/" + console.SystemPoolID + "/users/" + root.Sub + "/disable"
	if res, body := e.post(t, b, self, e.ConsoleURL, url.Values{"csrf": {token}}); res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "your own account") {
		t.Errorf("disabling oneself: %d: %s", res.StatusCode, body)
	}
	// The same post from the console's page works.
	if res, body := e.post(t, b, path, e.ConsoleURL, url.Values{"csrf": {token}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("same-origin post: %d: %s", res.StatusCode, body)
	}
}

// TestDisableRecordsOneAuditEntry: disabling and enabling a user from
// the console changes the user through the account service and writes
// exactly one audit record each, with the console operator as actor and
// no attribute values.
func TestDisableRecordsOneAuditEntry(t *testing.T) {
	e := newEnv(t)
	p, u := e.customer(t, "ann", "ann@example.com")
	op := e.operator(t, "root", false)
	b := e.signedIn(t, "root")
	_, page := e.get(t, b, "/console/pools/"+p.ID+"/users/"+u.Sub)
	token := csrf(t, page)
	base := "/console/pools/" + p.ID + "/users/" + u.Sub
	res, _ := e.post(t, b, base+"/disable", e.ConsoleURL, url.Values{"csrf": {token}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != base+"?done=disabled" {
		t.Fatalf("disable: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	got, err := e.DB.GetUser(context.Background(), p.ID, u.Sub)
	if err != nil || got.Enabled {
		t.Fatalf("user after disable: enabled %v, %v", got.Enabled, err)
	}
	recs := e.auditRecords(t, "AdminDisableUser")
	if len(recs) != 1 {
		t.Fatalf("%d AdminDisableUser records, want 1: %+v", len(recs), recs)
	}
	r := recs[0]
	want := audit.Actor{Kind: audit.KindConsole, ID: op.Sub}
	if r.ActorKind != want.Kind || r.ActorID != want.ID || r.PoolID != p.ID || r.Result != "ok" {
		t.Errorf("record %+v, want actor %v, pool %s, ok", r, want, p.ID)
	}
	for _, c := range r.Changed {
		if strings.Contains(c.Value, "ann@example.com") {
			t.Errorf("the record carries the email address: %+v", r.Changed)
		}
	}
	_, page = e.get(t, b, base+"?done=disabled")
	if !strings.Contains(page, `id="done"`) || !strings.Contains(page, `id="enable"`) {
		t.Errorf("user page after disable: %s", page)
	}
	if res, _ := e.post(t, b, base+"/enable", e.ConsoleURL, url.Values{"csrf": {token}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("enable: %d", res.StatusCode)
	}
	if n := len(e.auditRecords(t, "AdminEnableUser")); n != 1 {
		t.Errorf("%d AdminEnableUser records, want 1", n)
	}
	if n := len(e.auditRecords(t, "AdminDisableUser")); n != 1 {
		t.Errorf("%d AdminDisableUser records after enable, want still 1", n)
	}
	_, auditPage := e.get(t, b, "/console/audit?pool="+p.ID)
	if !strings.Contains(auditPage, "AdminDisableUser") || !strings.Contains(auditPage, op.Sub) {
		t.Errorf("audit page: %s", auditPage)
	}
}

// TestSecurityHeadersAndCookies: pages forbid framing and scripts and
// are not cached; the session cookie is HttpOnly, SameSite=Lax and
// expires; sign-out ends it and sends the browser to the system pool's
// logout endpoint.
func TestSecurityHeadersAndCookies(t *testing.T) {
	e := newEnv(t)
	e.operator(t, "root", false)
	b, res := e.signIn(t, "root")
	readBody(t, res)
	var session *http.Cookie
	for _, c := range res.Cookies() {
		if c.Name == "lp_console" {
			session = c
		}
	}
	if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteLaxMode || session.MaxAge != int(console.DefaultSessionTTL.Seconds()) || session.Path != "/console" {
		t.Fatalf("session cookie %+v", session)
	}
	res, body := e.get(t, b, "/console/")
	csp := res.Header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "style-src 'nonce-", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self' " + e.URL} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "script-src") || strings.Contains(body, "<script") {
		t.Errorf("the page runs script: CSP %q", csp)
	}
	for h, want := range map[string]string{"X-Frame-Options": "DENY", "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"} {
		if got := res.Header.Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	res, _ = e.post(t, b, "/console/signout", e.ConsoleURL, url.Values{"csrf": {csrf(t, body)}})
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, e.URL+"/"+console.SystemPoolID+"/logout?") {
		t.Fatalf("sign-out: %d to %q", res.StatusCode, loc)
	}
	if res, _ := e.get(t, b, "/console/"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("after sign-out: %d, want 303 to sign in", res.StatusCode)
	}
	e.Log.NoSecrets(t, operatorPassword, session.Value, csrf(t, body))
}

// TestScriptOnlyOnPagesWithCopyTargets: the pages without values to copy
// allow no script at all; a page with such values (an Alexa pool, a
// client) loads the copy script alone, under the response's nonce, which
// is the policy's only script source. The script itself is served to
// anyone, as a static file.
func TestScriptOnlyOnPagesWithCopyTargets(t *testing.T) {
	e := newEnv(t)
	p, u := e.customer(t, "ann", "ann@example.com")
	alexa, err := e.Admin.CreateAlexaPool(context.Background(), admin.AlexaPreset{VendorID: "M2ABCDEF", Name: "Lamp", Region: "eu-west-1"}, e.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	e.operator(t, "root", false)
	b := e.signedIn(t, "root")
	for _, path := range append(readRoutes(p.ID, u.Sub), "/console/pools/new", "/console/pools/"+p.ID+"/users/new", "/console/pools/"+p.ID+"/clients/new") {
		if path == systemClientPath {
			continue
		}
		res, body := e.get(t, b, path)
		if csp := res.Header.Get("Content-Security-Policy"); strings.Contains(csp, "script-src") || strings.Contains(body, "<script") {
			t.Errorf("GET %s runs script: CSP %q", path, csp)
		}
	}
	for _, path := range []string{"/console/pools/" + alexa.Pool.ID, "/console/pools/" + alexa.Pool.ID + "/clients/" + alexa.Client.ID, systemClientPath} {
		res, body := e.get(t, b, path)
		csp := res.Header.Get("Content-Security-Policy")
		nonce := between(body, `<script src="/console/static/copy.js?v=`, `</script>`)
		nonce = between(nonce, `nonce="`, `"`)
		if nonce == "" || strings.Count(body, "<script") != 1 || !strings.Contains(csp, "script-src 'nonce-"+nonce+"'; ") ||
			strings.Count(csp, "script-src") != 1 || strings.Contains(csp, "unsafe") || !strings.Contains(body, "data-copy=") {
			t.Errorf("GET %s: CSP %q, script nonce %q", path, csp, nonce)
		}
	}
	jar, _ := cookiejar.New(nil)
	res, body := e.get(t, noRedirects(jar), "/console/static/copy.js")
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/javascript") ||
		res.Header.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(body, "navigator.clipboard") {
		t.Errorf("copy script: %d %v", res.StatusCode, res.Header)
	}
}

// TestCallbackRefusesForgedState: a callback without the sign-in cookie,
// with another state, or with a code that was never issued starts no
// session.
func TestCallbackRefusesForgedState(t *testing.T) {
	e := newEnv(t)
	jar, _ := cookiejar.New(nil)
	b := noRedirects(jar)
	res, _ := e.get(t, b, "/console/callback?code=abc&state=xyz")
	if res.StatusCode != http.StatusBadRequest {
		t.Errorf("callback without sign-in: %d", res.StatusCode)
	}
	if res, _ := e.get(t, b, "/console/signin"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in: %d", res.StatusCode)
	}
	if res, _ := e.get(t, b, "/console/callback?code=abc&state=other"); res.StatusCode != http.StatusBadRequest {
		t.Errorf("callback with another state: %d", res.StatusCode)
	}
	res, _ = e.get(t, b, "/console/signin")
	state := mustParse(t, res.Header.Get("Location")).Query().Get("state")
	if res, _ := e.get(t, b, "/console/callback?code=never-issued&state="+url.QueryEscape(state)); res.StatusCode != http.StatusBadGateway {
		t.Errorf("callback with a forged code: %d", res.StatusCode)
	}
	for _, c := range jar.Cookies(mustParse(t, e.ConsoleURL+"/console/")) {
		if c.Name == "lp_console" {
			t.Errorf("a session cookie was set: %+v", c)
		}
	}
}

// TestConsoleIsNotOnThePublicListener: the public handler answers no
// console path.
func TestConsoleIsNotOnThePublicListener(t *testing.T) {
	e := newEnv(t)
	for _, path := range []string{"/console", "/console/", "/console/signin", "/console/pools"} {
		res, err := http.Get(e.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		readBody(t, res)
		if res.StatusCode != http.StatusNotFound {
			t.Errorf("public %s: %d, want 404", path, res.StatusCode)
		}
	}
}

// TestSessionExpires: a session ends after DefaultSessionTTL, and an
// operator signed out everywhere loses it at once.
func TestSessionExpires(t *testing.T) {
	e := newEnv(t)
	e.operator(t, "root", false)
	b := e.signedIn(t, "root")
	e.Clock.Advance(console.DefaultSessionTTL - time.Minute)
	if res, _ := e.get(t, b, "/console/"); res.StatusCode != http.StatusOK {
		t.Fatalf("before expiry: %d", res.StatusCode)
	}
	e.Clock.Advance(time.Minute)
	if res, _ := e.get(t, b, "/console/"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("after expiry: %d, want 303 to sign in", res.StatusCode)
	}

	e.Clock.Advance(time.Second)
	b = e.signedIn(t, "root")
	e.Clock.Advance(time.Second)
	p, err := e.Admin.DescribeUserPool(context.Background(), console.SystemPoolID)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Accounts.GlobalSignOut(context.Background(), p, "root"); err != nil {
		t.Fatal(err)
	}
	if res, _ := e.get(t, b, "/console/"); res.StatusCode != http.StatusForbidden {
		t.Errorf("after sign-out everywhere: %d, want 403", res.StatusCode)
	}
}
