package oidcflow

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/linkpool/linkpool/internal/federation/upstream"
	"github.com/linkpool/linkpool/internal/pool"
)

// MaxResponse bounds every body read from a provider.
const MaxResponse = 1 << 20

// tokenResponse is the token endpoint's answer (RFC 6749 5.1, OpenID
// Connect Core 3.1.3.3).
type tokenResponse struct {
	AccessToken string `json:"access_token"`
	IDToken     string `json:"id_token"`
	TokenType   string `json:"token_type"`
}

// exchange redeems the authorization code at the token endpoint.
func (c *Client) exchange(ctx context.Context, cfg Config, ep endpoints, p Pending, code string) (tokenResponse, error) {
	form := url.Values{
		"grant_type":   {"authorization_code"},
		"code":         {code},
		"redirect_uri": {cfg.RedirectURI},
	}
	if p.CodeVerifier != "" {
		form.Set("code_verifier", p.CodeVerifier)
	}
	clientID := cfg.Details[pool.DetailClientID]
	secret := cfg.Details[pool.DetailClientSecret]
	if cfg.Type == pool.ProviderSignInWithApple {
		s, err := c.appleClientSecret(cfg)
		if err != nil {
			return tokenResponse{}, err
		}
		secret = s
	}
	basic := ep.basicAuth && secret != ""
	if !basic {
		form.Set("client_id", clientID)
		if secret != "" {
			form.Set("client_secret", secret)
		}
	}
	ctx, cancel := context.WithTimeout(ctx, upstream.CallTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ep.token, strings.NewReader(form.Encode()))
	if err != nil {
		return tokenResponse{}, unavailable("the provider's token endpoint is not a URL", nil)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	if basic {
		// RFC 6749 2.3.1: the credentials are form-encoded before Basic.
		req.SetBasicAuth(url.QueryEscape(clientID), url.QueryEscape(secret))
	}
	status, body, err := c.do(c.direct, req, "token endpoint")
	if err != nil {
		return tokenResponse{}, err
	}
	if status != http.StatusOK {
		return tokenResponse{}, endpointError(status, body, "token endpoint")
	}
	var tok tokenResponse
	if err := json.Unmarshal(body, &tok); err != nil {
		return tokenResponse{}, unavailable("the provider's token endpoint answered with something else than JSON", nil)
	}
	return tok, nil
}

// do sends req with hc and reads at most MaxResponse bytes of
// the answer. Failures to reach the provider are Unavailable; the error
// kept never holds the request's URL (it may carry a token).
func (c *Client) do(hc *http.Client, req *http.Request, what string) (int, []byte, error) {
	resp, err := hc.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return 0, nil, unavailable("the provider's "+what+" could not be reached", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxResponse+1))
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return 0, nil, unavailable("the provider's "+what+" answer could not be read", err)
	}
	if len(body) > MaxResponse {
		return 0, nil, unavailable("the provider's "+what+" answer is larger than "+strconv.Itoa(MaxResponse)+" bytes", nil)
	}
	return resp.StatusCode, body, nil
}

// get fetches a public document (discovery, keys) with the per-call bound.
func (c *Client) get(ctx context.Context, u, what string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, upstream.CallTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, unavailable("the provider's "+what+" address is not a URL", nil)
	}
	req.Header.Set("Accept", "application/json")
	status, body, err := c.do(c.hc, req, what)
	if err != nil {
		return nil, err
	}
	if status != http.StatusOK {
		return nil, unavailable("the provider's "+what+" answered HTTP "+strconv.Itoa(status), nil)
	}
	return body, nil
}

// endpointError classifies an error answer of a provider endpoint: a
// 5xx or 429 is Unavailable (never the user's fault: the federation
// service must not end an Alexa link with invalid_grant for it), a 4xx
// with access_denied is Denied, any other 4xx Invalid.
func endpointError(status int, body []byte, what string) error {
	desc := "the provider's " + what + " answered HTTP " + strconv.Itoa(status)
	if status >= 300 && status < 400 {
		desc = "the provider's " + what + " redirected (HTTP " + strconv.Itoa(status) + "), which is not followed"
	}
	if status >= 500 || status == http.StatusTooManyRequests || status < 400 {
		return unavailable(desc, nil)
	}
	var e struct {
		Error json.RawMessage `json:"error"`
	}
	code := ""
	if json.Unmarshal(body, &e) == nil && len(e.Error) > 0 {
		var s string
		var fb struct {
			Type string `json:"type"`
		}
		if json.Unmarshal(e.Error, &s) == nil {
			code = safeCode(s)
		} else if json.Unmarshal(e.Error, &fb) == nil && fb.Type != "" {
			code = safeCode(fb.Type) // Facebook: {"error":{"type":"OAuthException",...}}
		}
	}
	kind := upstream.Invalid
	if code == "access_denied" {
		kind = upstream.Denied
	}
	return &upstream.Error{Kind: kind, Code: code, Description: desc}
}

func unavailable(desc string, err error) *upstream.Error {
	return &upstream.Error{Kind: upstream.Unavailable, Description: desc, Err: err}
}
