package account_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/pool"
)

func TestSignUpConfirmAuthenticate(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	res, err := e.svc.SignUp(ctx, e.pool, account.SignUpInput{
		Username: "alice", Password: goodPW, Lang: "zh-CN",
		Attributes: map[string]string{"email": "alice@example.com", "name": "Alice"},
	})
	if err != nil {
		t.Fatalf("SignUp: %v", err)
	}
	if res.Confirmed || res.User.Status != pool.StatusUnconfirmed {
		t.Fatalf("result = %+v, want an unconfirmed user", res)
	}
	if res.Delivery == nil || res.Delivery.Destination != "a***@e***.com" || res.Delivery.DeliveryMedium != "EMAIL" || res.Delivery.AttributeName != "email" {
		t.Errorf("delivery = %+v", res.Delivery)
	}
	if res.User.PasswordHash != "" || res.User.Code != nil {
		t.Error("SignUp returned the password hash or the code hash")
	}
	stored := e.user(t, res.User.Sub)
	if stored.Code == nil || stored.Code.Purpose != pool.CodeSignUp || !stored.Code.ExpiresAt.Equal(e.clock.Now().Add(24*time.Hour)) {
		t.Errorf("stored code = %+v, want a sign-up code valid 24h", stored.Code)
	}
	if stored.Attributes["locale"] != "zh-CN" {
		t.Errorf("locale = %q, want the sign-up language", stored.Attributes["locale"])
	}
	if stored.EmailKey != "" {
		t.Errorf("EmailKey = %q in a pool without email sign-in", stored.EmailKey)
	}
	mails := e.box.Messages()
	if len(mails) != 1 || mails[0].To != "alice@example.com" || !strings.Contains(mails[0].Subject, "验证码") {
		t.Fatalf("mails = %+v, want one Chinese code mail to alice", mails)
	}
	code := e.box.LastCode(t, "alice@example.com")
	if strings.Contains(stored.Code.Hash, code) {
		t.Error("the stored hash contains the code")
	}

	_, err = e.svc.Authenticate(ctx, e.pool, "alice", goodPW)
	wantErr(t, err, account.UserNotConfirmedException)
	_, err = e.svc.Authenticate(ctx, e.pool, "alice", "Wr0ng-password")
	wantErr(t, err, account.NotAuthorizedException)

	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	_, err = e.svc.ConfirmSignUp(ctx, e.pool, "alice", wrong)
	wantErr(t, err, account.CodeMismatchException)
	u, err := e.svc.ConfirmSignUp(ctx, e.pool, "ALICE", code)
	if err != nil {
		t.Fatalf("ConfirmSignUp: %v", err)
	}
	if u.Status != pool.StatusConfirmed || !u.EmailVerified() {
		t.Errorf("confirmed user = %+v", u)
	}
	if e.user(t, u.Sub).Code.Active(pool.CodeSignUp) {
		t.Error("the code survived confirmation")
	}
	_, err = e.svc.ConfirmSignUp(ctx, e.pool, "alice", code)
	wantErr(t, err, account.NotAuthorizedException)

	got, err := e.svc.Authenticate(ctx, e.pool, "Alice", goodPW)
	if err != nil {
		t.Fatalf("Authenticate: %v", err)
	}
	if got.Sub != u.Sub || got.PasswordHash != "" {
		t.Errorf("Authenticate returned %+v", got)
	}
	if e.user(t, u.Sub).FailedLogins != 0 {
		t.Error("a successful sign-in did not reset the failure counter")
	}
}

