package oidcflow

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"strings"

	"github.com/coreos/go-oidc/v3/oidc"

	"github.com/linkpool/linkpool/internal/federation/upstream"
	"github.com/linkpool/linkpool/internal/pool"
)

// keySetEntry is a cached remote key set; go-oidc's RemoteKeySet fetches
// the keys again when an ID token names a key it does not hold.
type keySetEntry struct {
	set *oidc.RemoteKeySet
}

// keySet returns the cached key set of jwksURI.
func (c *Client) keySet(ctx context.Context, jwksURI string) *oidc.RemoteKeySet {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.keySets[jwksURI]; ok {
		return e.set
	}
	if len(c.keySets) >= maxCached {
		clear(c.keySets)
	}
	// The key set keeps the context for its HTTP client only.
	s := oidc.NewRemoteKeySet(oidc.ClientContext(context.WithoutCancel(ctx), c.hc), jwksURI)
	c.keySets[jwksURI] = keySetEntry{set: s}
	return s
}

// verifyIDToken checks the ID token's signature against the provider's
// key set, its issuer, audience (the client id), expiry and nonce, and
// returns its claims.
func (c *Client) verifyIDToken(ctx context.Context, cfg Config, ep endpoints, p Pending, rawToken string) (map[string]any, error) {
	if ep.jwks == "" {
		return nil, unavailable("the provider has no key set (jwks_uri)", nil)
	}
	ctx, cancel := context.WithTimeout(ctx, upstream.CallTimeout)
	defer cancel()
	v := oidc.NewVerifier(ep.issuer, c.keySet(ctx, ep.jwks), &oidc.Config{ClientID: cfg.Details[pool.DetailClientID], SupportedSigningAlgs: ep.algs})
	tok, err := v.Verify(oidc.ClientContext(ctx, c.hc), rawToken)
	if err != nil {
		var expired *oidc.TokenExpiredError
		switch {
		case errors.As(err, &expired):
			return nil, &upstream.Error{Kind: upstream.Invalid, Description: "the provider's ID token has expired"}
		case strings.Contains(err.Error(), "fetching keys"), errors.Is(err, context.DeadlineExceeded):
			// go-oidc could not download the key set.
			return nil, unavailable("the provider's key set could not be fetched", nil)
		}
		return nil, &upstream.Error{Kind: upstream.Invalid, Description: "the provider's ID token is not valid: " + idTokenReason(err)}
	}
	if ep.nonce && (p.Nonce == "" || subtle.ConstantTimeCompare([]byte(tok.Nonce), []byte(p.Nonce)) != 1) {
		return nil, &upstream.Error{Kind: upstream.Invalid, Description: "the nonce of the provider's ID token does not match the sign-in"}
	}
	var raw json.RawMessage
	claims := map[string]any{}
	if err := tok.Claims(&raw); err != nil {
		return nil, &upstream.Error{Kind: upstream.Invalid, Description: "the provider's ID token claims are not a JSON object"}
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&claims); err != nil {
		return nil, &upstream.Error{Kind: upstream.Invalid, Description: "the provider's ID token claims are not a JSON object"}
	}
	return claims, nil
}

// idTokenReason names what failed without quoting the token.
func idTokenReason(err error) string {
	s := err.Error()
	switch {
	case strings.Contains(s, "signature"):
		return "bad signature"
	case strings.Contains(s, "audience"):
		return "wrong audience"
	case strings.Contains(s, "issued by a different provider"):
		return "wrong issuer"
	case strings.Contains(s, "nbf"):
		return "not yet valid"
	case strings.Contains(s, "malformed"):
		return "malformed"
	}
	return "rejected"
}
