package console_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/apptest"
	"github.com/linkpool/linkpool/internal/console"
	"github.com/linkpool/linkpool/internal/hostedui"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
)

// operatorPassword is the permanent password of the test operators.
const operatorPassword = "Console-0perator!"

// env is a whole server (its public listener at App.URL) with the
// console on a listener of its own, as `serve` mounts it on the admin
// listener.
type env struct {
	*apptest.App
	Console *console.Console
	// ConsoleURL is the console listener's base URL.
	ConsoleURL string
	// Sampler samples the server's registry on the test clock into the
	// server's store when the test calls Sample.
	Sampler *console.Sampler
}

// newEnv starts the server and the console, and ensures the system pool
// and the console's app client.
func newEnv(t testing.TB) *env {
	t.Helper()
	a := apptest.New(t)
	srv := httptest.NewUnstartedServer(nil)
	e := &env{App: a, ConsoleURL: "http://" + srv.Listener.Addr().String(), Sampler: console.NewStoreSampler(a.Registry, a.DB, console.NewInstanceID(), a.Clock.Now, nil)}
	c, err := console.New(console.Config{
		Admin: a.Admin, Store: a.DB, Audit: a.Audit, Box: a.Box, Log: a.Log.Logger(), SignInPreview: hostedui.Preview,
		PublicURL: a.URL, URL: e.ConsoleURL, Mail: a.App.Mail, Now: a.Clock.Now, Sampler: e.Sampler,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Ensure(context.Background()); err != nil {
		t.Fatal(err)
	}
	e.Console = c
	mux := http.NewServeMux()
	c.Mount(mux)
	srv.Config.Handler = mux
	srv.Start()
	t.Cleanup(srv.Close)
	return e
}

// operator creates an operator of the system pool with `admin create`'s
// code path: readOnly puts them in the read-only group.
func (e *env) operator(t testing.TB, username string, readOnly bool) pool.User {
	t.Helper()
	res, err := console.CreateOperator(context.Background(), e.Admin, console.CreateOperatorInput{
		Username: username, Email: username + "@ops.example.com", Password: operatorPassword, ReadOnly: readOnly,
	}, e.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	return res.User
}

// systemUser creates a user of the system pool in neither console group.
func (e *env) systemUser(t testing.TB, username string) pool.User {
	t.Helper()
	p, err := e.Admin.DescribeUserPool(context.Background(), console.SystemPoolID)
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.Accounts.AdminCreateUser(context.Background(), p, account.AdminCreateUserInput{
		Username: username, TemporaryPassword: operatorPassword, Permanent: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	return res.User
}

// noRedirects is a cookie-keeping client that follows no redirect.
func noRedirects(jar http.CookieJar) *http.Client {
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// signIn signs username in to the console through the system pool's
// hosted sign-in page and returns the browser (which follows no
// redirects) and the console's answer to the callback.
func (e *env) signIn(t testing.TB, username string) (*http.Client, *http.Response) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	b := noRedirects(jar)
	res, err := b.Get(e.ConsoleURL + "/console/signin")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	authURL := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(authURL, e.URL+"/"+console.SystemPoolID+"/oauth2/authorize?") {
		t.Fatalf("sign-in: %d to %q", res.StatusCode, authURL)
	}
	q := mustParse(t, authURL).Query()
	if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || q.Get("nonce") == "" || q.Get("state") == "" ||
		q.Get("client_id") != console.SystemClientID || q.Get("redirect_uri") != e.ConsoleURL+"/console/callback" || q.Get("scope") != "openid" {
		t.Fatalf("authorization request: %v", q)
	}
	page := apptest.SignIn(t, &http.Client{Jar: jar, CheckRedirect: func(r *http.Request, _ []*http.Request) error {
		if strings.HasPrefix(r.URL.String(), e.ConsoleURL) {
			return http.ErrUseLastResponse
		}
		return nil
	}}, authURL, username, operatorPassword)
	callback := apptest.Redirect(t, page)
	res, err = b.Get(callback.String())
	if err != nil {
		t.Fatal(err)
	}
	return b, res
}

// signedIn is signIn for an operator, whom the console lets in.
func (e *env) signedIn(t testing.TB, username string) *http.Client {
	t.Helper()
	b, res := e.signIn(t, username)
	body := readBody(t, res)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/console/" {
		t.Fatalf("callback: %d to %q: %s", res.StatusCode, res.Header.Get("Location"), body)
	}
	return b
}

// get requests a console path.
func (e *env) get(t testing.TB, b *http.Client, path string) (*http.Response, string) {
	t.Helper()
	res, err := b.Get(e.ConsoleURL + path)
	if err != nil {
		t.Fatal(err)
	}
	return res, readBody(t, res)
}

// post posts form to a console path with the given Origin ("" for none).
func (e *env) post(t testing.TB, b *http.Client, path, origin string, form url.Values) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.ConsoleURL+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	res, err := b.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return res, readBody(t, res)
}

// csrf returns the CSRF token of the forms of a page.
func csrf(t testing.TB, body string) string {
	t.Helper()
	const marker = `name="csrf" value="`
	i := strings.Index(body, marker)
	if i < 0 {
		t.Fatalf("no CSRF field on the page: %s", body)
	}
	rest := body[i+len(marker):]
	return rest[:strings.IndexByte(rest, '"')]
}

func readBody(t testing.TB, res *http.Response) string {
	t.Helper()
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func mustParse(t testing.TB, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// customer creates a pool with a user to administer, and returns both.
func (e *env) customer(t testing.TB, username, email string) (pool.Pool, pool.User) {
	t.Helper()
	p := e.Pool(t, "us-east-1", "Customers", func(p *pool.Pool) { p.AliasAttributes = []string{pool.AttrEmail} })
	return p, e.addUser(t, p, username, email)
}

// addUser creates a confirmed user of p.
func (e *env) addUser(t testing.TB, p pool.Pool, username, email string) pool.User {
	t.Helper()
	res, err := e.Accounts.AdminCreateUser(context.Background(), p, account.AdminCreateUserInput{
		Username: username, TemporaryPassword: "Customer-Passw0rd!", Permanent: true,
		Attributes: map[string]string{pool.AttrEmail: email},
	})
	if err != nil {
		t.Fatal(err)
	}
	return res.User
}

// auditRecords returns the audit records of action, newest first.
func (e *env) auditRecords(t testing.TB, action string) []store.AuditRecord {
	t.Helper()
	page, err := e.Audit.List(context.Background(), store.AuditFilter{Action: action}, store.ListOptions{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	return page.Items
}

// httptestRecorder serves one GET of path with c's handler.
func httptestRecorder(c *console.Console, path string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	c.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec
}
