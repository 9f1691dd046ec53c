package oidcflow

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/linkpool/linkpool/internal/federation/upstream"
	"github.com/linkpool/linkpool/internal/pool"
)

// Config is one provider as a sign-in needs it.
type Config struct {
	Type        string            // pool.ProviderOIDC, ProviderGoogle, ProviderLoginWithAmazon, ProviderFacebook, ProviderSignInWithApple
	Details     map[string]string // the complete ProviderDetails, secrets opened (pool.Detail* keys)
	RedirectURI string            // <pool base URL>/oauth2/idpresponse
}

// Pending is what the caller keeps, bound to the browser, between Begin and Finish.
type Pending struct {
	State        string `json:"s"`
	Nonce        string `json:"n,omitempty"`
	CodeVerifier string `json:"v,omitempty"`
	// Provider binds the sign-in to the provider it began at (a digest of
	// its type, client id, issuer and endpoints): every provider of a
	// pool answers at the same callback, and Finish refuses another's.
	Provider string `json:"p,omitempty"`
}

// Result is the signed-in provider user.
type Result struct {
	Subject string            // the value of pool.SubjectClaim(Type)
	Claims  map[string]string // every upstream claim / profile field as a string (non-strings JSON-encoded), for AttributeMapping
}

// Client runs sign-ins at OAuth 2.0 and OpenID Connect providers. It
// caches discovery documents, key sets and Apple client secrets; it is
// safe for concurrent use.
type Client struct {
	hc     *http.Client // public documents: discovery, key sets (upstream.LimitRedirects)
	direct *http.Client // token and user-info requests: no redirect (upstream.RefuseRedirects)

	mu        sync.Mutex
	discovery map[string]discovered  // by issuer
	keySets   map[string]keySetEntry // by JWKS URI
	secrets   map[string]appleSecret // by Apple key identity
}

// New returns a Client that calls providers with hc; nil => a client with
// bounded timeouts (upstream.CallTimeout per call). Every call is also
// bounded by upstream.CallTimeout through its context. Whatever hc's own
// redirect policy, discovery documents and key sets follow redirects by
// upstream.LimitRedirects, and token and user-info requests, which carry
// the client secret, the code or the access token, follow none.
func New(hc *http.Client) *Client {
	return &Client{
		hc:        upstream.WithRedirects(hc, upstream.LimitRedirects),
		direct:    upstream.WithRedirects(hc, upstream.RefuseRedirects),
		discovery: map[string]discovered{},
		keySets:   map[string]keySetEntry{},
		secrets:   map[string]appleSecret{},
	}
}

// Begin starts a sign-in: it returns the provider's authorization URL to
// send the browser to and what to keep, bound to the browser, until the
// callback.
func (c *Client) Begin(ctx context.Context, cfg Config) (authURL string, p Pending, err error) {
	ep, err := c.endpoints(ctx, cfg)
	if err != nil {
		return "", Pending{}, err
	}
	p.State = random()
	p.Provider = binding(cfg)
	q := url.Values{
		"response_type": {"code"},
		"client_id":     {cfg.Details[pool.DetailClientID]},
		"redirect_uri":  {cfg.RedirectURI},
		"state":         {p.State},
	}
	scopes := Scopes(cfg.Details[pool.DetailAuthorizeScopes])
	if len(scopes) > 0 {
		sep := " "
		if cfg.Type == pool.ProviderFacebook {
			sep = ","
		}
		q.Set("scope", strings.Join(scopes, sep))
	}
	if ep.nonce {
		p.Nonce = random()
		q.Set("nonce", p.Nonce)
	}
	if ep.pkce {
		p.CodeVerifier = random() + random()
		sum := sha256.Sum256([]byte(p.CodeVerifier))
		q.Set("code_challenge", base64.RawURLEncoding.EncodeToString(sum[:]))
		q.Set("code_challenge_method", "S256")
	}
	if cfg.Type == pool.ProviderSignInWithApple && (containsScope(scopes, "name") || containsScope(scopes, "email")) {
		// Apple requires form_post when the name or email scope is requested.
		q.Set("response_mode", "form_post")
	}
	u, perr := url.Parse(ep.authorize)
	if perr != nil || ep.authorize == "" {
		return "", Pending{}, &upstream.Error{Kind: upstream.Unavailable, Description: "the provider's authorization endpoint is not a URL"}
	}
	// Keep the endpoint's own query parameters (Facebook's display, a
	// tenant hint), ours take precedence.
	merged := u.Query()
	for k, v := range q {
		merged[k] = v
	}
	u.RawQuery = merged.Encode()
	return u.String(), p, nil
}

