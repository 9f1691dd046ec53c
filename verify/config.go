package verify

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// Defaults applied by New to zero Config fields.
const (
	DefaultLeeway             = 60 * time.Second
	DefaultMinRefreshInterval = 30 * time.Second
	DefaultMaxKeyAge          = 24 * time.Hour
	// DefaultFetchTimeout bounds one key-set fetch when Config.HTTPClient
	// has no timeout of its own.
	DefaultFetchTimeout = 10 * time.Second
	// MaxTokenSize: longer tokens are rejected before any parsing. Cognito
	// access tokens are about 1 KiB; LWA documents 2048 bytes as its
	// maximum token size.
	MaxTokenSize = 8 << 10
	// maxJWKSSize caps the key-set document read from the network.
	maxJWKSSize = 1 << 20
)

// DefaultAlgorithms is the signature algorithm allow-list when
// Config.Algorithms is empty: RS256, which Cognito uses, and ES256, which
// linkpool pools may be configured to use. Symmetric algorithms and "none"
// can never be allowed (RFC 8725 §3.1).
var DefaultAlgorithms = []string{"RS256", "ES256"}

// Config configures a Verifier.
type Config struct {
	// Issuer is compared byte for byte with the iss claim.
	Issuer string
	// JWKSURL defaults to Issuer + "/.well-known/jwks.json".
	JWKSURL string
	// ClientIDs are the accepted client_id claim values (Cognito access
	// tokens carry client_id and no aud). At least one is required.
	ClientIDs []string
	// RequiredScopes must all be present in the space-separated scope claim.
	RequiredScopes []string
	// Algorithms is the signature algorithm allow-list (default
	// DefaultAlgorithms). Only asymmetric JWS algorithms are accepted.
	Algorithms []string
	// Leeway tolerates clock skew on exp, iat and nbf (default 60s).
	Leeway time.Duration
	// MinRefreshInterval is the least time between two key-set fetches
	// caused by unknown key ids (default 30s).
	MinRefreshInterval time.Duration
	// PublishLead is how long the issuer publishes a new key in its JWKS
	// before the key signs anything, if it guarantees one (a linkpool
	// pool: token.PublishFor, 10 minutes); zero when unknown (Cognito).
	// With it, a token with an unknown kid issued (iat) no later than
	// PublishLead - Leeway after the last key-set fetch is refused as
	// ErrUnknownKey without waiting for MinRefreshInterval: its key would
	// have been in that fetch.
	PublishLead time.Duration
	// MaxKeyAge: a key not seen in any key-set fetch for this long stops
	// verifying (default 24h).
	MaxKeyAge time.Duration
	// HTTPClient fetches the key set (default: a client with a 10s timeout).
	HTTPClient *http.Client
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// allowedAlgorithms are the asymmetric JWS algorithms go-jose supports.
var allowedAlgorithms = map[string]jose.SignatureAlgorithm{
	"RS256": jose.RS256, "RS384": jose.RS384, "RS512": jose.RS512,
	"PS256": jose.PS256, "PS384": jose.PS384, "PS512": jose.PS512,
	"ES256": jose.ES256, "ES384": jose.ES384, "ES512": jose.ES512,
	"EdDSA": jose.EdDSA,
}

// normalize checks cfg and fills in the defaults.
func (cfg Config) normalize() (Config, []jose.SignatureAlgorithm, error) {
	if cfg.Issuer == "" {
		return cfg, nil, errors.New("verify: Issuer is required")
	}
	if u, err := url.Parse(cfg.Issuer); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return cfg, nil, fmt.Errorf("verify: Issuer %q is not an http(s) URL", cfg.Issuer)
	}
	if cfg.JWKSURL == "" {
		cfg.JWKSURL = strings.TrimSuffix(cfg.Issuer, "/") + "/.well-known/jwks.json"
	}
	if u, err := url.Parse(cfg.JWKSURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return cfg, nil, fmt.Errorf("verify: JWKSURL %q is not an http(s) URL", cfg.JWKSURL)
	}
	if len(cfg.ClientIDs) == 0 {
		return cfg, nil, errors.New("verify: at least one client id is required")
	}
	for _, id := range cfg.ClientIDs {
		if id == "" {
			return cfg, nil, errors.New("verify: empty client id")
		}
	}
	names := cfg.Algorithms
	if len(names) == 0 {
		names = DefaultAlgorithms
	}
	algs := make([]jose.SignatureAlgorithm, 0, len(names))
	for _, n := range names {
		a, ok := allowedAlgorithms[n]
		if !ok {
			return cfg, nil, fmt.Errorf("verify: algorithm %q is not an accepted asymmetric JWS algorithm", n)
		}
		algs = append(algs, a)
	}
	if cfg.Leeway == 0 {
		cfg.Leeway = DefaultLeeway
	}
	if cfg.MinRefreshInterval == 0 {
		cfg.MinRefreshInterval = DefaultMinRefreshInterval
	}
	if cfg.MaxKeyAge == 0 {
		cfg.MaxKeyAge = DefaultMaxKeyAge
	}
	if cfg.Leeway < 0 || cfg.MinRefreshInterval < 0 || cfg.MaxKeyAge < 0 || cfg.PublishLead < 0 {
		return cfg, nil, errors.New("verify: durations must not be negative")
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: DefaultFetchTimeout}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	cfg.ClientIDs = append([]string(nil), cfg.ClientIDs...)
	cfg.RequiredScopes = append([]string(nil), cfg.RequiredScopes...)
	return cfg, algs, nil
}