func TestSignUpEmailAsUsername(t *testing.T) {
	e := newEnv(t, func(p *pool.Pool) { p.UsernameAttributes = []string{pool.AttrEmail} })
	ctx := context.Background()
	res, err := e.svc.SignUp(ctx, e.pool, account.SignUpInput{Username: "Bob@Example.com", Password: goodPW})
	if err != nil {
		t.Fatalf("SignUp: %v", err)
	}
	if res.User.Username != res.User.Sub || res.User.Email() != "Bob@Example.com" {
		t.Fatalf("user = %+v, want username == sub and the email attribute set", res.User)
	}
	if e.user(t, res.User.Sub).EmailKey != "bob@example.com" {
		t.Error("EmailKey not set")
	}
	if _, err := e.svc.ConfirmSignUp(ctx, e.pool, "bob@example.com", e.box.LastCode(t, "Bob@Example.com")); err != nil {
		t.Fatalf("ConfirmSignUp by email: %v", err)
	}
	for _, name := range []string{"bob@example.com", "BOB@EXAMPLE.COM", res.User.Sub} {
		if _, err := e.svc.Authenticate(ctx, e.pool, name, goodPW); err != nil {
			t.Errorf("Authenticate(%s): %v", name, err)
		}
	}
	_, err = e.svc.SignUp(ctx, e.pool, account.SignUpInput{Username: "bob@example.COM", Password: goodPW})
	ae := wantErr(t, err, account.UsernameExistsException)
	if ae.Message != "An account with the given email already exists." {
		t.Errorf("message = %q", ae.Message)
	}
}

func TestSignUpEmailAlias(t *testing.T) {
	e := newEnv(t, func(p *pool.Pool) { p.AliasAttributes = []string{pool.AttrEmail} })
	ctx := context.Background()
	res, err := e.svc.SignUp(ctx, e.pool, account.SignUpInput{Username: "carol", Password: goodPW, Attributes: map[string]string{"email": "carol@example.com"}})
	if err != nil {
		t.Fatalf("SignUp: %v", err)
	}
	_, err = e.svc.Authenticate(ctx, e.pool, "carol@example.com", goodPW)
	wantErr(t, err, account.UserNotFoundException) // an unverified alias does not sign in
	if _, err := e.svc.ConfirmSignUp(ctx, e.pool, "carol", e.box.LastCode(t, "carol@example.com")); err != nil {
		t.Fatal(err)
	}
	u, err := e.svc.Authenticate(ctx, e.pool, "Carol@Example.com", goodPW)
	if err != nil || u.Sub != res.User.Sub {
		t.Fatalf("Authenticate by verified alias = %v, %v", u.Sub, err)
	}
	_, err = e.svc.SignUp(ctx, e.pool, account.SignUpInput{Username: "carol2", Password: goodPW, Attributes: map[string]string{"email": "CAROL@example.com"}})
	wantErr(t, err, account.AliasExistsException)
	_, err = e.svc.SignUp(ctx, e.pool, account.SignUpInput{Username: "carol", Password: goodPW, Attributes: map[string]string{"email": "other@example.com"}})
	wantErr(t, err, account.UsernameExistsException)
}

