package hostedui_test

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/apptest"
	"github.com/linkpool/linkpool/internal/hostedui"
	"github.com/linkpool/linkpool/internal/oauth"
	"github.com/linkpool/linkpool/internal/passkey"
	"github.com/linkpool/linkpool/internal/password"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/seal"
	"github.com/linkpool/linkpool/internal/seal/sealtest"
	"github.com/linkpool/linkpool/internal/store/sqlite"
	"github.com/linkpool/linkpool/internal/store/sqlite/sqlitetest"
	"github.com/linkpool/linkpool/internal/testclock"
	"github.com/linkpool/linkpool/internal/trigger"
	"github.com/linkpool/linkpool/internal/web"
)

// The three Alexa redirect URLs of a skill (Alexa account linking).
var alexaRedirects = []string{
	"https://pitangui.amazon.com/api/skill/link/M2AAAAAAAAAAAA",
	"https://layla.amazon.com/api/skill/link/M2AAAAAAAAAAAA",
	"https://alexa.amazon.co.jp/api/skill/link/M2AAAAAAAAAAAA",
}

const (
	logoutURL = "https://smartlamp.example/signed-out"
	goodPW    = "Corr3ct-Horse"
)

// env is the hosted pages of one pool on a real SQLite store, served with
// the OAuth endpoints on a loopback HTTP server under a path prefix, the
// way internal/server serves them.
type env struct {
	t        testing.TB
	st       *sqlite.DB
	clock    *testclock.Clock
	pool     pool.Pool
	client   pool.Client
	secret   string
	accounts *account.Service
	hasher   *password.Hasher
	oauth    *oauth.Service
	passkeys *passkey.Service
	box      *seal.Box
	srv      *httptest.Server
	origin   string // srv.URL, or its localhost form (options.localhost)
	base     string // origin + "/" + pool id
	mailbox  *apptest.Mailbox
	logs     *apptest.Log
	https    bool // claim an https base URL (for cookie flags)

	mu     sync.Mutex
	served pool.Pool // the pool as the server resolves it
}

func (e *env) currentPool() pool.Pool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.served
}

// updatePool changes the pool's settings in the store and in what the
// server resolves, as the server's pool cache would after its TTL.
func (e *env) updatePool(t testing.TB, fn func(p *pool.Pool)) {
	t.Helper()
	e.mu.Lock()
	defer e.mu.Unlock()
	p := e.served
	fn(&p)
	p.UpdatedAt = p.UpdatedAt.Add(time.Second)
	if err := p.Validate(); err != nil {
		t.Fatalf("pool: %v", err)
	}
	if err := e.st.UpdatePool(context.Background(), p.ID, func(pool.Pool) (pool.Pool, error) { return p, nil }); err != nil {
		t.Fatal(err)
	}
	e.served, e.pool = p, p
}

type options struct {
	editPool func(*pool.Pool)
	limits   hostedui.Limits
	https    bool
	// localhost serves the pages at http://localhost:<port>, an origin
	// that can have passkeys (an IP address cannot be an RP id).
	localhost bool
	// triggerTimeout is the trigger invoker's limit (0: Cognito's 5 s).
	triggerTimeout time.Duration
}

