package oauth_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/apptest"
	"github.com/linkpool/linkpool/internal/oauth"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/seal"
	"github.com/linkpool/linkpool/internal/seal/sealtest"
	"github.com/linkpool/linkpool/internal/store"
	"github.com/linkpool/linkpool/internal/store/postgres"
	"github.com/linkpool/linkpool/internal/store/postgres/pgtest"
	"github.com/linkpool/linkpool/internal/store/sqlite/sqlitetest"
	"github.com/linkpool/linkpool/internal/testclock"
	"github.com/linkpool/linkpool/internal/token"
	"github.com/linkpool/linkpool/internal/web"
)

// harness is one pool with an Alexa-style secret client and a confirmed
// user, served by a real oauth.Service over a real SQLite store on a
// loopback HTTP server.
type harness struct {
	t      testing.TB
	st     store.Store
	box    *seal.Box
	keys   *token.Keys
	svc    *oauth.Service
	srv    *httptest.Server
	clock  *testclock.Clock
	pool   pool.Pool
	client pool.Client
	secret string
	user   pool.User
	issuer string
	log    *apptest.Log
}

const alexaRedirect = "https://pitangui.amazon.com/api/skill/link/M2AAAAAAAAAAAA"

func newHarness(t testing.TB, mutate ...func(*pool.Client)) *harness {
	t.Helper()
	return newHarnessOn(t, sqlitetest.Open(t), mutate...)
}

// newHarnessOn is newHarness over the given store.
func newHarnessOn(t testing.TB, st store.Store, mutate ...func(*pool.Client)) *harness {
	t.Helper()
	ctx := context.Background()
	box := sealtest.Box(t)
	h := &harness{t: t, st: st, box: box, clock: testclock.New(time.Now().UTC().Truncate(time.Second)), log: &apptest.Log{}}
	h.keys = apptest.NewKeys(st, box, h.clock.Now)
	h.svc = oauth.New(oauth.Config{Store: st, Keys: h.keys, Box: box, Now: h.clock.Now, Cache: apptest.ConfigCache(t, st), Log: h.log.Logger()})

	now := h.clock.Now()
	h.pool = pool.NewPool("us-east-1", "SmartLamp", now)
	if err := st.CreatePool(ctx, h.pool); err != nil {
		t.Fatal(err)
	}
	if err := h.keys.Ensure(ctx, h.pool.ID, h.pool.SigningAlgorithm); err != nil {
		t.Fatal(err)
	}
	h.client = h.newClient(t, func(c *pool.Client) {
		for _, m := range mutate {
			m(c)
		}
	})
	h.user = h.newUser(t, "alice", "alice@example.com")

	mux := http.NewServeMux()
	h.svc.Mount(mux)
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := web.WithTarget(r.Context(), h.target())
		mux.ServeHTTP(w, r.WithContext(ctx))
	}))
	t.Cleanup(h.srv.Close)
	h.issuer = h.srv.URL + "/" + h.pool.ID
	return h
}

func (h *harness) target() web.Target {
	return web.Target{Pool: h.pool, Base: h.srv.URL, Issuer: h.srv.URL + "/" + h.pool.ID}
}

