package token

import (
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"hash"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Token use values of the token_use claim.
const (
	TokenUseID     = "id"
	TokenUseAccess = "access"
)

// AccessClaims is the claim set of a Cognito access token issued by the
// OAuth endpoints ("Understanding the access token"). Field order follows
// Cognito's tokens.
type AccessClaims struct {
	Sub       string   `json:"sub"`
	Groups    []string `json:"cognito:groups,omitempty"`
	Issuer    string   `json:"iss"`
	Version   int      `json:"version"`
	ClientID  string   `json:"client_id"`
	OriginJTI string   `json:"origin_jti,omitempty"`
	EventID   string   `json:"event_id,omitempty"`
	TokenUse  string   `json:"token_use"`
	Scope     string   `json:"scope"`
	AuthTime  int64    `json:"auth_time"`
	ExpiresAt int64    `json:"exp"`
	IssuedAt  int64    `json:"iat"`
	JTI       string   `json:"jti"`
	Username  string   `json:"username,omitempty"`
}

// AccessInput is what an access token says about a user's grant.
type AccessInput struct {
	Issuer    string
	ClientID  string
	Sub       string
	Username  string
	Groups    []string
	Scopes    []string
	OriginJTI string
	EventID   string
	// JTI identifies the token; empty means a new random UUID.
	JTI       string
	AuthTime  time.Time
	IssuedAt  time.Time
	ExpiresAt time.Time
}

// NewAccessClaims returns the claims of a user's access token. Cognito
// access tokens carry client_id and no aud, and "version": 2 when issued
// by the OAuth endpoints.
func NewAccessClaims(in AccessInput) AccessClaims {
	jti := in.JTI
	if jti == "" {
		jti = uuid.NewString()
	}
	var groups []string
	if len(in.Groups) > 0 {
		groups = in.Groups
	}
	return AccessClaims{
		Sub:       in.Sub,
		Groups:    groups,
		Issuer:    in.Issuer,
		Version:   2,
		ClientID:  in.ClientID,
		OriginJTI: in.OriginJTI,
		EventID:   in.EventID,
		TokenUse:  TokenUseAccess,
		Scope:     strings.Join(in.Scopes, " "),
		AuthTime:  in.AuthTime.Unix(),
		ExpiresAt: in.ExpiresAt.Unix(),
		IssuedAt:  in.IssuedAt.Unix(),
		JTI:       jti,
		Username:  in.Username,
	}
}

// ClientCredentialsClaims returns the claims of an access token from the
// client_credentials grant (RFC 6749 §4.4): the client is the subject, so
// sub is the client id, there is no username and no groups, and auth_time
// is the issue time. jti empty means a new random UUID.
func ClientCredentialsClaims(issuer, clientID string, scopes []string, jti string, issuedAt, expiresAt time.Time) AccessClaims {
	return NewAccessClaims(AccessInput{
		Issuer:    issuer,
		ClientID:  clientID,
		Sub:       clientID,
		Scopes:    scopes,
		JTI:       jti,
		AuthTime:  issuedAt,
		IssuedAt:  issuedAt,
		ExpiresAt: expiresAt,
	})
}

// IDInput is what an ID token says about a user.
type IDInput struct {
	Issuer   string
	Audience string // the app client id
	Sub      string
	Username string
	Groups   []string
	// Attributes are user attributes as Cognito stores them: strings,
	// "custom:" attributes included.
	Attributes map[string]string
	// Release, when not nil, names the attributes of Attributes to put in
	// the token; nil releases every attribute in Attributes, for callers
	// that pass only the released ones. Either way the caller decides
	// from the granted scopes and the client's ReadAttributes (Cognito
	// "Scopes, M2M, and resource servers"; OIDC Core §5.4).
	Release   []string
	Nonce     string // from the authorization request; omitted when empty
	AtHash    string // see AtHash; omitted when empty
	OriginJTI string
	EventID   string
	// JTI identifies the token; empty means a new random UUID.
	JTI       string
	AuthTime  time.Time
	IssuedAt  time.Time
	ExpiresAt time.Time
}

// reservedID are claims an attribute can never set or replace.
var reservedID = map[string]bool{
	"sub": true, "iss": true, "aud": true, "exp": true, "iat": true,
	"auth_time": true, "jti": true, "origin_jti": true, "event_id": true,
	"token_use": true, "nonce": true, "at_hash": true, "azp": true,
	"cognito:username": true, "cognito:groups": true,
	"cognito:roles": true, "cognito:preferred_role": true, "identities": true,
}

// boolAttrs are attributes Cognito stores as "true"/"false" strings but
// puts in ID tokens as JSON booleans ("Understanding the identity token").
var boolAttrs = map[string]bool{"email_verified": true, "phone_number_verified": true}

// IDClaims returns the claims of an ID token (OIDC Core §2, Cognito
// "Understanding the identity token"): sub, iss, aud, token_use "id",
// cognito:username, auth_time, iat, exp, jti, cognito:groups when the user
// is in a group, origin_jti, event_id, nonce and at_hash when given, and
// the released attributes. email_verified and phone_number_verified
// become JSON booleans; every other attribute, custom:* and address
// included, stays the string it is stored as. Released names that the
// user has no value for are left out, as are attributes whose names are
// token claims.
func IDClaims(in IDInput) map[string]any {
	jti := in.JTI
	if jti == "" {
		jti = uuid.NewString()
	}
	c := make(map[string]any, 12+len(in.Attributes))
	release := func(name, v string) {
		switch {
		case reservedID[name]:
		case boolAttrs[name]:
			c[name] = v == "true"
		default:
			c[name] = v
		}
	}
	if in.Release == nil {
		for name, v := range in.Attributes {
			release(name, v)
		}
	} else {
		for _, name := range in.Release {
			if v, ok := in.Attributes[name]; ok {
				release(name, v)
			}
		}
	}
	c["sub"] = in.Sub
	c["iss"] = in.Issuer
	c["aud"] = in.Audience
	c["token_use"] = TokenUseID
	c["cognito:username"] = in.Username
	c["auth_time"] = in.AuthTime.Unix()
	c["iat"] = in.IssuedAt.Unix()
	c["exp"] = in.ExpiresAt.Unix()
	c["jti"] = jti
	if len(in.Groups) > 0 {
		c["cognito:groups"] = in.Groups
	}
	if in.OriginJTI != "" {
		c["origin_jti"] = in.OriginJTI
	}
	if in.EventID != "" {
		c["event_id"] = in.EventID
	}
	if in.Nonce != "" {
		c["nonce"] = in.Nonce
	}
	if in.AtHash != "" {
		c["at_hash"] = in.AtHash
	}
	return c
}

// AtHash returns the at_hash of an access token (OIDC Core §3.1.3.6): the
// left half of the hash of its ASCII octets, base64url without padding,
// with the hash of the JWS algorithm's family: SHA-256 for RS256 and
// ES256, SHA-384 and SHA-512 for the 384 and 512 variants.
func AtHash(accessToken, alg string) string {
	var h hash.Hash
	switch {
	case strings.HasSuffix(alg, "384"):
		h = sha512.New384()
	case strings.HasSuffix(alg, "512"):
		h = sha512.New()
	default:
		h = sha256.New()
	}
	h.Write([]byte(accessToken))
	sum := h.Sum(nil)
	return base64.RawURLEncoding.EncodeToString(sum[:len(sum)/2])
}
