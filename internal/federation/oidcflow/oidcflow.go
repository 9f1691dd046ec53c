package oidcflow

import (
	"context"
	"net/http"
	"net/url"

	"github.com/linkpool/linkpool/internal/federation/upstream"
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
}

// Result is the signed-in provider user.
type Result struct {
	Subject string            // the value of pool.SubjectClaim(Type)
	Claims  map[string]string // every upstream claim / profile field as a string (non-strings JSON-encoded), for AttributeMapping
}

// Client runs sign-ins at OAuth 2.0 and OpenID Connect providers. It is
// safe for concurrent use.
type Client struct {
	hc *http.Client
}

// New returns a Client that calls providers with hc; nil => a client with
// bounded timeouts (upstream.CallTimeout per call).
func New(hc *http.Client) *Client {
	if hc == nil {
		hc = &http.Client{Timeout: upstream.CallTimeout}
	}
	return &Client{hc: hc}
}

// Begin starts a sign-in: it returns the provider's authorization URL to
// send the browser to and what to keep until the callback.
func (c *Client) Begin(ctx context.Context, cfg Config) (authURL string, p Pending, err error) {
	return "", Pending{}, &upstream.Error{Kind: upstream.Unavailable, Description: "not implemented"}
}

// Finish takes the callback's parameters: the query for a GET, the form for Apple's form_post POST.
func (c *Client) Finish(ctx context.Context, cfg Config, p Pending, params url.Values) (Result, error) {
	return Result{}, &upstream.Error{Kind: upstream.Unavailable, Description: "not implemented"}
}
