package fedtest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// Two RSA keys per process, shared by every stand-in: the signing key
// and the one a tampered ID token is signed with (under the signing
// key's kid). Generating RSA keys per test would dominate test time.
var (
	keysOnce        sync.Once
	signKey, badKey *rsa.PrivateKey
)

const signKID = "fedtest-1"

func keys() (sign, bad *rsa.PrivateKey) {
	keysOnce.Do(func() {
		var err error
		if signKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
		if badKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
	})
	return signKey, badKey
}

// jwks is the public key set the stand-ins publish.
func jwks() jose.JSONWebKeySet {
	k, _ := keys()
	return jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &k.PublicKey, KeyID: signKID, Algorithm: "RS256", Use: "sig"}}}
}

// signIDToken signs claims RS256, or as the knobs say: with the wrong
// key under the right kid (TamperSignature), not at all (AlgNone), or
// HS256 with the public key's bytes as the secret (HS256).
func signIDToken(claims map[string]any, k Knobs) string {
	sign, bad := keys()
	var key any = sign
	alg := jose.RS256
	switch {
	case k.AlgNone:
		header, _ := json.Marshal(map[string]string{"alg": "none", "typ": "JWT", "kid": signKID})
		payload, _ := json.Marshal(claims)
		return base64.RawURLEncoding.EncodeToString(header) + "." + base64.RawURLEncoding.EncodeToString(payload) + "."
	case k.HS256:
		der, err := x509.MarshalPKIXPublicKey(&sign.PublicKey)
		if err != nil {
			panic(err)
		}
		key, alg = pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), jose.HS256
	case k.TamperSignature:
		key = bad
	}
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, (&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", signKID))
	if err != nil {
		panic(err)
	}
	tok, err := jwt.Signed(s).Claims(claims).Serialize()
	if err != nil {
		panic(err)
	}
	return tok
}

// idClaims are the registered claims of an ID token for the knobs.
func idClaims(iss, sub, aud, nonce string, k Knobs) map[string]any {
	now := time.Now()
	c := map[string]any{
		"iss": iss, "sub": sub, "aud": aud,
		"iat": now.Unix(), "exp": now.Add(time.Hour).Unix(), "auth_time": now.Unix(),
	}
	if nonce != "" {
		c["nonce"] = nonce
	}
	if k.WrongIssuer {
		c["iss"] = "https://issuer.example.com"
	}
	if k.WrongAudience {
		c["aud"] = "someone-else"
	}
	if k.BadNonce {
		c["nonce"] = "not-the-nonce"
	}
	if k.Expired {
		c["iat"], c["exp"] = now.Add(-2*time.Hour).Unix(), now.Add(-time.Hour).Unix()
	}
	return c
}
