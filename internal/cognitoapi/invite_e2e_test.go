package cognitoapi_test

import (
	"context"
	"errors"
	"html"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/linkpool/linkpool/internal/app"
	"github.com/linkpool/linkpool/internal/mail"
	"github.com/linkpool/linkpool/internal/mail/smtptest"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/trigger"
)

// smtpEnv is an env whose outbox delivers to a real SMTP server.
func smtpEnv(t *testing.T) (*env, *smtptest.Server) {
	t.Helper()
	srv := smtptest.New(t, smtptest.Options{Security: smtptest.StartTLS, User: "relay", Password: "relay-pw", From: "no-reply@lamps.example"})
	s, err := mail.NewSMTP(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	return newEnv(t, func(c *app.Config) { c.Mailer = s }), srv
}

// relayed waits for the outbox and returns what the SMTP server got.
func (e *env) relayed(t *testing.T, srv *smtptest.Server) []smtptest.Received {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := e.app.Mail.Flush(ctx); err != nil {
		t.Fatalf("outbox not delivered: %v", err)
	}
	return srv.Messages()
}

// invitedPassword is the temporary password of an invitation's text: the
// indented line under its label.
var invitedPassword = regexp.MustCompile(`(?m)^    (\S+)\r?$`)

func passwordOf(t *testing.T, text string) string {
	t.Helper()
	m := invitedPassword.FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("no password in the invitation:\n%s", text)
	}
	return m[1]
}

func createInput(e *env, username string, attrs map[string]string) *cip.AdminCreateUserInput {
	in := &cip.AdminCreateUserInput{UserPoolId: aws.String(e.pool.ID), Username: aws.String(username)}
	for k, v := range attrs {
		in.UserAttributes = append(in.UserAttributes, types.AttributeType{Name: aws.String(k), Value: aws.String(v)})
	}
	return in
}

// TestInvitationOverSMTP: AdminCreateUser through the SDK mails the
// invitation over SMTP in the user's language; its temporary password
// signs in to the NEW_PASSWORD_REQUIRED challenge. SUPPRESS mails
// nothing; RESEND mails a new password, which replaces the first. No
// password reaches the log.
func TestInvitationOverSMTP(t *testing.T) {
	ctx := context.Background()
	e, srv := smtpEnv(t)
	e.allowFlows(t, pool.ExistenceEnabled, "ALLOW_USER_PASSWORD_AUTH")
	c := e.sdk(keyAdmin)
	in := createInput(e, "mia", map[string]string{"email": "mia@example.com", "locale": "ja-JP"})
	in.DesiredDeliveryMediums = []types.DeliveryMediumType{types.DeliveryMediumTypeEmail}
	if _, err := c.AdminCreateUser(ctx, in); err != nil {
		t.Fatal(err)
	}
	ms := e.relayed(t, srv)
	if len(ms) != 1 {
		t.Fatalf("%d mails, want the invitation", len(ms))
	}
	r := ms[0]
	if r.RcptTo[0] != "mia@example.com" || r.Header.Get("Content-Language") != "ja" || r.Subject != "API test のアカウントが作成されました" || !r.TLS {
		t.Fatalf("invitation: to %v, Content-Language %q, subject %q", r.RcptTo, r.Header.Get("Content-Language"), r.Subject)
	}
	if !strings.Contains(r.Text, "ユーザー名: mia") || !strings.Contains(r.HTML, "ユーザー名: mia") || !strings.Contains(r.Text, "7 日") {
		t.Fatalf("invitation text:\n%s", r.Text)
	}
	first := passwordOf(t, r.Text)
	if !strings.Contains(html.UnescapeString(r.HTML), first) {
		t.Fatal("the HTML part lacks the password")
	}
	out, err := e.passwordAuth("mia", first, e.hash("mia"))
	if err != nil {
		t.Fatalf("sign-in with the mailed password: %v", err)
	}
	wantNewPasswordChallenge(t, out.ChallengeName, out.Session, out.ChallengeParameters, "mia")

	in = createInput(e, "quiet", map[string]string{"email": "quiet@example.com"})
	in.MessageAction = types.MessageActionTypeSuppress
	if _, err := c.AdminCreateUser(ctx, in); err != nil {
		t.Fatal(err)
	}
	if n := len(e.relayed(t, srv)); n != 1 {
		t.Fatalf("SUPPRESS: %d mails, want still 1", n)
	}

	resend := &cip.AdminCreateUserInput{UserPoolId: aws.String(e.pool.ID), Username: aws.String("mia"), MessageAction: types.MessageActionTypeResend}
	res, err := c.AdminCreateUser(ctx, resend)
	if err != nil || res.User.UserStatus != types.UserStatusTypeForceChangePassword {
		t.Fatalf("RESEND: %+v %v", res, err)
	}
	ms = e.relayed(t, srv)
	if len(ms) != 2 || ms[1].RcptTo[0] != "mia@example.com" {
		t.Fatalf("RESEND: %d mails", len(ms))
	}
	second := passwordOf(t, ms[1].Text)
	if second == first {
		t.Fatal("RESEND mailed the same password")
	}
	_, err = e.passwordAuth("mia", first, e.hash("mia"))
	wantAPIError(t, err, "NotAuthorizedException", "Incorrect username or password.")
	out, err = e.passwordAuth("mia", second, e.hash("mia"))
	if err != nil {
		t.Fatalf("sign-in with the resent password: %v", err)
	}
	wantNewPasswordChallenge(t, out.ChallengeName, out.Session, out.ChallengeParameters, "mia")

	// EMAIL for a user without an address is refused and creates nobody.
	before := e.snapshot(t)
	in = createInput(e, "nomail", nil)
	in.DesiredDeliveryMediums = []types.DeliveryMediumType{types.DeliveryMediumTypeEmail}
	_, err = c.AdminCreateUser(ctx, in)
	wantAPIError(t, err, "InvalidParameterException", "No email provided but desired delivery medium was Email")
	if e.snapshot(t) != before {
		t.Fatal("the refused call changed the users")
	}
	e.kit.Log.NoSecrets(t, first, second, "relay-pw")
}

