package oauth_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
	"github.com/linkpool/linkpool/internal/token"
	"github.com/linkpool/linkpool/internal/web"
)

// serveForm runs one form POST through the mounted handlers in-process.
func (h *harness) serveForm(mux *http.ServeMux, path string, form url.Values) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(h.client.ID, h.secret)
	req = req.WithContext(web.WithTarget(req.Context(), h.target()))
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, req)
	return rec
}

func benchCodeExchange(b *testing.B, alg string) {
	h := newHarness(b)
	if alg != h.pool.SigningAlgorithm {
		b.Skip("pool algorithm fixed by harness")
	}
	mux := http.NewServeMux()
	h.svc.Mount(mux)
	codes := make([]string, b.N)
	for i := range codes {
		codes[i] = h.authorize(b, h.authQuery())
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rec := h.serveForm(mux, "/oauth2/token", url.Values{"grant_type": {"authorization_code"}, "code": {codes[i]}, "redirect_uri": {alexaRedirect}})
		if rec.Code != 200 {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}
}

// BenchmarkCodeExchange measures POST /oauth2/token with an authorization
// code: client authentication, atomic code redemption, user and group
// lookups, RS256 access and ID tokens, and storing the refresh grant.
func BenchmarkCodeExchange(b *testing.B) { benchCodeExchange(b, pool.AlgRS256) }

// BenchmarkRefreshGrant measures the refresh_token grant without rotation
// (Cognito's default): one grant lookup, user and groups, two RS256
// signatures.
func BenchmarkRefreshGrant(b *testing.B) {
	benchRefresh(b, false, true)
}

// BenchmarkRefreshGrantRotating measures the refresh_token grant with
// rotation: the grant is rewritten in a transaction on every call.
func BenchmarkRefreshGrantRotating(b *testing.B) {
	benchRefresh(b, true, true)
}

// BenchmarkRefreshGrantNoIDToken measures the refresh_token grant of a
// client with IDTokenOnRefresh off (the `init alexa` client): one grant
// lookup, user and groups, one RS256 signature. BenchmarkSignRS256 is its
// bound.
func BenchmarkRefreshGrantNoIDToken(b *testing.B) {
	benchRefresh(b, false, false)
}

// BenchmarkSignRS256 measures the one signature a refresh without ID
// token cannot avoid: the access token of a refresh, signed with the
// pool's RS256 key through the same token.Keys.
func BenchmarkSignRS256(b *testing.B) {
	h := newHarness(b)
	if h.pool.SigningAlgorithm != pool.AlgRS256 {
		b.Fatalf("pool signs with %s", h.pool.SigningAlgorithm)
	}
	ctx := context.Background()
	now := h.clock.Now()
	claims := token.NewAccessClaims(token.AccessInput{
		Issuer: h.issuer, ClientID: h.client.ID, Sub: h.user.Sub, Username: h.user.Username,
		Scopes: []string{pool.ScopeOpenID, pool.ScopeEmail, pool.ScopeProfile}, OriginJTI: "origin",
		AuthTime: now, IssuedAt: now, ExpiresAt: now.Add(time.Hour),
	})
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := h.keys.Sign(ctx, h.pool.ID, store.UseAccess, claims); err != nil {
			b.Fatal(err)
		}
	}
}

func benchRefresh(b *testing.B, rotate, idOnRefresh bool) {
	h := newHarness(b, func(c *pool.Client) {
		if rotate {
			c.RefreshTokenRotation = pool.RefreshTokenRotation{Feature: pool.RotationEnabled, RetryGracePeriodSeconds: 10}
		}
		c.IDTokenOnRefresh = idOnRefresh
	})
	mux := http.NewServeMux()
	h.svc.Mount(mux)
	code := h.authorize(b, h.authQuery())
	rec := h.serveForm(mux, "/oauth2/token", url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {alexaRedirect}})
	var first tokenReply
	if err := json.Unmarshal(rec.Body.Bytes(), &first); err != nil || first.RefreshToken == "" {
		b.Fatalf("exchange: %s", rec.Body)
	}
	rt := first.RefreshToken
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rec := h.serveForm(mux, "/oauth2/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}})
		if rec.Code != 200 {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
		if rotate {
			var r tokenReply
			_ = json.Unmarshal(rec.Body.Bytes(), &r)
			rt = r.RefreshToken
		}
	}
}
