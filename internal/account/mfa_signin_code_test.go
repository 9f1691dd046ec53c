package account_test

import (
	"context"
	"testing"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/pool"
)

// TestSendSignInCode: the passwordless code goes to a user who may sign
// in, by username or address; an unknown or disabled user gets the
// verdict and no mail.
func TestSendSignInCode(t *testing.T) {
	e := newEnv(t, emailSignInPool)
	ctx := context.Background()
	u := e.signUp(t, "alice", "alice@example.com", goodPW)
	e.signUp(t, "bob", "bob@example.com", goodPW)
	if err := e.svc.AdminDisableUser(ctx, e.pool, "bob"); err != nil {
		t.Fatal(err)
	}
	before := len(e.box.Messages())

	dest, err := e.svc.SendSignInCode(ctx, e.pool, "alice")
	if err != nil || dest != "a***@e***.com" {
		t.Fatalf("SendSignInCode(alice) = %q, %v", dest, err)
	}
	code := e.box.LastOTP(t, "alice@example.com")
	if _, err := e.svc.VerifyEmailOTP(ctx, e.pool, u.Sub, code, pool.CodeEmailSignIn); err != nil {
		t.Fatalf("the mailed code: %v", err)
	}

	_, err = e.svc.SendSignInCode(ctx, e.pool, "nobody")
	wantErr(t, err, account.UserNotFoundException)
	_, err = e.svc.SendSignInCode(ctx, e.pool, "bob")
	wantErr(t, err, account.NotAuthorizedException)
	if n := len(e.box.Messages()) - before; n != 1 {
		t.Fatalf("%d mails, want 1 (alice's)", n)
	}
}
