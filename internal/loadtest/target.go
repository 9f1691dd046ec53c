package loadtest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Target is one app client of one pool, seen from outside as Alexa sees
// it: the pool's base URL, the client's credentials and a registered
// redirect URI.
type Target struct {
	// Base is the pool's base URL: <public-url>/<pool id>, or the pool's
	// domain.
	Base         string
	ClientID     string
	ClientSecret string
	RedirectURI  string
	// Scopes requested; empty means openid.
	Scopes []string
	// Transport carries every request; nil means a new transport tuned
	// for many keep-alive connections to one host.
	Transport http.RoundTripper
}

// NewTransport returns a transport that keeps up to conns idle
// connections to the target, so that a load run reuses connections
// instead of opening one per request.
func NewTransport(conns int) *http.Transport {
	return &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        conns,
		MaxIdleConnsPerHost: conns,
		IdleConnTimeout:     90 * time.Second,
		ForceAttemptHTTP2:   false,
	}
}

func (t *Target) transport() http.RoundTripper {
	if t.Transport == nil {
		t.Transport = NewTransport(64)
	}
	return t.Transport
}

func (t *Target) scope() string {
	if len(t.Scopes) == 0 {
		return "openid"
	}
	return strings.Join(t.Scopes, " ")
}

// Tokens is a successful token response (RFC 6749 §5.1).
type Tokens struct {
	AccessToken  string `json:"access_token"`
	IDToken      string `json:"id_token"`
	RefreshToken string `json:"refresh_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
}

// TokenError is a failed token request: an error response of RFC 6749
// §5.2, or an HTTP status without one (a proxy's 502). Code is the OAuth
// error code, or "http_<status>" without a JSON body.
type TokenError struct {
	Status      int
	Code        string
	Description string
}

func (e *TokenError) Error() string {
	if e.Description != "" {
		return fmt.Sprintf("token endpoint: %d %s: %s", e.Status, e.Code, e.Description)
	}
	return fmt.Sprintf("token endpoint: %d %s", e.Status, e.Code)
}

// Exchange redeems an authorization code with its PKCE verifier
// (RFC 6749 §4.1.3, RFC 7636 §4.5). from, when set, is sent as
// X-Forwarded-For: the client address a trusted proxy would report.
func (t *Target) Exchange(ctx context.Context, code, verifier, from string) (Tokens, error) {
	form := url.Values{
		"grant_type":   {"authorization_code"},
		"code":         {code},
		"redirect_uri": {t.RedirectURI},
	}
	if verifier != "" {
		form.Set("code_verifier", verifier)
	}
	return t.token(ctx, form, from)
}

// Refresh redeems a refresh token (RFC 6749 §6).
func (t *Target) Refresh(ctx context.Context, refreshToken, from string) (Tokens, error) {
	return t.token(ctx, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refreshToken}}, from)
}

// token posts a token request authenticated with client_secret_basic,
// the client id and secret form-encoded first (RFC 6749 §2.3.1), as
// Alexa's "HTTP Basic" scheme does.
func (t *Target) token(ctx context.Context, form url.Values, from string) (Tokens, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.Base+"/oauth2/token", strings.NewReader(form.Encode()))
	if err != nil {
		return Tokens{}, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.SetBasicAuth(url.QueryEscape(t.ClientID), url.QueryEscape(t.ClientSecret))
	if from != "" {
		req.Header.Set("X-Forwarded-For", from)
	}
	resp, err := t.transport().RoundTrip(req)
	if err != nil {
		return Tokens{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return Tokens{}, err
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error       string `json:"error"`
			Description string `json:"error_description"`
		}
		if json.Unmarshal(body, &e) != nil || e.Error == "" {
			e.Error = "http_" + strconv.Itoa(resp.StatusCode)
		}
		return Tokens{}, &TokenError{Status: resp.StatusCode, Code: e.Error, Description: e.Description}
	}
	var tok Tokens
	if err := json.Unmarshal(body, &tok); err != nil || tok.AccessToken == "" {
		return Tokens{}, &TokenError{Status: resp.StatusCode, Code: "bad_response", Description: "a 200 response without an access token"}
	}
	return tok, nil
}
