package oidcflow

import (
	"crypto/ecdsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/linkpool/linkpool/internal/federation/upstream"
	"github.com/linkpool/linkpool/internal/pool"
)

// AppleAudience is the audience of Sign in with Apple's client-secret JWT.
const AppleAudience = "https://appleid.apple.com"

// Lifetime of the client-secret JWT and how long before its expiry a
// fresh one is made (Apple accepts up to six months).
const (
	appleSecretLifetime = time.Hour
	appleSecretRenew    = 10 * time.Minute
)

type appleSecret struct {
	jwt     string
	expires time.Time
}

// appleClientSecret returns the client secret Sign in with Apple expects
// at its token endpoint: a JWT signed ES256 with the provider's private
// key (kid=key_id, iss=team_id, sub=client_id, aud=AppleAudience), cached
// until shortly before it expires.
func (c *Client) appleClientSecret(cfg Config) (string, error) {
	d := cfg.Details
	keyPEM := d[pool.DetailPrivateKey]
	sum := sha256.Sum256([]byte(d[pool.DetailTeamID] + "\x00" + d[pool.DetailKeyID] + "\x00" + d[pool.DetailClientID] + "\x00" + keyPEM))
	id := hex.EncodeToString(sum[:])
	now := time.Now()
	c.mu.Lock()
	s, ok := c.secrets[id]
	c.mu.Unlock()
	if ok && now.Before(s.expires.Add(-appleSecretRenew)) {
		return s.jwt, nil
	}
	key, err := parseAppleKey(keyPEM)
	if err != nil {
		return "", err
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: key},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", d[pool.DetailKeyID]))
	if err != nil {
		return "", unavailable("the Sign in with Apple key cannot sign", nil)
	}
	exp := now.Add(appleSecretLifetime)
	tok, err := jwt.Signed(signer).Claims(jwt.Claims{
		Issuer:   d[pool.DetailTeamID],
		Subject:  d[pool.DetailClientID],
		Audience: jwt.Audience{AppleAudience},
		IssuedAt: jwt.NewNumericDate(now),
		Expiry:   jwt.NewNumericDate(exp),
	}).Serialize()
	if err != nil {
		return "", unavailable("the Sign in with Apple client secret could not be signed", nil)
	}
	c.mu.Lock()
	if len(c.secrets) >= maxCached {
		clear(c.secrets)
	}
	c.secrets[id] = appleSecret{jwt: tok, expires: exp}
	c.mu.Unlock()
	return tok, nil
}

// parseAppleKey reads the .p8 key Apple issues: PEM, PKCS#8, P-256.
func parseAppleKey(s string) (*ecdsa.PrivateKey, error) {
	bad := &upstream.Error{Kind: upstream.Unavailable, Description: "the Sign in with Apple private_key is not a PEM PKCS#8 P-256 key"}
	block, _ := pem.Decode([]byte(s))
	if block == nil {
		return nil, bad
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, bad
	}
	ec, ok := k.(*ecdsa.PrivateKey)
	if !ok || ec.Curve.Params().Name != "P-256" {
		return nil, bad
	}
	return ec, nil
}

// mergeAppleUser adds the name Apple sends only on the first sign-in, in
// the form field user ({"name":{"firstName","lastName"},"email"}), to the
// claims as given_name and family_name. The field is not signed: the
// person signing in can write it, so its email is ignored; the email
// comes from the verified ID token only.
func mergeAppleUser(claims map[string]any, user string) {
	if user == "" || len(user) > 8192 {
		return
	}
	var u struct {
		Name struct {
			FirstName string `json:"firstName"`
			LastName  string `json:"lastName"`
		} `json:"name"`
	}
	if json.Unmarshal([]byte(user), &u) != nil {
		return
	}
	if u.Name.FirstName != "" {
		claims["given_name"] = u.Name.FirstName
	}
	if u.Name.LastName != "" {
		claims["family_name"] = u.Name.LastName
	}
}
