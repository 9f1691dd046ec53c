package token

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/go-jose/go-jose/v4"

	"github.com/linkpool/linkpool/internal/pool"
)

// TestJWSSigner: the token signer's JWS verify with go-jose, carry the
// header {"alg","kid"} and nothing else, and for RS256 (a deterministic
// signature) are byte for byte what go-jose's signer writes. Keys of the
// wrong kind for an algorithm are refused.
func TestJWSSigner(t *testing.T) {
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	payload := []byte(`{"sub":"0b5c","token_use":"access","scope":"openid","exp":1800000000}`)
	for _, tc := range []struct {
		alg string
		key crypto.Signer
	}{{pool.AlgRS256, rsaKey}, {pool.AlgES256, ecKey}} {
		t.Run(tc.alg, func(t *testing.T) {
			s, err := newJWSSigner(tc.alg, "kid-1", tc.key)
			if err != nil {
				t.Fatal(err)
			}
			tok, err := s.sign(payload)
			if err != nil {
				t.Fatal(err)
			}
			jws, err := jose.ParseSignedCompact(tok, []jose.SignatureAlgorithm{jose.SignatureAlgorithm(tc.alg)})
			if err != nil {
				t.Fatal(err)
			}
			got, err := jws.Verify(tc.key.Public())
			if err != nil || string(got) != string(payload) {
				t.Fatalf("verify: %q, %v", got, err)
			}
			raw, err := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[0])
			if err != nil {
				t.Fatal(err)
			}
			var header map[string]any
			if err := json.Unmarshal(raw, &header); err != nil || len(header) != 2 || header["alg"] != tc.alg || header["kid"] != "kid-1" {
				t.Fatalf("header %s", raw)
			}
			if tc.alg != pool.AlgRS256 {
				return
			}
			js, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: tc.key, KeyID: "kid-1"}}, nil)
			if err != nil {
				t.Fatal(err)
			}
			want, err := js.Sign(payload)
			if err != nil {
				t.Fatal(err)
			}
			if w, _ := want.CompactSerialize(); w != tok {
				t.Fatalf("RS256 token differs from go-jose's:\n got %s\nwant %s", tok, w)
			}
		})
	}
	for _, tc := range []struct {
		alg string
		key crypto.Signer
	}{{pool.AlgES256, rsaKey}, {pool.AlgRS256, ecKey}, {"HS256", rsaKey}} {
		if _, err := newJWSSigner(tc.alg, "k", tc.key); err == nil {
			t.Errorf("%s with a %T: no error", tc.alg, tc.key)
		}
	}
}
