package verify_test

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/linkpool/linkpool/verify"
)

func newVerifier(t testing.TB, srv *jwksServer, clk *clock, mod func(*verify.Config)) *verify.Verifier {
	t.Helper()
	cfg := verify.Config{
		Issuer:    testIssuer,
		JWKSURL:   srv.URL + "/.well-known/jwks.json",
		ClientIDs: []string{"other-client", testClient},
		Now:       clk.Now,
	}
	if mod != nil {
		mod(&cfg)
	}
	v, err := verify.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return v
}

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func TestVerify(t *testing.T) {
	rsa1 := signingKey{kid: "rsa-1", alg: jose.RS256, key: rsaKey(t, 0)}
	ec1 := signingKey{kid: "ec-1", alg: jose.ES256, key: ecKey(t)}
	stranger := signingKey{kid: "rsa-1", alg: jose.RS256, key: rsaKey(t, 1)} // same kid, other key
	unknown := signingKey{kid: "rsa-unknown", alg: jose.RS256, key: rsaKey(t, 2)}
	clk := newClock()
	now := clk.Now()
	srv := newJWKSServer(t, rsa1, ec1)

	with := func(mod func(map[string]any)) map[string]any {
		c := claims(now)
		mod(c)
		return c
	}
	pubDER, err := x509.MarshalPKIXPublicKey(&rsaKey(t, 0).PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	hmacConfusion := sign(t, signingKey{kid: "rsa-1", alg: jose.HS256, key: pubDER}, claims(now))
	valid := sign(t, rsa1, claims(now))
	parts := strings.Split(valid, ".")
	tampered := parts[0] + "." + b64(`{"sub":"attacker","iss":"`+testIssuer+`","token_use":"access","client_id":"`+testClient+`","exp":9999999999,"iat":1}`) + "." + parts[2]
	noneHeader := b64(`{"alg":"none","kid":"rsa-1"}`)

	tests := []struct {
		name   string
		token  string
		scopes []string
		want   error // nil: valid
	}{
		{name: "valid RS256", token: valid},
		{name: "valid ES256", token: sign(t, ec1, claims(now))},
		{name: "expired within leeway", token: sign(t, rsa1, with(func(c map[string]any) { c["exp"] = now.Add(-30 * time.Second).Unix() }))},
		{name: "expired", token: sign(t, rsa1, with(func(c map[string]any) { c["exp"] = now.Add(-2 * time.Minute).Unix() })), want: verify.ErrExpired},
		{name: "not yet valid nbf", token: sign(t, rsa1, with(func(c map[string]any) { c["nbf"] = now.Add(10 * time.Minute).Unix() })), want: verify.ErrNotYetValid},
		{name: "issued in the future", token: sign(t, rsa1, with(func(c map[string]any) { c["iat"] = now.Add(10 * time.Minute).Unix() })), want: verify.ErrNotYetValid},
		{name: "wrong issuer", token: sign(t, rsa1, with(func(c map[string]any) { c["iss"] = testIssuer + "x" })), want: verify.ErrIssuer},
		{name: "wrong client", token: sign(t, rsa1, with(func(c map[string]any) { c["client_id"] = "someone-else" })), want: verify.ErrClient},
		{name: "ID token instead of access token", token: sign(t, rsa1, with(func(c map[string]any) {
			c["token_use"] = "id"
			c["aud"] = testClient
			delete(c, "client_id")
		})), want: verify.ErrTokenUse},
		{name: "missing sub", token: sign(t, rsa1, with(func(c map[string]any) { delete(c, "sub") })), want: verify.ErrMissingClaims},
		{name: "missing exp", token: sign(t, rsa1, with(func(c map[string]any) { delete(c, "exp") })), want: verify.ErrMissingClaims},
		{name: "required scope present", token: valid, scopes: []string{"lamp/control"}},
		{name: "required scope missing", token: valid, scopes: []string{"lamp/admin"}, want: verify.ErrMissingScope},
		{name: "alg none without signature", token: noneHeader + "." + parts[1] + ".", want: verify.ErrMalformed},
		{name: "alg none with signature", token: noneHeader + "." + parts[1] + "." + parts[2], want: verify.ErrMalformed},
		{name: "HS256 with the public key as secret", token: hmacConfusion, want: verify.ErrMalformed},
		{name: "signed by another key with a known kid", token: sign(t, stranger, claims(now)), want: verify.ErrSignature},
		{name: "tampered claims", token: tampered, want: verify.ErrSignature},
		{name: "RS256 header on an EC key", token: ecHeaderSwap(t, rsa1, "ec-1", claims(now)), want: verify.ErrSignature},
		{name: "unknown kid", token: sign(t, unknown, claims(now)), want: verify.ErrUnknownKey},
		{name: "oversized", token: strings.Repeat("a", 9000) + ".b.c", want: verify.ErrMalformed},
		{name: "empty", token: "", want: verify.ErrMalformed},
		{name: "garbage", token: "not a token", want: verify.ErrMalformed},
		{name: "two segments", token: "abc.def", want: verify.ErrMalformed},
		{name: "four segments", token: "a.b.c.d", want: verify.ErrMalformed},
		{name: "only dots", token: strings.Repeat(".", 5000), want: verify.ErrMalformed},
		{name: "padding characters", token: parts[0] + "=." + parts[1] + "." + parts[2], want: verify.ErrMalformed},
		{name: "JSON serialization", token: `{"payload":"x","signatures":[]}`, want: verify.ErrMalformed},
		{name: "base64 of garbage", token: b64("garbage") + "." + b64("garbage") + "." + b64("garbage"), want: verify.ErrMalformed},
		{name: "claims are JSON null", token: sign(t, rsa1, nil), want: verify.ErrInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := newVerifier(t, srv, clk, func(c *verify.Config) { c.RequiredScopes = tc.scopes })
			id, err := v.Verify(context.Background(), tc.token)
			if tc.want == nil {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				if id.Sub != "7ee7bebb-291c-47e0-ae3a-83795973d5f4" || id.Username != "janedoe" || id.ClientID != testClient ||
					id.Issuer != testIssuer || id.OriginJTI == "" || id.JTI == "" {
					t.Errorf("identity = %+v", id)
				}
				if fmt.Sprint(id.Scopes) != "[openid lamp/control]" || fmt.Sprint(id.Groups) != "[admins]" {
					t.Errorf("scopes %v groups %v", id.Scopes, id.Groups)
				}
				if id.ExpiresAt.IsZero() || id.IssuedAt.IsZero() || id.AuthTime.IsZero() {
					t.Errorf("times not set: %+v", id)
				}
				return
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("Verify error = %v, want %v", err, tc.want)
			}
			if !verify.IsCredentialError(err) {
				t.Errorf("IsCredentialError(%v) = false", err)
			}
			if errors.Is(err, verify.ErrUnavailable) {
				t.Errorf("%v matches ErrUnavailable", err)
			}
			if tc.want != verify.ErrExpired && !errors.Is(err, verify.ErrInvalid) {
				t.Errorf("%v does not match ErrInvalid", err)
			}
			if tc.want == verify.ErrExpired && errors.Is(err, verify.ErrInvalid) {
				t.Errorf("expired token matches ErrInvalid")
			}
			var ve *verify.Error
			if !errors.As(err, &ve) {
				t.Errorf("%T is not *verify.Error", err)
			}
			if len(tc.token) > 20 && strings.Contains(err.Error(), tc.token[len(tc.token)-20:]) {
				t.Errorf("error message contains the token: %v", err)
			}
		})
	}
}

