package console_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"github.com/linkpool/linkpool/internal/audit"
	"github.com/linkpool/linkpool/internal/console"
	"github.com/linkpool/linkpool/internal/store"
)

// allAudit returns every audit record, newest first.
func (e *env) allAudit(t testing.TB) []store.AuditRecord {
	t.Helper()
	page, err := e.Audit.List(context.Background(), store.AuditFilter{}, store.ListOptions{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	return page.Items
}

// keyVersion is the version of a pool's signing key set.
func (e *env) keyVersion(t testing.TB, poolID string) int64 {
	t.Helper()
	k, err := e.Admin.DescribeSigningKeys(context.Background(), poolID)
	if err != nil {
		t.Fatal(err)
	}
	return k.Version
}

// TestWriteRoutesRefuseEveryoneButAdmins: the forms and posts that
// create, rotate, reset, sign out and delete send an anonymous browser
// to sign in (401 for a post), refuse a read-only operator, an operator
// who left the admin group, and an administrator's post without the
// CSRF token or from another origin, all 403, and change nothing:
// no audit record is written, the pool, its keys and the user remain.
func TestWriteRoutesRefuseEveryoneButAdmins(t *testing.T) {
	e := newEnv(t)
	p, u := e.customer(t, "ann", "ann@example.com")
	e.operator(t, "viewer", true)
	e.operator(t, "root", false)
	e.operator(t, "former", false)
	before := len(e.allAudit(t))
	version := e.keyVersion(t, p.ID)
	form := func(token string) url.Values {
		return url.Values{"csrf": {token}, "confirm": {u.Username}, "vendor_id": {"M2ABCDEF"}, "name": {"Evil"},
			"region": {"us-east-1"}, "username": {"mallory"}, "email": {"mallory@example.com"}}
	}

	jar, _ := cookiejar.New(nil)
	anon := noRedirects(jar)
	for _, path := range adminPages(p.ID) {
		if res, _ := e.get(t, anon, path); res.StatusCode != http.StatusSeeOther {
			t.Errorf("anonymous GET %s: %d, want 303 to sign in", path, res.StatusCode)
		}
	}
	for _, path := range writeRoutes(p.ID, u.Sub) {
		if res, _ := e.post(t, anon, path, e.ConsoleURL, form("x")); res.StatusCode != http.StatusUnauthorized {
			t.Errorf("anonymous POST %s: %d, want 401", path, res.StatusCode)
		}
	}

	viewer := e.signedIn(t, "viewer")
	_, page := e.get(t, viewer, "/console/pools/"+p.ID+"/keys")
	if strings.Contains(page, `id="rotate"`) {
		t.Error("the read-only operator is offered the rotate button")
	}
	viewerToken := csrf(t, page)
	for path, id := range map[string]string{
		"/console/pools":                             `id="new-pool-link"`,
		"/console/pools/" + p.ID:                     `id="delete-pool"`,
		"/console/pools/" + p.ID + "/users":          `id="new-user-link"`,
		"/console/pools/" + p.ID + "/users/" + u.Sub: `id="delete-user"`,
	} {
		if _, body := e.get(t, viewer, path); strings.Contains(body, id) {
			t.Errorf("the read-only operator is offered %s on %s", id, path)
		}
	}
	for _, path := range adminPages(p.ID) {
		if res, body := e.get(t, viewer, path); res.StatusCode != http.StatusForbidden || !strings.Contains(body, "read-only access") {
			t.Errorf("read-only GET %s: %d: %s", path, res.StatusCode, body)
		}
	}
	for _, path := range writeRoutes(p.ID, u.Sub) {
		if res, body := e.post(t, viewer, path, e.ConsoleURL, form(viewerToken)); res.StatusCode != http.StatusForbidden || !strings.Contains(body, "read-only access") {
			t.Errorf("read-only POST %s: %d: %s", path, res.StatusCode, body)
		}
	}

	former := e.signedIn(t, "former")
	_, page = e.get(t, former, "/console/")
	formerToken := csrf(t, page)
	if _, err := e.Admin.AdminRemoveUserFromGroup(context.Background(), console.SystemPoolID, console.GroupAdmin, "former"); err != nil {
		t.Fatal(err)
	}
	before++ // the removal from the group
	// The first post is refused 403 and ends the session; the later ones
	// come without one.
	for i, path := range writeRoutes(p.ID, u.Sub) {
		want := http.StatusUnauthorized
		if i == 0 {
			want = http.StatusForbidden
		}
		if res, _ := e.post(t, former, path, e.ConsoleURL, form(formerToken)); res.StatusCode != want {
			t.Errorf("POST %s by an operator no longer in a group: %d, want %d", path, res.StatusCode, want)
		}
	}

	root := e.signedIn(t, "root")
	_, page = e.get(t, root, "/console/")
	token := csrf(t, page)
	for _, path := range writeRoutes(p.ID, u.Sub) {
		for name, c := range map[string]struct {
			origin string
			form   url.Values
		}{
			"no token":       {e.ConsoleURL, form("")},
			"another token":  {e.ConsoleURL, form(viewerToken)},
			"foreign origin": {"https://evil.example", form(token)},
			"public origin":  {e.URL, form(token)},
		} {
			if res, _ := e.post(t, root, path, c.origin, c.form); res.StatusCode != http.StatusForbidden {
				t.Errorf("POST %s, %s: %d, want 403", path, name, res.StatusCode)
			}
		}
		req, _ := http.NewRequest(http.MethodPost, e.ConsoleURL+path, strings.NewReader(form(token).Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		res, err := root.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		if readBody(t, res); res.StatusCode != http.StatusForbidden {
			t.Errorf("POST %s cross-site without Origin: %d, want 403", path, res.StatusCode)
		}
	}

	if recs := e.allAudit(t); len(recs) != before {
		t.Errorf("the refused requests wrote %d audit records: %+v", len(recs)-before, recs[:len(recs)-before])
	}
	if _, err := e.Admin.DescribeUserPool(context.Background(), p.ID); err != nil {
		t.Errorf("pool after the refused posts: %v", err)
	}
	if got, err := e.DB.GetUser(context.Background(), p.ID, u.Sub); err != nil || !got.Enabled || got.Status != u.Status {
		t.Errorf("user after the refused posts: %+v, %v", got, err)
	}
	if v := e.keyVersion(t, p.ID); v != version {
		t.Errorf("key set version %d after the refused posts, want %d", v, version)
	}
	pools, _, err := e.Admin.ListUserPools(context.Background(), 60, "")
	if err != nil || len(pools) != 2 {
		t.Errorf("%d pools after the refused posts, want 2 (%v)", len(pools), err)
	}
}

// lastRecords returns the audit records written since n records were
// there, and checks each: the console operator op as actor, the result
// ok, no value that holds any of secrets.
func (e *env) lastRecords(t *testing.T, n int, op string, secrets ...string) []store.AuditRecord {
	t.Helper()
	all := e.allAudit(t)
	recs := all[:len(all)-n]
	for _, r := range recs {
		if r.ActorKind != audit.KindConsole || r.ActorID != op || r.Result != "ok" {
			t.Errorf("record %s: actor %s/%s, result %s; want console/%s, ok", r.Action, r.ActorKind, r.ActorID, r.Result, op)
		}
		for _, c := range r.Changed {
			for _, s := range secrets {
				if s != "" && strings.Contains(c.Value, s) {
					t.Errorf("record %s carries a secret in %s", r.Action, c.Field)
				}
			}
		}
	}
	return recs
}

// actions are the actions of records, newest first.
func actions(recs []store.AuditRecord) []string {
	out := make([]string, 0, len(recs))
	for _, r := range recs {
		out = append(out, r.Action)
	}
	return out
}

// TestWriteActionsAreAudited: each action of the console goes through
// the admin or account service and writes exactly one audit record per
// change it makes, with the console operator as actor and no secret: the
// Alexa preset (the pool and its client, as `init alexa`), a key
// rotation, a user created with an invitation mailed, a password reset,
// a sign-out everywhere, a user and a pool deleted after their names
// were typed (a wrong name deletes nothing).
func TestWriteActionsAreAudited(t *testing.T) {
	e := newEnv(t)
	op := e.operator(t, "root", false)
	b := e.signedIn(t, "root")
	_, page := e.get(t, b, "/console/pools/new")
	token := csrf(t, page)
	for _, path := range []string{"/console/pools/new", "/console/pools/" + console.SystemPoolID + "/users/new", "/console/pools/" + console.SystemPoolID + "/keys"} {
		res, body := e.get(t, b, path)
		if res.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %d", path, res.StatusCode)
		}
		if k := messageKey.FindString(body); k != "" {
			t.Errorf("GET %s shows the message key %q", path, k)
		}
	}
	ctx := context.Background()

	n := len(e.allAudit(t))
	res, page := e.post(t, b, "/console/pools", e.ConsoleURL, url.Values{"csrf": {token},
		"vendor_id": {"M2ABCDEF"}, "name": {"Lamp"}, "region": {"eu-west-1"}, "scopes": {"openid profile"}})
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("create pool: %d: %s", res.StatusCode, page)
	}
	if k := messageKey.FindString(page); k != "" {
		t.Errorf("the created page shows the message key %q", k)
	}
	secret := between(page, `id="client-secret">`, "<")
	poolID := between(page, `href="/console/pools/`, `"`)
	if len(secret) < 40 || !strings.HasPrefix(poolID, "eu-west-1_") {
		t.Fatalf("created page: secret %q, pool %q", secret, poolID)
	}
	p, err := e.Admin.DescribeUserPool(ctx, poolID)
	if err != nil {
		t.Fatal(err)
	}
	clients, _, err := e.Admin.ListUserPoolClients(ctx, p.ID, 60, "")
	if err != nil || len(clients) != 1 {
		t.Fatalf("clients %+v, %v", clients, err)
	}
	if c := clients[0]; !strings.Contains(page, c.ID) || !strings.Contains(page, "https://layla.amazon.com/api/skill/link/M2ABCDEF") ||
		!strings.Contains(page, e.URL+"/"+p.ID+"/oauth2/token") || c.IDTokenOnRefresh || c.RefreshTokenValidity != 3650 {
		t.Errorf("client %+v or page %s", c, page)
	}
	if got := actions(e.lastRecords(t, n, op.Sub, secret)); strings.Join(got, " ") != "CreateUserPoolClient CreateUserPool" {
		t.Errorf("preset records %q, want CreateUserPoolClient CreateUserPool", got)
	}
	if _, again := e.get(t, b, "/console/pools/"+p.ID); strings.Contains(again, secret) {
		t.Error("the pool page shows the client secret again")
	}
	// A bad vendor id is refused with Cognito's error name; nothing is made.
	n = len(e.allAudit(t))
	if res, body := e.post(t, b, "/console/pools", e.ConsoleURL, url.Values{"csrf": {token}, "vendor_id": {"m2-lower"}, "name": {"X"}, "region": {"eu-west-1"}}); res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "InvalidParameterException") {
		t.Errorf("bad vendor id: %d: %s", res.StatusCode, body)
	}
	if got := e.allAudit(t); len(got) != n {
		t.Errorf("a refused preset wrote %v", actions(got[:len(got)-n]))
	}

	n = len(e.allAudit(t))
	version := e.keyVersion(t, p.ID)
	res, body := e.post(t, b, "/console/pools/"+p.ID+"/keys/rotate", e.ConsoleURL, url.Values{"csrf": {token}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/console/pools/"+p.ID+"/keys?done=rotated" {
		t.Fatalf("rotate: %d: %s", res.StatusCode, body)
	}
	if v := e.keyVersion(t, p.ID); v != version+1 {
		t.Errorf("key set version %d, want %d", v, version+1)
	}
	if got := actions(e.lastRecords(t, n, op.Sub)); strings.Join(got, " ") != "RotateSigningKeys" {
		t.Errorf("rotation records %q", got)
	}
	_, body = e.get(t, b, "/console/pools/"+p.ID+"/keys?done=rotated")
	if !strings.Contains(body, `id="done"`) || !strings.Contains(body, `data-state="retired"`) || !strings.Contains(body, "May sign from") {
		t.Errorf("keys page after the rotation: %s", body)
	}
	// The new next keys are not published long enough: a second rotation
	// is refused 409 with when they may sign, and records a failure.
	n = len(e.allAudit(t))
	if res, body := e.post(t, b, "/console/pools/"+p.ID+"/keys/rotate", e.ConsoleURL, url.Values{"csrf": {token}}); res.StatusCode != http.StatusConflict || !strings.Contains(body, `id="not-ready"`) {
		t.Errorf("early rotation: %d: %s", res.StatusCode, body)
	}
	if v := e.keyVersion(t, p.ID); v != version+1 {
		t.Errorf("an early rotation changed the key set to version %d", v)
	}
	if got := e.allAudit(t); len(got) != n+1 || got[0].Result == "ok" {
		t.Errorf("early rotation records %+v", got[:len(got)-n])
	}

	n = len(e.allAudit(t))
	res, body = e.post(t, b, "/console/pools/"+p.ID+"/users", e.ConsoleURL, url.Values{"csrf": {token}, "username": {"carol"}, "email": {"carol@example.com"}})
	if res.StatusCode != http.StatusSeeOther || !strings.HasSuffix(res.Header.Get("Location"), "?done=created") {
		t.Fatalf("create user: %d: %s", res.StatusCode, body)
	}
	carol, err := e.Accounts.Lookup(ctx, p, "carol")
	if err != nil || carol.Status != "FORCE_CHANGE_PASSWORD" || carol.Email() != "carol@example.com" {
		t.Fatalf("carol: %+v, %v", carol, err)
	}
	if e.Mail.Count("carol@example.com") != 1 {
		t.Errorf("%d invitations mailed to carol, want 1", e.Mail.Count("carol@example.com"))
	}
	recs := e.lastRecords(t, n, op.Sub, "carol@example.com")
	if got := actions(recs); strings.Join(got, " ") != "AdminCreateUser" {
		t.Fatalf("create user records %q", got)
	}
	for _, c := range recs[0].Changed {
		if c.Field == "TemporaryPassword" && !c.Withheld {
			t.Errorf("the record holds the temporary password: %+v", c)
		}
	}
	// A taken username is refused with Cognito's error; nothing is made.
	n = len(e.allAudit(t))
	if res, body := e.post(t, b, "/console/pools/"+p.ID+"/users", e.ConsoleURL, url.Values{"csrf": {token}, "username": {"carol"}, "email": {"c2@example.com"}}); res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "UsernameExistsException") {
		t.Errorf("taken username: %d: %s", res.StatusCode, body)
	}
	if got := e.allAudit(t); len(got) != n+1 || got[0].Result == "ok" {
		t.Errorf("refused create records %+v", got[:len(got)-n])
	}

	dave := e.addUser(t, p, "dave", "dave@example.com")
	if err := e.Admin.Accounts().AdminUpdateUserAttributes(ctx, p, "dave", map[string]string{"email_verified": "true"}); err != nil {
		t.Fatal(err)
	}
	user := "/console/pools/" + p.ID + "/users/" + dave.Sub
	_, page = e.get(t, b, user)
	for _, id := range []string{`id="signout-user"`, `id="reset-password"`, `id="delete-user"`, `id="disable"`} {
		if !strings.Contains(page, id) {
			t.Errorf("the administrator's user page lacks %s", id)
		}
	}
	if _, page := e.get(t, b, "/console/pools/"+p.ID); !strings.Contains(page, `id="delete-pool"`) || !strings.Contains(page, `id="keys-link"`) {
		t.Errorf("the administrator's pool page lacks the delete form or the keys link")
	}
	for _, c := range []struct{ path, done, action string }{
		{"/reset-password", "reset", "AdminResetUserPassword"},
		{"/signout", "signed_out", "AdminUserGlobalSignOut"},
	} {
		n = len(e.allAudit(t))
		res, body := e.post(t, b, user+c.path, e.ConsoleURL, url.Values{"csrf": {token}})
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != user+"?done="+c.done {
			t.Fatalf("%s: %d to %q: %s", c.path, res.StatusCode, res.Header.Get("Location"), body)
		}
		if got := actions(e.lastRecords(t, n, op.Sub)); strings.Join(got, " ") != c.action {
			t.Errorf("%s records %q, want %s", c.path, got, c.action)
		}
		if _, page := e.get(t, b, user+"?done="+c.done); !strings.Contains(page, `id="done"`) {
			t.Errorf("user page after %s: %s", c.path, page)
		}
	}
	got, err := e.DB.GetUser(ctx, p.ID, dave.Sub)
	if err != nil || got.Status != "RESET_REQUIRED" || got.TokensValidAfter.IsZero() {
		t.Errorf("dave after reset and sign-out: status %s, tokens valid after %v, %v", got.Status, got.TokensValidAfter, err)
	}

	n = len(e.allAudit(t))
	if res, body := e.post(t, b, user+"/delete", e.ConsoleURL, url.Values{"csrf": {token}, "confirm": {"Dave"}}); res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "does not match") {
		t.Errorf("delete with a wrong name: %d: %s", res.StatusCode, body)
	}
	if got := e.allAudit(t); len(got) != n {
		t.Errorf("a refused delete wrote %v", actions(got[:len(got)-n]))
	}
	res, body = e.post(t, b, user+"/delete", e.ConsoleURL, url.Values{"csrf": {token}, "confirm": {"dave"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/console/pools/"+p.ID+"/users" {
		t.Fatalf("delete user: %d: %s", res.StatusCode, body)
	}
	if _, err := e.DB.GetUser(ctx, p.ID, dave.Sub); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("dave after delete: %v", err)
	}
	if got := actions(e.lastRecords(t, n, op.Sub)); strings.Join(got, " ") != "AdminDeleteUser" {
		t.Errorf("delete user records %q", got)
	}

	// The operator's own account: no delete, no reset from the console.
	for _, path := range []string{"/delete", "/reset-password"} {
		self := "/console/pools/" + console.SystemPoolID + "/users/" + op.Sub + path
		if res, body := e.post(t, b, self, e.ConsoleURL, url.Values{"csrf": {token}, "confirm": {"root"}}); res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "your own") {
			t.Errorf("%s of oneself: %d: %s", path, res.StatusCode, body)
		}
	}

	n = len(e.allAudit(t))
	if res, _ := e.post(t, b, "/console/pools/"+p.ID+"/delete", e.ConsoleURL, url.Values{"csrf": {token}, "confirm": {"lamp"}}); res.StatusCode != http.StatusBadRequest {
		t.Errorf("delete pool with a wrong name: %d", res.StatusCode)
	}
	if res, _ := e.post(t, b, "/console/pools/"+console.SystemPoolID+"/delete", e.ConsoleURL, url.Values{"csrf": {token}, "confirm": {"linkpool console"}}); res.StatusCode != http.StatusBadRequest {
		t.Errorf("delete the system pool: %d", res.StatusCode)
	}
	if got := e.allAudit(t); len(got) != n {
		t.Errorf("refused pool deletes wrote %v", actions(got[:len(got)-n]))
	}
	res, body = e.post(t, b, "/console/pools/"+p.ID+"/delete", e.ConsoleURL, url.Values{"csrf": {token}, "confirm": {"Lamp"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("delete pool: %d: %s", res.StatusCode, body)
	}
	if _, err := e.Admin.DescribeUserPool(ctx, p.ID); err == nil {
		t.Error("the pool is still there")
	}
	if got := actions(e.lastRecords(t, n, op.Sub)); strings.Join(got, " ") != "DeleteUserPool" {
		t.Errorf("delete pool records %q", got)
	}
	e.Log.NoSecrets(t, secret, token)
}

// between returns the text of s after the first start up to end.
func between(s, start, end string) string {
	i := strings.Index(s, start)
	if i < 0 {
		return ""
	}
	s = s[i+len(start):]
	if j := strings.Index(s, end); j >= 0 {
		return s[:j]
	}
	return s
}