func newEnv(t testing.TB, opts options) *env {
	t.Helper()
	ctx := context.Background()
	st := sqlitetest.Open(t)
	box := sealtest.Box(t)
	e := &env{t: t, st: st, clock: testclock.New(time.Now().UTC().Truncate(time.Second)), mailbox: &apptest.Mailbox{}, logs: &apptest.Log{}, https: opts.https}
	now := e.clock.Now()
	e.pool = pool.NewPool("us-east-1", "SmartLamp", now)
	// ES256 keys are generated in microseconds; the pages do not depend
	// on the signing algorithm.
	e.pool.SigningAlgorithm = pool.AlgES256
	if opts.editPool != nil {
		opts.editPool(&e.pool)
	}
	if err := e.pool.Validate(); err != nil {
		t.Fatalf("pool: %v", err)
	}
	if err := st.CreatePool(ctx, e.pool); err != nil {
		t.Fatal(err)
	}
	e.served = e.pool
	keys := apptest.NewKeys(st, box, e.clock.Now)
	if err := keys.Ensure(ctx, e.pool.ID, e.pool.SigningAlgorithm); err != nil {
		t.Fatal(err)
	}
	c := pool.NewClient(e.pool.ID, "alexa", now)
	c.CallbackURLs = append([]string(nil), alexaRedirects...)
	c.LogoutURLs = []string{logoutURL}
	c.AllowedOAuthFlows = []string{pool.FlowCode}
	c.AllowedOAuthFlowsUserPoolClient = true
	c.AllowedOAuthScopes = []string{pool.ScopeOpenID, pool.ScopeEmail, pool.ScopeProfile}
	e.secret = pool.NewClientSecret()
	c.SealedSecret = box.Seal([]byte(e.secret), c.SecretAAD())
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := st.CreateClient(ctx, c); err != nil {
		t.Fatal(err)
	}
	e.client = c

	log := e.logs.Logger()
	e.hasher = password.NewHasher(apptest.CheapHashing, 0)
	e.box = box
	triggers, err := trigger.New(trigger.Config{Box: box, Logger: log, Timeout: opts.triggerTimeout})
	if err != nil {
		t.Fatal(err)
	}
	e.accounts = account.New(account.Config{
		Store: st, Hasher: e.hasher, CodeKey: box.DeriveKey(account.CodeKeyPurpose), Box: box,
		Mailer: e.mailbox, Log: log, Now: e.clock.Now, Triggers: triggers,
	})
	e.oauth = oauth.New(oauth.Config{Store: st, Keys: keys, Box: box, Log: log, Now: e.clock.Now, Cache: apptest.ConfigCache(t, st)})
	e.passkeys = passkey.New(passkey.Config{Store: st, Box: box, Log: log, Now: e.clock.Now})
	ui, err := hostedui.New(hostedui.Config{
		Store: st, Box: box, Accounts: e.accounts, OAuth: e.oauth, Passkeys: e.passkeys, Log: log, Now: e.clock.Now, Limits: opts.limits,
	})
	if err != nil {
		t.Fatalf("hostedui.New: %v", err)
	}
	mux := http.NewServeMux()
	ui.Mount(mux)
	e.oauth.Mount(mux)
	prefix := "/" + e.pool.ID
	e.srv = httptest.NewServer(web.Edge(log, web.Proxies{}, nil, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rest, ok := strings.CutPrefix(r.URL.Path, prefix)
		if !ok {
			http.NotFound(w, r)
			return
		}
		p := e.currentPool()
		r2 := r.Clone(r.Context())
		r2.URL.Path = rest
		r2.URL.RawPath = ""
		scheme := "http"
		if e.https {
			scheme = "https"
		}
		base := scheme + "://" + r.Host + prefix
		ctx := web.WithTarget(r.Context(), web.Target{Pool: p, Base: base, BasePath: prefix, Issuer: base})
		mux.ServeHTTP(w, r2.WithContext(ctx))
	})))
	t.Cleanup(e.srv.Close)
	e.origin = e.srv.URL
	if opts.localhost {
		e.origin = strings.Replace(e.srv.URL, "://127.0.0.1:", "://localhost:", 1)
	}
	e.base = e.origin + prefix
	return e
}

// authQuery is an Alexa-style authorization request.
func (e *env) authQuery(redirect string, extra ...string) url.Values {
	q := url.Values{
		"client_id":     {e.client.ID},
		"redirect_uri":  {redirect},
		"response_type": {"code"},
		"state":         {"alexa-state-42"},
		"scope":         {"openid email profile"},
	}
	for i := 0; i+1 < len(extra); i += 2 {
		q.Set(extra[i], extra[i+1])
	}
	return q
}

// browser is an HTTP client with cookies that does not follow redirects,
// so every hop can be checked.
type browser struct {
	t      testing.TB
	e      *env
	c      *http.Client
	header http.Header
}

func (e *env) browser() *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return &browser{t: e.t, e: e, header: http.Header{}, c: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       30 * time.Second,
	}}
}

// page is one response.
type page struct {
	Status   int
	Header   http.Header
	Body     string
	Location string
	Cookies  []*http.Cookie
}

func (b *browser) do(req *http.Request) *page {
	b.t.Helper()
	for k, v := range b.header {
		req.Header[k] = v
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return &page{Status: resp.StatusCode, Header: resp.Header, Body: string(body), Location: resp.Header.Get("Location"), Cookies: resp.Cookies()}
}

// get fetches a URL: absolute, or a path under the pool base, or an
// absolute path on the server.
func (b *browser) get(target string) *page {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodGet, b.url(target), nil)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.do(req)
}

func (b *browser) url(target string) string {
	switch {
	case strings.HasPrefix(target, "http://"), strings.HasPrefix(target, "https://"):
		return target
	case strings.HasPrefix(target, "/"+b.e.pool.ID):
		return b.e.origin + target
	}
	return b.e.base + target
}

// post sends a form to target with extra headers.
func (b *browser) post(target string, form url.Values, headers ...string) *page {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodPost, b.url(target), strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return b.do(req)
}

// submit fills the page's form and posts it with the page's CSRF token
// and prefilled inputs,
// as a browser would: same-origin, Sec-Fetch-Site same-origin.
func (b *browser) submit(p *page, fields map[string]string) *page {
	b.t.Helper()
	form := url.Values{"_csrf": {p.csrf(b.t)}}
	for k, v := range fields {
		form.Set(k, v)
	}
	for _, in := range p.inputs() {
		if _, ok := fields[in[0]]; !ok && in[0] != "_csrf" {
			form.Set(in[0], in[1])
		}
	}
	return b.post(p.action(b.t), form, "Origin", b.e.origin, "Sec-Fetch-Site", "same-origin")
}

