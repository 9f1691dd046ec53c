package verify

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"golang.org/x/sync/singleflight"
)

// Identity is what a verified access token says about its bearer.
type Identity struct {
	Sub       string
	Username  string
	ClientID  string
	Issuer    string
	OriginJTI string
	JTI       string
	Groups    []string
	Scopes    []string
	AuthTime  time.Time
	IssuedAt  time.Time
	ExpiresAt time.Time
}

// Verifier verifies access tokens of one issuer. It is safe for concurrent
// use; create one per issuer and keep it for the life of the process.
type Verifier struct {
	cfg  Config
	algs []jose.SignatureAlgorithm

	keys  atomic.Pointer[keySet]
	group singleflight.Group

	mu          sync.Mutex // guards lastAttempt, lastErr and pending
	lastAttempt time.Time
	lastErr     error
	pending     map[string]struct{} // kids not found since the last fetch started
}

// New returns a Verifier for cfg. It does not touch the network: the key
// set is fetched at the first Verify or by Prefetch.
func New(cfg Config) (*Verifier, error) {
	cfg, algs, err := cfg.normalize()
	if err != nil {
		return nil, err
	}
	return &Verifier{cfg: cfg, algs: algs}, nil
}

// Issuer returns the configured issuer.
func (v *Verifier) Issuer() string { return v.cfg.Issuer }

// accessClaims are the claims of a Cognito access token (Cognito developer
// guide, "Understanding the access token").
type accessClaims struct {
	Issuer    string           `json:"iss"`
	Subject   string           `json:"sub"`
	TokenUse  string           `json:"token_use"`
	ClientID  string           `json:"client_id"`
	Username  string           `json:"username"`
	Scope     string           `json:"scope"`
	Groups    []string         `json:"cognito:groups"`
	Expiry    *jwt.NumericDate `json:"exp"`
	IssuedAt  *jwt.NumericDate `json:"iat"`
	NotBefore *jwt.NumericDate `json:"nbf"`
	AuthTime  *jwt.NumericDate `json:"auth_time"`
	JTI       string           `json:"jti"`
	OriginJTI string           `json:"origin_jti"`
}

// Verify checks token and returns the identity it carries. The order
// follows RFC 8725 §3 and the Cognito guide "Verifying a JSON Web Token":
// size and shape first, then the signature with an allow-listed algorithm,
// and only then the claims (iss, token_use, client_id, exp, iat, nbf,
// scope). Errors are *Error values matching ErrInvalid, ErrExpired or
// ErrUnavailable.
func (v *Verifier) Verify(ctx context.Context, token string) (Identity, error) {
	if err := checkShape(token); err != nil {
		return Identity{}, err
	}
	jws, err := jose.ParseSignedCompact(token, v.algs)
	if err != nil {
		return Identity{}, fail(ErrMalformed, "not a compact JWS with an accepted algorithm")
	}
	if len(jws.Signatures) != 1 {
		return Identity{}, fail(ErrMalformed, "expected exactly one signature")
	}
	hdr := jws.Signatures[0].Header
	if hdr.KeyID == "" {
		return Identity{}, fail(ErrMalformed, "no kid in the JOSE header")
	}
	entry, err := v.key(ctx, hdr.KeyID, jws)
	if err != nil {
		return Identity{}, err
	}
	if entry.alg != "" && entry.alg != hdr.Algorithm {
		return Identity{}, fail(ErrSignature, "the key is for "+entry.alg+", the token uses "+hdr.Algorithm)
	}
	payload, err := jws.Verify(entry.key)
	if err != nil {
		return Identity{}, fail(ErrSignature, "")
	}
	var c accessClaims
	if err := json.Unmarshal(payload, &c); err != nil {
		return Identity{}, fail(ErrMalformed, "claims are not a JSON object of the expected shape")
	}
	return v.check(&c)
}

// check validates the claims of a token whose signature verified.
func (v *Verifier) check(c *accessClaims) (Identity, error) {
	if subtle.ConstantTimeCompare([]byte(c.Issuer), []byte(v.cfg.Issuer)) != 1 {
		return Identity{}, fail(ErrIssuer, "")
	}
	if c.TokenUse != "access" {
		return Identity{}, fail(ErrTokenUse, "token_use is "+quoteShort(c.TokenUse))
	}
	if !v.acceptsClient(c.ClientID) {
		return Identity{}, fail(ErrClient, "")
	}
	if c.Subject == "" || c.Expiry == nil || c.IssuedAt == nil {
		return Identity{}, fail(ErrMissingClaims, "sub, exp and iat are required")
	}
	now := v.cfg.Now()
	exp := c.Expiry.Time()
	if now.After(exp.Add(v.cfg.Leeway)) {
		return Identity{}, fail(ErrExpired, "expired at "+exp.UTC().Format(time.RFC3339))
	}
	iat := c.IssuedAt.Time()
	var nbf time.Time
	if c.NotBefore != nil {
		nbf = c.NotBefore.Time()
	}
	if err := CheckValidFrom(now, iat, nbf, v.cfg.Leeway); err != nil {
		return Identity{}, err
	}
	scopes := strings.Fields(c.Scope)
	for _, want := range v.cfg.RequiredScopes {
		if !contains(scopes, want) {
			return Identity{}, fail(ErrMissingScope, quoteShort(want))
		}
	}
	id := Identity{
		Sub:       c.Subject,
		Username:  c.Username,
		ClientID:  c.ClientID,
		Issuer:    c.Issuer,
		OriginJTI: c.OriginJTI,
		JTI:       c.JTI,
		Groups:    c.Groups,
		Scopes:    scopes,
		IssuedAt:  iat,
		ExpiresAt: exp,
	}
	if c.AuthTime != nil {
		id.AuthTime = c.AuthTime.Time()
	}
	return id, nil
}

