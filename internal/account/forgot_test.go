package account_test

import (
	"context"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/pool"
)

func TestForgotPassword(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	u := e.signUp(t, "rita", "rita@example.com", goodPW)
	for range e.pool.LockoutPolicy.MaxFailedAttempts {
		_, _ = e.svc.Authenticate(ctx, e.pool, "rita", "Wr0ng-guess!")
	}
	d, err := e.svc.ForgotPassword(ctx, e.pool, "rita")
	if err != nil {
		t.Fatalf("ForgotPassword: %v", err)
	}
	if d.Destination != "r***@e***.com" {
		t.Errorf("destination = %q", d.Destination)
	}
	code := e.box.LastCode(t, "rita@example.com")
	if pc := e.user(t, u.Sub).Code; pc == nil || pc.Purpose != pool.CodeResetPassword || !pc.ExpiresAt.Equal(e.clock.Now().Add(time.Hour)) {
		t.Errorf("pending code = %+v, want a reset code valid 1h", pc)
	}
	if _, err := e.svc.Authenticate(ctx, e.pool, "rita", "Wr0ng-guess!"); account.TypeOf(err) != account.NotAuthorizedException {
		t.Fatalf("Authenticate = %v", err)
	}

	// A password the policy rejects costs no code attempt.
	err = e.svc.ConfirmForgotPassword(ctx, e.pool, "rita", code, "short")
	wantErr(t, err, account.InvalidPasswordException)
	if pc := e.user(t, u.Sub).Code; pc == nil || pc.Attempts != 0 {
		t.Fatalf("code after a rejected password: %+v", pc)
	}
	wrong := "000000"
	if code == wrong {
		wrong = "999999"
	}
	err = e.svc.ConfirmForgotPassword(ctx, e.pool, "rita", wrong, "N3w-password!")
	wantErr(t, err, account.CodeMismatchException)
	if pc := e.user(t, u.Sub).Code; pc == nil || pc.Attempts != 1 {
		t.Fatalf("code after a wrong guess: %+v", pc)
	}
	if err := e.svc.ConfirmForgotPassword(ctx, e.pool, "rita", code, "N3w-password!"); err != nil {
		t.Fatalf("ConfirmForgotPassword: %v", err)
	}
	got := e.user(t, u.Sub)
	if got.Code.Active(pool.CodeResetPassword) || got.FailedLogins != 0 || !got.LockedUntil.IsZero() {
		t.Errorf("after reset: code %+v, failures %d, locked until %v", got.Code, got.FailedLogins, got.LockedUntil)
	}
	if _, err := e.svc.Authenticate(ctx, e.pool, "rita", "N3w-password!"); err != nil {
		t.Errorf("Authenticate with the new password: %v", err)
	}
	_, err = e.svc.Authenticate(ctx, e.pool, "rita", goodPW)
	wantErr(t, err, account.NotAuthorizedException)
	err = e.svc.ConfirmForgotPassword(ctx, e.pool, "rita", code, "An0ther-passw0rd")
	wantErr(t, err, account.ExpiredCodeException)
}

func TestForgotPasswordRejects(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name     string
		prepare  func(t *testing.T, e *env)
		wantType string
	}{
		{name: "unknown user", prepare: func(t *testing.T, e *env) {}, wantType: account.UserNotFoundException},
		{name: "unverified email", wantType: account.InvalidParameterException, prepare: func(t *testing.T, e *env) {
			if _, err := e.svc.SignUp(ctx, e.pool, account.SignUpInput{Username: "sam", Password: goodPW, Attributes: map[string]string{"email": "sam@example.com"}}); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "disabled", wantType: account.NotAuthorizedException, prepare: func(t *testing.T, e *env) {
			e.signUp(t, "sam", "sam@example.com", goodPW)
			if err := e.svc.AdminDisableUser(ctx, e.pool, "sam"); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "temporary password", wantType: account.NotAuthorizedException, prepare: func(t *testing.T, e *env) {
			if _, err := e.svc.AdminCreateUser(ctx, e.pool, account.AdminCreateUserInput{Username: "sam", Attributes: map[string]string{"email": "sam@example.com"}, EmailVerified: true}); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "throttled", wantType: account.LimitExceededException, prepare: func(t *testing.T, e *env) {
			e.signUp(t, "sam", "sam@example.com", goodPW)
			if _, err := e.svc.ForgotPassword(ctx, e.pool, "sam"); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, nil)
			tt.prepare(t, e)
			before := e.box.Count("sam@example.com")
			_, err := e.svc.ForgotPassword(ctx, e.pool, "sam")
			wantErr(t, err, tt.wantType)
			if e.box.Count("sam@example.com") != before {
				t.Error("a code was mailed")
			}
		})
	}
}

func TestForgotPasswordExpiryAndAttempts(t *testing.T) {
	ctx := context.Background()
	t.Run("expired", func(t *testing.T) {
		e := newEnv(t, nil)
		e.signUp(t, "tom", "tom@example.com", goodPW)
		if _, err := e.svc.ForgotPassword(ctx, e.pool, "tom"); err != nil {
			t.Fatal(err)
		}
		code := e.box.LastCode(t, "tom@example.com")
		e.clock.Advance(time.Hour)
		err := e.svc.ConfirmForgotPassword(ctx, e.pool, "tom", code, "N3w-password!")
		wantErr(t, err, account.ExpiredCodeException)
		if _, err := e.svc.Authenticate(ctx, e.pool, "tom", goodPW); err != nil {
			t.Errorf("the password changed: %v", err)
		}
	})
	t.Run("attempts exhausted", func(t *testing.T) {
		e := newEnv(t, nil)
		e.signUp(t, "tom", "tom@example.com", goodPW)
		if _, err := e.svc.ForgotPassword(ctx, e.pool, "tom"); err != nil {
			t.Fatal(err)
		}
		code := e.box.LastCode(t, "tom@example.com")
		wrong := "000000"
		if code == wrong {
			wrong = "999999"
		}
		for i := 1; i < account.MaxCodeAttempts; i++ {
			wantErr(t, e.svc.ConfirmForgotPassword(ctx, e.pool, "tom", wrong, "N3w-password!"), account.CodeMismatchException)
		}
		wantErr(t, e.svc.ConfirmForgotPassword(ctx, e.pool, "tom", wrong, "N3w-password!"), account.TooManyFailedAttemptsException)
		wantErr(t, e.svc.ConfirmForgotPassword(ctx, e.pool, "tom", code, "N3w-password!"), account.ExpiredCodeException)
		e.clock.Advance(account.DefaultCodeInterval)
		if _, err := e.svc.ForgotPassword(ctx, e.pool, "tom"); err != nil {
			t.Fatalf("a new code after exhaustion: %v", err)
		}
		if err := e.svc.ConfirmForgotPassword(ctx, e.pool, "tom", e.box.LastCode(t, "tom@example.com"), "N3w-password!"); err != nil {
			t.Fatalf("ConfirmForgotPassword with the new code: %v", err)
		}
	})
	t.Run("unknown user", func(t *testing.T) {
		e := newEnv(t, nil)
		wantErr(t, e.svc.ConfirmForgotPassword(ctx, e.pool, "nobody", "123456", "N3w-password!"), account.UserNotFoundException)
		wantErr(t, e.svc.ConfirmForgotPassword(ctx, e.pool, "nobody", "", "N3w-password!"), account.InvalidParameterException)
	})
}
