package account_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/mail"
	"github.com/linkpool/linkpool/internal/pool"
)

// emailSignInPool allows the email code as a first factor too.
func emailSignInPool(p *pool.Pool) {
	mfaPool(p)
	p.AllowedFirstAuthFactors = []string{pool.FirstFactorPassword, pool.FirstFactorEmailOTP}
}

// patientLockout keeps the lockout out of tests about the codes' own
// limits.
func patientLockout(p *pool.Pool) {
	p.LockoutPolicy = pool.LockoutPolicy{MaxFailedAttempts: 100, BaseLockoutSeconds: 60, MaxLockoutSeconds: 3600}
}

var eightDigits = regexp.MustCompile(`^\d{8}$`)

// otherCode returns an eight-digit code that is not code.
func otherCode(code string) string {
	b := []byte(code)
	b[7] = '0' + (b[7]-'0'+1)%10
	return string(b)
}

func TestEmailOTPSecondFactor(t *testing.T) {
	e := newEnv(t, mfaPool)
	ctx := context.Background()
	u := e.signUp(t, "alice", "alice@example.com", goodPW)
	before := len(e.box.Messages())
	accountCode := *e.user(t, u.Sub).Code

	dest, err := e.svc.SendEmailOTP(ctx, e.pool, u.Sub, pool.CodeEmailMFA)
	if err != nil {
		t.Fatal(err)
	}
	if dest != "a***@e***.com" {
		t.Fatalf("destination = %q", dest)
	}
	ms := e.box.Messages()
	if len(ms) != before+1 {
		t.Fatalf("%d mails sent, want 1", len(ms)-before)
	}
	m := ms[len(ms)-1]
	code := e.box.LastOTP(t, "alice@example.com")
	if !eightDigits.MatchString(code) || m.Subject != "Your SmartLamp sign-in code" || !strings.Contains(m.Text, "finish signing in to SmartLamp") ||
		!strings.Contains(m.Text, "5 minutes") || !strings.Contains(m.HTML, code) {
		t.Fatalf("mail %q:\n%s", m.Subject, m.Text)
	}
	stored := e.user(t, u.Sub).MFA.EmailCode
	if stored == nil || stored.Purpose != pool.CodeEmailMFA || strings.Contains(stored.Hash, code) || len(stored.Hash) != 64 {
		t.Fatalf("stored code %+v", stored)
	}
	if got := e.user(t, u.Sub).Code; got == nil || *got != accountCode {
		t.Fatalf("the email factor touched the account codes: %+v", got)
	}

	v, err := e.svc.VerifyEmailOTP(ctx, e.pool, u.Sub, code, pool.CodeEmailMFA)
	if err != nil {
		t.Fatal(err)
	}
	if v.Sub != u.Sub || v.MFA.EmailCode != nil || v.PasswordHash != "" {
		t.Fatalf("returned user not scrubbed: %+v", v)
	}
	// Single use.
	_, err = e.svc.VerifyEmailOTP(ctx, e.pool, u.Sub, code, pool.CodeEmailMFA)
	wantErr(t, err, account.ExpiredCodeException)
}

