package attack_test

import (
	"context"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/app"
	"github.com/linkpool/linkpool/internal/apptest"
	"github.com/linkpool/linkpool/internal/hostedui"
	"github.com/linkpool/linkpool/internal/mail"
	"github.com/linkpool/linkpool/internal/mail/smtptest"
	"github.com/linkpool/linkpool/internal/password"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/seal/sealtest"
	"github.com/linkpool/linkpool/internal/smarthome"
	"github.com/linkpool/linkpool/internal/smarthome/skillstore"
	"github.com/linkpool/linkpool/internal/store/sqlite/sqlitetest"
	"github.com/linkpool/linkpool/internal/web"
)

// The Alexa redirect URL registered for the skill's client, and the
// attacker's site.
const (
	alexaRedirect = "https://pitangui.amazon.com/api/skill/link/M2ATTACKVENDOR"
	attackerHost  = "evil.example"
	attackerSite  = "https://" + attackerHost
	userPassword  = "Corr3ct-Horse!"
)

// cheapHash keeps argon2id out of the way where timing does not matter.
var cheapHash = password.Params{Memory: 64, Time: 1, Threads: 1}

// target is linkpool as an operator runs it with the SmartLamp skill:
// app.New over a real SQLite file, on a loopback port, with an
// Alexa-style client, the /lamps page's client, a confirmed user with a
// lamp, a second pool on the same server, and mail delivered to a real
// SMTP server on loopback.
type target struct {
	app         *app.App
	st          skillstore.Database
	srv         *httptest.Server
	smtp        *smtptest.Server // receives the codes the pool mails
	publicURL   string
	issuer      string // the pool's: publicURL/poolID
	pool        pool.Pool
	alexa       pool.Client
	alexaSecret string
	lamps       pool.Client // the /lamps page's client, with a logout URL
	user        pool.User
	lampID      string
	other       pool.Pool // another pool served by the same process
	otherClient pool.Client

	// logs is everything the server logs; the tokens, codes and
	// passwords given to logs.Secret must never appear in it.
	logs apptest.Log
}

type targetOptions struct {
	// hash defaults to cheapHash.
	hash *password.Params
	// mailDelay puts the SMTP server one round trip of mailDelay away.
	mailDelay time.Duration
}

