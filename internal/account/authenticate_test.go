package account_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/mail"
	"github.com/linkpool/linkpool/internal/pool"
)

// TestLockoutAcrossInstances runs two Services, each with its own
// connection to one SQLite file, as two server instances would: failures
// counted by either lock the user out on both.
func TestLockoutAcrossInstances(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	u := e.signUp(t, "kate", "kate@example.com", goodPW)
	other := e.serviceOn(openDB(t, e.path), mail.NewLog(nil))
	services := []*account.Service{e.svc, other}

	max := e.pool.LockoutPolicy.MaxFailedAttempts
	for i := range max {
		_, err := services[i%2].Authenticate(ctx, e.pool, "kate", "Wr0ng-guess!")
		ae := wantErr(t, err, account.NotAuthorizedException)
		if ae.Message != "Incorrect username or password." {
			t.Fatalf("failure %d: message %q", i+1, ae.Message)
		}
	}
	if got := e.user(t, u.Sub).FailedLogins; got != max {
		t.Fatalf("FailedLogins = %d, want %d", got, max)
	}
	for i, svc := range services {
		_, err := svc.Authenticate(ctx, e.pool, "kate", goodPW)
		ae := wantErr(t, err, account.NotAuthorizedException)
		if !errors.Is(err, account.ErrLockedOut) || ae.Message != "Password attempts exceeded" {
			t.Errorf("instance %d: correct password while locked = %v, want the lockout", i, err)
		}
		concealed := wantErr(t, account.Conceal(err), account.NotAuthorizedException)
		if concealed.Message != "Incorrect username or password." {
			t.Errorf("Conceal(lockout) = %q", concealed.Message)
		}
	}
	if !strings.Contains(e.logs.String(), "locked out") {
		t.Error("the lockout was not logged")
	}

	e.clock.Advance(time.Duration(e.pool.LockoutPolicy.BaseLockoutSeconds) * time.Second)
	if _, err := other.Authenticate(ctx, e.pool, "kate", goodPW); err != nil {
		t.Fatalf("Authenticate after the lockout: %v", err)
	}
	if got := e.user(t, u.Sub); got.FailedLogins != 0 || !got.LockedUntil.IsZero() {
		t.Errorf("after success FailedLogins = %d, LockedUntil = %v", got.FailedLogins, got.LockedUntil)
	}
}

// TestLockoutLogNamesClient: the lockout's log line names the pool, the
// user and the app client the sign-in came through.
func TestLockoutLogNamesClient(t *testing.T) {
	e := newEnv(t, nil)
	ctx := account.WithCaller(context.Background(), account.Caller{ClientID: "alexaclient0123456789abcd"})
	u := e.signUp(t, "mia", "mia@example.com", goodPW)
	for range e.pool.LockoutPolicy.MaxFailedAttempts {
		_, _ = e.svc.Authenticate(ctx, e.pool, "mia", "Wr0ng-guess!")
	}
	var line string
	for _, l := range strings.Split(e.logs.String(), "\n") {
		if strings.Contains(l, "locked out") {
			line = l
		}
	}
	for _, want := range []string{`"pool":"` + e.pool.ID + `"`, `"sub":"` + u.Sub + `"`, `"client_id":"alexaclient0123456789abcd"`} {
		if !strings.Contains(line, want) {
			t.Errorf("lockout log line %q lacks %s", line, want)
		}
	}
}

func TestLockoutDoubles(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	u := e.signUp(t, "liam", "liam@example.com", goodPW)
	lp := e.pool.LockoutPolicy
	for range lp.MaxFailedAttempts {
		_, _ = e.svc.Authenticate(ctx, e.pool, "liam", "Wr0ng-guess!")
	}
	first := e.user(t, u.Sub).LockedUntil.Sub(e.clock.Now())
	e.clock.Advance(first)
	_, err := e.svc.Authenticate(ctx, e.pool, "liam", "Wr0ng-guess!")
	wantErr(t, err, account.NotAuthorizedException)
	second := e.user(t, u.Sub).LockedUntil.Sub(e.clock.Now())
	if first != time.Duration(lp.BaseLockoutSeconds)*time.Second || second != 2*first {
		t.Errorf("lockouts %v then %v, want %ds then double", first, second, lp.BaseLockoutSeconds)
	}
}