func TestEmailOTPSignIn(t *testing.T) {
	e := newEnv(t, emailSignInPool)
	ctx := context.Background()
	u := e.signUp(t, "alice", "alice@example.com", goodPW)
	if _, err := e.svc.SendEmailOTP(ctx, e.pool, u.Sub, pool.CodeEmailSignIn); err != nil {
		t.Fatal(err)
	}
	ms := e.box.Messages()
	if m := ms[len(ms)-1]; !strings.Contains(m.Text, "Use this code to sign in to SmartLamp") {
		t.Fatalf("sign-in mail:\n%s", m.Text)
	}
	code := e.box.LastOTP(t, "alice@example.com")
	// A code of one purpose does not serve the other.
	_, err := e.svc.VerifyEmailOTP(ctx, e.pool, u.Sub, code, pool.CodeEmailMFA)
	wantErr(t, err, account.ExpiredCodeException)
	if _, err := e.svc.VerifyEmailOTP(ctx, e.pool, u.Sub, code, pool.CodeEmailSignIn); err != nil {
		t.Fatal(err)
	}

	// A pool that does not allow it, or does not offer the factor.
	for _, edit := range []func(*pool.Pool){
		func(p *pool.Pool) { p.AllowedFirstAuthFactors = nil },
		func(p *pool.Pool) { emailSignInPool(p); p.MFA.Mode = pool.MFAOn },
		func(p *pool.Pool) { emailSignInPool(p); p.MFA.Email = false },
	} {
		p := e.pool
		edit(&p)
		_, err := e.svc.SendEmailOTP(ctx, p, u.Sub, pool.CodeEmailSignIn)
		wantErr(t, err, account.InvalidParameterException)
	}
	p := e.pool
	p.MFA.Email = false
	_, err = e.svc.SendEmailOTP(ctx, p, u.Sub, pool.CodeEmailMFA)
	wantErr(t, err, account.InvalidParameterException)
	_, err = e.svc.SendEmailOTP(ctx, e.pool, u.Sub, "reset_password")
	wantErr(t, err, account.InvalidParameterException)
	_, err = e.svc.VerifyEmailOTP(ctx, e.pool, u.Sub, "12345678", "")
	wantErr(t, err, account.InvalidParameterException)
}

