package oidcflow

import (
	"context"
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/linkpool/linkpool/internal/federation/upstream"
	"github.com/linkpool/linkpool/internal/pool"
)

// Published endpoints of the social providers, used unless the provider's
// details override them (authorize_url, token_url, attributes_url,
// jwks_uri, oidc_issuer). docs/federation.md cites their sources.
const (
	AmazonAuthorizeURL = "https://www.amazon.com/ap/oa"
	AmazonTokenURL     = "https://api.amazon.com/auth/o2/token"
	AmazonProfileURL   = "https://api.amazon.com/user/profile"

	GoogleIssuer = "https://accounts.google.com"

	FacebookAPIVersion = "v21.0"

	AppleIssuer       = "https://appleid.apple.com"
	AppleAuthorizeURL = "https://appleid.apple.com/auth/authorize"
	AppleTokenURL     = "https://appleid.apple.com/auth/token"
	AppleKeysURL      = "https://appleid.apple.com/auth/keys"
)

// endpoints is one provider's protocol, resolved from its type, details
// and, for OpenID Connect providers, its discovery document.
type endpoints struct {
	authorize, token, profile, jwks, issuer string
	profileMethod                           string // GET or POST
	idToken, nonce, pkce                    bool
	basicAuth                               bool // client_secret_basic, else client_secret_post
	// algs are the ID-token signing algorithms the discovery document
	// names that are accepted (asymmetric only); empty means RS256.
	algs []string
}

// discovered is a cached discovery document.
type discovered struct {
	doc     discoveryDoc
	fetched time.Time
}

type discoveryDoc struct {
	Issuer        string   `json:"issuer"`
	Authorization string   `json:"authorization_endpoint"`
	Token         string   `json:"token_endpoint"`
	UserInfo      string   `json:"userinfo_endpoint"`
	JWKS          string   `json:"jwks_uri"`
	AuthMethods   []string `json:"token_endpoint_auth_methods_supported"`
	SigningAlgs   []string `json:"id_token_signing_alg_values_supported"`
}

// asymmetricAlgs are the ID-token signing algorithms accepted from a
// discovery document: never "none", never a MAC keyed with the client
// secret.
var asymmetricAlgs = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}