func TestAuthenticateStates(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name      string
		prepare   func(t *testing.T, e *env)
		password  string
		wantType  string
		wantMsg   string
		concealed string
	}{
		{name: "unknown user", password: goodPW, wantType: account.UserNotFoundException, concealed: "Incorrect username or password.",
			prepare: func(t *testing.T, e *env) {}},
		{name: "wrong password", password: "Wr0ng-guess!", wantType: account.NotAuthorizedException, wantMsg: "Incorrect username or password.",
			prepare: func(t *testing.T, e *env) { e.signUp(t, "mia", "mia@example.com", goodPW) }},
		{name: "disabled, right password", password: goodPW, wantType: account.NotAuthorizedException, wantMsg: "User is disabled.",
			prepare: func(t *testing.T, e *env) {
				e.signUp(t, "mia", "mia@example.com", goodPW)
				if err := e.svc.AdminDisableUser(ctx, e.pool, "mia"); err != nil {
					t.Fatal(err)
				}
			}},
		{name: "disabled, wrong password", password: "Wr0ng-guess!", wantType: account.NotAuthorizedException, wantMsg: "Incorrect username or password.",
			prepare: func(t *testing.T, e *env) {
				e.signUp(t, "mia", "mia@example.com", goodPW)
				if err := e.svc.AdminDisableUser(ctx, e.pool, "mia"); err != nil {
					t.Fatal(err)
				}
			}},
		{name: "unconfirmed, wrong password", password: "Wr0ng-guess!", wantType: account.NotAuthorizedException, wantMsg: "Incorrect username or password.",
			prepare: func(t *testing.T, e *env) {
				if _, err := e.svc.SignUp(ctx, e.pool, account.SignUpInput{Username: "mia", Password: goodPW, Attributes: map[string]string{"email": "mia@example.com"}}); err != nil {
					t.Fatal(err)
				}
			}},
		{name: "reset required", password: goodPW, wantType: account.PasswordResetRequiredException,
			prepare: func(t *testing.T, e *env) {
				u := e.signUp(t, "mia", "mia@example.com", goodPW)
				if err := e.db.UpdateUser(ctx, e.pool.ID, u.Sub, func(u pool.User) (pool.User, error) {
					u.Status = pool.StatusResetRequired
					return u, nil
				}); err != nil {
					t.Fatal(err)
				}
			}},
		{name: "temporary password", password: "Temp0rary-pw!", wantType: account.NewPasswordRequired,
			prepare: func(t *testing.T, e *env) {
				if _, err := e.svc.AdminCreateUser(ctx, e.pool, account.AdminCreateUserInput{Username: "mia", TemporaryPassword: "Temp0rary-pw!"}); err != nil {
					t.Fatal(err)
				}
			}},
		{name: "expired temporary password", password: "Temp0rary-pw!", wantType: account.NotAuthorizedException,
			wantMsg: "Temporary password has expired and must be reset by an administrator.",
			prepare: func(t *testing.T, e *env) {
				if _, err := e.svc.AdminCreateUser(ctx, e.pool, account.AdminCreateUserInput{Username: "mia", TemporaryPassword: "Temp0rary-pw!"}); err != nil {
					t.Fatal(err)
				}
				e.clock.Advance(7*24*time.Hour + time.Minute)
			}},
		{name: "oversize password", password: strings.Repeat("x", 5000), wantType: account.NotAuthorizedException, wantMsg: "Incorrect username or password.",
			prepare: func(t *testing.T, e *env) { e.signUp(t, "mia", "mia@example.com", goodPW) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, nil)
			tt.prepare(t, e)
			u, err := e.svc.Authenticate(ctx, e.pool, "mia", tt.password)
			ae := wantErr(t, err, tt.wantType)
			if tt.wantMsg != "" && ae.Message != tt.wantMsg {
				t.Errorf("message = %q, want %q", ae.Message, tt.wantMsg)
			}
			if u.Sub != "" {
				t.Error("a failed sign-in returned a user")
			}
			if tt.concealed != "" {
				c := wantErr(t, account.Conceal(err), account.NotAuthorizedException)
				if c.Message != tt.concealed {
					t.Errorf("concealed message = %q", c.Message)
				}
			}
		})
	}
}

