package account_test

import (
	"context"
	"testing"

	"github.com/linkpool/linkpool/internal/account"
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