func TestSignUpRejects(t *testing.T) {
	tests := []struct {
		name      string
		edit      func(p *pool.Pool)
		in        account.SignUpInput
		wantType  string
		wantField string
	}{
		{name: "admin-only pool", edit: func(p *pool.Pool) { p.AllowAdminCreateUserOnly = true },
			in: account.SignUpInput{Username: "x", Password: goodPW, Attributes: map[string]string{"email": "x@example.com"}}, wantType: account.NotAuthorizedException},
		{name: "username with space", in: account.SignUpInput{Username: "a b", Password: goodPW, Attributes: map[string]string{"email": "x@example.com"}},
			wantType: account.InvalidParameterException, wantField: "username"},
		{name: "empty username", in: account.SignUpInput{Password: goodPW, Attributes: map[string]string{"email": "x@example.com"}},
			wantType: account.InvalidParameterException, wantField: "username"},
		{name: "oversize username", in: account.SignUpInput{Username: strings.Repeat("a", 129), Password: goodPW, Attributes: map[string]string{"email": "x@example.com"}},
			wantType: account.InvalidParameterException, wantField: "username"},
		{name: "email-shaped username in alias pool", edit: func(p *pool.Pool) { p.AliasAttributes = []string{pool.AttrEmail} },
			in: account.SignUpInput{Username: "x@example.com", Password: goodPW, Attributes: map[string]string{"email": "x@example.com"}}, wantType: account.InvalidParameterException, wantField: "username"},
		{name: "non-email username in email pool", edit: func(p *pool.Pool) { p.UsernameAttributes = []string{pool.AttrEmail} },
			in: account.SignUpInput{Username: "xavier", Password: goodPW}, wantType: account.InvalidParameterException, wantField: "username"},
		{name: "email attribute differs from username", edit: func(p *pool.Pool) { p.UsernameAttributes = []string{pool.AttrEmail} },
			in: account.SignUpInput{Username: "x@example.com", Password: goodPW, Attributes: map[string]string{"email": "y@example.com"}}, wantType: account.InvalidParameterException, wantField: "email"},
		{name: "unknown attribute", in: account.SignUpInput{Username: "x", Password: goodPW, Attributes: map[string]string{"email": "x@example.com", "shoe_size": "9"}},
			wantType: account.InvalidParameterException, wantField: "shoe_size"},
		{name: "custom attribute outside schema", in: account.SignUpInput{Username: "x", Password: goodPW, Attributes: map[string]string{"email": "x@example.com", "custom:tier": "gold"}},
			wantType: account.InvalidParameterException, wantField: "custom:tier"},
		{name: "malformed email", in: account.SignUpInput{Username: "x", Password: goodPW, Attributes: map[string]string{"email": "not-an-address"}},
			wantType: account.InvalidParameterException, wantField: "email"},
		{name: "self-verified email", in: account.SignUpInput{Username: "x", Password: goodPW, Attributes: map[string]string{"email": "x@example.com", "email_verified": "true"}},
			wantType: account.InvalidParameterException, wantField: "email_verified"},
		{name: "no email where codes are mailed", in: account.SignUpInput{Username: "x", Password: goodPW},
			wantType: account.InvalidParameterException, wantField: "email"},
		{name: "short password", in: account.SignUpInput{Username: "x", Password: "Ab1!", Attributes: map[string]string{"email": "x@example.com"}},
			wantType: account.InvalidPasswordException, wantField: "password"},
		{name: "password without symbol", in: account.SignUpInput{Username: "x", Password: "Abcdefg123", Attributes: map[string]string{"email": "x@example.com"}},
			wantType: account.InvalidPasswordException, wantField: "password"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, tt.edit)
			_, err := e.svc.SignUp(context.Background(), e.pool, tt.in)
			ae := wantErr(t, err, tt.wantType)
			if ae.Field != tt.wantField {
				t.Errorf("field = %q, want %q", ae.Field, tt.wantField)
			}
			if n := e.userCount(t); n != 0 {
				t.Errorf("%d users stored after a rejected sign-up", n)
			}
			if n := len(e.box.Messages()); n != 0 {
				t.Errorf("%d mails sent after a rejected sign-up", n)
			}
			if tt.wantType == account.InvalidPasswordException {
				var pe *pool.PasswordPolicyError
				if !errors.As(err, &pe) || pe.Rule == "" {
					t.Errorf("cause %v is not a password policy error with a rule", err)
				}
			}
		})
	}
}