func TestCompleteNewPassword(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	res, err := e.svc.AdminCreateUser(ctx, e.pool, account.AdminCreateUserInput{Username: "noah", Attributes: map[string]string{"email": "noah@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	temp := res.TemporaryPassword
	if err := e.pool.CheckPassword(temp); err != nil || len(temp) < 16 {
		t.Fatalf("generated password %d chars: %v", len(temp), err)
	}
	if res.User.Status != pool.StatusForceChangePassword {
		t.Fatalf("status = %s", res.User.Status)
	}
	_, err = e.svc.Authenticate(ctx, e.pool, "noah", temp)
	wantErr(t, err, account.NewPasswordRequired)

	_, err = e.svc.CompleteNewPassword(ctx, e.pool, "noah", "Wr0ng-guess!", goodPW)
	wantErr(t, err, account.NotAuthorizedException)
	_, err = e.svc.CompleteNewPassword(ctx, e.pool, "noah", temp, "weak")
	ae := wantErr(t, err, account.InvalidPasswordException)
	if ae.Field != "new_password" {
		t.Errorf("field = %q", ae.Field)
	}
	u, err := e.svc.CompleteNewPassword(ctx, e.pool, "noah", temp, goodPW)
	if err != nil {
		t.Fatalf("CompleteNewPassword: %v", err)
	}
	if u.Status != pool.StatusConfirmed || u.PasswordHash != "" {
		t.Errorf("user = %+v", u)
	}
	if _, err := e.svc.Authenticate(ctx, e.pool, "noah", goodPW); err != nil {
		t.Errorf("Authenticate with the new password: %v", err)
	}
	_, err = e.svc.Authenticate(ctx, e.pool, "noah", temp)
	wantErr(t, err, account.NotAuthorizedException)
	_, err = e.svc.CompleteNewPassword(ctx, e.pool, "noah", goodPW, "An0ther-passw0rd")
	wantErr(t, err, account.NotAuthorizedException)
}

func TestCompleteNewPasswordExpired(t *testing.T) {
	e := newEnv(t, func(p *pool.Pool) { p.PasswordPolicy.TemporaryPasswordValidityDays = 1 })
	ctx := context.Background()
	if _, err := e.svc.AdminCreateUser(ctx, e.pool, account.AdminCreateUserInput{Username: "olga", TemporaryPassword: "Temp0rary-pw!"}); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(25 * time.Hour)
	_, err := e.svc.CompleteNewPassword(ctx, e.pool, "olga", "Temp0rary-pw!", goodPW)
	ae := wantErr(t, err, account.NotAuthorizedException)
	if !strings.Contains(ae.Message, "expired") {
		t.Errorf("message = %q", ae.Message)
	}
	if err := e.svc.AdminSetUserPassword(ctx, e.pool, "olga", "Fr3sh-temp-pw", false); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.CompleteNewPassword(ctx, e.pool, "olga", "Fr3sh-temp-pw", goodPW); err != nil {
		t.Errorf("CompleteNewPassword after a new temporary password: %v", err)
	}
}

// TestStoreFailureIsInternal checks that a broken store never looks like
// a verdict on the credentials.
func TestStoreFailureIsInternal(t *testing.T) {
	e := newEnv(t, nil)
	e.signUp(t, "pia", "pia@example.com", goodPW)
	if err := e.db.Close(); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	checks := []struct {
		name string
		call func() error
	}{
		{name: "Authenticate", call: func() error { _, err := e.svc.Authenticate(ctx, e.pool, "pia", goodPW); return err }},
		{name: "Authenticate wrong password", call: func() error { _, err := e.svc.Authenticate(ctx, e.pool, "pia", "Wr0ng-guess!"); return err }},
		{name: "SignUp", call: func() error {
			_, err := e.svc.SignUp(ctx, e.pool, account.SignUpInput{Username: "q", Password: goodPW, Attributes: map[string]string{"email": "q@example.com"}})
			return err
		}},
		{name: "ForgotPassword", call: func() error { _, err := e.svc.ForgotPassword(ctx, e.pool, "pia"); return err }},
		{name: "GlobalSignOut", call: func() error { return e.svc.GlobalSignOut(ctx, e.pool, "pia") }},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			err := c.call()
			if err == nil {
				t.Fatal("no error from a closed store")
			}
			if typ := account.TypeOf(err); typ != "" {
				t.Errorf("closed store reported as %s: %v", typ, err)
			}
			if strings.Contains(err.Error(), goodPW) {
				t.Error("error contains the password")
			}
		})
	}
}

// TestSecretsNotLogged runs every flow and checks that neither passwords
// nor codes reach the Service's log.
func TestSecretsNotLogged(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	e.signUp(t, "quinn", "quinn@example.com", goodPW)
	for range 6 {
		_, _ = e.svc.Authenticate(ctx, e.pool, "quinn", "Wr0ng-guess!")
	}
	if _, err := e.svc.ForgotPassword(ctx, e.pool, "quinn"); err != nil {
		t.Fatal(err)
	}
	code := e.box.LastCode(t, "quinn@example.com")
	if err := e.svc.ConfirmForgotPassword(ctx, e.pool, "quinn", code, "N3w-password!"); err != nil {
		t.Fatal(err)
	}
	logs := e.logs.String()
	for _, secret := range []string{goodPW, "Wr0ng-guess!", "N3w-password!", code} {
		if strings.Contains(logs, secret) {
			t.Errorf("the service log contains %q", secret)
		}
	}
}
