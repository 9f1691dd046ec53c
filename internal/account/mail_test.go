package account_test

import (
	"context"
	"net"
	"regexp"
	"strings"
	"testing"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/mail"
	"github.com/linkpool/linkpool/internal/mail/smtptest"
	"github.com/linkpool/linkpool/internal/pool"
)

// TestCodesOverSMTP signs a user up through a real SMTP server on
// loopback and confirms with the code that arrived there.
func TestCodesOverSMTP(t *testing.T) {
	srv := smtptest.New(t, smtptest.Options{Security: smtptest.StartTLS, User: "relay", Password: "relay-pw"})
	sender, err := mail.NewSMTP(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, func(p *pool.Pool) { p.EmailFrom = "SmartLamp <accounts@smartlamp.example>" })
	svc := e.service(sender)
	ctx := context.Background()
	if _, err := svc.SignUp(ctx, e.pool, account.SignUpInput{Username: "ben", Password: goodPW, Lang: "en", Attributes: map[string]string{"email": "ben@example.com"}}); err != nil {
		t.Fatalf("SignUp: %v", err)
	}
	m, ok := srv.Last()
	if !ok {
		t.Fatal("no mail arrived")
	}
	if !m.TLS || m.AuthUser != "relay" || m.RcptTo[0] != "ben@example.com" || m.Header.Get("From") != "SmartLamp <accounts@smartlamp.example>" {
		t.Errorf("mail arrived as %+v", m)
	}
	if m.Subject != "Your SmartLamp verification code" {
		t.Errorf("subject = %q", m.Subject)
	}
	code := codePattern.FindString(m.Text)
	if code == "" || !strings.Contains(m.HTML, code) {
		t.Fatalf("no code in the mail: %q", m.Text)
	}
	if _, err := svc.ConfirmSignUp(ctx, e.pool, "ben", code); err != nil {
		t.Fatalf("ConfirmSignUp with the mailed code: %v", err)
	}
	if _, err := svc.ForgotPassword(ctx, e.pool, "ben"); err != nil {
		t.Fatal(err)
	}
	if m, _ := srv.Last(); m.Subject != "Reset your SmartLamp password" || codePattern.FindString(m.Text) == "" {
		t.Errorf("reset mail: %q %q", m.Subject, m.Text)
	}
}

// TestCodeDeliveryFailure signs up while the relay is down: the user
// exists, the caller learns the mail failed, and a resend works once the
// relay is back.
func TestCodeDeliveryFailure(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := l.Addr().String()
	l.Close() // nothing listens there now
	sender, err := mail.NewSMTP("smtp://" + dead + "?from=no-reply@example.com")
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, nil)
	ctx := context.Background()
	res, err := e.service(sender).SignUp(ctx, e.pool, account.SignUpInput{Username: "cleo", Password: goodPW, Attributes: map[string]string{"email": "cleo@example.com"}})
	ae := wantErr(t, err, account.CodeDeliveryFailureException)
	if ae.Cause == nil {
		t.Error("no cause")
	}
	if res.User.Sub == "" || e.userCount(t) != 1 {
		t.Fatalf("result %+v; the user must exist", res)
	}
	if !strings.Contains(e.logs.String(), "mail delivery failed") {
		t.Error("the failure was not logged")
	}
	e.clock.Advance(account.DefaultCodeInterval)
	if _, err := e.svc.ResendConfirmationCode(ctx, e.pool, "cleo"); err != nil {
		t.Fatalf("resend through a working sender: %v", err)
	}
	if _, err := e.svc.ConfirmSignUp(ctx, e.pool, "cleo", e.box.LastCode(t, "cleo@example.com")); err != nil {
		t.Fatal(err)
	}
}

func TestMaskEmail(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{name: "plain", in: "tom@example.com", want: "t***@e***.com"},
		{name: "subdomain", in: "ann.lee@mail.example.co.uk", want: "a***@m***.uk"},
		{name: "no dot", in: "root@localhost", want: "r***@l***"},
		{name: "unicode", in: "李雷@例子.公司", want: "李***@例***.公司"},
		{name: "not an address", in: "nobody", want: "***"},
		{name: "empty local part", in: "@example.com", want: "***"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := account.MaskEmail(tt.in); got != tt.want {
				t.Errorf("MaskEmail(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestEmailOTPOverSMTP: the one-time codes of the email factor and of the
// passwordless sign-in arrive over a real SMTP conversation, in the
// user's mail with the pool's sender; the mailed code is accepted once,
// and a code past its expiry is refused.
func TestEmailOTPOverSMTP(t *testing.T) {
	srv := smtptest.New(t, smtptest.Options{Security: smtptest.StartTLS, User: "relay", Password: "relay-pw"})
	sender, err := mail.NewSMTP(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, func(p *pool.Pool) {
		emailSignInPool(p)
		p.EmailFrom = "SmartLamp <accounts@smartlamp.example>"
	})
	u := e.signUp(t, "ben", "ben@example.com", goodPW)
	svc := e.service(sender)
	ctx := context.Background()
	mailed := func() string {
		t.Helper()
		m, ok := srv.Last()
		if !ok {
			t.Fatal("no mail arrived")
		}
		if !m.TLS || m.RcptTo[0] != "ben@example.com" || m.Header.Get("From") != "SmartLamp <accounts@smartlamp.example>" || m.Subject != "Your SmartLamp sign-in code" {
			t.Fatalf("mail arrived as %+v", m)
		}
		code := regexp.MustCompile(`\b\d{8}\b`).FindString(m.Text)
		if code == "" || !strings.Contains(m.HTML, code) {
			t.Fatalf("no eight-digit code in the mail: %q", m.Text)
		}
		return code
	}

	if _, err := svc.SendEmailOTP(ctx, e.pool, u.Sub, pool.CodeEmailMFA); err != nil {
		t.Fatal(err)
	}
	code := mailed()
	if _, err := svc.VerifyEmailOTP(ctx, e.pool, u.Sub, code, pool.CodeEmailMFA); err != nil {
		t.Fatalf("the mailed second-factor code: %v", err)
	}
	_, err = svc.VerifyEmailOTP(ctx, e.pool, u.Sub, code, pool.CodeEmailMFA)
	wantErr(t, err, account.ExpiredCodeException)

	e.clock.Advance(account.DefaultCodeInterval)
	if _, err := svc.SendSignInCode(ctx, e.pool, "ben"); err != nil {
		t.Fatal(err)
	}
	code = mailed()
	e.clock.Advance(account.EmailOTPTTL)
	_, err = svc.VerifyEmailOTP(ctx, e.pool, u.Sub, code, pool.CodeEmailSignIn)
	wantErr(t, err, account.ExpiredCodeException)

	e.clock.Advance(account.DefaultCodeInterval)
	if _, err := svc.SendSignInCode(ctx, e.pool, "ben"); err != nil {
		t.Fatal(err)
	}
	code = mailed()
	if _, err := svc.VerifyEmailOTP(ctx, e.pool, u.Sub, code, pool.CodeEmailSignIn); err != nil {
		t.Fatalf("the mailed sign-in code: %v", err)
	}
	_, err = svc.VerifyEmailOTP(ctx, e.pool, u.Sub, code, pool.CodeEmailSignIn)
	wantErr(t, err, account.ExpiredCodeException)
	if n := len(srv.Messages()); n != 3 {
		t.Fatalf("%d mails over SMTP, want 3", n)
	}
}