func newTarget(t testing.TB, o targetOptions) *target {
	t.Helper()
	if testing.Short() {
		t.Skip("attack test: -short")
	}
	ctx := context.Background()
	st := sqlitetest.Open(t)
	box := sealtest.Box(t)
	tg := &target{st: st}
	// The listener exists before the app, so the public URL is known.
	tg.srv = httptest.NewUnstartedServer(nil)
	// As `linkpool serve` configures its server.
	tg.srv.Config.ReadHeaderTimeout = 10 * time.Second
	tg.srv.Config.MaxHeaderBytes = 64 << 10
	tg.publicURL = "http://" + tg.srv.Listener.Addr().String()
	hash := cheapHash
	if o.hash != nil {
		hash = *o.hash
	}
	// Generous per-address limits: every request of a test comes from
	// 127.0.0.1. The limits themselves are tested in internal/hostedui.
	limits := hostedui.Limits{
		Login: web.NewLimiter(60000, 10000), LoginUser: web.NewLimiter(60000, 10000),
		SignUp: web.NewLimiter(60000, 10000), ForgotPassword: web.NewLimiter(60000, 10000),
	}
	tg.smtp = smtptest.New(t, smtptest.Options{From: "no-reply@smartlamp.test"})
	smtpURL := tg.smtp.URL
	if o.mailDelay > 0 {
		smtpURL = strings.Replace(smtpURL, tg.smtp.Addr, slowRelay(t, tg.smtp.Addr, o.mailDelay), 1)
	}
	mailer, err := mail.NewSMTP(smtpURL)
	if err != nil {
		t.Fatal(err)
	}
	tg.app, err = app.New(app.Config{
		Log:   tg.logs.Logger(),
		Store: st, Box: box, PublicURL: tg.publicURL, HashConcurrency: 2, PasswordParams: &hash, Mailer: mailer,
		GenerateKey:        apptest.KeyGenerator(),
		TokenRatePerMinute: 600000, TokenBurst: 100000, UILimits: &limits,
	})
	if err != nil {
		t.Fatal(err)
	}

	now := time.Now()
	tg.pool = pool.NewPool("us-east-1", "SmartLamp", now) // RS256, as Cognito
	tg.other = pool.NewPool("eu-west-1", "Other", now)
	tg.other.SigningAlgorithm = pool.AlgES256
	for _, p := range []pool.Pool{tg.pool, tg.other} {
		if err := st.CreatePool(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	if err := tg.app.EnsureKeys(ctx); err != nil {
		t.Fatal(err)
	}
	tg.alexaSecret = pool.NewClientSecret()
	tg.alexa = tg.newClient(t, tg.pool.ID, "alexa", tg.alexaSecret, []string{alexaRedirect}, nil)
	tg.otherClient = tg.newClient(t, tg.other.ID, "alexa", pool.NewClientSecret(), []string{alexaRedirect}, nil)
	lampsSecret := pool.NewClientSecret()
	tg.lamps = tg.newClient(t, tg.pool.ID, "smartlamp-web", lampsSecret,
		[]string{tg.publicURL + "/lamps/callback"}, []string{tg.publicURL + "/lamps"})

	res, err := tg.app.Accounts.AdminCreateUser(ctx, tg.pool, account.AdminCreateUserInput{
		Username: "carol", TemporaryPassword: userPassword, Permanent: true, EmailVerified: true,
		Attributes: map[string]string{"email": "carol@example.com"},
	})
	if err != nil {
		t.Fatal(err)
	}
	tg.user = res.User
	l, err := smarthome.AddLamp(ctx, st, tg.user.Sub, "Desk lamp")
	if err != nil {
		t.Fatal(err)
	}
	tg.lampID = l.ID

	sk, mount, err := tg.app.MountSkill(tg.publicURL, app.SkillOptions{
		PoolID: tg.pool.ID, ClientIDs: []string{tg.alexa.ID},
		Options:          smarthome.Options{LampsClientID: tg.lamps.ID, LampsClientSecret: lampsSecret},
		LampsRedirectURL: tg.publicURL + "/lamps/callback",
	})
	if err != nil {
		t.Fatal(err)
	}
	tg.app.Server.MountGlobal(mount)
	tg.srv.Config.Handler = tg.app.Server.Handler()
	tg.srv.Start()
	t.Cleanup(func() {
		tg.srv.Close()
		cctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = sk.Close(cctx)
		if err := tg.app.Shutdown(cctx); err != nil {
			t.Errorf("app shutdown: %v", err)
		}
		tg.logs.NoSecrets(t)
	})
	tg.logs.Secret(userPassword, tg.alexaSecret, lampsSecret)
	tg.issuer = tg.publicURL + "/" + tg.pool.ID
	return tg
}

// mails returns the messages the pool has mailed, once every mail queued
// so far has been delivered.
func (tg *target) mails(t testing.TB) []smtptest.Received {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := tg.app.Mail.Flush(ctx); err != nil {
		t.Fatalf("mail not delivered: %v", err)
	}
	return tg.smtp.Messages()
}

func (tg *target) newClient(t testing.TB, poolID, name, secret string, callbacks, logouts []string) pool.Client {
	t.Helper()
	c := pool.NewClient(poolID, name, time.Now())
	c.SealedSecret = tg.app.Box.Seal([]byte(secret), c.SecretAAD())
	c.CallbackURLs = callbacks
	c.LogoutURLs = logouts
	c.AllowedOAuthFlows = []string{pool.FlowCode}
	c.AllowedOAuthFlowsUserPoolClient = true
	c.AllowedOAuthScopes = []string{pool.ScopeOpenID, pool.ScopeEmail, pool.ScopeProfile}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := tg.st.CreateClient(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	return c
}

// authQuery is an Alexa-style authorization request of the pool's Alexa
// client; extra pairs replace parameters ("" deletes one).
func (tg *target) authQuery(extra ...string) url.Values {
	q := url.Values{
		"client_id":     {tg.alexa.ID},
		"redirect_uri":  {alexaRedirect},
		"response_type": {"code"},
		"state":         {"alexa-state"},
		"scope":         {"openid email profile"},
	}
	for i := 0; i+1 < len(extra); i += 2 {
		if extra[i+1] == "" {
			q.Del(extra[i])
			continue
		}
		q.Set(extra[i], extra[i+1])
	}
	return q
}

// browser is a cookie-keeping client that follows no redirect, so every
// hop can be checked.
type browser struct {
	t  testing.TB
	tg *target
	c  *http.Client
}

func (tg *target) browser(t testing.TB) *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, tg: tg, c: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       30 * time.Second,
	}}
}

// reply is one response, read in full.
type reply struct {
	Status   int
	Header   http.Header
	Body     string
	Location string
}

func (b *browser) do(req *http.Request) *reply {
	b.t.Helper()
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatalf("%s %.120s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return &reply{Status: resp.StatusCode, Header: resp.Header, Body: string(body), Location: resp.Header.Get("Location")}
}

// abs resolves a path of the pool ("/login") or of the server
// ("/lamps") to a URL.
func (b *browser) abs(target string) string {
	switch {
	case strings.HasPrefix(target, "http://"), strings.HasPrefix(target, "https://"):
		return target
	case strings.HasPrefix(target, "/"+b.tg.pool.ID+"/"), strings.HasPrefix(target, "/lamps"), strings.HasPrefix(target, "/alexa"):
		return b.tg.publicURL + target
	}
	return b.tg.issuer + target
}

func (b *browser) get(target string) *reply {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodGet, b.abs(target), nil)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.do(req)
}