func TestSignUpAutoConfirm(t *testing.T) {
	e := newEnv(t, func(p *pool.Pool) { p.AutoConfirmSignUp = true })
	res, err := e.svc.SignUp(context.Background(), e.pool, account.SignUpInput{Username: "dave", Password: goodPW, Attributes: map[string]string{"email": "dave@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Confirmed || res.User.Status != pool.StatusConfirmed || !res.User.EmailVerified() || res.Delivery != nil {
		t.Errorf("result = %+v, want a confirmed user with a verified address and no code", res)
	}
	if n := len(e.box.Messages()); n != 0 {
		t.Errorf("%d mails sent", n)
	}
	if _, err := e.svc.Authenticate(context.Background(), e.pool, "dave", goodPW); err != nil {
		t.Errorf("Authenticate: %v", err)
	}
}

func TestSignUpWithoutEmailVerification(t *testing.T) {
	e := newEnv(t, func(p *pool.Pool) { p.AutoVerifiedAttributes = nil })
	res, err := e.svc.SignUp(context.Background(), e.pool, account.SignUpInput{Username: "erin", Password: goodPW})
	if err != nil {
		t.Fatal(err)
	}
	if res.Confirmed || res.Delivery != nil || len(e.box.Messages()) != 0 {
		t.Errorf("result = %+v; want unconfirmed, no code", res)
	}
	if err := e.svc.AdminConfirmSignUp(context.Background(), e.pool, "erin"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Authenticate(context.Background(), e.pool, "erin", goodPW); err != nil {
		t.Errorf("Authenticate after admin confirmation: %v", err)
	}
}

func TestSignUpConcealExisting(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	owner := e.signUp(t, "frank", "frank@example.com", goodPW)
	before := len(e.box.Messages())

	res, err := e.svc.SignUp(ctx, e.pool, account.SignUpInput{
		Username: "Frank", Password: "0ther-Passw0rd", ConcealExisting: true,
		Attributes: map[string]string{"email": "intruder@example.com"},
	})
	if err != nil {
		t.Fatalf("concealed duplicate SignUp: %v", err)
	}
	if res.Confirmed || res.Delivery == nil || res.Delivery.Destination != "i***@e***.com" {
		t.Errorf("result = %+v, want the shape of a fresh unconfirmed sign-up", res)
	}
	if res.User.Sub == owner.Sub || res.User.Sub == "" {
		t.Error("the result reveals the existing user's sub")
	}
	if n := e.userCount(t); n != 1 {
		t.Errorf("%d users stored, want the original only", n)
	}
	mails := e.box.Messages()[before:]
	if len(mails) != 1 || mails[0].To != "frank@example.com" || !strings.Contains(mails[0].Text, "already belongs to your account") {
		t.Fatalf("mails = %+v, want one sign-up-attempt notice to the owner", mails)
	}
	if codePattern.MatchString(mails[0].Text) {
		t.Error("the notice contains a code")
	}
	if _, err := e.svc.Authenticate(ctx, e.pool, "frank", goodPW); err != nil {
		t.Errorf("the owner's password changed: %v", err)
	}
}

func TestSignUpReplacesStaleUnconfirmed(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	first, err := e.svc.SignUp(ctx, e.pool, account.SignUpInput{Username: "gina", Password: goodPW, Attributes: map[string]string{"email": "squatter@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(23 * time.Hour)
	_, err = e.svc.SignUp(ctx, e.pool, account.SignUpInput{Username: "gina", Password: goodPW, Attributes: map[string]string{"email": "gina@example.com"}})
	wantErr(t, err, account.UsernameExistsException)

	e.clock.Advance(2 * time.Hour)
	second, err := e.svc.SignUp(ctx, e.pool, account.SignUpInput{Username: "gina", Password: goodPW, Attributes: map[string]string{"email": "gina@example.com"}})
	if err != nil {
		t.Fatalf("SignUp over a stale unconfirmed user: %v", err)
	}
	if second.User.Sub == first.User.Sub {
		t.Fatal("same sub")
	}
	if _, err := e.db.GetUser(ctx, e.pool.ID, first.User.Sub); err == nil {
		t.Error("the stale user still exists")
	}
	if n := e.userCount(t); n != 1 {
		t.Errorf("%d users, want 1", n)
	}
}

func TestConcurrentSignUpsOneWins(t *testing.T) {
	e := newEnv(t, nil)
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = e.svc.SignUp(context.Background(), e.pool, account.SignUpInput{
				Username: "henry", Password: goodPW, Attributes: map[string]string{"email": "henry@example.com"},
			})
		}()
	}
	wg.Wait()
	wins := 0
	for _, err := range errs {
		switch account.TypeOf(err) {
		case "":
			if err != nil {
				t.Errorf("internal error: %v", err)
				continue
			}
			wins++
		case account.UsernameExistsException:
		default:
			t.Errorf("unexpected error: %v", err)
		}
	}
	if wins != 1 {
		t.Errorf("%d sign-ups succeeded, want exactly 1", wins)
	}
	if c := e.userCount(t); c != 1 {
		t.Errorf("%d users stored, want 1", c)
	}
}

func TestConfirmSignUpCodes(t *testing.T) {
	ctx := context.Background()
	setup := func(t *testing.T) (*env, string) {
		e := newEnv(t, nil)
		if _, err := e.svc.SignUp(ctx, e.pool, account.SignUpInput{Username: "ivy", Password: goodPW, Attributes: map[string]string{"email": "ivy@example.com"}}); err != nil {
			t.Fatal(err)
		}
		return e, e.box.LastCode(t, "ivy@example.com")
	}
	wrongFor := func(code string) string {
		if code == "123456" {
			return "654321"
		}
		return "123456"
	}

	t.Run("expired", func(t *testing.T) {
		e, code := setup(t)
		e.clock.Advance(24*time.Hour + time.Second)
		_, err := e.svc.ConfirmSignUp(ctx, e.pool, "ivy", code)
		wantErr(t, err, account.ExpiredCodeException)
		if e.user(t, mustLookup(t, e, "ivy").Sub).Code.Active(pool.CodeSignUp) {
			t.Error("an expired code was kept")
		}
	})
	t.Run("attempts exhausted", func(t *testing.T) {
		e, code := setup(t)
		wrong := wrongFor(code)
		for i := 1; i < account.MaxCodeAttempts; i++ {
			_, err := e.svc.ConfirmSignUp(ctx, e.pool, "ivy", wrong)
			wantErr(t, err, account.CodeMismatchException)
		}
		_, err := e.svc.ConfirmSignUp(ctx, e.pool, "ivy", wrong)
		wantErr(t, err, account.TooManyFailedAttemptsException)
		_, err = e.svc.ConfirmSignUp(ctx, e.pool, "ivy", code)
		wantErr(t, err, account.ExpiredCodeException)
		if u := mustLookup(t, e, "ivy"); u.Status != pool.StatusUnconfirmed {
			t.Errorf("status = %s", u.Status)
		}
	})
	t.Run("resend replaces the code", func(t *testing.T) {
		e, old := setup(t)
		_, err := e.svc.ResendConfirmationCode(ctx, e.pool, "ivy")
		wantErr(t, err, account.LimitExceededException)
		e.clock.Advance(account.DefaultCodeInterval)
		d, err := e.svc.ResendConfirmationCode(ctx, e.pool, "ivy")
		if err != nil || d == nil || d.Destination != "i***@e***.com" {
			t.Fatalf("ResendConfirmationCode = %+v, %v", d, err)
		}
		if e.box.Count("ivy@example.com") != 2 {
			t.Fatalf("mails: %+v", e.box.Messages())
		}
		fresh := e.box.LastCode(t, "ivy@example.com")
		if fresh != old {
			_, err = e.svc.ConfirmSignUp(ctx, e.pool, "ivy", old)
			wantErr(t, err, account.CodeMismatchException)
		}
		if _, err := e.svc.ConfirmSignUp(ctx, e.pool, "ivy", fresh); err != nil {
			t.Fatalf("ConfirmSignUp with the new code: %v", err)
		}
		_, err = e.svc.ResendConfirmationCode(ctx, e.pool, "ivy")
		wantErr(t, err, account.InvalidParameterException)
	})
	t.Run("bad input", func(t *testing.T) {
		e, code := setup(t)
		_, err := e.svc.ConfirmSignUp(ctx, e.pool, "ivy", "")
		wantErr(t, err, account.InvalidParameterException)
		_, err = e.svc.ConfirmSignUp(ctx, e.pool, "ivy", strings.Repeat("9", 3000))
		wantErr(t, err, account.InvalidParameterException)
		_, err = e.svc.ConfirmSignUp(ctx, e.pool, "nobody", code)
		wantErr(t, err, account.UserNotFoundException)
		_, err = e.svc.ResendConfirmationCode(ctx, e.pool, "nobody")
		wantErr(t, err, account.UserNotFoundException)
		if u := e.user(t, mustLookup(t, e, "ivy").Sub); u.Code == nil || u.Code.Attempts != 0 {
			t.Errorf("bad input changed the pending code: %+v", u.Code)
		}
	})
	t.Run("code of another purpose", func(t *testing.T) {
		e := newEnv(t, nil)
		e.signUp(t, "jack", "jack@example.com", goodPW)
		if _, err := e.svc.ForgotPassword(ctx, e.pool, "jack"); err != nil {
			t.Fatal(err)
		}
		reset := e.box.LastCode(t, "jack@example.com")
		if err := e.svc.AdminSetUserPassword(ctx, e.pool, "jack", goodPW, true); err != nil {
			t.Fatal(err)
		}
		_, err := e.svc.ConfirmSignUp(ctx, e.pool, "jack", reset)
		wantErr(t, err, account.NotAuthorizedException)
	})
}

func mustLookup(t *testing.T, e *env, name string) pool.User {
	t.Helper()
	u, err := e.svc.Lookup(context.Background(), e.pool, name)
	if err != nil {
		t.Fatalf("Lookup(%s): %v", name, err)
	}
	return u
}
