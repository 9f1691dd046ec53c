package app_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/app"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/seal/sealtest"
	"github.com/linkpool/linkpool/internal/store/sqlite"
	"github.com/linkpool/linkpool/internal/testclock"
)

// TestKeyRefreshInterval: two instances share a database; a key rotation
// at one appears in the other's JWKS once its KeyRefreshInterval has
// passed, not before.
func TestKeyRefreshInterval(t *testing.T) {
	tests := []struct {
		name     string
		interval time.Duration
	}{
		{name: "one second", interval: time.Second},
		{name: "default", interval: 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			path := filepath.Join(t.TempDir(), "linkpool.db")
			box := sealtest.Box(t)
			clock := testclock.New(time.Now())
			instance := func() *app.App {
				st, err := sqlite.Open(ctx, path)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { st.Close() })
				a, err := app.New(app.Config{Store: st, Box: box, PublicURL: "http://localhost", KeyRefreshInterval: tc.interval, Now: clock.Now})
				if err != nil {
					t.Fatal(err)
				}
				return a
			}
			a, b := instance(), instance()
			p := pool.NewPool("us-east-1", "keys", clock.Now())
			p.SigningAlgorithm = pool.AlgES256
			if err := a.Store.CreatePool(ctx, p); err != nil {
				t.Fatal(err)
			}
			if err := a.EnsureKeys(ctx); err != nil {
				t.Fatal(err)
			}
			before, err := b.Keys.JWKS(ctx, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			res, err := a.Keys.Rotate(ctx, p.ID, p.SigningAlgorithm, time.Hour, 0)
			if err != nil {
				t.Fatal(err)
			}
			interval := tc.interval
			if interval == 0 {
				interval = 10 * time.Second
			}
			var newKIDs []string
			for _, k := range res.Created {
				newKIDs = append(newKIDs, k.KID)
			}
			if len(newKIDs) == 0 {
				t.Fatalf("rotation made no next keys: %+v", res)
			}
			has := func(jwks []byte) bool {
				for _, kid := range newKIDs {
					if !strings.Contains(string(jwks), kid) {
						return false
					}
				}
				return true
			}
			if has(before) {
				t.Fatal("the new keys were published before the rotation")
			}
			clock.Advance(interval / 2)
			if stale, _ := b.Keys.JWKS(ctx, p.ID); has(stale) {
				t.Fatalf("the other instance re-read its keys after %s of a %s interval", interval/2, interval)
			}
			clock.Advance(interval/2 + time.Millisecond)
			fresh, err := b.Keys.JWKS(ctx, p.ID)
			if err != nil || !has(fresh) {
				t.Fatalf("the other instance does not publish the new keys after %s: %v\n%s", interval, err, fresh)
			}
		})
	}
}