// ecHeaderSwap signs claims with k but names kid in the header, so an RSA
// signature is checked against an EC key.
func ecHeaderSwap(t *testing.T, k signingKey, kid string, c map[string]any) string {
	t.Helper()
	k.kid = kid
	return sign(t, k, c)
}

func TestUnknownKidRefetchIsRateLimited(t *testing.T) {
	rsa1 := signingKey{kid: "rsa-1", alg: jose.RS256, key: rsaKey(t, 0)}
	clk := newClock()
	srv := newJWKSServer(t, rsa1)
	v := newVerifier(t, srv, clk, nil)
	if err := v.Prefetch(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := srv.hits.Load(); got != 1 {
		t.Fatalf("hits after Prefetch = %d, want 1", got)
	}
	clk.Advance(31 * time.Second)
	unknown := signingKey{kid: "nope-1", alg: jose.RS256, key: rsaKey(t, 1)}
	_, err := v.Verify(context.Background(), sign(t, unknown, claims(clk.Now())))
	if !errors.Is(err, verify.ErrUnknownKey) {
		t.Fatalf("err = %v, want ErrUnknownKey", err)
	}
	if got := srv.hits.Load(); got != 2 {
		t.Fatalf("hits after first unknown kid = %d, want 2 (one refetch)", got)
	}
	clk.Advance(time.Second)
	// Another unknown kid within MinRefreshInterval: no fetch, and since
	// its key may have been published after the last fetch, a transient
	// ErrKeyNotFetched rather than a credential error.
	unknown2 := signingKey{kid: "nope-2", alg: jose.RS256, key: rsaKey(t, 2)}
	_, err = v.Verify(context.Background(), sign(t, unknown2, claims(clk.Now())))
	if !errors.Is(err, verify.ErrKeyNotFetched) || !errors.Is(err, verify.ErrUnavailable) || verify.IsCredentialError(err) {
		t.Fatalf("err = %v, want ErrKeyNotFetched (ErrUnavailable)", err)
	}
	if got := srv.hits.Load(); got != 2 {
		t.Fatalf("hits after second unknown kid within MinRefreshInterval = %d, want 2", got)
	}
	// The first unknown kid was looked for by the refetch: still invalid,
	// without a fetch.
	_, err = v.Verify(context.Background(), sign(t, unknown, claims(clk.Now())))
	if !errors.Is(err, verify.ErrUnknownKey) {
		t.Fatalf("kid already missing from a refetch: err = %v, want ErrUnknownKey", err)
	}
	if got := srv.hits.Load(); got != 2 {
		t.Fatalf("hits after the repeated unknown kid = %d, want 2", got)
	}
	// Known keys keep verifying without any fetch.
	if _, err := v.Verify(context.Background(), sign(t, rsa1, claims(clk.Now()))); err != nil {
		t.Fatal(err)
	}
	if got := srv.hits.Load(); got != 2 {
		t.Fatalf("hits after known kid = %d, want 2", got)
	}
}

// TestKeyPublishedAfterLastFetchIsNotInvalid: a token signed by a key the
// issuer published after the verifier's last fetch, presented within
// MinRefreshInterval of it, is a transient failure (Alexa would unlink the
// user on INVALID_AUTHORIZATION_CREDENTIAL); the first fetch allowed
// afterwards picks the key up and the token verifies.
func TestKeyPublishedAfterLastFetchIsNotInvalid(t *testing.T) {
	rsa1 := signingKey{kid: "rsa-1", alg: jose.RS256, key: rsaKey(t, 0)}
	rsa2 := signingKey{kid: "rsa-2", alg: jose.RS256, key: rsaKey(t, 1)}
	for _, lead := range []time.Duration{0, 10 * time.Minute} {
		t.Run(fmt.Sprintf("PublishLead %v", lead), func(t *testing.T) {
			clk := newClock()
			srv := newJWKSServer(t, rsa1)
			// With a lead the refetch must be held back longer than it.
			minRefresh := verify.DefaultMinRefreshInterval
			if lead > 0 {
				minRefresh = time.Hour
			}
			v := newVerifier(t, srv, clk, func(c *verify.Config) { c.PublishLead, c.MinRefreshInterval = lead, minRefresh })
			ctx := context.Background()
			if _, err := v.Verify(ctx, sign(t, rsa1, claims(clk.Now()))); err != nil {
				t.Fatal(err)
			}
			clk.Advance(5 * time.Second)
			srv.setKeys(rsa1, rsa2)
			// The issuer lets the new key sign once it has been
			// published for lead.
			clk.Advance(lead + time.Second)
			if lead == 0 {
				clk.Advance(5 * time.Second) // still within MinRefreshInterval
			}
			tok := sign(t, rsa2, claims(clk.Now()))
			_, err := v.Verify(ctx, tok)
			if verify.IsCredentialError(err) || !errors.Is(err, verify.ErrUnavailable) || !errors.Is(err, verify.ErrKeyNotFetched) {
				t.Fatalf("token of a key published after the last fetch: err = %v, want ErrKeyNotFetched (ErrUnavailable)", err)
			}
			clk.Advance(minRefresh)
			if _, err := v.Verify(ctx, tok); err != nil {
				t.Fatalf("after MinRefreshInterval: %v", err)
			}
		})
	}
}

// TestPublishLeadRefusesUnknownKidWithoutFetch: with PublishLead, a token
// with an unknown kid issued before its key could have been missed by the
// last fetch is invalid at once, without a fetch.
func TestPublishLeadRefusesUnknownKidWithoutFetch(t *testing.T) {
	rsa1 := signingKey{kid: "rsa-1", alg: jose.RS256, key: rsaKey(t, 0)}
	clk := newClock()
	srv := newJWKSServer(t, rsa1)
	v := newVerifier(t, srv, clk, func(c *verify.Config) { c.PublishLead = 10 * time.Minute })
	ctx := context.Background()
	if err := v.Prefetch(ctx); err != nil {
		t.Fatal(err)
	}
	clk.Advance(5 * time.Second)
	for _, kid := range []string{"forged-1", "forged-2"} {
		forged := signingKey{kid: kid, alg: jose.RS256, key: rsaKey(t, 2)}
		if _, err := v.Verify(ctx, sign(t, forged, claims(clk.Now()))); !errors.Is(err, verify.ErrUnknownKey) {
			t.Fatalf("kid %s: err = %v, want ErrUnknownKey", kid, err)
		}
	}
	if got := srv.hits.Load(); got != 1 {
		t.Fatalf("hits = %d, want 1", got)
	}
}

// TestUnknownKidOfAnotherIssuerFetchesNothing: a token naming another
// issuer with an unknown kid is invalid and never causes a fetch.
func TestUnknownKidOfAnotherIssuerFetchesNothing(t *testing.T) {
	rsa1 := signingKey{kid: "rsa-1", alg: jose.RS256, key: rsaKey(t, 0)}
	clk := newClock()
	srv := newJWKSServer(t, rsa1)
	v := newVerifier(t, srv, clk, nil)
	if err := v.Prefetch(context.Background()); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Hour)
	c := claims(clk.Now())
	c["iss"] = "https://elsewhere.example/pool"
	_, err := v.Verify(context.Background(), sign(t, signingKey{kid: "x", alg: jose.RS256, key: rsaKey(t, 1)}, c))
	if !errors.Is(err, verify.ErrUnknownKey) {
		t.Fatalf("err = %v, want ErrUnknownKey", err)
	}
	if got := srv.hits.Load(); got != 1 {
		t.Fatalf("hits = %d, want 1", got)
	}
}

