package fedtest

import (
	"context"
	"crypto/sha256"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// OP is an OpenID provider built with github.com/zitadel/oidc/v3/pkg/op on
// a loopback server: discovery, authorization code flow with PKCE and
// nonce, client_secret_basic and client_secret_post, RS256 ID tokens, a
// user-info endpoint (GET and POST). Its login step signs the preset user
// in at once, without a page, or ends the authorization with
// access_denied after Deny.
type OP struct {
	srv     *httptest.Server
	storage *opStorage
}

// NewOP starts an OpenID provider; it stops with the test.
func NewOP(t testing.TB) *OP {
	t.Helper()
	s := &opStorage{user: DefaultUser, clients: map[string]*opClient{}, requests: map[string]*opRequest{}, codes: map[string]string{}, tokens: map[string]*opToken{}}
	var handler http.Handler
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	issuer := srv.URL
	provider, err := op.NewProvider(&op.Config{
		CryptoKey:      sha256.Sum256([]byte("fedtest access tokens")),
		CodeMethodS256: true,
		AuthMethodPost: true,
	}, s, op.StaticIssuer(issuer), op.WithAllowInsecure())
	if err != nil {
		srv.Close()
		t.Fatalf("fedtest: zitadel op: %v", err)
	}
	callback := func(id string) string { return issuer + "/authorize/callback?id=" + url.QueryEscape(id) }
	mux := http.NewServeMux()
	mux.HandleFunc("GET /login", func(w http.ResponseWriter, r *http.Request) { s.login(w, r, callback) })
	mux.Handle("/", provider)
	mux.HandleFunc("/userinfo", func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.userinfoMethods = append(s.userinfoMethods, r.Method)
		s.mu.Unlock()
		provider.ServeHTTP(w, r)
	})
	handler = mux
	o := &OP{srv: srv, storage: s}
	t.Cleanup(o.Stop)
	return o
}

// Issuer is the provider's issuer URL (its discovery document is at
// Issuer()+"/.well-known/openid-configuration").
func (o *OP) Issuer() string { return o.srv.URL }

// AddClient registers a confidential web client.
func (o *OP) AddClient(id, secret, redirectURI string) {
	o.storage.mu.Lock()
	defer o.storage.mu.Unlock()
	o.storage.clients[id] = &opClient{id: id, secret: secret, redirectURIs: []string{redirectURI}}
}

// SetUser sets the user the next authorizations sign in.
func (o *OP) SetUser(u User) { o.storage.mu.Lock(); o.storage.user = u; o.storage.mu.Unlock() }

// UserInfoMethods lists the HTTP methods of the calls to the user-info
// endpoint so far.
func (o *OP) UserInfoMethods() []string {
	o.storage.mu.Lock()
	defer o.storage.mu.Unlock()
	return append([]string(nil), o.storage.userinfoMethods...)
}

// Deny makes the next authorization end with access_denied.
func (o *OP) Deny() { o.storage.mu.Lock(); o.storage.deny = true; o.storage.mu.Unlock() }

// Stop shuts the provider down: later calls are refused.
func (o *OP) Stop() {
	o.srv.CloseClientConnections()
	o.srv.Close()
}

// opStorage is the in-memory op.Storage of the OP, after zitadel's
// example/server/storage, reduced to the authorization code flow.
type opStorage struct {
	mu       sync.Mutex
	user     User
	deny     bool
	clients  map[string]*opClient
	requests map[string]*opRequest
	codes    map[string]string // code => request id
	tokens   map[string]*opToken

	userinfoMethods []string
}

type opToken struct {
	subject, clientID string
	scopes            []string
	expires           time.Time
}

// login completes an authorization request for the preset user (or
// denies it) and sends the browser back to the OP's callback, which
// issues the code.
func (s *opStorage) login(w http.ResponseWriter, r *http.Request, callback func(string) string) {
	id := r.URL.Query().Get("id")
	s.mu.Lock()
	req, ok := s.requests[id]
	deny := s.deny
	s.deny = false
	if ok && !deny {
		req.subject, req.done, req.authTime = s.user.Subject, true, time.Now()
	}
	s.mu.Unlock()
	if !ok {
		http.Error(w, "unknown auth request", http.StatusBadRequest)
		return
	}
	if deny {
		q := url.Values{"error": {"access_denied"}, "error_description": {"The user denied the request"}, "state": {req.state}}
		http.Redirect(w, r, req.redirectURI+"?"+q.Encode(), http.StatusFound)
		return
	}
	http.Redirect(w, r, callback(id), http.StatusFound)
}

