package account_test

import (
	"context"
	"testing"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/apptest"
	"github.com/linkpool/linkpool/internal/password"
	"github.com/linkpool/linkpool/internal/seal/sealtest"
)

// BenchmarkAuthenticate measures a successful sign-in and a sign-in for an
// unknown user with production argon2id parameters; the two should cost
// about the same.
func BenchmarkAuthenticate(b *testing.B) {
	e := newBenchEnv(b)
	ctx := context.Background()
	b.Run("known user", func(b *testing.B) {
		for b.Loop() {
			if _, err := e.svc.Authenticate(ctx, e.pool, "bench", goodPW); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("unknown user", func(b *testing.B) {
		for b.Loop() {
			if _, err := e.svc.Authenticate(ctx, e.pool, "nobody", goodPW); account.TypeOf(err) != account.UserNotFoundException {
				b.Fatal(err)
			}
		}
	})
}

func newBenchEnv(b *testing.B) *env {
	b.Helper()
	e := &env{clock: newClock(), box: &apptest.Mailbox{}, logs: &apptest.Log{}}
	e.path = b.TempDir() + "/bench.db"
	db, err := sqliteOpen(e.path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	e.db = db
	e.pool = benchPool(e)
	if err := db.CreatePool(context.Background(), e.pool); err != nil {
		b.Fatal(err)
	}
	e.svc = account.New(account.Config{
		Store: db, Hasher: password.NewHasher(password.DefaultParams, 0), CodeKey: sealtest.Box(b).DeriveKey(account.CodeKeyPurpose), Box: sealtest.Box(b),
		Mailer: e.box, Now: e.clock.Now,
	})
	if _, err := e.svc.AdminCreateUser(context.Background(), e.pool, account.AdminCreateUserInput{Username: "bench", TemporaryPassword: goodPW, Permanent: true}); err != nil {
		b.Fatal(err)
	}
	return e
}
