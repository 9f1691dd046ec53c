package app_test

import (
	"io"
	"log/slog"
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
	benchRefreshes(b, a, p)
	h.calls()
}