// Finish takes the callback's parameters: the query for a GET, the form
// for Apple's form_post POST. It checks the state, redeems the code,
// verifies the ID token and reads the user's profile.
func (c *Client) Finish(ctx context.Context, cfg Config, p Pending, params url.Values) (Result, error) {
	// RFC 6749 3.1: a parameter is not sent twice.
	if p.State == "" || len(params["state"]) != 1 || len(params["code"]) > 1 ||
		subtle.ConstantTimeCompare([]byte(params.Get("state")), []byte(p.State)) != 1 {
		return Result{}, &upstream.Error{Kind: upstream.Invalid, Description: "the state of the provider's answer does not match the sign-in"}
	}
	if subtle.ConstantTimeCompare([]byte(p.Provider), []byte(binding(cfg))) != 1 {
		return Result{}, &upstream.Error{Kind: upstream.Invalid, Description: "the sign-in was begun at another provider"}
	}
	// RFC 9207: a provider that names itself on the callback must name
	// the issuer the sign-in expects.
	if iss, ok := params["iss"]; ok && expectedIssuer(cfg) != "" && (len(iss) != 1 || iss[0] != expectedIssuer(cfg)) {
		return Result{}, &upstream.Error{Kind: upstream.Invalid, Description: "the callback names another issuer (iss) than the provider's"}
	}
	if code := params.Get("error"); code != "" {
		return Result{}, &upstream.Error{Kind: upstream.Denied, Code: safeCode(code), Description: "the provider refused the sign-in"}
	}
	code := params.Get("code")
	if code == "" {
		return Result{}, &upstream.Error{Kind: upstream.Invalid, Description: "the provider's answer has no authorization code"}
	}
	ep, err := c.endpoints(ctx, cfg)
	if err != nil {
		return Result{}, err
	}
	// Begin fills what the provider's protocol uses; without it the
	// nonce or PKCE check would pass on an answer that carries none.
	if ep.nonce && p.Nonce == "" || ep.pkce && p.CodeVerifier == "" {
		return Result{}, &upstream.Error{Kind: upstream.Invalid, Description: "the sign-in lacks the nonce or PKCE verifier its request was made with"}
	}
	tok, err := c.exchange(ctx, cfg, ep, p, code)
	if err != nil {
		return Result{}, err
	}
	claims := map[string]any{}
	if ep.idToken {
		if tok.IDToken == "" {
			return Result{}, &upstream.Error{Kind: upstream.Invalid, Description: "the provider's token response has no ID token"}
		}
		if claims, err = c.verifyIDToken(ctx, cfg, ep, p, tok.IDToken); err != nil {
			return Result{}, err
		}
	}
	if ep.profile != "" {
		if tok.AccessToken == "" {
			return Result{}, &upstream.Error{Kind: upstream.Invalid, Description: "the provider's token response has no access token"}
		}
		prof, err := c.profile(ctx, cfg, ep, tok.AccessToken)
		if err != nil {
			return Result{}, err
		}
		if ep.idToken {
			// OpenID Connect Core 5.3.2: the user info's sub must be
			// present and equal the ID token's.
			sub, _ := prof["sub"].(string)
			if idSub, _ := claims["sub"].(string); sub == "" || sub != idSub {
				return Result{}, &upstream.Error{Kind: upstream.Invalid, Description: "the subject of the user info differs from the ID token's"}
			}
		}
		for k, v := range prof {
			if _, ok := claims[k]; !ok || !ep.idToken {
				claims[k] = v
			}
		}
	}
	if cfg.Type == pool.ProviderSignInWithApple {
		mergeAppleUser(claims, params.Get("user"))
	}
	out := Result{Claims: flatten(claims)}
	out.Subject = out.Claims[pool.SubjectClaim(cfg.Type)]
	if out.Subject == "" {
		return Result{}, &upstream.Error{Kind: upstream.Invalid, Description: "the provider did not name the user (" + pool.SubjectClaim(cfg.Type) + ")"}
	}
	if pool.ValidateSubject(out.Subject) != nil {
		return Result{}, &upstream.Error{Kind: upstream.Invalid, Description: "the provider's subject of the user (" + pool.SubjectClaim(cfg.Type) +
			") is longer than " + strconv.Itoa(pool.MaxSubjectLen) + " bytes or holds control characters"}
	}
	return out, nil
}

// binding is Pending.Provider for cfg: what tells providers apart
// without a network call (type, client id, redirect URI and the
// endpoints the details name), as a digest.
func binding(cfg Config) string {
	d := cfg.Details
	h := sha256.New()
	for _, v := range []string{
		cfg.Type, d[pool.DetailClientID], cfg.RedirectURI, expectedIssuer(cfg),
		d[pool.DetailAuthorizeURL], d[pool.DetailTokenURL], d[pool.DetailAttributesURL], d[pool.DetailJWKSURI],
	} {
		h.Write([]byte(v))
		h.Write([]byte{0})
	}
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:16])
}

// Scopes splits authorize_scopes: Cognito accepts them separated by
// spaces or commas.
func Scopes(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' || r == '\t' || r == '\n' })
}

func containsScope(scopes []string, s string) bool {
	for _, x := range scopes {
		if x == s {
			return true
		}
	}
	return false
}

// random returns 128 bits from the system's generator, base64url.
func random() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return base64.RawURLEncoding.EncodeToString(b)
}

var codePattern = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)

// safeCode keeps a provider's error code only when it looks like one.
func safeCode(code string) string {
	if codePattern.MatchString(code) {
		return code
	}
	return "invalid_error_code"
}