// post sends form to target with header pairs.
func (b *browser) post(target string, form url.Values, headers ...string) *reply {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodPost, b.abs(target), strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return b.do(req)
}

// sameOrigin are the headers a browser sends with a form posted from the
// server's own page.
func (tg *target) sameOrigin() []string {
	return []string{"Origin", tg.publicURL, "Sec-Fetch-Site", "same-origin"}
}

var (
	csrfPattern   = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)
	actionPattern = regexp.MustCompile(`<form method="post" action="([^"]+)"`)
	errorPattern  = regexp.MustCompile(`id="errorMessage">([^<]*)<`)
)

func (r *reply) csrf(t testing.TB) string {
	t.Helper()
	m := csrfPattern.FindStringSubmatch(r.Body)
	if m == nil {
		t.Fatalf("no CSRF token in page (status %d):\n%.2000s", r.Status, r.Body)
	}
	return html.UnescapeString(m[1])
}

func (r *reply) action(t testing.TB) string {
	t.Helper()
	m := actionPattern.FindStringSubmatch(r.Body)
	if m == nil {
		t.Fatalf("no form in page (status %d):\n%.2000s", r.Status, r.Body)
	}
	return html.UnescapeString(m[1])
}

// signIn signs carol in through the hosted login page of an Alexa
// authorization request and returns the code; afterwards the browser
// holds a hosted-UI session.
func (b *browser) signIn(q url.Values) string {
	b.t.Helper()
	r := b.get("/oauth2/authorize?" + q.Encode())
	if r.Status != http.StatusFound || !strings.Contains(r.Location, "/login?") {
		b.t.Fatalf("authorize: %d %s\n%.1000s", r.Status, r.Location, r.Body)
	}
	login := b.get(r.Location)
	if login.Status != http.StatusOK {
		b.t.Fatalf("login page: %d", login.Status)
	}
	form := url.Values{"_csrf": {login.csrf(b.t)}, "username": {"carol"}, "password": {userPassword}}
	r = b.post(login.action(b.t), form, b.tg.sameOrigin()...)
	return codeIn(b.t, r)
}

// authorize asks for a code within the browser's session.
func (b *browser) authorize(q url.Values) string {
	b.t.Helper()
	return codeIn(b.t, b.get("/oauth2/authorize?"+q.Encode()))
}

// codeIn checks that r redirects to the Alexa redirect URL with a code
// and returns it.
func codeIn(t testing.TB, r *reply) string {
	t.Helper()
	u, err := url.Parse(r.Location)
	if r.Status != http.StatusFound || err != nil || u.Scheme+"://"+u.Host+u.Path != alexaRedirect || u.Query().Get("code") == "" {
		t.Fatalf("want a redirect to Alexa with a code, got %d %q\n%.1000s", r.Status, r.Location, r.Body)
	}
	return u.Query().Get("code")
}

// tokenReply is the token endpoint's answer.
type tokenReply struct {
	Status       int
	Error        string `json:"error"`
	AccessToken  string `json:"access_token"`
	IDToken      string `json:"id_token"`
	RefreshToken string `json:"refresh_token"`
}

// exchange redeems a code as Alexa does (HTTP Basic); verifier is the
// PKCE code_verifier, "" for none.
func (tg *target) exchange(t testing.TB, code, verifier string) tokenReply {
	t.Helper()
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {alexaRedirect}}
	if verifier != "" {
		form.Set("code_verifier", verifier)
	}
	req, err := http.NewRequest(http.MethodPost, tg.issuer+"/oauth2/token", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(tg.alexa.ID, tg.alexaSecret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	tr := tokenReply{Status: resp.StatusCode}
	if err := json.NewDecoder(resp.Body).Decode(&tr); err != nil {
		t.Fatalf("token endpoint: %d, body not JSON: %v", resp.StatusCode, err)
	}
	tg.logs.Secret(code, verifier, tr.AccessToken, tr.IDToken, tr.RefreshToken)
	return tr
}

// link runs Alexa's account linking for carol and returns the tokens.
func (tg *target) link(t testing.TB) tokenReply {
	t.Helper()
	tr := tg.exchange(t, tg.browser(t).signIn(tg.authQuery()), "")
	if tr.Status != http.StatusOK || tr.AccessToken == "" || tr.IDToken == "" {
		t.Fatalf("link: %+v", tr)
	}
	return tr
}

// lampOn reads the lamp's power state from the store.
func (tg *target) lampOn(t testing.TB) bool {
	t.Helper()
	lamps, err := smarthome.ListLamps(context.Background(), tg.st, tg.user.Sub)
	if err != nil || len(lamps) != 1 {
		t.Fatalf("lamps: %v %v", lamps, err)
	}
	return lamps[0].On
}