func TestKeyRotatedIn(t *testing.T) {
	rsa1 := signingKey{kid: "rsa-1", alg: jose.RS256, key: rsaKey(t, 0)}
	rsa2 := signingKey{kid: "rsa-2", alg: jose.RS256, key: rsaKey(t, 1)}
	clk := newClock()
	srv := newJWKSServer(t, rsa1)
	v := newVerifier(t, srv, clk, nil)
	if _, err := v.Verify(context.Background(), sign(t, rsa1, claims(clk.Now()))); err != nil {
		t.Fatal(err)
	}
	srv.setKeys(rsa1, rsa2)
	clk.Advance(time.Minute)
	id, err := v.Verify(context.Background(), sign(t, rsa2, claims(clk.Now())))
	if err != nil {
		t.Fatalf("token of the rotated-in key: %v", err)
	}
	if id.Sub == "" {
		t.Error("no sub")
	}
	if got := srv.hits.Load(); got != 2 {
		t.Errorf("hits = %d, want 2", got)
	}
}

func TestRemovedKeyStopsAfterMaxKeyAge(t *testing.T) {
	rsa1 := signingKey{kid: "rsa-1", alg: jose.RS256, key: rsaKey(t, 0)}
	rsa2 := signingKey{kid: "rsa-2", alg: jose.RS256, key: rsaKey(t, 1)}
	clk := newClock()
	srv := newJWKSServer(t, rsa1)
	v := newVerifier(t, srv, clk, func(c *verify.Config) { c.MaxKeyAge = 2 * time.Hour })
	ctx := context.Background()
	if _, err := v.Verify(ctx, sign(t, rsa1, claims(clk.Now()))); err != nil {
		t.Fatal(err)
	}
	srv.setKeys(rsa2) // rsa-1 leaves the key set
	clk.Advance(time.Minute)
	if _, err := v.Verify(ctx, sign(t, rsa2, claims(clk.Now()))); err != nil {
		t.Fatalf("new key: %v", err)
	}
	clk.Advance(time.Hour)
	if _, err := v.Verify(ctx, sign(t, rsa1, claims(clk.Now()))); err != nil {
		t.Fatalf("removed key within MaxKeyAge: %v", err)
	}
	hits := srv.hits.Load()
	clk.Advance(time.Hour + time.Minute) // rsa-1 last seen 2h01m ago
	_, err := v.Verify(ctx, sign(t, rsa1, claims(clk.Now())))
	if !errors.Is(err, verify.ErrUnknownKey) {
		t.Fatalf("removed key after MaxKeyAge: err = %v, want ErrUnknownKey", err)
	}
	if got := srv.hits.Load(); got != hits+1 {
		t.Errorf("hits = %d, want %d (one refetch before giving up)", got, hits+1)
	}
	if _, err := v.Verify(ctx, sign(t, rsa2, claims(clk.Now()))); err != nil {
		t.Fatalf("current key: %v", err)
	}
}