// TestInvitationTemplateThroughSDK: UpdateUserPool and CreateUserPool
// keep AdminCreateUserConfig.InviteMessageTemplate, DescribeUserPool
// returns it, and the invitation uses it; a template without both
// placeholders, or too long, is refused and changes nothing.
func TestInvitationTemplateThroughSDK(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	c := e.sdk(keyAdmin)
	tmpl := &types.MessageTemplateType{EmailSubject: aws.String("Welcome to the lamps"), EmailMessage: aws.String("Hi {username}, your temporary password is {####}.")}
	if _, err := c.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: aws.String(e.pool.ID),
		AdminCreateUserConfig: &types.AdminCreateUserConfigType{InviteMessageTemplate: tmpl}}); err != nil {
		t.Fatal(err)
	}
	d, err := c.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String(e.pool.ID)})
	if err != nil {
		t.Fatal(err)
	}
	got := d.UserPool.AdminCreateUserConfig.InviteMessageTemplate
	if got == nil || aws.ToString(got.EmailSubject) != *tmpl.EmailSubject || aws.ToString(got.EmailMessage) != *tmpl.EmailMessage {
		t.Fatalf("DescribeUserPool: %+v", got)
	}
	if _, err := c.AdminCreateUser(ctx, createInput(e, "tim", map[string]string{"email": "tim@example.com", "locale": "de"})); err != nil {
		t.Fatal(err)
	}
	ms := e.kit.Mail.Messages()
	if len(ms) != 1 || ms[0].Subject != "Welcome to the lamps" || !strings.HasPrefix(ms[0].Text, "Hi tim, your temporary password is ") || ms[0].Lang != "" {
		t.Fatalf("templated invitation: %+v", ms)
	}

	before, _ := e.app.Store.GetPool(ctx, e.pool.ID)
	bad := []struct {
		name string
		tmpl types.MessageTemplateType
	}{
		{"no username", types.MessageTemplateType{EmailMessage: aws.String("Your password is {####}.")}},
		{"no password", types.MessageTemplateType{EmailMessage: aws.String("Welcome, {username}.")}},
		{"too long", types.MessageTemplateType{EmailMessage: aws.String("{username} {####}" + strings.Repeat("x", 20000))}},
		{"subject too long", types.MessageTemplateType{EmailSubject: aws.String(strings.Repeat("s", 141))}},
		{"empty subject", types.MessageTemplateType{EmailSubject: aws.String("")}},
	}
	for _, b := range bad {
		_, err := c.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: aws.String(e.pool.ID),
			AdminCreateUserConfig: &types.AdminCreateUserConfigType{InviteMessageTemplate: &b.tmpl}})
		wantAPIError(t, err, "InvalidParameterException", "")
		after, _ := e.app.Store.GetPool(ctx, e.pool.ID)
		if after.InviteMessage != before.InviteMessage || !after.UpdatedAt.Equal(before.UpdatedAt) {
			t.Fatalf("%s: the refused update changed the pool: %+v", b.name, after.InviteMessage)
		}
	}

	cp, err := c.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("invites"),
		AdminCreateUserConfig: &types.AdminCreateUserConfigType{AllowAdminCreateUserOnly: true, InviteMessageTemplate: tmpl}})
	if err != nil {
		t.Fatal(err)
	}
	if got := cp.UserPool.AdminCreateUserConfig; !got.AllowAdminCreateUserOnly || got.InviteMessageTemplate == nil || aws.ToString(got.InviteMessageTemplate.EmailMessage) != *tmpl.EmailMessage {
		t.Fatalf("CreateUserPool: %+v", got)
	}
	_, err = c.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("bad invites"),
		AdminCreateUserConfig: &types.AdminCreateUserConfigType{InviteMessageTemplate: &bad[0].tmpl}})
	wantAPIError(t, err, "InvalidParameterException", "")
}

