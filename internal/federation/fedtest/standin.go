package fedtest

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"html/template"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
)

// User is the user a provider signs in. Empty fields are left out of
// tokens and profiles.
type User struct {
	Subject    string // sub (Google, Apple, OIDC), user_id (Amazon), id (Facebook)
	Email      string
	Name       string
	GivenName  string
	FamilyName string
	PostalCode string // Login with Amazon's postal_code scope
}

// DefaultUser is the user a new stand-in or OP signs in.
var DefaultUser = User{
	Subject: "fed-user-1", Email: "ada@example.com", Name: "Ada Lovelace",
	GivenName: "Ada", FamilyName: "Lovelace", PostalCode: "98109",
}

// Knobs make a provider misbehave, for negative tests. The zero value is
// a well-behaved provider.
type Knobs struct {
	Deny            bool   // the authorization ends with error=access_denied
	DenyCode        string // the authorization ends with error=DenyCode (any code, even one outside RFC 6749)
	WrongAudience   bool   // the ID token's aud is another client
	BadNonce        bool   // the ID token's nonce is not the request's
	TamperSignature bool   // the ID token is signed with a key not in the JWKS (same kid)
	Expired         bool   // the ID token expired an hour ago
	TokenError      string // the token endpoint answers HTTP 400 with this error code (invalid_grant, ...)
	Slow            bool   // the token endpoint holds the request until the caller gives up
	Oversized       bool   // the token endpoint answers with more than 1 MiB
	WrongIssuer     bool   // the ID token's iss is another issuer
	AlgNone         bool   // the ID token is unsigned (alg none)
	HS256           bool   // the ID token is signed HS256 with the public key's bytes as secret (algorithm confusion)
	UserInfoSubject string // Google: the user-info endpoint names this sub instead of the user's
}

// Provider is a loopback stand-in for one social provider (Login with
// Amazon, Google, Facebook or Sign in with Apple) that follows the
// provider's published protocol: authorization endpoint, token endpoint
// with the provider's client authentication, PKCE when the provider
// supports it, ID tokens signed with a published key set, and the
// provider's profile endpoint. Details gives the ProviderDetails that
// point a pool's provider at it.
type Provider struct {
	Type         string // a pool.Provider* type name
	URL          string // the server's base URL
	ClientID     string
	ClientSecret string // empty for Apple (see apple.go)
	RedirectURI  string // the only redirect URI the client may use

	srv   *httptest.Server
	apple *appleKeys

	mu     sync.Mutex
	user   User
	knobs  Knobs
	codes  map[string]*grant
	tokens map[string]*grant
	seen   map[string]bool // Apple: users who signed in before
	issued []string        // every authorization code issued, in order
}

// grant is an authorization in progress: a code, then an access token.
type grant struct {
	user                       User
	clientID, redirectURI      string
	scopes                     []string
	nonce, challenge, chMethod string
}

func newProvider(t testing.TB, typ, redirectURI string, routes func(*Provider, *http.ServeMux)) *Provider {
	t.Helper()
	p := &Provider{
		Type: typ, ClientID: "client-" + randomString(6), ClientSecret: randomString(24), RedirectURI: redirectURI,
		user: DefaultUser, codes: map[string]*grant{}, tokens: map[string]*grant{}, seen: map[string]bool{},
	}
	mux := http.NewServeMux()
	routes(p, mux)
	p.srv = httptest.NewServer(mux)
	p.URL = p.srv.URL
	t.Cleanup(p.Stop)
	return p
}

// SetUser sets the user the next authorization signs in.
func (p *Provider) SetUser(u User) { p.mu.Lock(); p.user = u; p.mu.Unlock() }

// Codes returns every authorization code the provider issued, in order:
// tests check that none of them reaches a log.
func (p *Provider) Codes() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.issued)
}

// Set replaces the knobs.
func (p *Provider) Set(k Knobs) { p.mu.Lock(); p.knobs = k; p.mu.Unlock() }

// Stop shuts the server down: later calls are refused ("provider down").
func (p *Provider) Stop() {
	p.srv.CloseClientConnections()
	p.srv.Close()
}

func (p *Provider) state() (User, Knobs) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.user, p.knobs
}