// newClient creates an Alexa-style client: secret, code grant, openid,
// email and profile, the Alexa redirect URL.
func (h *harness) newClient(t testing.TB, mutate func(*pool.Client)) pool.Client {
	t.Helper()
	c := pool.NewClient(h.pool.ID, "alexa", h.clock.Now())
	c.CallbackURLs = []string{alexaRedirect, "http://localhost:3000/cb"}
	c.LogoutURLs = []string{"http://localhost:3000/bye"}
	c.AllowedOAuthFlows = []string{pool.FlowCode}
	c.AllowedOAuthFlowsUserPoolClient = true
	c.AllowedOAuthScopes = []string{pool.ScopeOpenID, pool.ScopeEmail, pool.ScopeProfile}
	secret := pool.NewClientSecret()
	c.SealedSecret = h.box.Seal([]byte(secret), c.SecretAAD())
	if mutate != nil {
		mutate(&c)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := h.st.CreateClient(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	if h.secret == "" {
		h.secret = secret
	}
	return c
}

func (h *harness) newUser(t testing.TB, username, email string) pool.User {
	t.Helper()
	now := h.clock.Now()
	u := pool.User{
		PoolID: h.pool.ID, Sub: pool.NewSub(), Username: username, UsernameKey: h.pool.UsernameKey(username),
		Attributes: map[string]string{"email": email, "email_verified": "true", "name": "Alice", "custom:tier": "gold"},
		Status:     pool.StatusConfirmed, Enabled: true, CreatedAt: now, UpdatedAt: now,
	}
	if err := h.st.CreateUser(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	return u
}

// authorize runs ParseAuthorize and Complete for h.user, as the hosted
// pages do after a sign-in, and returns the code.
func (h *harness) authorize(t testing.TB, q url.Values) string {
	t.Helper()
	loc := h.complete(t, q, h.user)
	u, err := url.Parse(loc)
	if err != nil {
		t.Fatal(err)
	}
	code := u.Query().Get("code")
	if code == "" {
		t.Fatalf("no code in %s", loc)
	}
	return code
}

func (h *harness) complete(t testing.TB, q url.Values, u pool.User) string {
	t.Helper()
	ctx := web.WithTarget(context.Background(), h.target())
	req, err := h.svc.ParseAuthorize(ctx, h.pool, q)
	if err != nil {
		t.Fatalf("ParseAuthorize: %v", err)
	}
	loc, err := h.svc.Complete(ctx, req, u, h.clock.Now(), pool.ProviderCognito)
	if err != nil {
		t.Fatalf("Complete: %v", err)
	}
	return loc
}

func (h *harness) authQuery(extra ...string) url.Values {
	q := url.Values{
		"client_id":     {h.client.ID},
		"redirect_uri":  {alexaRedirect},
		"response_type": {"code"},
		"state":         {"st-123"},
		"scope":         {"openid email profile"},
	}
	for i := 0; i+1 < len(extra); i += 2 {
		q.Set(extra[i], extra[i+1])
	}
	return q
}

type tokenReply struct {
	Status       int
	Header       http.Header
	Error        string `json:"error"`
	AccessToken  string `json:"access_token"`
	IDToken      string `json:"id_token"`
	RefreshToken string `json:"refresh_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
}

// post sends a form to path; basic selects HTTP Basic client auth.
func (h *harness) post(t *testing.T, path string, form url.Values, basicID, basicSecret string) tokenReply {
	t.Helper()
	r, err := h.tryPost(path, form, basicID, basicSecret)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// tryPost is post for goroutines other than the test's: it returns the
// error instead of failing the test.
func (h *harness) tryPost(path string, form url.Values, basicID, basicSecret string) (tokenReply, error) {
	req, err := http.NewRequest(http.MethodPost, h.srv.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		return tokenReply{}, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if basicID != "" {
		req.SetBasicAuth(basicID, basicSecret)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return tokenReply{}, err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	r := tokenReply{Status: resp.StatusCode, Header: resp.Header}
	if len(body) > 0 {
		if err := json.Unmarshal(body, &r); err != nil {
			return r, fmt.Errorf("%s: non-JSON body %q", path, body)
		}
	}
	return r, nil
}

func (h *harness) exchange(t *testing.T, code string, extra ...string) tokenReply {
	t.Helper()
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {alexaRedirect}}
	for i := 0; i+1 < len(extra); i += 2 {
		form.Set(extra[i], extra[i+1])
	}
	return h.post(t, "/oauth2/token", form, h.client.ID, h.secret)
}

func (h *harness) refresh(t *testing.T, rt string) tokenReply {
	t.Helper()
	return h.post(t, "/oauth2/token", formRefresh(rt), h.client.ID, h.secret)
}

func formRefresh(rt string) url.Values {
	return url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}
}

// claims verifies a token of this pool and decodes its claims.
func (h *harness) claims(t *testing.T, use, tok string) map[string]any {
	t.Helper()
	raw, err := h.keys.Verify(context.Background(), h.pool.ID, use, tok)
	if err != nil {
		t.Fatalf("verify %s token: %v", use, err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// grants returns the user's grant families, to assert what changed.
func (h *harness) grants(t *testing.T) []store.RefreshToken {
	t.Helper()
	rts, err := h.st.ListRefreshTokens(context.Background(), h.pool.ID, h.user.Sub)
	if err != nil {
		t.Fatal(err)
	}
	return rts
}

func (h *harness) userInfo(t *testing.T, access string) (int, http.Header, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, h.srv.URL+"/oauth2/userInfo", nil)
	req.Header.Set("Authorization", "Bearer "+access)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, resp.Header, m
}

func jsonDecode(resp *http.Response, v any) error { return json.NewDecoder(resp.Body).Decode(v) }

func asOAuthError(err error) *oauth.Error {
	var e *oauth.Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// backend opens a fresh store of one kind for a test.
type backend struct {
	name string
	open func(t testing.TB) store.Store
}

// backends are the stores the race tests run on: a SQLite file and a
// throwaway PostgreSQL database (skipped locally without a server, failed
// under CI=true).
var backends = []backend{
	{"sqlite", func(t testing.TB) store.Store { return sqlitetest.Open(t) }},
	{"postgres", func(t testing.TB) store.Store {
		t.Helper()
		st, err := postgres.Open(context.Background(), pgtest.URL(t))
		if err != nil {
			t.Fatalf("postgres.Open: %v", err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	}},
}
