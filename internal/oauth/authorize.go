package oauth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
)

// Response types of /oauth2/authorize.
const (
	ResponseCode  = "code"
	ResponseToken = "token"
)

// AuthCodeTTL is the lifetime of an authorization code (Cognito: 5 minutes,
// single use).
const AuthCodeTTL = 5 * time.Minute

// Limits on echoed parameters, generous enough for Alexa's long state.
const (
	maxStateLen = 4096
	maxNonceLen = 1024
)

var (
	// RFC 7636 §4.2: code_challenge = BASE64URL(SHA256(verifier)), 43 chars;
	// we accept the full 43-128 range of unreserved characters.
	pkcePattern = regexp.MustCompile(`^[A-Za-z0-9._~-]{43,128}$`)
)

// AuthorizeRequest is a validated /oauth2/authorize request (Cognito
// "Authorize endpoint"). The hosted pages carry Query through sign-in and
// call Complete when the user is authenticated.
type AuthorizeRequest struct {
	Pool                pool.Pool
	Client              pool.Client
	ResponseType        string
	RedirectURI         string
	State               string
	Scopes              []string
	Nonce               string
	CodeChallenge       string
	CodeChallengeMethod string
	Lang                string
	// IdentityProvider and IdpIdentifier name the identity provider the
	// request goes straight to (identity_provider: its name, or COGNITO
	// for the pool's own sign-in page; idp_identifier: one of its
	// IdpIdentifiers). The federation service (internal/federation)
	// resolves them; ParseAuthorize only checks their form.
	IdentityProvider string
	IdpIdentifier    string
	// Query is the original query string, to be carried to /login,
	// /signup and back.
	Query url.Values
}

// ParseAuthorize validates an authorization request for pool p.
//
// Errors are *Error values. When client_id is unknown or redirect_uri is
// not registered for the client, the error has no Redirect: the browser
// must see the hosted error page and never be sent to an unverified URI
// (RFC 6749 §4.1.2.1; Cognito shows /error?error=redirect_mismatch). Every
// other error carries Redirect with error and state for the client.
func (s *Service) ParseAuthorize(ctx context.Context, p pool.Pool, q url.Values) (*AuthorizeRequest, error) {
	// RFC 6749 §3.1: parameters must not be repeated.
	if len(q["client_id"]) > 1 || len(q["redirect_uri"]) > 1 {
		return nil, badRequest(ErrRedirectMismatch, "Parameter client_id or redirect_uri is repeated.")
	}
	clientID := q.Get("client_id")
	if clientID == "" || !pool.ValidClientID(clientID) {
		return nil, badRequest(ErrRedirectMismatch, "Missing or unknown client_id.")
	}
	c, err := s.store.GetClient(ctx, clientID)
	if errors.Is(err, store.ErrNotFound) || err == nil && c.PoolID != p.ID {
		return nil, badRequest(ErrRedirectMismatch, "Missing or unknown client_id.")
	}
	if err != nil {
		return nil, unavailable(fmt.Errorf("authorize: get client: %w", err))
	}
	redirectURI := q.Get("redirect_uri")
	if redirectURI == "" && c.DefaultRedirectURI != "" {
		redirectURI = c.DefaultRedirectURI
	}
	if redirectURI == "" || !c.HasCallbackURL(redirectURI) {
		return nil, badRequest(ErrRedirectMismatch, "The redirect_uri is not registered for this client.")
	}
	req := &AuthorizeRequest{
		Pool: p, Client: c, RedirectURI: redirectURI,
		ResponseType: q.Get("response_type"), State: q.Get("state"),
		Nonce: q.Get("nonce"), Lang: q.Get("lang"),
		CodeChallenge: q.Get("code_challenge"), CodeChallengeMethod: q.Get("code_challenge_method"),
		IdentityProvider: q.Get("identity_provider"), IdpIdentifier: q.Get("idp_identifier"),
		Query: q,
	}
	fail := func(code, desc string) (*AuthorizeRequest, error) {
		e := badRequest(code, desc)
		e.Redirect = redirectWithError(redirectURI, req.ResponseType, req.State, code, desc)
		return nil, e
	}
	for _, k := range []string{"response_type", "state", "scope", "nonce", "code_challenge", "code_challenge_method", "lang", "identity_provider", "idp_identifier"} {
		if len(q[k]) > 1 {
			return fail(ErrInvalidRequest, "Parameter "+k+" is repeated.")
		}
	}
	if len(req.State) > maxStateLen {
		req.State = ""
		return fail(ErrInvalidRequest, "state is too long.")
	}
	switch req.ResponseType {
	case "":
		return fail(ErrInvalidRequest, "Missing response_type.")
	case ResponseCode:
		if !c.AllowsFlow(pool.FlowCode) {
			return fail(ErrUnauthorizedClient, "The client is not allowed the authorization code grant.")
		}
	case ResponseToken:
		if !c.AllowsFlow(pool.FlowImplicit) {
			return fail(ErrUnauthorizedClient, "The client is not allowed the implicit grant.")
		}
	default:
		return fail(ErrUnsupportedResponseType, "response_type must be code or token.")
	}
	// A client signs users in through COGNITO (the pool's own page),
	// through identity providers, or both.
	if len(c.SupportedIdentityProviders) == 0 {
		return fail(ErrUnauthorizedClient, "The client does not support any identity provider.")
	}
	if req.IdentityProvider == pool.ProviderCognito && !c.SupportsCognito() {
		return fail(ErrUnauthorizedClient, "The client does not support the COGNITO identity provider.")
	}
	if len(req.IdentityProvider) > 128 || len(req.IdpIdentifier) > 128 {
		return fail(ErrInvalidRequest, "identity_provider or idp_identifier is too long.")
	}
	if len(req.Nonce) > maxNonceLen {
		return fail(ErrInvalidRequest, "nonce is too long.")
	}
	// PKCE (RFC 7636 §4.3): Cognito supports S256 only; a challenge
	// without a method, or a method without a challenge, is an error.
	switch {
	case req.CodeChallenge == "" && req.CodeChallengeMethod == "":
	case req.CodeChallengeMethod != "S256":
		return fail(ErrInvalidRequest, "code_challenge_method must be S256.")
	case !pkcePattern.MatchString(req.CodeChallenge):
		return fail(ErrInvalidRequest, "Malformed code_challenge.")
	case req.ResponseType != ResponseCode:
		return fail(ErrInvalidRequest, "PKCE applies to the authorization code grant only.")
	}
	scopes, ok := grantedScopes(q.Get("scope"), c.AllowedOAuthScopes)
	if !ok {
		return fail(ErrInvalidScope, "Malformed scope.")
	}
	if len(scopes) == 0 {
		return fail(ErrInvalidScope, "None of the requested scopes is allowed for this client.")
	}
	req.Scopes = scopes
	return req, nil
}

