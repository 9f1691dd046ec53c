package account_test

import (
	"context"
	"errors"
	"html"
	"strings"
	"testing"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/mail"
	"github.com/linkpool/linkpool/internal/pool"
)

// TestAdminCreateUserInvites: a user with an email address is mailed the
// username and the generated temporary password in the user's language;
// the password signs in once, to a new-password challenge, and is in no
// log.
func TestAdminCreateUserInvites(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, nil)
	res, err := e.svc.AdminCreateUser(ctx, e.pool, account.AdminCreateUserInput{
		Username: "ines", Attributes: map[string]string{"email": "ines@example.com", "locale": "de-AT"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Invitation == nil || res.Invitation.Destination != "i***@e***.com" || res.Invitation.DeliveryMedium != "EMAIL" {
		t.Errorf("Invitation = %+v", res.Invitation)
	}
	ms := e.box.Messages()
	if len(ms) != 1 {
		t.Fatalf("%d mails, want the invitation", len(ms))
	}
	m := ms[0]
	if m.To != "ines@example.com" || m.Lang != "de" || !m.Confidential || m.Subject != "Ihr Konto bei SmartLamp" {
		t.Errorf("invitation: to %q, lang %q, confidential %v, subject %q", m.To, m.Lang, m.Confidential, m.Subject)
	}
	// The HTML part escapes some symbols a password may hold ("+").
	for _, part := range []string{m.Text, html.UnescapeString(m.HTML)} {
		if !strings.Contains(part, "Benutzername: ines") || !strings.Contains(part, res.TemporaryPassword) || !strings.Contains(part, "7 Tagen") {
			t.Errorf("invitation lacks the username, the password or its lifetime:\n%s", part)
		}
	}
	if _, err := e.svc.Authenticate(ctx, e.pool, "ines", res.TemporaryPassword); account.TypeOf(err) != account.NewPasswordRequired {
		t.Errorf("sign-in with the mailed password: %v", err)
	}
	e.logs.NoSecrets(t, res.TemporaryPassword)
}

// TestAdminCreateUserMessageActions: SUPPRESS mails nothing, nor does a
// user without an address (unless EMAIL was asked for, which Cognito
// refuses), nor a permanent password; RESEND mails a new temporary
// password, and is refused for a user who has chosen a password.
func TestAdminCreateUserMessageActions(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, func(p *pool.Pool) { p.PasswordPolicy.TemporaryPasswordValidityDays = 3 })
	create := func(in account.AdminCreateUserInput) (account.AdminCreateUserResult, error) {
		t.Helper()
		return e.svc.AdminCreateUser(ctx, e.pool, in)
	}
	if res, err := create(account.AdminCreateUserInput{Username: "sam", Attributes: map[string]string{"email": "sam@example.com"}, MessageAction: account.MessageSuppress}); err != nil || res.Invitation != nil {
		t.Fatalf("SUPPRESS: %+v %v", res, err)
	}
	if _, err := create(account.AdminCreateUserInput{Username: "nomail"}); err != nil {
		t.Fatal(err)
	}
	if _, err := create(account.AdminCreateUserInput{Username: "perm", TemporaryPassword: "Perm4nent-pw!", Permanent: true, Attributes: map[string]string{"email": "perm@example.com"}}); err != nil {
		t.Fatal(err)
	}
	_, err := create(account.AdminCreateUserInput{Username: "nomail2", EmailDelivery: true})
	if ae := wantErr(t, err, account.InvalidParameterException); ae.Message != "No email provided but desired delivery medium was Email" {
		t.Errorf("EMAIL without an address: %v", err)
	}
	if n := len(e.box.Messages()); n != 0 || e.userCount(t) != 3 {
		t.Fatalf("%d mails, %d users; want none and 3", n, e.userCount(t))
	}

	// RESEND to sam: a new generated password, mailed.
	res, err := create(account.AdminCreateUserInput{Username: "sam", MessageAction: account.MessageResend})
	if err != nil || res.Invitation == nil || res.TemporaryPassword == "" {
		t.Fatalf("RESEND: %+v %v", res, err)
	}
	if ms := e.box.Messages(); len(ms) != 1 || !strings.Contains(ms[0].Text, res.TemporaryPassword) || !strings.Contains(ms[0].Text, "3 days") {
		t.Fatalf("RESEND mailed %+v", ms)
	}
	if _, err := e.svc.Authenticate(ctx, e.pool, "sam", res.TemporaryPassword); account.TypeOf(err) != account.NewPasswordRequired {
		t.Errorf("sign-in with the resent password: %v", err)
	}
	// RESEND with a password given mails that one.
	res2, err := create(account.AdminCreateUserInput{Username: "sam", TemporaryPassword: "Given-Temp-9!", MessageAction: account.MessageResend})
	if err != nil || res2.TemporaryPassword != "Given-Temp-9!" || e.box.Count("sam@example.com") != 2 {
		t.Fatalf("RESEND with a password: %+v %v", res2, err)
	}
	if _, err := e.svc.Authenticate(ctx, e.pool, "sam", res.TemporaryPassword); account.TypeOf(err) != account.NotAuthorizedException {
		t.Errorf("the replaced password still signs in: %v", err)
	}
	_, err = create(account.AdminCreateUserInput{Username: "perm", MessageAction: account.MessageResend})
	if ae := wantErr(t, err, account.UnsupportedUserStateException); ae.Message != "Resend not possible. perm status is CONFIRMED." {
		t.Errorf("RESEND to a confirmed user: %v", err)
	}
	_, err = create(account.AdminCreateUserInput{Username: "ghost", MessageAction: account.MessageResend})
	wantErr(t, err, account.UserNotFoundException)
	if n := e.box.Count("perm@example.com"); n != 0 {
		t.Errorf("%d mails to the confirmed user", n)
	}
	e.logs.NoSecrets(t, res.TemporaryPassword, "Given-Temp-9!")
}

// TestInvitationTemplate: the pool's InviteMessageTemplate replaces the
// subject and text, with the username and password in place of the
// placeholders; one with HTML tags goes as HTML, the username escaped.
func TestInvitationTemplate(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, func(p *pool.Pool) {
		p.InviteMessage = pool.InviteTemplate{EmailSubject: "Welcome to the lamps", EmailMessage: "Hi {username}, sign in with {####} soon."}
	})
	res, err := e.svc.AdminCreateUser(ctx, e.pool, account.AdminCreateUserInput{Username: "tom", Attributes: map[string]string{"email": "tom@example.com", "locale": "fr"}})
	if err != nil {
		t.Fatal(err)
	}
	m := e.box.Messages()[0]
	if m.Subject != "Welcome to the lamps" || strings.TrimSpace(m.Text) != "Hi tom, sign in with "+res.TemporaryPassword+" soon." || m.HTML != "" || m.Lang != "" {
		t.Errorf("templated invitation = %+v", m)
	}

	e.pool.InviteMessage = pool.InviteTemplate{EmailMessage: "<p>Hi <b>{username}</b>: {####}</p>"}
	res, err = e.svc.AdminCreateUser(ctx, e.pool, account.AdminCreateUserInput{Username: "a&b", Attributes: map[string]string{"email": "ab@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	m = e.box.Messages()[1]
	if m.HTML != "<p>Hi <b>a&amp;b</b>: "+res.TemporaryPassword+"</p>" || !strings.Contains(m.Text, res.TemporaryPassword) || m.Subject != "Your SmartLamp account" {
		t.Errorf("HTML invitation = %+v", m)
	}
}

// TestInvitationNotTaken: when the mailer does not take the invitation
// the user exists, as in Cognito, and the answer is
// CodeDeliveryFailureException; the log names the failure, not the
// password.
func TestInvitationNotTaken(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, nil)
	svc := e.service(failingSender{})
	res, err := svc.AdminCreateUser(ctx, e.pool, account.AdminCreateUserInput{Username: "una", Attributes: map[string]string{"email": "una@example.com"}})
	wantErr(t, err, account.CodeDeliveryFailureException)
	if res.User.Sub == "" || e.userCount(t) != 1 {
		t.Errorf("the user was not created: %+v", res)
	}
	if !strings.Contains(e.logs.String(), "mail delivery failed") {
		t.Errorf("log = %s", e.logs.String())
	}
	e.logs.NoSecrets(t, res.TemporaryPassword)
}

// failingSender refuses every mail, as an outbox whose store is down.
type failingSender struct{}

func (failingSender) Send(context.Context, mail.Message) error {
	return errors.New("mail: outbox: database is locked")
}
