package account_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
)

// TestConfirmForgotPasswordSameWorkForUnknownUsers protects against user
// enumeration by timing: a reset for an unknown user must spend the same
// password-hashing work as one for an existing user without a pending
// code, so the two take the same time.
func TestConfirmForgotPasswordSameWorkForUnknownUsers(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	e.signUp(t, "rita", "rita@example.com", goodPW)
	cost := func(name string) (int64, error) {
		before := e.hasher.Computations()
		err := e.svc.ConfirmForgotPassword(ctx, e.pool, name, "123456", "N3w-password!")
		return e.hasher.Computations() - before, err
	}
	missing, err := cost("nobody")
	wantErr(t, err, account.UserNotFoundException)
	existing, err := cost("rita")
	wantErr(t, err, account.ExpiredCodeException)
	if existing < 1 || missing != existing {
		t.Errorf("argon2id computations: unknown user %d, existing user %d; want the same, at least 1", missing, existing)
	}
}

// txCounter is the env's SQLite store, counting the user-update
// transactions it runs.
type txCounter struct {
	store.Store
	updates atomic.Int64
}

func (c *txCounter) UpdateUser(ctx context.Context, poolID, sub string, fn func(pool.User) (pool.User, error)) error {
	c.updates.Add(1)
	return c.Store.UpdateUser(ctx, poolID, sub, fn)
}

// TestCodeRequestsSameWorkForUnknownUsers protects against user
// enumeration by timing: a reset request or a request for a new sign-up
// code for an unknown user must run the write transaction that issuing a
// code to an existing user runs, so the two take about the same time.
func TestCodeRequestsSameWorkForUnknownUsers(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	e.signUp(t, "rita", "rita@example.com", goodPW)
	if _, err := e.svc.SignUp(ctx, e.pool, account.SignUpInput{
		Username: "uma", Password: goodPW, Attributes: map[string]string{"email": "uma@example.com"},
	}); err != nil {
		t.Fatal(err)
	}
	st := &txCounter{Store: e.db}
	svc := e.serviceOn(st, e.sender())
	for _, tt := range []struct {
		name     string
		request  func(username string) error
		existing string
	}{
		{"forgot password", func(u string) error { _, err := svc.ForgotPassword(ctx, e.pool, u); return err }, "rita"},
		{"resend code", func(u string) error { _, err := svc.ResendConfirmationCode(ctx, e.pool, u); return err }, "uma"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cost := func(username string) (int64, error) {
				before := st.updates.Load()
				err := tt.request(username)
				return st.updates.Load() - before, err
			}
			missing, err := cost("nobody")
			wantErr(t, err, account.UserNotFoundException)
			e.clock.Advance(time.Hour) // past the interval between codes
			existing, err := cost(tt.existing)
			if err != nil {
				t.Fatal(err)
			}
			if existing < 1 || missing != existing {
				t.Errorf("user-update transactions: unknown user %d, existing user %d; want the same, at least 1", missing, existing)
			}
		})
	}
}
