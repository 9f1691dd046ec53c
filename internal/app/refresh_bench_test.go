package app_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/app"
	"github.com/linkpool/linkpool/internal/apptest"
	"github.com/linkpool/linkpool/internal/oauth"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
)

// BenchmarkServerRefresh measures a refresh_token grant without rotation
// through the whole server handler, in process and in parallel: the edge
// (request id, access log at info level to a discarded JSON handler,
// metrics), the pool lookup, client authentication, the grant, signing and
// the JSON answer, over a real SQLite file. It is the CPU profile of the
// token endpoint without the network: run it with -cpuprofile. Besides
// the wall time it reports cpu-µs/op, the process's CPU time (user and
// system, the garbage collector included) per refresh, which other work
// on a shared machine disturbs far less than the wall time.
func BenchmarkServerRefresh(b *testing.B) {
	for _, alg := range []string{pool.AlgRS256, pool.AlgES256} {
		b.Run(alg, func(b *testing.B) {
			a := apptest.New(b, func(c *app.Config) {
				c.Log = slog.New(slog.NewJSONHandler(io.Discard, nil))
				c.TokenRatePerMinute = -1
			})
			p := a.Pool(b, "us-east-1", "bench", func(p *pool.Pool) { p.SigningAlgorithm = alg })
			benchRefreshes(b, a, p)
		})
	}
}

// benchRefreshes runs refresh_token grants of one grant of pool p through
// the whole server handler in parallel and reports, besides the wall
// time, the process's CPU time per refresh (cpu-µs/op).
func benchRefreshes(b *testing.B, a *apptest.App, p pool.Pool) {
	c, secret := a.Client(b, p, "alexa", []string{"https://example.com/cb"})
	rt := benchRefreshToken(b, a, p, c)
	body := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}.Encode()
	h := a.App.Server.Handler()
	path := "/" + p.ID + "/oauth2/token"
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cpuTime()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.SetBasicAuth(c.ID, secret)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "access_token") {
				b.Errorf("status %d: %s", rec.Code, rec.Body)
				return
			}
		}
	})
	b.ReportMetric(float64((cpuTime()-cpu).Microseconds())/float64(b.N), "cpu-µs/op")
}

// cpuTime is the CPU time the process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchRefreshToken stores a confirmed user of p and a refresh grant of
// c for it with the openid scope, and returns its refresh token.
func benchRefreshToken(b *testing.B, a *apptest.App, p pool.Pool, c pool.Client) string {
	b.Helper()
	res, err := a.Accounts.AdminCreateUser(context.Background(), p, account.AdminCreateUserInput{
		Username: "bench", TemporaryPassword: "Corr3ct-Horse!", Permanent: true, EmailVerified: true,
		Attributes: map[string]string{"email": "bench@example.com"},
	})
	if err != nil {
		b.Fatal(err)
	}
	return storeRefreshToken(b, a.DB, p, c, res.User.Sub, a.Clock.Now())
}

// storeRefreshToken stores a refresh grant of client c for the user sub
// with the openid scope, valid for 30 days from now, and returns its
// refresh token.
func storeRefreshToken(t testing.TB, st store.Store, p pool.Pool, c pool.Client, sub string, now time.Time) string {
	t.Helper()
	opaque := func(n int) string {
		buf := make([]byte, n)
		_, _ = rand.Read(buf)
		return base64.RawURLEncoding.EncodeToString(buf)
	}
	id, secret := opaque(16), opaque(32)
	if err := st.CreateRefreshToken(context.Background(), store.RefreshToken{
		ID: id, OriginJTI: "origin-" + id, PoolID: p.ID, ClientID: c.ID, Sub: sub,
		Scopes: []string{pool.ScopeOpenID}, AuthTime: now, SecretHash: oauth.HashSecret(secret),
		CreatedAt: now, LastUsedAt: now, ExpiresAt: now.AddDate(0, 0, 30),
	}); err != nil {
		t.Fatal(err)
	}
	return id + "." + secret
}