// authorize is the authorization endpoint shared by every stand-in: it
// checks the client and redirect URI, then answers at once for the
// preset user (no login page), with a code or with access_denied, by a
// redirect or, with response_mode=form_post, by an auto-submitting form.
func (p *Provider) authorize(w http.ResponseWriter, r *http.Request, scopeSep string, extra func(*grant) url.Values) {
	q := r.URL.Query()
	if q.Get("client_id") != p.ClientID || q.Get("redirect_uri") != p.RedirectURI {
		http.Error(w, "unknown client or redirect_uri", http.StatusBadRequest)
		return
	}
	if q.Get("response_type") != "code" {
		http.Error(w, "unsupported response_type", http.StatusBadRequest)
		return
	}
	user, knobs := p.state()
	out := url.Values{"state": {q.Get("state")}}
	if knobs.Deny || knobs.DenyCode != "" {
		out.Set("error", "access_denied")
		if knobs.DenyCode != "" {
			out.Set("error", knobs.DenyCode)
		}
		out.Set("error_description", "The user denied the request")
	} else {
		g := &grant{
			user: user, clientID: p.ClientID, redirectURI: p.RedirectURI, nonce: q.Get("nonce"),
			challenge: q.Get("code_challenge"), chMethod: q.Get("code_challenge_method"),
		}
		for _, s := range strings.Split(q.Get("scope"), scopeSep) {
			if s = strings.TrimSpace(s); s != "" {
				g.scopes = append(g.scopes, s)
			}
		}
		code := randomString(24)
		p.mu.Lock()
		p.codes[code] = g
		p.issued = append(p.issued, code)
		p.mu.Unlock()
		out.Set("code", code)
		if extra != nil {
			for k, v := range extra(g) {
				out[k] = v
			}
		}
	}
	if q.Get("response_mode") == "form_post" {
		formPost(w, p.RedirectURI, out)
		return
	}
	sep := "?"
	if strings.Contains(p.RedirectURI, "?") {
		sep = "&"
	}
	http.Redirect(w, r, p.RedirectURI+sep+out.Encode(), http.StatusFound)
}

var formPostPage = template.Must(template.New("").Parse(`<!DOCTYPE html>
<html><body onload="document.forms[0].submit()"><form method="post" action="{{.Action}}">
{{range $k, $vs := .Fields}}{{range $vs}}<input type="hidden" name="{{$k}}" value="{{.}}">
{{end}}{{end}}</form></body></html>`))

// formPost answers with the OAuth 2.0 Form Post Response Mode page.
func formPost(w http.ResponseWriter, action string, fields url.Values) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_ = formPostPage.Execute(w, map[string]any{"Action": action, "Fields": fields})
}

// redeem checks a token request's code, the client it was issued to,
// redirect URI and PKCE verifier and returns its grant (the code is
// spent), or writes the error answer. The caller has authenticated the
// client.
func (p *Provider) redeem(w http.ResponseWriter, r *http.Request) (*grant, Knobs, bool) {
	_, knobs := p.state()
	if knobs.Slow {
		<-r.Context().Done()
		return nil, knobs, false
	}
	if knobs.Oversized {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"access_token":"` + strings.Repeat("x", 2<<20) + `"}`))
		return nil, knobs, false
	}
	if knobs.TokenError != "" {
		oauthError(w, http.StatusBadRequest, knobs.TokenError)
		return nil, knobs, false
	}
	if r.PostFormValue("grant_type") != "authorization_code" {
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type")
		return nil, knobs, false
	}
	code := r.PostFormValue("code")
	p.mu.Lock()
	g := p.codes[code]
	delete(p.codes, code)
	p.mu.Unlock()
	// The code must have been issued to the client that authenticated
	// (client_secret_basic, else the client_id parameter).
	client, _, basic := r.BasicAuth()
	if basic {
		client, _ = url.QueryUnescape(client)
	} else {
		client = r.FormValue("client_id")
	}
	if g == nil || g.redirectURI != r.PostFormValue("redirect_uri") || g.clientID != client {
		oauthError(w, http.StatusBadRequest, "invalid_grant")
		return nil, knobs, false
	}
	if g.challenge != "" {
		sum := sha256.Sum256([]byte(r.PostFormValue("code_verifier")))
		if g.chMethod != "S256" || subtle.ConstantTimeCompare([]byte(base64.RawURLEncoding.EncodeToString(sum[:])), []byte(g.challenge)) != 1 {
			oauthError(w, http.StatusBadRequest, "invalid_grant")
			return nil, knobs, false
		}
	}
	return g, knobs, true
}

// issue answers a token request with an access token for g and the
// given ID token (may be empty).
func (p *Provider) issue(w http.ResponseWriter, g *grant, idToken string) {
	at := randomString(32)
	p.mu.Lock()
	p.tokens[at] = g
	p.mu.Unlock()
	resp := map[string]any{"access_token": at, "token_type": "bearer", "expires_in": 3600}
	if idToken != "" {
		resp["id_token"] = idToken
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, resp)
}

// bearer returns the grant of the request's access token
// (Authorization: Bearer, or the access_token parameter).
func (p *Provider) bearer(r *http.Request) *grant {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		tok = r.URL.Query().Get("access_token")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.tokens[tok]
}

// clientSecretOK checks client_secret_post or client_secret_basic.
func (p *Provider) clientSecretOK(r *http.Request) bool {
	id, secret, ok := r.BasicAuth()
	if ok {
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
	} else {
		id, secret = r.FormValue("client_id"), r.FormValue("client_secret")
	}
	return id == p.ClientID && subtle.ConstantTimeCompare([]byte(secret), []byte(p.ClientSecret)) == 1
}

func oauthError(w http.ResponseWriter, status int, code string) {
	writeJSON(w, status, map[string]string{"error": code})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func randomString(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (g *grant) has(scope string) bool {
	for _, s := range g.scopes {
		if s == scope {
			return true
		}
	}
	return false
}

// put sets m[k] = v when v is not empty.
func put(m map[string]any, k, v string) {
	if v != "" {
		m[k] = v
	}
}