func TestEmailOTPLocalizedAndPoolText(t *testing.T) {
	e := newEnv(t, mfaPool)
	ctx := context.Background()
	u := e.signUp(t, "li", "li@example.com", goodPW)
	if err := e.db.UpdateUser(ctx, e.pool.ID, u.Sub, func(u pool.User) (pool.User, error) {
		u.Attributes["locale"] = "zh-Hans"
		return u, nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.SendEmailOTP(ctx, e.pool, u.Sub, pool.CodeEmailMFA); err != nil {
		t.Fatal(err)
	}
	ms := e.box.Messages()
	if m := ms[len(ms)-1]; m.Subject != "您的 SmartLamp 登录验证码" || !strings.Contains(m.Text, "5 分钟") {
		t.Fatalf("localized mail %q:\n%s", m.Subject, m.Text)
	}

	e.pool.MFA.EmailSubject = "Lamp code"
	e.pool.MFA.EmailMessage = "Your lamp code is {####}. It opens the lamp."
	e.clock.Advance(account.DefaultCodeInterval)
	if _, err := e.svc.SendEmailOTP(ctx, e.pool, u.Sub, pool.CodeEmailMFA); err != nil {
		t.Fatal(err)
	}
	ms = e.box.Messages()
	m := ms[len(ms)-1]
	code := e.box.LastOTP(t, "li@example.com")
	if m.Subject != "Lamp code" || m.Text != "Your lamp code is "+code+". It opens the lamp." {
		t.Fatalf("pool's text: %q %q", m.Subject, m.Text)
	}
	if _, err := e.svc.VerifyEmailOTP(ctx, e.pool, u.Sub, code, pool.CodeEmailMFA); err != nil {
		t.Fatal(err)
	}
}

func TestEmailOTPExpiry(t *testing.T) {
	if account.EmailOTPTTL != 5*time.Minute {
		t.Fatalf("EmailOTPTTL = %v", account.EmailOTPTTL)
	}
	e := newEnv(t, mfaPool)
	ctx := context.Background()
	u := e.signUp(t, "alice", "alice@example.com", goodPW)
	if _, err := e.svc.SendEmailOTP(ctx, e.pool, u.Sub, pool.CodeEmailMFA); err != nil {
		t.Fatal(err)
	}
	code := e.box.LastOTP(t, "alice@example.com")
	e.clock.Advance(account.EmailOTPTTL)
	_, err := e.svc.VerifyEmailOTP(ctx, e.pool, u.Sub, code, pool.CodeEmailMFA)
	wantErr(t, err, account.ExpiredCodeException)
	if c := e.user(t, u.Sub).MFA.EmailCode; c != nil && c.Hash != "" {
		t.Fatalf("expired code kept: %+v", c)
	}

	if _, err := e.svc.SendEmailOTP(ctx, e.pool, u.Sub, pool.CodeEmailMFA); err != nil {
		t.Fatal(err)
	}
	code = e.box.LastOTP(t, "alice@example.com")
	e.clock.Advance(account.EmailOTPTTL - time.Second)
	if _, err := e.svc.VerifyEmailOTP(ctx, e.pool, u.Sub, code, pool.CodeEmailMFA); err != nil {
		t.Fatalf("a second before expiry: %v", err)
	}
	// Nothing pending.
	_, err = e.svc.VerifyEmailOTP(ctx, e.pool, u.Sub, code, pool.CodeEmailMFA)
	wantErr(t, err, account.ExpiredCodeException)
}

// TestEmailOTPWrongCodes: wrong codes count as failed sign-ins, and the
// MaxCodeAttempts-th voids the code.
func TestEmailOTPWrongCodes(t *testing.T) {
	e := newEnv(t, func(p *pool.Pool) { mfaPool(p); patientLockout(p) })
	ctx := context.Background()
	u := e.signUp(t, "alice", "alice@example.com", goodPW)
	if _, err := e.svc.SendEmailOTP(ctx, e.pool, u.Sub, pool.CodeEmailMFA); err != nil {
		t.Fatal(err)
	}
	code := e.box.LastOTP(t, "alice@example.com")
	for i := range account.MaxCodeAttempts {
		_, err := e.svc.VerifyEmailOTP(ctx, e.pool, u.Sub, otherCode(code), pool.CodeEmailMFA)
		wantErr(t, err, account.CodeMismatchException)
		if n := e.user(t, u.Sub).FailedLogins; n != i+1 {
			t.Fatalf("FailedLogins = %d after %d wrong codes", n, i+1)
		}
	}
	_, err := e.svc.VerifyEmailOTP(ctx, e.pool, u.Sub, code, pool.CodeEmailMFA)
	wantErr(t, err, account.ExpiredCodeException)

	// Malformed codes are refused unchecked and uncounted.
	for _, bad := range []string{"", "1234567", "123456789", "1234567a", strings.Repeat("9", 3000)} {
		_, err := e.svc.VerifyEmailOTP(ctx, e.pool, u.Sub, bad, pool.CodeEmailMFA)
		wantErr(t, err, account.InvalidParameterException)
	}

	// A right code ends the count.
	if _, err := e.svc.SendEmailOTP(ctx, e.pool, u.Sub, pool.CodeEmailMFA); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.VerifyEmailOTP(ctx, e.pool, u.Sub, e.box.LastOTP(t, "alice@example.com"), pool.CodeEmailMFA); err != nil {
		t.Fatal(err)
	}
	if n := e.user(t, u.Sub).FailedLogins; n != 0 {
		t.Fatalf("FailedLogins = %d after a right code", n)
	}
}

// TestEmailOTPLockout: wrong codes lock the user out with wrong
// passwords, and a locked-out user's right code is refused.
func TestEmailOTPLockout(t *testing.T) {
	e := newEnv(t, mfaPool)
	ctx := context.Background()
	u := e.signUp(t, "alice", "alice@example.com", goodPW)
	for range e.pool.LockoutPolicy.MaxFailedAttempts - 1 {
		_, err := e.svc.Authenticate(ctx, e.pool, "alice", "Wr0ng-Horse")
		wantErr(t, err, account.NotAuthorizedException)
	}
	if _, err := e.svc.SendEmailOTP(ctx, e.pool, u.Sub, pool.CodeEmailMFA); err != nil {
		t.Fatal(err)
	}
	code := e.box.LastOTP(t, "alice@example.com")
	_, err := e.svc.VerifyEmailOTP(ctx, e.pool, u.Sub, otherCode(code), pool.CodeEmailMFA)
	wantErr(t, err, account.CodeMismatchException)
	_, err = e.svc.VerifyEmailOTP(ctx, e.pool, u.Sub, code, pool.CodeEmailMFA)
	ae := wantErr(t, err, account.NotAuthorizedException)
	if !errors.Is(ae, account.ErrLockedOut) || ae.Message != "Password attempts exceeded" {
		t.Fatalf("locked out: %v", ae)
	}
	if !strings.Contains(e.logs.String(), "locked out") {
		t.Error("the lockout was not logged")
	}
	e.clock.Advance(time.Duration(e.pool.LockoutPolicy.MaxLockoutSeconds) * time.Second)
	_, err = e.svc.VerifyEmailOTP(ctx, e.pool, u.Sub, code, pool.CodeEmailMFA)
	wantErr(t, err, account.ExpiredCodeException)
}

// TestEmailOTPDailyMisses: past MaxCodeMissesPerDay wrong codes no code
// is checked until the day is over.
func TestEmailOTPDailyMisses(t *testing.T) {
	e := newEnv(t, func(p *pool.Pool) { mfaPool(p); patientLockout(p) })
	svc := e.serviceOn(e.db, e.box, func(c *account.Config) { c.MaxCodeMissesPerDay = 3 })
	ctx := context.Background()
	u := e.signUp(t, "alice", "alice@example.com", goodPW)
	if _, err := svc.SendEmailOTP(ctx, e.pool, u.Sub, pool.CodeEmailMFA); err != nil {
		t.Fatal(err)
	}
	code := e.box.LastOTP(t, "alice@example.com")
	for range 3 {
		_, err := svc.VerifyEmailOTP(ctx, e.pool, u.Sub, otherCode(code), pool.CodeEmailMFA)
		wantErr(t, err, account.CodeMismatchException)
	}
	_, err := svc.VerifyEmailOTP(ctx, e.pool, u.Sub, code, pool.CodeEmailMFA)
	wantErr(t, err, account.LimitExceededException)
	// The account codes have their own counts.
	if _, err := svc.ForgotPassword(ctx, e.pool, "alice"); err != nil {
		t.Fatalf("ForgotPassword after the email factor's misses: %v", err)
	}
	e.clock.Advance(24 * time.Hour)
	if _, err := svc.SendEmailOTP(ctx, e.pool, u.Sub, pool.CodeEmailMFA); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.VerifyEmailOTP(ctx, e.pool, u.Sub, e.box.LastOTP(t, "alice@example.com"), pool.CodeEmailMFA); err != nil {
		t.Fatalf("next day: %v", err)
	}
}

// TestEmailOTPSendCaps: one code per CodeInterval, MaxCodesPerDay a
// day, counted apart from the account codes.
func TestEmailOTPSendCaps(t *testing.T) {
	e := newEnv(t, emailSignInPool)
	ctx := context.Background()
	u := e.signUp(t, "alice", "alice@example.com", goodPW)
	if _, err := e.svc.SendEmailOTP(ctx, e.pool, u.Sub, pool.CodeEmailMFA); err != nil {
		t.Fatal(err)
	}
	first := e.box.LastOTP(t, "alice@example.com")
	mails := e.box.Count("alice@example.com")
	for _, purpose := range []string{pool.CodeEmailMFA, pool.CodeEmailSignIn} {
		_, err := e.svc.SendEmailOTP(ctx, e.pool, u.Sub, purpose)
		wantErr(t, err, account.LimitExceededException)
	}
	if e.box.Count("alice@example.com") != mails {
		t.Fatal("a throttled send mailed")
	}
	// The refused sends left the first code valid.
	if _, err := e.svc.VerifyEmailOTP(ctx, e.pool, u.Sub, first, pool.CodeEmailMFA); err != nil {
		t.Fatal(err)
	}
	for i := 1; i < account.DefaultMaxCodesPerDay; i++ {
		e.clock.Advance(account.DefaultCodeInterval)
		if _, err := e.svc.SendEmailOTP(ctx, e.pool, u.Sub, pool.CodeEmailSignIn); err != nil {
			t.Fatalf("send %d: %v", i+1, err)
		}
	}
	e.clock.Advance(time.Hour)
	_, err := e.svc.SendEmailOTP(ctx, e.pool, u.Sub, pool.CodeEmailMFA)
	wantErr(t, err, account.LimitExceededException)
	if _, err := e.svc.ForgotPassword(ctx, e.pool, "alice"); err != nil {
		t.Fatalf("ForgotPassword after the email factor's cap: %v", err)
	}
	e.clock.Advance(24 * time.Hour)
	if _, err := e.svc.SendEmailOTP(ctx, e.pool, u.Sub, pool.CodeEmailMFA); err != nil {
		t.Fatalf("next day: %v", err)
	}
}

func TestEmailOTPNoAddress(t *testing.T) {
	e := newEnv(t, emailSignInPool)
	ctx := context.Background()
	res, err := e.svc.AdminCreateUser(ctx, e.pool, account.AdminCreateUserInput{Username: "noaddr", TemporaryPassword: goodPW, Permanent: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, purpose := range []string{pool.CodeEmailMFA, pool.CodeEmailSignIn} {
		_, err := e.svc.SendEmailOTP(ctx, e.pool, res.User.Sub, purpose)
		wantErr(t, err, account.InvalidParameterException)
	}
	if got := e.user(t, res.User.Sub).MFA.EmailCode; got != nil {
		t.Fatalf("code stored: %+v", got)
	}
	_, err = e.svc.SendEmailOTP(ctx, e.pool, pool.NewSub(), pool.CodeEmailMFA)
	wantErr(t, err, account.UserNotFoundException)
	_, err = e.svc.VerifyEmailOTP(ctx, e.pool, pool.NewSub(), "12345678", pool.CodeEmailMFA)
	wantErr(t, err, account.UserNotFoundException)
	n := len(e.box.Messages())
	e.svc.DecoyEmailOTP(ctx, e.pool, pool.CodeEmailSignIn)
	if len(e.box.Messages()) != n || e.userCount(t) != 1 {
		t.Fatal("the decoy mailed or stored")
	}
}

func TestEmailOTPDeliveryFailure(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := l.Addr().String()
	l.Close()
	sender, err := mail.NewSMTP("smtp://" + dead + "?from=no-reply@example.com")
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, mfaPool)
	u := e.signUp(t, "alice", "alice@example.com", goodPW)
	_, err = e.service(sender).SendEmailOTP(context.Background(), e.pool, u.Sub, pool.CodeEmailMFA)
	wantErr(t, err, account.CodeDeliveryFailureException)
}

// TestEmailOTPConcurrentSingleUse races two services, on two
// connections to one database file, with one code: exactly one accepts
// it.
func TestEmailOTPConcurrentSingleUse(t *testing.T) {
	e := newEnv(t, mfaPool)
	ctx := context.Background()
	u := e.signUp(t, "alice", "alice@example.com", goodPW)
	other := e.serviceOn(openDB(t, e.path), e.box)
	for round := range 5 {
		if _, err := e.svc.SendEmailOTP(ctx, e.pool, u.Sub, pool.CodeEmailMFA); err != nil {
			t.Fatal(err)
		}
		code := e.box.LastOTP(t, "alice@example.com")
		raceOneCode(t, fmt.Sprintf("round %d", round), []*account.Service{e.svc, other}, account.ExpiredCodeException, func(svc *account.Service) error {
			_, err := svc.VerifyEmailOTP(ctx, e.pool, u.Sub, code, pool.CodeEmailMFA)
			return err
		})
		e.clock.Advance(account.DefaultCodeInterval)
	}
}
