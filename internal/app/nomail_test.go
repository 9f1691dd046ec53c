package app_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/app"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/seal/sealtest"
	"github.com/linkpool/linkpool/internal/store/sqlite/sqlitetest"
)

// TestNoMail checks that an App built with NoMail has no outbox, which
// would claim the mail the servers stored, and refuses the mail of its
// flows instead.
func TestNoMail(t *testing.T) {
	ctx := context.Background()
	st := sqlitetest.Open(t)
	a, err := app.New(app.Config{Store: st, Box: sealtest.Box(t), PublicURL: "http://localhost", HashConcurrency: 1, NoMail: true})
	if err != nil {
		t.Fatal(err)
	}
	if a.Mail != nil {
		t.Fatal("an App without mail has an outbox")
	}
	p := pool.NewPool("eu-west-1", "no mail", time.Now())
	if err := st.CreatePool(ctx, p); err != nil {
		t.Fatal(err)
	}
	_, err = a.Accounts.SignUp(ctx, p, account.SignUpInput{
		Username: "frank", Password: "Frank-4d-password", Attributes: map[string]string{"email": "frank@example.com"},
	})
	var ae *account.Error
	if !errors.As(err, &ae) || ae.Type != account.CodeDeliveryFailureException {
		t.Errorf("SignUp = %v, want CodeDeliveryFailureException", err)
	}
	if err := a.Shutdown(ctx); err != nil {
		t.Errorf("Shutdown: %v", err)
	}
}
