package account_test

import (
	"context"
	"testing"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/pool"
)

func TestAdminDeleteUserAttributes(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, nil)
	u := e.signUp(t, "dora", "dora@example.com", goodPW)
	if err := e.svc.AdminUpdateUserAttributes(ctx, e.pool, "dora", map[string]string{"name": "Dora", "family_name": "Explorer"}); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.AdminDeleteUserAttributes(ctx, e.pool, "dora", []string{"name", "email"}); err != nil {
		t.Fatalf("AdminDeleteUserAttributes: %v", err)
	}
	got := e.user(t, u.Sub).Attributes
	if _, ok := got["name"]; ok {
		t.Errorf("name kept: %v", got)
	}
	if _, ok := got["email"]; ok {
		t.Errorf("email kept: %v", got)
	}
	if _, ok := got["email_verified"]; ok {
		t.Errorf("email_verified kept without an email: %v", got)
	}
	if got["family_name"] != "Explorer" {
		t.Errorf("family_name lost: %v", got)
	}
	for _, names := range [][]string{nil, {"sub"}, {""}} {
		ae := wantErr(t, e.svc.AdminDeleteUserAttributes(ctx, e.pool, "dora", names), account.InvalidParameterException)
		if ae.Field != "attributes" {
			t.Errorf("%v: field %q", names, ae.Field)
		}
	}
	wantErr(t, e.svc.AdminDeleteUserAttributes(ctx, e.pool, "nobody", []string{"name"}), account.UserNotFoundException)
}

func TestAdminResetUserPassword(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, nil)
	u := e.signUp(t, "ross", "ross@example.com", goodPW)
	if err := e.svc.AdminResetUserPassword(ctx, e.pool, "ross"); err != nil {
		t.Fatalf("AdminResetUserPassword: %v", err)
	}
	if st := e.user(t, u.Sub).Status; st != pool.StatusResetRequired {
		t.Fatalf("status %s", st)
	}
	_, err := e.svc.Authenticate(ctx, e.pool, "ross", goodPW)
	wantErr(t, err, account.PasswordResetRequiredException)
	code := e.box.LastCode(t, "ross@example.com")
	if err := e.svc.ConfirmForgotPassword(ctx, e.pool, "ross", code, "N3w-Password!"); err != nil {
		t.Fatalf("ConfirmForgotPassword: %v", err)
	}
	if _, err := e.svc.Authenticate(ctx, e.pool, "ross", "N3w-Password!"); err != nil {
		t.Fatalf("sign-in after reset: %v", err)
	}

	// No verified address: refused, and nothing changes.
	res, err := e.svc.AdminCreateUser(ctx, e.pool, account.AdminCreateUserInput{Username: "nomail", TemporaryPassword: goodPW, Permanent: true})
	if err != nil {
		t.Fatal(err)
	}
	wantErr(t, e.svc.AdminResetUserPassword(ctx, e.pool, "nomail"), account.InvalidParameterException)
	if st := e.user(t, res.User.Sub).Status; st != pool.StatusConfirmed {
		t.Fatalf("status after refused reset %s", st)
	}
	wantErr(t, e.svc.AdminResetUserPassword(ctx, e.pool, "nobody"), account.UserNotFoundException)
}