// grantedScopes applies Cognito's rules: requested scopes the client is
// not allowed are silently dropped; no scope parameter means every allowed
// scope; email, phone and profile need openid.
func grantedScopes(requested string, allowed []string) ([]string, bool) {
	var out []string
	if strings.TrimSpace(requested) == "" {
		out = slices.Clone(allowed)
	} else {
		for _, s := range strings.Fields(requested) {
			if len(s) > 256 || strings.ContainsAny(s, "\"\\") {
				return nil, false
			}
			if slices.Contains(allowed, s) && !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
	}
	if !slices.Contains(out, pool.ScopeOpenID) {
		out = slices.DeleteFunc(out, func(s string) bool {
			return s == pool.ScopeEmail || s == pool.ScopePhone || s == pool.ScopeProfile
		})
	}
	return out, true
}

// Complete finishes an authorization request for an authenticated user and
// returns the URL to redirect the browser to: the client's redirect_uri
// with a single-use code and the state (RFC 6749 §4.1.2), or, for the
// implicit grant, with tokens in the fragment (§4.2.2).
//
// provider is how the user signed in: pool.ProviderCognito (the pool's
// own form, a sign-up or confirmation) or the name of the identity
// provider. A client whose SupportedIdentityProviders do not list it gets
// nothing: the error is unauthorized_client, redirected to the client,
// and nothing is stored.
func (s *Service) Complete(ctx context.Context, req *AuthorizeRequest, u pool.User, authTime time.Time, provider string) (string, error) {
	if provider == "" || !slices.Contains(req.Client.SupportedIdentityProviders, provider) {
		desc := "The client does not support the identity provider the user signed in with."
		if provider == pool.ProviderCognito {
			desc = "The client does not support the COGNITO identity provider."
		}
		e := badRequest(ErrUnauthorizedClient, desc)
		e.Redirect = ErrorRedirect(req, ErrUnauthorizedClient, desc)
		return "", e
	}
	now := s.now()
	origin := newJTI()
	if req.ResponseType == ResponseToken {
		return s.completeImplicit(ctx, req, u, authTime, origin)
	}
	code := newCode()
	ac := store.AuthCode{
		ID: hashSecret(code), PoolID: req.Pool.ID, ClientID: req.Client.ID, Sub: u.Sub,
		RedirectURI: req.RedirectURI, Scopes: req.Scopes, Nonce: req.Nonce,
		CodeChallenge: req.CodeChallenge, CodeChallengeMethod: req.CodeChallengeMethod,
		AuthTime: authTime, OriginJTI: origin, CreatedAt: now, ExpiresAt: now.Add(AuthCodeTTL),
	}
	if err := s.store.CreateAuthCode(ctx, ac); err != nil {
		return "", unavailable(fmt.Errorf("authorize: store code: %w", err))
	}
	s.metrics.codesIssued.Inc()
	v := url.Values{}
	v.Set("code", code)
	if req.State != "" {
		v.Set("state", req.State)
	}
	return appendQuery(req.RedirectURI, v), nil
}

// ErrorPageStatus is the status of the hosted error page for
// non-redirectable authorization errors.
const ErrorPageStatus = http.StatusBadRequest
