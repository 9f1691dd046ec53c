package account_test

import (
	"context"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/apptest"
	"github.com/linkpool/linkpool/internal/password"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store/postgres"
	"github.com/linkpool/linkpool/internal/store/postgres/pgtest"
)

// TestMFASingleUsePostgres races two services, each with its own
// PostgreSQL connection pool on one database (two instances), with one
// authenticator-app code and then one email code: each is accepted
// exactly once.
func TestMFASingleUsePostgres(t *testing.T) {
	url := pgtest.URL(t)
	ctx := context.Background()
	clock := newClock()
	box := &apptest.Mailbox{}
	hasher := password.NewHasher(apptest.CheapHashing, 0)
	var svcs []*account.Service
	var db *postgres.DB
	for range 2 {
		st, err := postgres.Open(ctx, url)
		if err != nil {
			t.Fatalf("postgres.Open: %v", err)
		}
		t.Cleanup(func() { st.Close() })
		db = st
		svcs = append(svcs, account.New(account.Config{Store: st, Hasher: hasher, CodeKey: codeKey, Box: masterBox, Mailer: box, Now: clock.Now}))
	}
	p := pool.NewPool("us-east-1", "SmartLamp", clock.Now())
	mfaPool(&p)
	if err := db.CreatePool(ctx, p); err != nil {
		t.Fatal(err)
	}
	res, err := svcs[0].AdminCreateUser(ctx, p, account.AdminCreateUserInput{
		Username: "alice", TemporaryPassword: goodPW, Permanent: true,
		Attributes: map[string]string{"email": "alice@example.com"}, EmailVerified: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	sub := res.User.Sub
	secret, err := svcs[0].AssociateSoftwareToken(ctx, p, sub)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svcs[1].VerifySoftwareToken(ctx, p, sub, totpCode(t, secret, clock.Now(), 0), "phone"); err != nil {
		t.Fatal(err)
	}

	race := func(name, lose string, verify func(svc *account.Service) error) {
		t.Helper()
		raceOneCode(t, name, svcs, lose, verify)
	}
	for range 5 {
		clock.Advance(30 * time.Second)
		code := totpCode(t, secret, clock.Now(), 0)
		race("TOTP", account.CodeMismatchException, func(svc *account.Service) error {
			_, err := svc.VerifyTOTP(ctx, p, sub, code)
			return err
		})
	}
	for range 5 {
		clock.Advance(account.DefaultCodeInterval)
		if _, err := svcs[0].SendEmailOTP(ctx, p, sub, pool.CodeEmailMFA); err != nil {
			t.Fatal(err)
		}
		code := box.LastOTP(t, "alice@example.com")
		race("email", account.ExpiredCodeException, func(svc *account.Service) error {
			_, err := svc.VerifyEmailOTP(ctx, p, sub, code, pool.CodeEmailMFA)
			return err
		})
	}
	u, err := db.GetUser(ctx, p.ID, sub)
	if err != nil {
		t.Fatal(err)
	}
	if u.FailedLogins > 1 || u.Locked(clock.Now()) {
		t.Fatalf("after the races: FailedLogins %d, locked %v", u.FailedLogins, u.Locked(clock.Now()))
	}
}
