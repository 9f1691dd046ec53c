package verify_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
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
)

const (
	testIssuer = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_TestPool1"
	testClient = "7uh8lb2idnder3jkjte0kqub4g"
)

var (
	rsaKeyOnce sync.Once
	rsaKeys    [3]*rsa.PrivateKey
)

// rsaKey returns one of three RSA-2048 keys generated once per test binary.
func rsaKey(t testing.TB, i int) *rsa.PrivateKey {
	t.Helper()
	rsaKeyOnce.Do(func() {
		for n := range rsaKeys {
			k, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				panic(err)
			}
			rsaKeys[n] = k
		}
	})
	return rsaKeys[i]
}

func ecKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// signingKey is a private key with its kid and algorithm.
type signingKey struct {
	kid string
	alg jose.SignatureAlgorithm
	key any
}

func (k signingKey) public() jose.JSONWebKey {
	var pub any
	switch p := k.key.(type) {
	case *rsa.PrivateKey:
		pub = &p.PublicKey
	case *ecdsa.PrivateKey:
		pub = &p.PublicKey
	}
	return jose.JSONWebKey{Key: pub, KeyID: k.kid, Algorithm: string(k.alg), Use: "sig"}
}

// jwksServer serves a key set that the test can change, counts hits and
// can be switched to failure modes.
type jwksServer struct {
	*httptest.Server
	hits atomic.Int64

	mu      sync.Mutex
	keys    []jose.JSONWebKey
	status  int
	body    string
	block   chan struct{}
	blocked bool
}

func newJWKSServer(t testing.TB, keys ...signingKey) *jwksServer {
	t.Helper()
	s := &jwksServer{block: make(chan struct{})}
	s.setKeys(keys...)
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(func() {
		s.mu.Lock()
		if !s.blocked {
			close(s.block)
			s.blocked = true
		}
		s.mu.Unlock()
		s.Close()
	})
	return s
}

func (s *jwksServer) setKeys(keys ...signingKey) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keys = s.keys[:0]
	for _, k := range keys {
		s.keys = append(s.keys, k.public())
	}
}

// fail makes the server answer status with body (status 0: normal again).
func (s *jwksServer) fail(status int, body string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.status, s.body = status, body
}

// hang makes every request wait until the test ends.
func (s *jwksServer) hang() { s.fail(-1, "") }

func (s *jwksServer) serve(w http.ResponseWriter, r *http.Request) {
	s.hits.Add(1)
	s.mu.Lock()
	status, body, keys, block := s.status, s.body, jose.JSONWebKeySet{Keys: append([]jose.JSONWebKey(nil), s.keys...)}, s.block
	s.mu.Unlock()
	switch {
	case status == -1:
		select {
		case <-block:
		case <-r.Context().Done():
		}
		return
	case status != 0:
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(keys)
}

// claims returns a valid Cognito-style access token claim set at now.
func claims(now time.Time) map[string]any {
	return map[string]any{
		"sub":            "7ee7bebb-291c-47e0-ae3a-83795973d5f4",
		"cognito:groups": []string{"admins"},
		"iss":            testIssuer,
		"version":        2,
		"client_id":      testClient,
		"origin_jti":     "a4867101-110e-490f-a082-6852d8e00e8f",
		"token_use":      "access",
		"scope":          "openid lamp/control",
		"auth_time":      now.Add(-time.Minute).Unix(),
		"iat":            now.Unix(),
		"exp":            now.Add(time.Hour).Unix(),
		"jti":            "cf7c7c31-e667-4049-9a34-2cec5de8bf88",
		"username":       "janedoe",
	}
}

func sign(t testing.TB, k signingKey, c map[string]any) string {
	t.Helper()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: k.alg, Key: k.key},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", k.kid))
	if err != nil {
		t.Fatal(err)
	}
	tok, err := jwt.Signed(signer).Claims(c).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// clock is an adjustable time source.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Unix(1_800_000_000, 0)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}
