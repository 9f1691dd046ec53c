package cluster_test

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/linkpool/linkpool/internal/loadtest"
	"github.com/linkpool/linkpool/internal/store/postgres/pgtest"
)

// TestCrash kills a single instance with SIGKILL in the middle of a load
// of sign-ups, code grants and refreshes (with rotation, so refreshes
// write), restarts it on the same data, and checks that every sign-up
// and refresh token the clients got a success response for is there and
// usable. Before the kill no request may fail: under concurrent load
// SQLite's single writer never lets "database is locked" reach a user.
func TestCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("cluster crash test: -short")
	}
	tests := []struct {
		name   string
		deploy func(t *testing.T) *deployment
	}{
		{name: "sqlite", deploy: func(t *testing.T) *deployment {
			d, _ := sqliteDeployment(t)
			return d
		}},
		{name: "postgres", deploy: func(t *testing.T) *deployment { return postgresDeployment(t, pgtest.URL(t)) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			// The proxy keeps the public URL when the instance comes
			// back on another port.
			px := newProxy(t)
			d := tc.deploy(t)
			d.publicURL = px.URL
			setup := d.initAlexa(t, "--rotate-refresh-tokens")
			d.cli(t, "pool", "update", "--pool", setup.PoolID, "--auto-confirm=true")
			first := d.start(t, "first")
			px.set(first)
			tg := target(px.URL, setup)

			acked := crashLoad(t, ctx, tg, first)

			restarted := d.start(t, "restarted")
			px.set(restarted)
			for _, u := range acked {
				if _, err := tg.Refresh(ctx, u.refresh, u.from); err != nil {
					t.Errorf("%s: the last acknowledged refresh token after the restart: %v", u.name, err)
				}
				if _, err := signIn(ctx, tg, u.name, u.from); err != nil {
					t.Errorf("%s: an acknowledged sign-up cannot sign in after the restart: %v", u.name, err)
				}
			}
		})
	}
}

// crashLoad runs four workers against victim and kills it once thirty
// operations have been acknowledged. It returns the users whose sign-up
// was acknowledged, each with the refresh token of its last acknowledged
// response.
func crashLoad(t *testing.T, ctx context.Context, tg *loadtest.Target, victim *instance) []*vuser {
	t.Helper()
	const workers = 4
	var (
		mu       sync.Mutex
		acked    []*vuser
		failures []string
		done     atomic.Int64
		serial   atomic.Int64
		killing  atomic.Bool
	)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			var mine []*vuser
			for i := 0; !killing.Load(); i++ {
				var err error
				switch {
				case len(mine) == 0 || i%4 == 0:
					n := int(serial.Add(1))
					u := &vuser{name: "crash" + strconv.Itoa(n), from: address(n), tg: tg}
					var tok loadtest.Tokens
					if tok, err = signUp(ctx, tg, nil, u.name, u.from); err == nil {
						u.refresh = tok.RefreshToken
						mine = append(mine, u)
						mu.Lock()
						acked = append(acked, u)
						mu.Unlock()
					}
				case i%4 == 1:
					u := mine[i%len(mine)]
					var tok loadtest.Tokens
					if tok, err = signIn(ctx, tg, u.name, u.from); err == nil {
						mu.Lock()
						u.refresh = tok.RefreshToken
						mu.Unlock()
					}
				default:
					u := mine[i%len(mine)]
					var tok loadtest.Tokens
					if tok, err = tg.Refresh(ctx, u.refresh, u.from); err == nil {
						mu.Lock()
						u.refresh = tok.RefreshToken
						mu.Unlock()
					}
				}
				if err != nil {
					// A failure is only allowed once the kill began: the
					// request was in flight or the server is gone.
					if !killing.Load() {
						mu.Lock()
						failures = append(failures, err.Error())
						mu.Unlock()
					}
					return
				}
				if done.Add(1) == 30 {
					killing.Store(true)
					victim.kill()
				}
			}
		})
	}
	wg.Wait()
	if len(failures) > 0 {
		t.Fatalf("requests failed before the kill:\n%s", strings.Join(failures, "\n"))
	}
	if !killing.Load() {
		t.Fatal("the load ended before the kill")
	}
	t.Logf("%d operations acknowledged before the kill, %d users", done.Load(), len(acked))
	return acked
}
