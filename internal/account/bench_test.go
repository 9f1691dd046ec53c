package account_test

import (
	"context"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/apptest"
	"github.com/linkpool/linkpool/internal/password"
	"github.com/linkpool/linkpool/internal/pool"
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

// mfaBench is a Service for the benchmarks of the second factors: a
// bench user with an email address in a pool with both code factors,
// and a clock the benchmark moves.
func mfaBench(b *testing.B) (e *env, svc *account.Service, sub string, now *time.Time) {
	b.Helper()
	e = newBenchEnv(b)
	e.pool.MFA = pool.MFAConfig{Mode: pool.MFAOptional, SoftwareToken: true, Email: true}
	ctx := context.Background()
	res, err := e.svc.AdminCreateUser(ctx, e.pool, account.AdminCreateUserInput{
		Username: "mfa", TemporaryPassword: goodPW, Permanent: true,
		Attributes: map[string]string{"email": "mfa@example.com"}, EmailVerified: true,
	})
	if err != nil {
		b.Fatal(err)
	}
	t := e.clock.Now()
	now = &t
	svc = account.New(account.Config{
		Store: e.db, Hasher: password.NewHasher(password.DefaultParams, 0), CodeKey: sealtest.Box(b).DeriveKey(account.CodeKeyPurpose), Box: sealtest.Box(b),
		Mailer: e.box, Now: func() time.Time { return *now }, MaxCodesPerDay: 1 << 30,
	})
	return e, svc, res.User.Sub, now
}

// BenchmarkVerifyTOTP measures a sign-in's authenticator-app code: the
// store transaction that reads the user, opens the sealed secret, checks
// three steps and records the accepted one. Each iteration is 30 seconds
// later, so every code is fresh.
func BenchmarkVerifyTOTP(b *testing.B) {
	e, svc, sub, now := mfaBench(b)
	ctx := context.Background()
	secret, err := svc.AssociateSoftwareToken(ctx, e.pool, sub)
	if err != nil {
		b.Fatal(err)
	}
	code := func() string {
		c, err := totp.GenerateCodeCustom(secret, *now, totpOpts)
		if err != nil {
			b.Fatal(err)
		}
		return c
	}
	if _, err := svc.VerifySoftwareToken(ctx, e.pool, sub, code(), "bench"); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		*now = now.Add(30 * time.Second)
		if _, err := svc.VerifyTOTP(ctx, e.pool, sub, code()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSendEmailOTP measures mailing a code of the email factor:
// the store transaction that counts and stores it and the rendering of
// the mail (into a captured mailbox).
func BenchmarkSendEmailOTP(b *testing.B) {
	e, svc, sub, now := mfaBench(b)
	ctx := context.Background()
	for b.Loop() {
		*now = now.Add(account.DefaultCodeInterval)
		if _, err := svc.SendEmailOTP(ctx, e.pool, sub, pool.CodeEmailMFA); err != nil {
			b.Fatal(err)
		}
	}
}