// opRequest implements op.AuthRequest.
type opRequest struct {
	id, clientID, redirectURI, state, nonce, subject string
	scopes                                           []string
	responseType                                     oidc.ResponseType
	responseMode                                     oidc.ResponseMode
	challenge                                        *oidc.CodeChallenge
	done                                             bool
	authTime                                         time.Time
}

func (a *opRequest) GetID() string                         { return a.id }
func (a *opRequest) GetACR() string                        { return "" }
func (a *opRequest) GetAMR() []string                      { return []string{"pwd"} }
func (a *opRequest) GetAudience() []string                 { return []string{a.clientID} }
func (a *opRequest) GetAuthTime() time.Time                { return a.authTime }
func (a *opRequest) GetClientID() string                   { return a.clientID }
func (a *opRequest) GetCodeChallenge() *oidc.CodeChallenge { return a.challenge }
func (a *opRequest) GetNonce() string                      { return a.nonce }
func (a *opRequest) GetRedirectURI() string                { return a.redirectURI }
func (a *opRequest) GetResponseType() oidc.ResponseType    { return a.responseType }
func (a *opRequest) GetResponseMode() oidc.ResponseMode    { return a.responseMode }
func (a *opRequest) GetScopes() []string                   { return a.scopes }
func (a *opRequest) GetState() string                      { return a.state }
func (a *opRequest) GetSubject() string                    { return a.subject }
func (a *opRequest) Done() bool                            { return a.done }

// opClient implements op.Client: a confidential web client.
type opClient struct {
	id, secret   string
	redirectURIs []string
}

func (c *opClient) GetID() string                       { return c.id }
func (c *opClient) RedirectURIs() []string              { return c.redirectURIs }
func (c *opClient) PostLogoutRedirectURIs() []string    { return nil }
func (c *opClient) ApplicationType() op.ApplicationType { return op.ApplicationTypeWeb }
func (c *opClient) AuthMethod() oidc.AuthMethod         { return oidc.AuthMethodBasic }
func (c *opClient) ResponseTypes() []oidc.ResponseType {
	return []oidc.ResponseType{oidc.ResponseTypeCode}
}
func (c *opClient) GrantTypes() []oidc.GrantType         { return []oidc.GrantType{oidc.GrantTypeCode} }
func (c *opClient) LoginURL(id string) string            { return "/login?id=" + url.QueryEscape(id) }
func (c *opClient) AccessTokenType() op.AccessTokenType  { return op.AccessTokenTypeBearer }
func (c *opClient) IDTokenLifetime() time.Duration       { return time.Hour }
func (c *opClient) DevMode() bool                        { return true } // http loopback redirect URIs
func (c *opClient) IsScopeAllowed(string) bool           { return false }
func (c *opClient) IDTokenUserinfoClaimsAssertion() bool { return false }
func (c *opClient) ClockSkew() time.Duration             { return 0 }
func (c *opClient) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
func (c *opClient) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}

var errNotSupported = errors.New("fedtest: not supported by this OP")

func (s *opStorage) CreateAuthRequest(_ context.Context, r *oidc.AuthRequest, _ string) (op.AuthRequest, error) {
	req := &opRequest{
		id: randomString(12), clientID: r.ClientID, redirectURI: r.RedirectURI, state: r.State, nonce: r.Nonce,
		scopes: r.Scopes, responseType: r.ResponseType, responseMode: r.ResponseMode,
	}
	if r.CodeChallenge != "" {
		req.challenge = &oidc.CodeChallenge{Challenge: r.CodeChallenge, Method: r.CodeChallengeMethod}
	}
	s.mu.Lock()
	s.requests[req.id] = req
	s.mu.Unlock()
	return req, nil
}

func (s *opStorage) AuthRequestByID(_ context.Context, id string) (op.AuthRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, ok := s.requests[id]; ok {
		return r, nil
	}
	return nil, errors.New("auth request not found")
}

func (s *opStorage) AuthRequestByCode(ctx context.Context, code string) (op.AuthRequest, error) {
	s.mu.Lock()
	id, ok := s.codes[code]
	s.mu.Unlock()
	if !ok {
		return nil, errors.New("code invalid or expired")
	}
	return s.AuthRequestByID(ctx, id)
}

func (s *opStorage) SaveAuthCode(_ context.Context, id, code string) error {
	s.mu.Lock()
	s.codes[code] = id
	s.mu.Unlock()
	return nil
}

func (s *opStorage) DeleteAuthRequest(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.requests, id)
	for code, rid := range s.codes {
		if rid == id {
			delete(s.codes, code)
		}
	}
	return nil
}

