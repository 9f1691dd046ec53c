package postgres_test

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
	"github.com/linkpool/linkpool/internal/store/postgres"
)

// benchWorld is a pool with a client and 1000 users, so that lookups run
// against indexes of realistic depth rather than a single page.
type benchWorld struct {
	db     *postgres.DB
	pool   pool.Pool
	client pool.Client
	users  []pool.User
}

func newBenchWorld(b *testing.B) benchWorld {
	b.Helper()
	db := openDB(b)
	ctx := b.Context()
	now := time.Now()
	w := benchWorld{db: db, pool: pool.NewPool("eu-west-1", "bench", now)}
	w.client = pool.NewClient(w.pool.ID, "bench", now)
	if err := db.CreatePool(ctx, w.pool); err != nil {
		b.Fatal(err)
	}
	if err := db.CreateClient(ctx, w.client); err != nil {
		b.Fatal(err)
	}
	for i := range 1000 {
		name := fmt.Sprintf("user%04d", i)
		u := pool.User{
			PoolID: w.pool.ID, Sub: pool.NewSub(), Username: name, UsernameKey: name,
			EmailKey: name + "@example.com", Attributes: map[string]string{"email": name + "@example.com"},
			Status: pool.StatusConfirmed, Enabled: true, PasswordHash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA",
			CreatedAt: now, UpdatedAt: now,
		}
		if err := db.CreateUser(ctx, u); err != nil {
			b.Fatal(err)
		}
		w.users = append(w.users, u)
	}
	return w
}

func (w benchWorld) code(now time.Time) store.AuthCode {
	return store.AuthCode{
		ID: randomID(), PoolID: w.pool.ID, ClientID: w.client.ID, Sub: w.users[0].Sub,
		RedirectURI: "https://app.example.com/cb", Scopes: []string{"openid", "email"},
		CodeChallenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", CodeChallengeMethod: "S256",
		AuthTime: now, OriginJTI: pool.NewSub(), CreatedAt: now, ExpiresAt: now.Add(5 * time.Minute),
	}
}

func randomID() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func BenchmarkCreateAuthCode(b *testing.B) {
	w := newBenchWorld(b)
	ctx := b.Context()
	now := time.Now()
	for b.Loop() {
		if err := w.db.CreateAuthCode(ctx, w.code(now)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkConsumeAuthCode(b *testing.B) {
	w := newBenchWorld(b)
	ctx := b.Context()
	now := time.Now()
	var ids []string
	for b.Loop() {
		if len(ids) == 0 {
			// Codes are single-use: issue the next batch off the clock.
			b.StopTimer()
			for range 500 {
				c := w.code(now)
				if err := w.db.CreateAuthCode(ctx, c); err != nil {
					b.Fatal(err)
				}
				ids = append(ids, c.ID)
			}
			b.StartTimer()
		}
		if _, err := w.db.ConsumeAuthCode(ctx, ids[0], now); err != nil {
			b.Fatal(err)
		}
		ids = ids[1:]
	}
}

// BenchmarkRefreshRotation is one refresh with rotation: read the grant,
// then swap its secret under the row lock.
func BenchmarkRefreshRotation(b *testing.B) {
	w := newBenchWorld(b)
	ctx := b.Context()
	now := time.Now()
	rt := store.RefreshToken{
		ID: randomID()[:32], OriginJTI: pool.NewSub(), PoolID: w.pool.ID, ClientID: w.client.ID,
		Sub: w.users[0].Sub, Scopes: []string{"openid"}, AuthTime: now, SecretHash: randomID(),
		CreatedAt: now, LastUsedAt: now, ExpiresAt: now.Add(30 * 24 * time.Hour),
	}
	if err := w.db.CreateRefreshToken(ctx, rt); err != nil {
		b.Fatal(err)
	}
	next := randomID()
	for b.Loop() {
		cur, err := w.db.GetRefreshToken(ctx, rt.ID)
		if err != nil {
			b.Fatal(err)
		}
		err = w.db.UpdateRefreshToken(ctx, rt.ID, func(t store.RefreshToken) (store.RefreshToken, error) {
			if t.SecretHash != cur.SecretHash {
				return t, store.ErrConflict
			}
			t.PrevSecretHash, t.SecretHash = t.SecretHash, next
			t.PrevValidUntil = now.Add(30 * time.Second)
			t.LastUsedAt = now
			return t, nil
		})
		if err != nil {
			b.Fatal(err)
		}
		next = cur.SecretHash
	}
}

func BenchmarkGetUserByUsername(b *testing.B) {
	w := newBenchWorld(b)
	ctx := b.Context()
	i := 0
	for b.Loop() {
		u := w.users[i%len(w.users)]
		i++
		if _, err := w.db.GetUserByUsername(ctx, w.pool.ID, u.UsernameKey); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGetUserByUsernameParallel measures the same lookup from many
// goroutines sharing the pool.
func BenchmarkGetUserByUsernameParallel(b *testing.B) {
	w := newBenchWorld(b)
	ctx := b.Context()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			u := w.users[i%len(w.users)]
			i++
			if _, err := w.db.GetUserByUsername(ctx, w.pool.ID, u.UsernameKey); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