// key finds the verification key for kid, fetching the key set on first
// use and again (rate-limited) when kid is unknown or its key has not been
// seen for MaxKeyAge. An unknown kid is ErrUnknownKey only when a fetch
// that started after the kid was presented lacks it (or, with PublishLead,
// when the token was issued soon enough after the last fetch that its key
// would have been in it); otherwise, while a refetch is not allowed yet, it
// is ErrKeyNotFetched, never a credential error. A token of another
// issuer never causes a fetch.
func (v *Verifier) key(ctx context.Context, kid string, jws *jose.JSONWebSignature) (keyEntry, error) {
	ks := v.keys.Load()
	if ks != nil {
		if e, ok := ks.keys[kid]; ok && v.fresh(e) {
			return e, nil
		}
	}
	claims := unverifiedClaims(jws)
	if ks != nil && subtle.ConstantTimeCompare([]byte(claims.Issuer), []byte(v.cfg.Issuer)) != 1 {
		return keyEntry{}, fail(ErrUnknownKey, "kid "+quoteShort(kid)+" is not in the key set and the token names another issuer")
	}
	v.ask(kid)
	ks, err := v.refresh(ctx)
	if err != nil {
		return keyEntry{}, err
	}
	if ks == nil {
		return keyEntry{}, unavailable("no key set fetched yet", nil)
	}
	e, ok := ks.keys[kid]
	if ok && v.fresh(e) {
		return e, nil
	}
	if _, gone := ks.missing[kid]; gone {
		return keyEntry{}, fail(ErrUnknownKey, "kid "+quoteShort(kid)+" is not in the key set")
	}
	if v.cfg.PublishLead > 0 && claims.IssuedAt != nil &&
		!claims.IssuedAt.Time().After(ks.fetchedAt.Add(v.cfg.PublishLead-v.cfg.Leeway)) {
		return keyEntry{}, fail(ErrUnknownKey, "kid "+quoteShort(kid)+" is not in the key set fetched after its key would have been published")
	}
	return keyEntry{}, &Error{Reason: ErrKeyNotFetched,
		Detail: "kid " + quoteShort(kid) + " is not in the key set fetched at " + ks.fetchedAt.UTC().Format(time.RFC3339) +
			"; the next fetch is allowed at " + ks.fetchedAt.Add(v.cfg.MinRefreshInterval).UTC().Format(time.RFC3339)}
}

// unverifiedClaims reads iss and iat of a token whose signature could not
// be checked yet. They only decide between ErrUnknownKey and
// ErrKeyNotFetched: a forger choosing them gets one refusal or the other.
func unverifiedClaims(jws *jose.JSONWebSignature) (c struct {
	Issuer   string           `json:"iss"`
	IssuedAt *jwt.NumericDate `json:"iat"`
}) {
	_ = json.Unmarshal(jws.UnsafePayloadWithoutVerification(), &c)
	return c
}

func (v *Verifier) fresh(e keyEntry) bool {
	return v.cfg.Now().Sub(e.lastSeen) <= v.cfg.MaxKeyAge
}

func (v *Verifier) acceptsClient(id string) bool {
	ok := 0
	for _, want := range v.cfg.ClientIDs {
		ok |= subtle.ConstantTimeCompare([]byte(id), []byte(want))
	}
	return ok == 1
}

// checkShape rejects what cannot be a compact JWS before any parsing:
// longer than MaxTokenSize, not exactly three non-empty dot-separated
// segments, or characters outside the base64url alphabet (RFC 7515 §7.1).
// Counting dots first avoids the memory blow-up of splitting a token made
// of dots (CVE-2025-27144).
func checkShape(tok string) error {
	if len(tok) == 0 {
		return fail(ErrMalformed, "empty token")
	}
	if len(tok) > MaxTokenSize {
		return fail(ErrMalformed, "longer than 8 KiB")
	}
	dots, segLen := 0, 0
	for i := 0; i < len(tok); i++ {
		c := tok[i]
		switch {
		case c == '.':
			if segLen == 0 {
				return fail(ErrMalformed, "empty segment")
			}
			dots++
			segLen = 0
			if dots > 2 {
				return fail(ErrMalformed, "more than three segments")
			}
			continue
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-', c == '_':
		default:
			return fail(ErrMalformed, "character outside the base64url alphabet")
		}
		segLen++
	}
	if dots != 2 || segLen == 0 {
		return fail(ErrMalformed, "not three dot-separated segments")
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// quoteShort quotes s for an error message, cut to 64 bytes so that a
// hostile claim cannot flood logs.
func quoteShort(s string) string {
	if len(s) > 64 {
		s = s[:64] + "..."
	}
	return `"` + strings.ToValidUTF8(s, "?") + `"`
}
