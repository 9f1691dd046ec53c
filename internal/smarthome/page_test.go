package smarthome_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"golang.org/x/oauth2"

	"github.com/linkpool/linkpool/internal/smarthome"
	"github.com/linkpool/linkpool/internal/smarthome/skillstore"
	"github.com/linkpool/linkpool/internal/smarthome/smarthometest"
)

const (
	pageClientID     = "lampspageclient00000000001"
	pageClientSecret = "page-client-secret-abcdef"
)

// oidcProvider is a minimal OpenID Connect provider on loopback: discovery,
// JWKS, an authorization endpoint that signs the user in at once and
// redirects back, and a token endpoint that checks PKCE.
type oidcProvider struct {
	*httptest.Server
	key    *rsa.PrivateKey
	signer jose.Signer
	sub    string

	mu       sync.Mutex
	codes    map[string]authReq
	badNonce bool
	// tokenError, when set, is the token endpoint's answer to every
	// request: an OAuth error code, or "500" for a server failure.
	tokenError string
	// refreshes counts refresh_token grants; revoked refresh tokens get
	// invalid_grant.
	refreshes int
	revoked   map[string]bool
	// noRefresh: the token endpoint issues no refresh token; userInfo
	// refuses access tokens listed in revoked.
	noRefresh  bool
	userInfos  int
	sawS256    bool
	sawNonce   bool
	pkceChecks int
}

type authReq struct {
	challenge, nonce, redirect string
}

func newOIDCProvider(t testing.TB, sub string) *oidcProvider {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	p := &oidcProvider{key: key, sub: sub, codes: map[string]authReq{}, revoked: map[string]bool{}}
	p.signer, err = jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", "id-key-1"))
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /pool/.well-known/openid-configuration", p.discovery)
	mux.HandleFunc("GET /pool/.well-known/jwks.json", func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: "id-key-1", Algorithm: "RS256", Use: "sig"}}})
	})
	mux.HandleFunc("GET /oauth2/authorize", p.authorize)
	mux.HandleFunc("POST /oauth2/token", p.token)
	mux.HandleFunc("GET /oauth2/userInfo", p.userInfo)
	p.Server = httptest.NewServer(mux)
	t.Cleanup(p.Close)
	return p
}

func (p *oidcProvider) issuer() string { return p.URL + "/pool" }

func (p *oidcProvider) discovery(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"issuer":                                p.issuer(),
		"authorization_endpoint":                p.URL + "/oauth2/authorize",
		"token_endpoint":                        p.URL + "/oauth2/token",
		"jwks_uri":                              p.issuer() + "/.well-known/jwks.json",
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"userinfo_endpoint":                     p.URL + "/oauth2/userInfo",
	})
}

func (p *oidcProvider) userInfo(w http.ResponseWriter, r *http.Request) {
	tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	p.mu.Lock()
	p.userInfos++
	revoked := p.revoked[tok]
	p.mu.Unlock()
	if revoked || tok == "" {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		http.Error(w, "invalid token", http.StatusUnauthorized)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"sub": p.sub})
}

func (p *oidcProvider) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("client_id") != pageClientID || q.Get("response_type") != "code" || q.Get("state") == "" {
		http.Error(w, "bad request", 400)
		return
	}
	p.mu.Lock()
	p.sawS256 = q.Get("code_challenge_method") == "S256" && q.Get("code_challenge") != ""
	p.sawNonce = q.Get("nonce") != ""
	code := fmt.Sprintf("code-%d", len(p.codes)+1)
	p.codes[code] = authReq{challenge: q.Get("code_challenge"), nonce: q.Get("nonce"), redirect: q.Get("redirect_uri")}
	p.mu.Unlock()
	http.Redirect(w, r, q.Get("redirect_uri")+"?code="+code+"&state="+url.QueryEscape(q.Get("state")), http.StatusFound)
}