func TestKeySetUnavailable(t *testing.T) {
	rsa1 := signingKey{kid: "rsa-1", alg: jose.RS256, key: rsaKey(t, 0)}
	down := httptest.NewServer(http.NotFoundHandler())
	downURL := down.URL
	down.Close()

	tests := []struct {
		name    string
		setup   func(*jwksServer)
		url     string
		timeout time.Duration
	}{
		{name: "endpoint down", url: downURL},
		{name: "HTTP 500", setup: func(s *jwksServer) { s.fail(500, "oops") }},
		{name: "HTTP 404", setup: func(s *jwksServer) { s.fail(404, "") }},
		{name: "garbage body", setup: func(s *jwksServer) { s.fail(200, "<html>hello</html>") }},
		{name: "no usable keys", setup: func(s *jwksServer) { s.fail(200, `{"keys":[{"kty":"oct","k":"c2VjcmV0","kid":"rsa-1"}]}`) }},
		{name: "empty key set", setup: func(s *jwksServer) { s.fail(200, `{"keys":[]}`) }},
		{name: "slow endpoint and caller deadline", setup: func(s *jwksServer) { s.hang() }, timeout: 200 * time.Millisecond},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clk := newClock()
			srv := newJWKSServer(t, rsa1)
			if tc.setup != nil {
				tc.setup(srv)
			}
			v := newVerifier(t, srv, clk, func(c *verify.Config) {
				if tc.url != "" {
					c.JWKSURL = tc.url
				}
			})
			ctx := context.Background()
			if tc.timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tc.timeout)
				defer cancel()
			}
			_, err := v.Verify(ctx, sign(t, rsa1, claims(clk.Now())))
			if !errors.Is(err, verify.ErrUnavailable) {
				t.Fatalf("err = %v, want ErrUnavailable", err)
			}
			if verify.IsCredentialError(err) {
				t.Fatalf("IsCredentialError(%v) = true; a key-set failure must never look like a bad credential", err)
			}
			if errors.Is(err, verify.ErrInvalid) || errors.Is(err, verify.ErrExpired) {
				t.Fatalf("%v matches a credential class", err)
			}
		})
	}
}