var (
	csrfPattern   = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)
	actionPattern = regexp.MustCompile(`<form method="post" action="([^"]+)"`)
	inputPattern  = regexp.MustCompile(`<input [^>]*name="([^"]+)"[^>]*value="([^"]*)"`)
	errorPattern  = regexp.MustCompile(`id="errorMessage">([^<]*)<`)
	noticePattern = regexp.MustCompile(`id="noticeMessage">([^<]*)<`)
)

func (p *page) csrf(t testing.TB) string {
	t.Helper()
	m := csrfPattern.FindStringSubmatch(p.Body)
	if m == nil {
		t.Fatalf("no CSRF token in page (status %d):\n%s", p.Status, p.Body)
	}
	return m[1]
}

func (p *page) action(t testing.TB) string {
	t.Helper()
	m := actionPattern.FindStringSubmatch(p.Body)
	if m == nil {
		t.Fatalf("no form in page (status %d):\n%s", p.Status, p.Body)
	}
	return html.UnescapeString(m[1])
}

// inputs returns the names and values of the form's prefilled inputs,
// which a browser submits along with what the user types.
func (p *page) inputs() [][2]string {
	var out [][2]string
	for _, m := range inputPattern.FindAllStringSubmatch(p.Body, -1) {
		out = append(out, [2]string{m[1], html.UnescapeString(m[2])})
	}
	return out
}

func (p *page) errorText() string {
	if m := errorPattern.FindStringSubmatch(p.Body); m != nil {
		return html.UnescapeString(m[1])
	}
	return ""
}

func (p *page) noticeText() string {
	if m := noticePattern.FindStringSubmatch(p.Body); m != nil {
		return html.UnescapeString(m[1])
	}
	return ""
}

func (p *page) cookie(name string) *http.Cookie {
	for _, c := range p.Cookies {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// linkByID returns the href of the element with id.
func (p *page) linkByID(t testing.TB, id string) string {
	t.Helper()
	m := regexp.MustCompile(`id="` + regexp.QuoteMeta(id) + `" href="([^"]+)"`).FindStringSubmatch(p.Body)
	if m == nil {
		t.Fatalf("no link #%s in page:\n%s", id, p.Body)
	}
	return html.UnescapeString(m[1])
}

// createUser makes a confirmed user with a verified email address.
func (e *env) createUser(t testing.TB, username, email, pw string) pool.User {
	t.Helper()
	res, err := e.accounts.AdminCreateUser(context.Background(), e.pool, account.AdminCreateUserInput{
		Username: username, TemporaryPassword: pw, Permanent: true, EmailVerified: true,
		Attributes: map[string]string{"email": email},
	})
	if err != nil {
		t.Fatalf("AdminCreateUser: %v", err)
	}
	return res.User
}

func (e *env) user(t testing.TB, sub string) pool.User {
	t.Helper()
	u, err := e.st.GetUser(context.Background(), e.pool.ID, sub)
	if err != nil {
		t.Fatalf("GetUser: %v", err)
	}
	return u
}

// login opens /oauth2/authorize for redirect, follows to /login and signs
// in; it returns the final response.
func (b *browser) login(redirect, username, pw string) *page {
	b.t.Helper()
	p := b.get("/oauth2/authorize?" + b.e.authQuery(redirect).Encode())
	if p.Status != http.StatusFound || !strings.Contains(p.Location, "/login?") {
		b.t.Fatalf("authorize: %d %s", p.Status, p.Location)
	}
	p = b.get(p.Location)
	if p.Status != http.StatusOK {
		b.t.Fatalf("login page: %d\n%s", p.Status, p.Body)
	}
	return b.submit(p, map[string]string{"username": username, "password": pw})
}

// codeFrom checks that p redirects to redirect with a code and the state.
func codeFrom(t testing.TB, p *page, redirect string) string {
	t.Helper()
	if p.Status != http.StatusFound {
		t.Fatalf("status %d, want a redirect to the client; body:\n%s", p.Status, p.Body)
	}
	u, err := url.Parse(p.Location)
	if err != nil {
		t.Fatal(err)
	}
	if got := u.Scheme + "://" + u.Host + u.Path; got != redirect {
		t.Fatalf("redirected to %s, want %s", p.Location, redirect)
	}
	if u.Query().Get("state") != "alexa-state-42" {
		t.Errorf("state = %q", u.Query().Get("state"))
	}
	code := u.Query().Get("code")
	if code == "" {
		t.Fatalf("no code in %s", p.Location)
	}
	return code
}

type poolT = pool.Pool

func accountInput(username, pw string) account.AdminCreateUserInput {
	return account.AdminCreateUserInput{Username: username, TemporaryPassword: pw}
}

// fieldError returns the message shown next to the form field name.
func (p *page) fieldError(name string) string {
	m := regexp.MustCompile(`id="` + regexp.QuoteMeta(name) + `Error">([^<]*)<`).FindStringSubmatch(p.Body)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}
