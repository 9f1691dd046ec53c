package storetest

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/smarthome/skillstore"
	"github.com/linkpool/linkpool/internal/store"
)

var lookupRows = flag.Int("lookup.rows", 100000, "BenchmarkLookups: users and refresh tokens of the large deployment (1000000 for the million-user figures)")

// BenchmarkLookups measures the reads of a refresh and a sign-in on a
// deployment of 1,000 users and on one of -lookup.rows users, each with
// one refresh token, written with Load, in a store that newStore opens
// for each: the lookups are index probes, so the large deployment should
// cost about what the small one does. Each backend's BenchmarkLookups
// calls it.
func BenchmarkLookups(b *testing.B, newStore func(testing.TB) skillstore.Database) {
	for _, n := range []int{1000, *lookupRows} {
		db := newStore(b)
		p, users, tokens := loadLookupWorld(b, db, n)
		rng := rand.New(rand.NewPCG(1, 2))
		b.Run(fmt.Sprintf("rows=%d/GetRefreshToken", n), func(b *testing.B) {
			for b.Loop() {
				if _, err := db.GetRefreshToken(b.Context(), tokens[rng.IntN(n)]); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("rows=%d/GetUser", n), func(b *testing.B) {
			for b.Loop() {
				if _, err := db.GetUser(b.Context(), p.ID, users[rng.IntN(n)].Sub); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("rows=%d/GetUserByUsername", n), func(b *testing.B) {
			for b.Loop() {
				if _, err := db.GetUserByUsername(b.Context(), p.ID, users[rng.IntN(n)].UsernameKey); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("rows=%d/GetUserByEmail", n), func(b *testing.B) {
			for b.Loop() {
				if _, err := db.GetUserByEmail(b.Context(), p.ID, users[rng.IntN(n)].EmailKey); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// loadLookupWorld writes a pool, a client and n users with one refresh
// token each into db in one Load, and returns the pool, the users and
// the token ids.
func loadLookupWorld(b *testing.B, db skillstore.Database, n int) (pool.Pool, []pool.User, []string) {
	b.Helper()
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	p := pool.NewPool("eu-west-1", "lookups", now)
	c := pool.NewClient(p.ID, "lookups", now)
	users := make([]pool.User, n)
	tokens := make([]string, n)
	err := db.Load(b.Context(), func(l skillstore.Loader) error {
		if err := l.Pool(p); err != nil {
			return err
		}
		if err := l.Client(c); err != nil {
			return err
		}
		for i := range users {
			name := fmt.Sprintf("user%07d", i)
			users[i] = pool.User{
				PoolID: p.ID, Sub: pool.NewSub(), Username: name, UsernameKey: name,
				EmailKey: name + "@example.com", Attributes: map[string]string{"email": name + "@example.com", "email_verified": "true"},
				Status: pool.StatusConfirmed, Enabled: true, PasswordHash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA",
				CreatedAt: now, UpdatedAt: now,
			}
			if err := l.User(users[i]); err != nil {
				return err
			}
		}
		for i, u := range users {
			tokens[i] = fmt.Sprintf("rt%020d", i)
			if err := l.RefreshToken(store.RefreshToken{ID: tokens[i], OriginJTI: pool.NewSub(), PoolID: p.ID, ClientID: c.ID,
				Sub: u.Sub, Scopes: []string{"openid"}, SecretHash: "h", CreatedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return p, users, tokens
}
