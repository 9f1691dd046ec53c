package passkey_test

import (
	"context"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/store/sqlite/sqlitetest"
)

// BenchmarkSignIn measures a discoverable passkey sign-in on SQLite:
// the options and sealed state, then the assertion's checks and the
// sign count's update. The authenticator's signature is made outside
// the timer.
func BenchmarkSignIn(b *testing.B) {
	e := newEnvOn(b, sqlitetest.Open(b), nil)
	ctx := context.Background()
	_, d := e.userWithPasskey(b, "bench")
	for b.Loop() {
		e.clock.Advance(time.Second)
		options, state, err := e.svc.BeginSignIn(ctx, e.pool, nil, e.rp)
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		d.cred.Counter++
		answer := assert(b, e.vrp, d, options)
		b.StartTimer()
		if _, _, err := e.svc.FinishSignIn(ctx, e.pool, e.rp, state, answer); err != nil {
			b.Fatal(err)
		}
	}
}