func TestRecoversAfterOutage(t *testing.T) {
	rsa1 := signingKey{kid: "rsa-1", alg: jose.RS256, key: rsaKey(t, 0)}
	clk := newClock()
	srv := newJWKSServer(t, rsa1)
	srv.fail(503, "")
	v := newVerifier(t, srv, clk, nil)
	tok := sign(t, rsa1, claims(clk.Now()))
	if _, err := v.Verify(context.Background(), tok); !errors.Is(err, verify.ErrUnavailable) {
		t.Fatalf("during outage: %v", err)
	}
	srv.fail(0, "")
	if _, err := v.Verify(context.Background(), tok); !errors.Is(err, verify.ErrUnavailable) {
		t.Fatalf("within MinRefreshInterval of the failed fetch: %v, want the cached ErrUnavailable", err)
	}
	if got := srv.hits.Load(); got != 1 {
		t.Fatalf("hits = %d, want 1", got)
	}
	clk.Advance(31 * time.Second)
	if _, err := v.Verify(context.Background(), tok); err != nil {
		t.Fatalf("after the outage: %v", err)
	}
}

func TestConcurrentUnknownKidFetchesOnce(t *testing.T) {
	rsa1 := signingKey{kid: "rsa-1", alg: jose.RS256, key: rsaKey(t, 0)}
	unknown := signingKey{kid: "nope", alg: jose.RS256, key: rsaKey(t, 1)}
	clk := newClock()
	srv := newJWKSServer(t, rsa1)
	v := newVerifier(t, srv, clk, nil)
	tok := sign(t, unknown, claims(clk.Now()))

	var wg sync.WaitGroup
	errs := make(chan error, 100)
	start := make(chan struct{})
	for range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, err := v.Verify(context.Background(), tok)
			errs <- err
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		if !errors.Is(err, verify.ErrUnknownKey) {
			t.Fatalf("err = %v, want ErrUnknownKey", err)
		}
	}
	if got := srv.hits.Load(); got != 1 {
		t.Fatalf("JWKS fetched %d times by 100 concurrent callers, want 1", got)
	}
}