// TestInvitationCustomMessage: the custom message trigger runs with
// CustomMessage_AdminCreateUser and replaces the invitation's subject and
// text; when it fails, AdminCreateUser fails and creates nobody.
func TestInvitationCustomMessage(t *testing.T) {
	ctx := context.Background()
	e, m, tr := triggerEnv(t, pool.TriggerCustomMessage)
	tr.Handle(pool.TriggerCustomMessage, func(_ context.Context, ev events.CognitoEventUserPoolsCustomMessage) (events.CognitoEventUserPoolsCustomMessage, error) {
		if ev.TriggerSource != trigger.SourceCustomMessageAdminCreate || ev.Request.CodeParameter != "{####}" || ev.Request.UsernameParameter != "{username}" {
			return ev, errors.New("unexpected event " + ev.TriggerSource)
		}
		if ev.Request.UserAttributes["email"] == "fail@example.com" {
			return ev, errors.New("No invitations today")
		}
		ev.Response.EmailSubject = "Welcome aboard"
		ev.Response.EmailMessage = "Dear " + ev.Request.UsernameParameter + ", use " + ev.Request.CodeParameter + " once."
		return ev, nil
	})
	c := e.sdk(keyAdmin)
	in := createInput(e, "kai", map[string]string{"email": "kai@example.com"})
	in.TemporaryPassword = aws.String("Kai-Temp-Pass-1!")
	if _, err := c.AdminCreateUser(ctx, in); err != nil {
		t.Fatal(err)
	}
	ms := m.Messages()
	if len(ms) != 1 || ms[0].Subject != "Welcome aboard" || strings.TrimSpace(ms[0].Text) != "Dear kai, use Kai-Temp-Pass-1! once." {
		t.Fatalf("invitation: %+v", ms)
	}
	if got := tr.Count(trigger.SourceCustomMessageAdminCreate); got != 1 {
		t.Fatalf("%d CustomMessage_AdminCreateUser events", got)
	}

	before := e.snapshot(t)
	_, err := c.AdminCreateUser(ctx, createInput(e, "fay", map[string]string{"email": "fail@example.com"}))
	wantAPIError(t, err, "UserLambdaValidationException", "CustomMessage failed with error No invitations today.")
	if e.snapshot(t) != before || len(m.Messages()) != 1 {
		t.Fatal("the failed trigger created the user or mailed")
	}
	e.kit.Log.NoSecrets(t, "Kai-Temp-Pass-1!")
}
