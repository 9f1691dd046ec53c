package smarthometest

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/linkpool/linkpool/verify"
)

// ClientID is the app client id in the issuer's tokens.
const ClientID = "alexaskillclient0000000001"

var (
	keyOnce sync.Once
	keys    [2]*rsa.PrivateKey
)

func rsaKeys() [2]*rsa.PrivateKey {
	keyOnce.Do(func() {
		for i := range keys {
			k, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				panic(err)
			}
			keys[i] = k
		}
	})
	return keys
}

// Issuer is a user pool stand-in: it serves its JWKS on loopback and signs
// access tokens shaped like Cognito's.
type Issuer struct {
	URL    string // the issuer, <server>/us-east-1_SmartLamp1
	server *httptest.Server
	signer jose.Signer
	other  jose.Signer // a key that is not in the JWKS, same kid
	down   atomic.Bool
	now    func() time.Time

	mu   sync.Mutex
	jwks jose.JSONWebKeySet
}

// NewIssuer starts an issuer; it stops when the test ends.
func NewIssuer(t testing.TB) *Issuer {
	t.Helper()
	ks := rsaKeys()
	iss := &Issuer{now: time.Now}
	iss.jwks = jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &ks[0].PublicKey, KeyID: "key-1", Algorithm: "RS256", Use: "sig"}}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /us-east-1_SmartLamp1/.well-known/jwks.json", func(w http.ResponseWriter, r *http.Request) {
		if iss.down.Load() {
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		iss.mu.Lock()
		jwks := jose.JSONWebKeySet{Keys: append([]jose.JSONWebKey(nil), iss.jwks.Keys...)}
		iss.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(jwks)
	})
	iss.server = httptest.NewServer(mux)
	t.Cleanup(iss.server.Close)
	iss.URL = iss.server.URL + "/us-east-1_SmartLamp1"
	var err error
	opts := (&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", "key-1")
	if iss.signer, err = jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: ks[0]}, opts); err != nil {
		t.Fatal(err)
	}
	if iss.other, err = jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: ks[1]}, opts); err != nil {
		t.Fatal(err)
	}
	return iss
}

// SetDown makes the JWKS endpoint answer 503 (true) or serve keys (false).
func (iss *Issuer) SetDown(down bool) { iss.down.Store(down) }

// Verifier returns a verifier for the issuer's tokens. Its key set is not
// fetched yet.
func (iss *Issuer) Verifier(t testing.TB) *verify.Verifier {
	t.Helper()
	v, err := verify.New(verify.Config{Issuer: iss.URL, ClientIDs: []string{ClientID}})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// Claims returns valid access-token claims for sub.
func (iss *Issuer) Claims(sub string) map[string]any {
	now := iss.now()
	return map[string]any{
		"sub":        sub,
		"iss":        iss.URL,
		"version":    2,
		"client_id":  ClientID,
		"origin_jti": "origin-" + sub,
		"token_use":  "access",
		"scope":      "openid lamp/control",
		"auth_time":  now.Add(-time.Minute).Unix(),
		"iat":        now.Unix(),
		"exp":        now.Add(time.Hour).Unix(),
		"jti":        "jti-" + sub,
		"username":   sub,
	}
}

// Token signs a valid access token for sub.
func (iss *Issuer) Token(t testing.TB, sub string) string {
	t.Helper()
	return iss.Sign(t, iss.Claims(sub))
}

// Sign signs claims with the issuer's key.
func (iss *Issuer) Sign(t testing.TB, claims map[string]any) string {
	t.Helper()
	tok, err := jwt.Signed(iss.signer).Claims(claims).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// SignWithForeignKey signs claims with a key that is not in the JWKS but
// claims the JWKS key's kid: the signature does not verify.
func (iss *Issuer) SignWithForeignKey(t testing.TB, claims map[string]any) string {
	t.Helper()
	tok, err := jwt.Signed(iss.other).Claims(claims).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// PublishNewKey adds a key with kid "key-2" to the JWKS, as a rotation
// does, and returns a function signing claims with it.
func (iss *Issuer) PublishNewKey(t testing.TB) func(claims map[string]any) string {
	t.Helper()
	k := rsaKeys()[1]
	iss.mu.Lock()
	iss.jwks.Keys = append(iss.jwks.Keys, jose.JSONWebKey{Key: &k.PublicKey, KeyID: "key-2", Algorithm: "RS256", Use: "sig"})
	iss.mu.Unlock()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: k}, (&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", "key-2"))
	if err != nil {
		t.Fatal(err)
	}
	return func(claims map[string]any) string {
		t.Helper()
		tok, err := jwt.Signed(signer).Claims(claims).Serialize()
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
}