func (p *oidcProvider) token(w http.ResponseWriter, r *http.Request) {
	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = r.PostFormValue("client_id"), r.PostFormValue("client_secret")
	}
	fail := func(code string) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(400)
		_, _ = io.WriteString(w, `{"error":"`+code+`"}`)
	}
	if id != pageClientID || secret != pageClientSecret {
		fail("invalid_client")
		return
	}
	p.mu.Lock()
	tokenError := p.tokenError
	p.mu.Unlock()
	switch tokenError {
	case "":
	case "500":
		http.Error(w, "upstream trouble", http.StatusInternalServerError)
		return
	default:
		fail(tokenError)
		return
	}
	if r.PostFormValue("grant_type") == "refresh_token" {
		p.mu.Lock()
		p.refreshes++
		revoked := p.revoked[r.PostFormValue("refresh_token")]
		p.mu.Unlock()
		if revoked || !strings.HasPrefix(r.PostFormValue("refresh_token"), "refresh-") {
			fail("invalid_grant")
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"access_token": "opaque-access-refreshed", "token_type": "Bearer", "expires_in": 3600})
		return
	}
	p.mu.Lock()
	req, found := p.codes[r.PostFormValue("code")]
	delete(p.codes, r.PostFormValue("code"))
	sum := sha256.Sum256([]byte(r.PostFormValue("code_verifier")))
	pkceOK := base64.RawURLEncoding.EncodeToString(sum[:]) == req.challenge
	if pkceOK {
		p.pkceChecks++
	}
	nonce := req.nonce
	if p.badNonce {
		nonce = "another-nonce"
	}
	p.mu.Unlock()
	if !found || r.PostFormValue("redirect_uri") != req.redirect {
		fail("invalid_grant")
		return
	}
	if !pkceOK {
		fail("invalid_grant")
		return
	}
	now := time.Now()
	idt, err := jwt.Signed(p.signer).Claims(map[string]any{
		"iss": p.issuer(), "sub": p.sub, "aud": pageClientID, "exp": now.Add(time.Hour).Unix(),
		"iat": now.Unix(), "nonce": nonce, "email": "jane@example.com", "token_use": "id",
	}).Serialize()
	if err != nil {
		fail("server_error")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	reply := map[string]any{"access_token": "opaque-access", "token_type": "Bearer", "expires_in": 3600,
		"id_token": idt, "refresh_token": "refresh-" + r.PostFormValue("code")}
	p.mu.Lock()
	if p.noRefresh {
		delete(reply, "refresh_token")
	}
	p.mu.Unlock()
	_ = json.NewEncoder(w).Encode(reply)
}

// pageEnv is the /lamps page on loopback with a skill, a provider, an LWA
// server and an event gateway.
type pageEnv struct {
	*env
	prov *oidcProvider
	gw   *gateway
	srv  *httptest.Server
}

func newPageEnv(t *testing.T, sub string) *pageEnv {
	t.Helper()
	return newPageEnvWith(t, sub, nil)
}