func (s *opStorage) CreateAccessToken(_ context.Context, r op.TokenRequest) (string, time.Time, error) {
	t := &opToken{subject: r.GetSubject(), scopes: r.GetScopes(), expires: time.Now().Add(time.Hour)}
	if a, ok := r.(*opRequest); ok {
		t.clientID = a.clientID
	}
	id := randomString(12)
	s.mu.Lock()
	s.tokens[id] = t
	s.mu.Unlock()
	return id, t.expires, nil
}

func (s *opStorage) CreateAccessAndRefreshTokens(context.Context, op.TokenRequest, string) (string, string, time.Time, error) {
	return "", "", time.Time{}, errNotSupported
}

func (s *opStorage) TokenRequestByRefreshToken(context.Context, string) (op.RefreshTokenRequest, error) {
	return nil, op.ErrInvalidRefreshToken
}

func (s *opStorage) TerminateSession(context.Context, string, string) error { return nil }

func (s *opStorage) RevokeToken(context.Context, string, string, string) *oidc.Error {
	return oidc.ErrUnsupportedGrantType()
}

func (s *opStorage) GetRefreshTokenInfo(context.Context, string, string) (string, string, error) {
	return "", "", op.ErrInvalidRefreshToken
}

// opKey is the OP's signing key (the shared RS256 key of the stand-ins).
type opKey struct{}

func (opKey) SignatureAlgorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (opKey) Algorithm() jose.SignatureAlgorithm          { return jose.RS256 }
func (opKey) Key() any                                    { k, _ := keys(); return k }
func (opKey) ID() string                                  { return signKID }
func (opKey) Use() string                                 { return "sig" }

type opPublicKey struct{ opKey }

func (opPublicKey) Key() any { k, _ := keys(); return &k.PublicKey }

func (s *opStorage) SigningKey(context.Context) (op.SigningKey, error) { return opKey{}, nil }
func (s *opStorage) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return []jose.SignatureAlgorithm{jose.RS256}, nil
}
func (s *opStorage) KeySet(context.Context) ([]op.Key, error) { return []op.Key{opPublicKey{}}, nil }

func (s *opStorage) GetClientByClientID(_ context.Context, id string) (op.Client, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.clients[id]; ok {
		return c, nil
	}
	return nil, errors.New("client not found")
}

func (s *opStorage) AuthorizeClientIDSecret(_ context.Context, id, secret string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.clients[id]; ok && c.secret == secret {
		return nil
	}
	return errors.New("invalid client")
}

func (s *opStorage) SetUserinfoFromScopes(context.Context, *oidc.UserInfo, string, string, []string) error {
	return nil
}

// SetUserinfoFromRequest fills the ID token's claims.
func (s *opStorage) SetUserinfoFromRequest(_ context.Context, info *oidc.UserInfo, r op.IDTokenRequest, scopes []string) error {
	s.setUserinfo(info, r.GetSubject(), scopes)
	return nil
}

// SetUserinfoFromToken fills the user-info endpoint's answer.
func (s *opStorage) SetUserinfoFromToken(_ context.Context, info *oidc.UserInfo, tokenID, _, _ string) error {
	s.mu.Lock()
	t, ok := s.tokens[tokenID]
	s.mu.Unlock()
	if !ok || time.Now().After(t.expires) {
		return errors.New("token is invalid or has expired")
	}
	s.setUserinfo(info, t.subject, t.scopes)
	return nil
}

func (s *opStorage) setUserinfo(info *oidc.UserInfo, subject string, scopes []string) {
	s.mu.Lock()
	u := s.user
	s.mu.Unlock()
	info.Subject = subject
	if u.Subject != subject {
		return
	}
	for _, sc := range scopes {
		switch sc {
		case oidc.ScopeEmail:
			info.Email, info.EmailVerified = u.Email, oidc.Bool(u.Email != "")
		case oidc.ScopeProfile:
			info.Name, info.GivenName, info.FamilyName = u.Name, u.GivenName, u.FamilyName
		}
	}
}

func (s *opStorage) SetIntrospectionFromToken(context.Context, *oidc.IntrospectionResponse, string, string, string) error {
	return errNotSupported
}

func (s *opStorage) GetPrivateClaimsFromScopes(context.Context, string, string, []string) (map[string]any, error) {
	return nil, nil
}

func (s *opStorage) GetKeyByIDAndClientID(context.Context, string, string) (*jose.JSONWebKey, error) {
	return nil, errNotSupported
}

func (s *opStorage) ValidateJWTProfileScopes(context.Context, string, []string) ([]string, error) {
	return nil, errNotSupported
}

func (s *opStorage) Health(context.Context) error { return nil }
