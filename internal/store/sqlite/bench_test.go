package sqlite_test

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
	"github.com/linkpool/linkpool/internal/store/sqlite"
)

// The token endpoint's store calls: issue a code (authorize), redeem it,
// refresh with rotation, and look a user up at sign-in.

type benchWorld struct {
	db     *sqlite.DB
	pool   pool.Pool
	client pool.Client
	users  []pool.User
	now    time.Time
}

func newBenchWorld(b *testing.B, users int) benchWorld {
	b.Helper()
	ctx := b.Context()
	w := benchWorld{db: openDB(b), now: time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)}
	w.pool = pool.NewPool("eu-west-1", "bench", w.now)
	w.client = pool.NewClient(w.pool.ID, "bench", w.now)
	if err := w.db.CreatePool(ctx, w.pool); err != nil {
		b.Fatal(err)
	}
	if err := w.db.CreateClient(ctx, w.client); err != nil {
		b.Fatal(err)
	}
	for i := range users {
		name := fmt.Sprintf("user%05d", i)
		u := pool.User{
			PoolID: w.pool.ID, Sub: pool.NewSub(), Username: name, UsernameKey: name,
			EmailKey: name + "@example.com", Attributes: map[string]string{"email": name + "@example.com", "email_verified": "true"},
			Status: pool.StatusConfirmed, Enabled: true, PasswordHash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA",
			CreatedAt: w.now, UpdatedAt: w.now,
		}
		if err := w.db.CreateUser(ctx, u); err != nil {
			b.Fatal(err)
		}
		w.users = append(w.users, u)
	}
	return w
}

func (w benchWorld) code(id string) store.AuthCode {
	return store.AuthCode{
		ID: id, PoolID: w.pool.ID, ClientID: w.client.ID, Sub: w.users[0].Sub,
		RedirectURI: "https://app.example.com/cb", Scopes: []string{"openid", "email"},
		CodeChallenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", CodeChallengeMethod: "S256",
		AuthTime: w.now, OriginJTI: id, CreatedAt: w.now, ExpiresAt: w.now.Add(5 * time.Minute),
	}
}

func BenchmarkCreateAuthCode(b *testing.B) {
	w := newBenchWorld(b, 1)
	i := 0
	for b.Loop() {
		i++
		if err := w.db.CreateAuthCode(b.Context(), w.code(fmt.Sprintf("code-%d", i))); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkConsumeAuthCode(b *testing.B) {
	w := newBenchWorld(b, 1)
	for i := range b.N {
		if err := w.db.CreateAuthCode(b.Context(), w.code(fmt.Sprintf("code-%d", i))); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for i := range b.N {
		if _, err := w.db.ConsumeAuthCode(b.Context(), fmt.Sprintf("code-%d", i), w.now); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRefreshRotation is one refresh_token grant: read the grant,
// then rotate its secret in a transaction.
func BenchmarkRefreshRotation(b *testing.B) {
	w := newBenchWorld(b, 1)
	rt := store.RefreshToken{
		ID: "rt", OriginJTI: "origin", PoolID: w.pool.ID, ClientID: w.client.ID, Sub: w.users[0].Sub,
		Scopes: []string{"openid"}, SecretHash: "s0", CreatedAt: w.now, ExpiresAt: w.now.Add(time.Hour),
	}
	if err := w.db.CreateRefreshToken(b.Context(), rt); err != nil {
		b.Fatal(err)
	}
	i := 0
	for b.Loop() {
		cur, err := w.db.GetRefreshToken(b.Context(), rt.ID)
		if err != nil {
			b.Fatal(err)
		}
		i++
		next := fmt.Sprintf("s%d", i)
		err = w.db.UpdateRefreshToken(b.Context(), rt.ID, func(t store.RefreshToken) (store.RefreshToken, error) {
			if t.SecretHash != cur.SecretHash {
				return t, store.ErrConflict
			}
			t.PrevSecretHash, t.PrevValidUntil, t.SecretHash, t.LastUsedAt = t.SecretHash, w.now.Add(30*time.Second), next, w.now
			return t, nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGetUserByUsername(b *testing.B) {
	w := newBenchWorld(b, 1000)
	i := 0
	for b.Loop() {
		i++
		u := w.users[i%len(w.users)]
		if _, err := w.db.GetUserByUsername(b.Context(), w.pool.ID, u.UsernameKey); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGetUserByUsernameParallel shows the reader pool serving
// sign-ins side by side.
func BenchmarkGetUserByUsernameParallel(b *testing.B) {
	w := newBenchWorld(b, 1000)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			i++
			u := w.users[i%len(w.users)]
			if _, err := w.db.GetUserByUsername(b.Context(), w.pool.ID, u.UsernameKey); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkRefreshRotationParallel is rotating refreshes of many users at
// once: each goroutine rotates its own grant, as concurrent clients do.
// With group commit their writes share transactions and fsyncs. Sixteen
// goroutines per CPU stand for the clients of a loaded server.
func BenchmarkRefreshRotationParallel(b *testing.B) {
	w := newBenchWorld(b, 1)
	var next atomic.Int64
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		id := fmt.Sprintf("rt-%d", next.Add(1))
		rt := store.RefreshToken{
			ID: id, OriginJTI: id, PoolID: w.pool.ID, ClientID: w.client.ID, Sub: w.users[0].Sub,
			Scopes: []string{"openid"}, SecretHash: "s0", CreatedAt: w.now, ExpiresAt: w.now.Add(time.Hour),
		}
		if err := w.db.CreateRefreshToken(b.Context(), rt); err != nil {
			b.Error(err)
			return
		}
		i := 0
		for pb.Next() {
			i++
			err := w.db.UpdateRefreshToken(b.Context(), id, func(t store.RefreshToken) (store.RefreshToken, error) {
				t.PrevSecretHash, t.PrevValidUntil, t.SecretHash, t.LastUsedAt = t.SecretHash, w.now.Add(30*time.Second), fmt.Sprintf("s%d", i), w.now
				return t, nil
			})
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
}
