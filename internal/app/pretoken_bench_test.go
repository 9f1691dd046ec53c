package app_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/linkpool/linkpool/internal/app"
	"github.com/linkpool/linkpool/internal/apptest"
	"github.com/linkpool/linkpool/internal/pool"
)

// BenchmarkRefreshWithPreTokenWebhook measures a refresh_token grant
// whose pool calls a version 2 pre token generation webhook on loopback
// (signed request, the receiver's verification and decoding into
// aws-lambda-go's event, the answer applied to both tokens), through the
// whole server handler as BenchmarkServerRefresh does without trigger.
func BenchmarkRefreshWithPreTokenWebhook(b *testing.B) {
	h := newHook(b)
	h.set(v2(b, householdClaims))
	a := apptest.New(b, func(c *app.Config) {
		c.Log = slog.New(slog.NewJSONHandler(io.Discard, nil))
		c.TokenRatePerMinute = -1
	})
	p := a.Pool(b, "us-east-1", "bench", func(p *pool.Pool) {
		p.LambdaConfig.PreTokenGenerationConfig = pool.PreTokenGenerationConfig{LambdaVersion: pool.PreTokenV2, LambdaArn: h.srv.URL + "/pre-token"}
		p.TriggerSecret = a.Box.Seal([]byte(h.secret), p.TriggerSecretAAD())
	})
	c, secret := a.Client(b, p, "alexa", []string{"https://example.com/cb"})
	rt := benchRefreshToken(b, a, p, c)
	body := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}.Encode()
	handler := a.App.Server.Handler()
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
			handler.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "access_token") {
				b.Errorf("status %d: %s", rec.Code, rec.Body)
				return
			}
		}
	})
	b.ReportMetric(float64((cpuTime()-cpu).Microseconds())/float64(b.N), "cpu-µs/op")
	h.calls()
}