func TestDefaultJWKSURL(t *testing.T) {
	rsa1 := signingKey{kid: "rsa-1", alg: jose.RS256, key: rsaKey(t, 0)}
	srv := newJWKSServer(t, rsa1)
	var mu sync.Mutex
	var paths []string
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		paths = append(paths, r.URL.Path)
		mu.Unlock()
		srv.Config.Handler.ServeHTTP(w, r)
	}))
	defer front.Close()
	issuer := front.URL + "/eu-west-1_AbCdEf123"
	clk := newClock()
	v, err := verify.New(verify.Config{Issuer: issuer, ClientIDs: []string{testClient}, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	c := claims(clk.Now())
	c["iss"] = issuer
	id, err := v.Verify(context.Background(), sign(t, rsa1, c))
	if err != nil {
		t.Fatal(err)
	}
	if id.Issuer != issuer {
		t.Errorf("Issuer = %q", id.Issuer)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(paths) != 1 || paths[0] != "/eu-west-1_AbCdEf123/.well-known/jwks.json" {
		t.Errorf("fetched paths %v", paths)
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  verify.Config
	}{
		{name: "no issuer", cfg: verify.Config{ClientIDs: []string{"c"}}},
		{name: "issuer not a URL", cfg: verify.Config{Issuer: "pool", ClientIDs: []string{"c"}}},
		{name: "no clients", cfg: verify.Config{Issuer: testIssuer}},
		{name: "empty client", cfg: verify.Config{Issuer: testIssuer, ClientIDs: []string{""}}},
		{name: "HS256 allowed", cfg: verify.Config{Issuer: testIssuer, ClientIDs: []string{"c"}, Algorithms: []string{"HS256"}}},
		{name: "none allowed", cfg: verify.Config{Issuer: testIssuer, ClientIDs: []string{"c"}, Algorithms: []string{"none"}}},
		{name: "bad JWKS URL", cfg: verify.Config{Issuer: testIssuer, ClientIDs: []string{"c"}, JWKSURL: "file:///etc/passwd"}},
		{name: "negative leeway", cfg: verify.Config{Issuer: testIssuer, ClientIDs: []string{"c"}, Leeway: -time.Second}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if v, err := verify.New(tc.cfg); err == nil {
				t.Fatalf("New(%+v) = %v, want an error", tc.cfg, v)
			}
		})
	}
}

func TestAlgorithmAllowList(t *testing.T) {
	ec1 := signingKey{kid: "ec-1", alg: jose.ES256, key: ecKey(t)}
	clk := newClock()
	srv := newJWKSServer(t, ec1)
	v := newVerifier(t, srv, clk, func(c *verify.Config) { c.Algorithms = []string{"RS256"} })
	_, err := v.Verify(context.Background(), sign(t, ec1, claims(clk.Now())))
	if !errors.Is(err, verify.ErrInvalid) {
		t.Fatalf("ES256 token with an RS256-only allow-list: err = %v, want ErrInvalid", err)
	}
}

func TestRevokedClassifiesAsInvalid(t *testing.T) {
	err := fmt.Errorf("user disabled: %w", verify.ErrRevoked)
	if !errors.Is(err, verify.ErrRevoked) || !errors.Is(err, verify.ErrInvalid) || !verify.IsCredentialError(err) {
		t.Fatalf("wrapped ErrRevoked does not classify as invalid: %v", err)
	}
	if errors.Is(err, verify.ErrUnavailable) || errors.Is(err, verify.ErrExpired) {
		t.Fatal("ErrRevoked matches another class")
	}
	if verify.IsCredentialError(errors.New("database down")) {
		t.Fatal("an unrelated error is a credential error")
	}
}