// signingAlgs keeps the asymmetric algorithms of a discovery document.
func signingAlgs(doc []string) []string {
	var out []string
	for _, a := range doc {
		if slices.Contains(asymmetricAlgs, a) && !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	return out
}

const (
	discoveryTTL = time.Hour
	maxCached    = 256
)

func (c *Client) endpoints(ctx context.Context, cfg Config) (endpoints, error) {
	d := cfg.Details
	override := func(ep *endpoints) {
		set := func(dst *string, key string) {
			if v := strings.TrimSpace(d[key]); v != "" {
				*dst = v
			}
		}
		set(&ep.authorize, pool.DetailAuthorizeURL)
		set(&ep.token, pool.DetailTokenURL)
		set(&ep.profile, pool.DetailAttributesURL)
		set(&ep.jwks, pool.DetailJWKSURI)
		ep.profileMethod = "GET"
		if d[pool.DetailAttributesRequestMethod] == "POST" {
			ep.profileMethod = "POST"
		}
	}
	switch cfg.Type {
	case pool.ProviderLoginWithAmazon:
		ep := endpoints{authorize: AmazonAuthorizeURL, token: AmazonTokenURL, profile: AmazonProfileURL, pkce: true}
		override(&ep)
		return ep, nil
	case pool.ProviderFacebook:
		v := strings.TrimSpace(d[pool.DetailAPIVersion])
		if v == "" {
			v = FacebookAPIVersion
		}
		v = url.PathEscape(v)
		ep := endpoints{
			authorize: "https://www.facebook.com/" + v + "/dialog/oauth",
			token:     "https://graph.facebook.com/" + v + "/oauth/access_token",
			profile:   "https://graph.facebook.com/" + v + "/me",
		}
		override(&ep)
		return ep, nil
	case pool.ProviderSignInWithApple:
		ep := endpoints{
			authorize: AppleAuthorizeURL, token: AppleTokenURL, jwks: AppleKeysURL, issuer: expectedIssuer(cfg),
			idToken: true, nonce: true,
		}
		override(&ep)
		ep.profile = "" // Apple has no user-info endpoint
		return ep, nil
	case pool.ProviderGoogle, pool.ProviderOIDC:
		ep := endpoints{issuer: expectedIssuer(cfg), idToken: true, nonce: true, pkce: true, basicAuth: true}
		if ep.issuer == "" {
			return endpoints{}, &upstream.Error{Kind: upstream.Unavailable, Description: "the provider has no oidc_issuer"}
		}
		if cfg.Type == pool.ProviderGoogle {
			ep.basicAuth = false
		}
		if d[pool.DetailAuthorizeURL] == "" || d[pool.DetailTokenURL] == "" || d[pool.DetailJWKSURI] == "" {
			doc, err := c.discover(ctx, ep.issuer)
			if err != nil {
				return endpoints{}, err
			}
			ep.authorize, ep.token, ep.profile, ep.jwks = doc.Authorization, doc.Token, doc.UserInfo, doc.JWKS
			ep.algs = signingAlgs(doc.SigningAlgs)
			if cfg.Type == pool.ProviderOIDC && len(doc.AuthMethods) > 0 && !slices.Contains(doc.AuthMethods, "client_secret_basic") &&
				slices.Contains(doc.AuthMethods, "client_secret_post") {
				ep.basicAuth = false
			}
		}
		override(&ep)
		return ep, nil
	}
	return endpoints{}, &upstream.Error{Kind: upstream.Unavailable, Description: "provider type " + cfg.Type + " does not sign in with OAuth 2.0"}
}

// expectedIssuer is the issuer of the provider's ID tokens: oidc_issuer,
// else Google's or Apple's; "" for the providers without ID tokens.
func expectedIssuer(cfg Config) string {
	v := strings.TrimSpace(cfg.Details[pool.DetailOIDCIssuer])
	switch cfg.Type {
	case pool.ProviderGoogle:
		if v == "" {
			v = GoogleIssuer
		}
	case pool.ProviderSignInWithApple:
		if v == "" {
			v = AppleIssuer
		}
	case pool.ProviderOIDC:
	default:
		v = ""
	}
	return v
}

// discover fetches (or takes from the cache) the issuer's OpenID
// Connect discovery document.
func (c *Client) discover(ctx context.Context, issuer string) (discoveryDoc, error) {
	c.mu.Lock()
	e, ok := c.discovery[issuer]
	c.mu.Unlock()
	if ok && time.Since(e.fetched) < discoveryTTL {
		return e.doc, nil
	}
	body, err := c.get(ctx, strings.TrimSuffix(issuer, "/")+"/.well-known/openid-configuration", "discovery document")
	if err != nil {
		return discoveryDoc{}, err
	}
	var doc discoveryDoc
	if err := json.Unmarshal(body, &doc); err != nil {
		return discoveryDoc{}, unavailable("the provider's discovery document is not JSON", nil)
	}
	if doc.Issuer != issuer {
		return discoveryDoc{}, unavailable("the provider's discovery document names another issuer", nil)
	}
	if doc.Authorization == "" || doc.Token == "" || doc.JWKS == "" {
		return discoveryDoc{}, unavailable("the provider's discovery document lacks an endpoint", nil)
	}
	// The document may point anywhere: its endpoints are held to the
	// rule of the URL details (https, or http on a loopback host).
	for _, e := range []struct{ name, url string }{
		{"authorization_endpoint", doc.Authorization}, {"token_endpoint", doc.Token},
		{"userinfo_endpoint", doc.UserInfo}, {"jwks_uri", doc.JWKS},
	} {
		if e.url == "" {
			continue // only the user-info endpoint is optional (checked above)
		}
		if pool.ValidateProviderURL(e.url) != nil {
			return discoveryDoc{}, unavailable("the provider's discovery document names a "+e.name+" that is not an https URL", nil)
		}
	}
	c.mu.Lock()
	if len(c.discovery) >= maxCached {
		clear(c.discovery)
	}
	c.discovery[issuer] = discovered{doc: doc, fetched: time.Now()}
	c.mu.Unlock()
	return doc, nil
}