// newPageEnvWith is newPageEnv with changes to the page's configuration.
func newPageEnvWith(t *testing.T, sub string, mod func(*smarthome.LampsConfig)) *pageEnv {
	t.Helper()
	lwa := newLWAServer(t)
	gw := newGateway(t, lwa, false)
	e := newEnv(t, func(c *smarthome.SkillConfig) {
		c.LWA = smarthome.LWAConfig{ClientID: lwaClientID, ClientSecret: lwaClientSecret, TokenURL: lwa.URL}
		c.EventGatewayURL = gw.URL
	})
	prov := newOIDCProvider(t, sub)
	srv := httptest.NewUnstartedServer(nil)
	cfg := smarthome.LampsConfig{
		Skill: e.skill, Issuer: prov.issuer(), ClientID: pageClientID, ClientSecret: pageClientSecret,
		RedirectURL: "http://" + srv.Listener.Addr().String() + "/lamps/callback",
		Scopes:      []string{"openid", "email"}, Logger: e.skillLogger(),
	}
	if mod != nil {
		mod(&cfg)
	}
	h, err := smarthome.NewLampsPage(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = h
	srv.Start()
	t.Cleanup(srv.Close)
	// The user has linked the skill: an Alexa grant with LWA tokens.
	raw, _ := json.Marshal(&oauth2.Token{AccessToken: "Atza|access-0", RefreshToken: "Atzr|refresh-0", Expiry: time.Now().Add(time.Hour)})
	lwa.mu.Lock()
	lwa.access["Atza|access-0"] = true
	lwa.mu.Unlock()
	if err := e.st.PutAlexaGrant(context.Background(), skillstore.AlexaGrant{Owner: sub, SealedTokens: raw,
		TokenExpiresAt: time.Now().Add(time.Hour), CreatedAt: time.Now(), UpdatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	return &pageEnv{env: e, prov: prov, gw: gw, srv: srv}
}

func browser(t *testing.T) *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, Timeout: 10 * time.Second}
}

func get(t *testing.T, c *http.Client, u string) (*http.Response, string) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func post(t *testing.T, c *http.Client, u string, form url.Values, hdr map[string]string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", u, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func TestLampsPage(t *testing.T) {
	const sub = "page-user"
	pe := newPageEnv(t, sub)
	l := pe.addLamp(t, sub, "lamp-desk")
	other := pe.addLamp(t, "someone-else", "lamp-other")
	c := browser(t)

	// Sign in: /lamps → provider → /lamps/callback → /lamps.
	resp, body := get(t, c, pe.srv.URL+"/lamps")
	if resp.StatusCode != 200 || resp.Request.URL.Path != "/lamps" {
		t.Fatalf("after sign-in: %d %s\n%s", resp.StatusCode, resp.Request.URL, body)
	}
	pe.prov.mu.Lock()
	s256, nonce, pkce := pe.prov.sawS256, pe.prov.sawNonce, pe.prov.pkceChecks
	pe.prov.mu.Unlock()
	if !s256 || !nonce || pkce != 1 {
		t.Errorf("authorization request: S256 %v nonce %v verified PKCE %d", s256, nonce, pkce)
	}
	for _, want := range []string{`Signed in as <strong dir="auto">jane@example.com</strong>`, "Lamp lamp-desk", `value="lamp-desk"`,
		`<span class="power">Off</span>`, `fill="#2b2b2b"`, "Turn on"} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(body, "lamp-other") {
		t.Error("page shows another user's lamp")
	}
	csp := resp.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP %q", csp)
	}
	if resp.Header.Get("X-Frame-Options") != "DENY" || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("headers %v", resp.Header)
	}
	if strings.Contains(body, "<script>") || strings.Contains(body, "style=") {
		t.Error("inline script or style in the page")
	}

	token := formToken(t, body)
	toggleURL := pe.srv.URL + "/lamps/toggle"
	sameOrigin := map[string]string{"Origin": pe.srv.URL, "Sec-Fetch-Site": "same-origin"}
	tests := []struct {
		name       string
		lamp       string
		hdr        map[string]string
		wantStatus int
		wantOn     bool
	}{
		{name: "cross-site fetch metadata", lamp: l.ID, hdr: map[string]string{"Sec-Fetch-Site": "cross-site"}, wantStatus: 403},
		{name: "foreign Origin", lamp: l.ID, hdr: map[string]string{"Origin": "https://evil.example"}, wantStatus: 403},
		{name: "another user's lamp", lamp: other.ID, hdr: sameOrigin, wantStatus: 404},
		{name: "no lamp", lamp: "", hdr: sameOrigin, wantStatus: 400},
		{name: "toggle on", lamp: l.ID, hdr: sameOrigin, wantStatus: 200, wantOn: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := post(t, c, toggleURL, url.Values{"lamp": {tc.lamp}, "_csrf": {token}}, tc.hdr)
			if resp.StatusCode != tc.wantStatus {
				t.Fatalf("status %d, want %d\n%s", resp.StatusCode, tc.wantStatus, body)
			}
			got, err := pe.st.GetLamp(context.Background(), sub, l.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.On != tc.wantOn {
				t.Errorf("lamp on=%v, want %v", got.On, tc.wantOn)
			}
			if tc.wantStatus == 200 && (resp.Request.URL.Path != "/lamps" || !strings.Contains(body, `<span class="power">On</span>`) ||
				!strings.Contains(body, "Turn off")) {
				t.Errorf("page after toggle:\n%s", body)
			}
		})
	}
	if o, _ := pe.st.GetLamp(context.Background(), "someone-else", other.ID); o != other {
		t.Error("another user's lamp changed")
	}

	// The toggle is a physical interaction: a ChangeReport reaches Alexa.
	report := pe.gw.next(t)
	smarthometest.Validate(t, report)
	var cr changeReport
	_ = json.Unmarshal(report, &cr)
	if cr.Event.Endpoint.EndpointID != l.ID || cr.Event.Payload.Change.Cause.Type != "PHYSICAL_INTERACTION" {
		t.Errorf("ChangeReport %s", report)
	}

	// Static files.
	for path, ctype := range map[string]string{"/lamps/static/style.css": "text/css", "/lamps/static/refresh.js": "javascript"} {
		resp, _ := get(t, c, pe.srv.URL+path)
		if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Type"), ctype) {
			t.Errorf("%s: %d %s", path, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	}

	// Sign out: the session cookie is gone, /lamps starts a new sign-in.
	resp, body = post(t, c, pe.srv.URL+"/lamps/logout", url.Values{"_csrf": {token}}, sameOrigin)
	if resp.StatusCode != 200 || !strings.Contains(body, "Signed out") {
		t.Fatalf("logout: %d %s", resp.StatusCode, body)
	}
	noFollow := &http.Client{Jar: c.Jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, _ = get(t, noFollow, pe.srv.URL+"/lamps")
	if resp.StatusCode != http.StatusFound || !strings.HasPrefix(resp.Header.Get("Location"), pe.prov.URL+"/oauth2/authorize?") {
		t.Errorf("after logout /lamps: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, _ = post(t, noFollow, toggleURL, url.Values{"lamp": {l.ID}}, sameOrigin)
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("toggle after logout: %d", resp.StatusCode)
	}
	checkNoSecret(t, "logs", pe.logs.String(), pageClientSecret, "Atza|access-0")
}

func TestLampsPageSignInFailures(t *testing.T) {
	const sub = "page-user"
	pe := newPageEnv(t, sub)
	tests := []struct {
		name  string
		setup func()
		call  func(c, noFollow *http.Client) *http.Response
	}{
		{name: "state mismatch", call: func(c, noFollow *http.Client) *http.Response {
			get(t, noFollow, pe.srv.URL+"/lamps") // sets the login cookie
			resp, _ := get(t, noFollow, pe.srv.URL+"/lamps/callback?code=code-1&state=forged")
			return resp
		}},
		{name: "no login in progress", call: func(c, noFollow *http.Client) *http.Response {
			resp, _ := get(t, noFollow, pe.srv.URL+"/lamps/callback?code=code-1&state=x")
			return resp
		}},
		{name: "nonce mismatch", setup: func() { pe.prov.badNonce = true }, call: func(c, noFollow *http.Client) *http.Response {
			resp, _ := get(t, c, pe.srv.URL+"/lamps")
			return resp
		}},
		{name: "forged session cookie", call: func(c, noFollow *http.Client) *http.Response {
			u, _ := url.Parse(pe.srv.URL + "/lamps")
			c.Jar.SetCookies(u, []*http.Cookie{{Name: "smartlamp_session", Value: "AAAA" + strings.Repeat("x", 60), Path: "/lamps"}})
			resp, _ := get(t, noFollow, pe.srv.URL+"/lamps")
			return resp
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pe.prov.mu.Lock()
			pe.prov.badNonce = false
			pe.prov.mu.Unlock()
			if tc.setup != nil {
				pe.prov.mu.Lock()
				tc.setup()
				pe.prov.mu.Unlock()
			}
			c := browser(t)
			noFollow := &http.Client{Jar: c.Jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			resp := tc.call(c, noFollow)
			if tc.name == "forged session cookie" {
				if resp.StatusCode != http.StatusFound {
					t.Fatalf("forged cookie: status %d, want a redirect to sign in", resp.StatusCode)
				}
				return
			}
			if resp.StatusCode != http.StatusBadRequest {
				t.Fatalf("status %d, want 400", resp.StatusCode)
			}
			for _, ck := range c.Jar.Cookies(resp.Request.URL) {
				if ck.Name == "smartlamp_session" {
					t.Error("a session was started")
				}
			}
		})
	}
}

func TestNewLampsPageRejectsBadConfig(t *testing.T) {
	e := newEnv(t, nil)
	good := smarthome.LampsConfig{Skill: e.skill, Issuer: "https://id.example/pool", ClientID: "c", RedirectURL: "https://lamps.example/lamps/callback"}
	tests := []struct {
		name string
		mod  func(*smarthome.LampsConfig)
	}{
		{name: "no skill", mod: func(c *smarthome.LampsConfig) { c.Skill = nil }},
		{name: "no issuer", mod: func(c *smarthome.LampsConfig) { c.Issuer = "" }},
		{name: "no client", mod: func(c *smarthome.LampsConfig) { c.ClientID = "" }},
		{name: "relative redirect", mod: func(c *smarthome.LampsConfig) { c.RedirectURL = "/lamps/callback" }},
		{name: "wrong redirect path", mod: func(c *smarthome.LampsConfig) { c.RedirectURL = "https://lamps.example/cb" }},
		{name: "short cookie key", mod: func(c *smarthome.LampsConfig) { c.CookieKey = []byte("short") }},
		{name: "bad logout URL", mod: func(c *smarthome.LampsConfig) { c.LogoutURL = "javascript:alert(1)" }},
	}
	if _, err := smarthome.NewLampsPage(good); err != nil {
		t.Fatalf("good config rejected: %v", err)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := good
			tc.mod(&cfg)
			if _, err := smarthome.NewLampsPage(cfg); err == nil {
				t.Fatal("accepted")
			}
		})
	}
}
