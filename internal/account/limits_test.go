package account_test

import (
	"context"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/account"
)

// wantLimit checks that err is Cognito's LimitExceededException.
func wantLimit(t *testing.T, err error) {
	t.Helper()
	ae := wantErr(t, err, account.LimitExceededException)
	if ae.Message != "Attempt limit exceeded, please try after some time." {
		t.Errorf("message = %q", ae.Message)
	}
}

// TestResetCodesCappedPerDayAcrossInstances protects against slow brute
// force of reset codes: two Services on one SQLite file (two instances)
// together mail at most DefaultMaxCodesPerDay codes to one user a day and
// check at most DefaultMaxCodeMissesPerDay wrong codes; past the cap even
// the right code is refused, and the caps lift after a day.
func TestResetCodesCappedPerDayAcrossInstances(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	e.signUp(t, "rita", "rita@example.com", goodPW)
	services := []*account.Service{e.svc, e.serviceOn(openDB(t, e.path), e.sender())}
	e.clock.Advance(24 * time.Hour) // the sign-up code's day is over

	for i := range account.DefaultMaxCodesPerDay {
		if _, err := services[i%2].ForgotPassword(ctx, e.pool, "rita"); err != nil {
			t.Fatalf("code %d: %v", i+1, err)
		}
		e.clock.Advance(account.DefaultCodeInterval)
	}
	mailed := e.box.Count("rita@example.com")
	for _, svc := range services {
		_, err := svc.ForgotPassword(ctx, e.pool, "rita")
		wantLimit(t, err)
	}
	if got := e.box.Count("rita@example.com"); got != mailed {
		t.Errorf("mails after the cap: %d, want %d", got, mailed)
	}

	e.clock.Advance(24 * time.Hour)
	misses := 0
	var code string
	for misses < account.DefaultMaxCodeMissesPerDay {
		if _, err := services[misses%2].ForgotPassword(ctx, e.pool, "rita"); err != nil {
			t.Fatalf("new code after %d misses: %v", misses, err)
		}
		e.clock.Advance(account.DefaultCodeInterval)
		code = e.box.LastCode(t, "rita@example.com")
		wrong := "000000"
		if code == wrong {
			wrong = "999999"
		}
		for range account.MaxCodeAttempts {
			if misses == account.DefaultMaxCodeMissesPerDay {
				break
			}
			err := services[misses%2].ConfirmForgotPassword(ctx, e.pool, "rita", wrong, "N3w-password!")
			if typ := account.TypeOf(err); typ != account.CodeMismatchException && typ != account.TooManyFailedAttemptsException {
				t.Fatalf("miss %d: %v", misses+1, err)
			}
			misses++
		}
	}
	for _, svc := range services {
		wantLimit(t, svc.ConfirmForgotPassword(ctx, e.pool, "rita", code, "N3w-password!"))
	}
	if _, err := e.svc.Authenticate(ctx, e.pool, "rita", goodPW); err != nil {
		t.Fatalf("the password changed past the cap: %v", err)
	}

	e.clock.Advance(24 * time.Hour)
	if _, err := services[1].ForgotPassword(ctx, e.pool, "rita"); err != nil {
		t.Fatalf("ForgotPassword the next day: %v", err)
	}
	if err := services[0].ConfirmForgotPassword(ctx, e.pool, "rita", e.box.LastCode(t, "rita@example.com"), "N3w-password!"); err != nil {
		t.Fatalf("ConfirmForgotPassword the next day: %v", err)
	}
}

// TestSignUpCodesCappedPerDayAcrossInstances protects the sign-up code the
// same way: resends and wrong codes of an unconfirmed user count against
// the same per-user caps on every instance.
func TestSignUpCodesCappedPerDayAcrossInstances(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	services := []*account.Service{e.svc, e.serviceOn(openDB(t, e.path), e.sender())}
	if _, err := e.svc.SignUp(ctx, e.pool, account.SignUpInput{Username: "ivy", Password: goodPW, Attributes: map[string]string{"email": "ivy@example.com"}}); err != nil {
		t.Fatal(err)
	}
	for i := 1; i < account.DefaultMaxCodesPerDay; i++ { // the sign-up mailed the first
		e.clock.Advance(account.DefaultCodeInterval)
		if _, err := services[i%2].ResendConfirmationCode(ctx, e.pool, "ivy"); err != nil {
			t.Fatalf("code %d: %v", i+1, err)
		}
	}
	e.clock.Advance(account.DefaultCodeInterval)
	_, err := services[1].ResendConfirmationCode(ctx, e.pool, "ivy")
	wantLimit(t, err)

	code := e.box.LastCode(t, "ivy@example.com")
	wrong := "000000"
	if code == wrong {
		wrong = "999999"
	}
	for i := range account.MaxCodeAttempts - 1 {
		_, err := services[i%2].ConfirmSignUp(ctx, e.pool, "ivy", wrong)
		wantErr(t, err, account.CodeMismatchException)
	}
	// Fewer misses than a code allows, but the day's cap is lower here.
	low := e.serviceOn(e.db, e.sender(), func(c *account.Config) { c.MaxCodeMissesPerDay = account.MaxCodeAttempts - 1 })
	_, err = low.ConfirmSignUp(ctx, e.pool, "ivy", code)
	wantLimit(t, err)
	if u, err := services[0].ConfirmSignUp(ctx, e.pool, "ivy", code); err != nil || u.Status != "CONFIRMED" {
		t.Fatalf("ConfirmSignUp under the default cap = %+v, %v", u, err)
	}
}

// TestSignUpNoticesCappedPerDay protects the owner of a taken name from a
// mail flood: the notices that concealed sign-ups mail count against the
// owner's daily code cap, and past it the sign-up still looks the same
// but mails nothing.
func TestSignUpNoticesCappedPerDay(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	e.signUp(t, "gus", "gus@example.com", goodPW)
	e.clock.Advance(24 * time.Hour) // the sign-up code's day is over
	before := e.box.Count("gus@example.com")
	for i := range account.DefaultMaxCodesPerDay + 3 {
		res, err := e.svc.SignUp(ctx, e.pool, account.SignUpInput{
			Username: "gus", Password: goodPW, Attributes: map[string]string{"email": "probe@example.com"}, ConcealExisting: true,
		})
		if err != nil || res.Delivery == nil {
			t.Fatalf("concealed sign-up %d: %+v, %v", i+1, res, err)
		}
	}
	if got := e.box.Count("gus@example.com") - before; got != account.DefaultMaxCodesPerDay {
		t.Errorf("notices mailed = %d, want %d", got, account.DefaultMaxCodesPerDay)
	}
}
