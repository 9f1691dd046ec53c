package cognitoapi_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/linkpool/linkpool/internal/app"
	"github.com/linkpool/linkpool/internal/apptest"
	"github.com/linkpool/linkpool/internal/hostedform"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/trigger"
)

// triggerEnv is a mail env whose pool sends the given triggers to a
// signed loopback receiver; the invoker gives up after half a second.
func triggerEnv(t *testing.T, triggers ...string) (*env, *apptest.Mailbox, *apptest.Triggers) {
	t.Helper()
	r := app.DefaultUIRates
	r.SignUp = app.Rate{PerMinute: 600, Burst: 100}
	r.ForgotPassword = app.Rate{PerMinute: 600, Burst: 100}
	limits := r.Limits()
	e := newEnv(t, func(c *app.Config) {
		c.UILimits = &limits
		c.Triggers.Timeout = 500 * time.Millisecond
	})
	tr := apptest.NewTriggers(t)
	if err := e.app.Store.UpdatePool(context.Background(), e.pool.ID, func(p pool.Pool) (pool.Pool, error) {
		tr.Configure(&p, e.kit.Box, triggers...)
		return p, nil
	}); err != nil {
		t.Fatal(err)
	}
	return e, e.kit.Mail, tr
}

// TestTriggersThroughSDK: a sign-up, its confirmation and a sign-in with
// the real SDK run pre sign-up, custom message, post confirmation, pre
// and post authentication, each once, with the request's client,
// metadata and SDK in the events.
func TestTriggersThroughSDK(t *testing.T) {
	e, m, tr := triggerEnv(t, pool.TriggerPreSignUp, pool.TriggerCustomMessage, pool.TriggerPostConfirmation,
		pool.TriggerPreAuthentication, pool.TriggerPostAuthentication)
	e.allowFlows(t, pool.ExistenceEnabled, "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")
	var pre events.CognitoEventUserPoolsPreSignup
	tr.Handle(pool.TriggerPreSignUp, func(_ context.Context, ev events.CognitoEventUserPoolsPreSignup) (events.CognitoEventUserPoolsPreSignup, error) {
		pre = ev
		if strings.HasSuffix(ev.Request.UserAttributes["email"], "@evil.test") {
			return ev, errors.New("Sign-up is for example.com only")
		}
		return ev, nil
	})
	tr.Handle(pool.TriggerCustomMessage, func(_ context.Context, ev events.CognitoEventUserPoolsCustomMessage) (events.CognitoEventUserPoolsCustomMessage, error) {
		ev.Response.EmailSubject = "Welcome to the lamp"
		ev.Response.EmailMessage = "Your lamp code: " + ev.Request.CodeParameter
		return ev, nil
	})
	ctx := context.Background()
	c := e.anon()
	pw := "Sign-Up-Pass-1!"
	_, err := c.SignUp(ctx, &cip.SignUpInput{
		ClientId: aws.String(e.client.ID), SecretHash: e.hash("ann"), Username: aws.String("ann"), Password: aws.String(pw),
		UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String("ann@example.com")}},
		ValidationData: []types.AttributeType{{Name: aws.String("captcha"), Value: aws.String("solved")}},
		ClientMetadata: map[string]string{"campaign": "spring"},
	})
	if err != nil {
		t.Fatalf("SignUp: %v", err)
	}
	if pre.TriggerSource != trigger.SourcePreSignUp || pre.CallerContext.ClientID != e.client.ID ||
		!strings.HasPrefix(pre.CallerContext.AWSSDKVersion, "aws-sdk-go-v2-") ||
		pre.Request.ValidationData["captcha"] != "solved" || pre.Request.ClientMetadata["campaign"] != "spring" {
		t.Fatalf("pre sign-up event = %+v", pre)
	}
	code := e.code(t, m, "ann@example.com")
	last := m.Messages()[len(m.Messages())-1]
	if last.Subject != "Welcome to the lamp" || last.Text != "Your lamp code: "+code {
		t.Fatalf("mail = %q %q", last.Subject, last.Text)
	}
	if _, err := c.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: aws.String(e.client.ID), SecretHash: e.hash("ann"), Username: aws.String("ann"), ConfirmationCode: aws.String(code)}); err != nil {
		t.Fatalf("ConfirmSignUp: %v", err)
	}
	out, err := e.passwordAuth("ann", pw, e.hash("ann"))
	if err != nil || out.AuthenticationResult == nil {
		t.Fatalf("InitiateAuth: %+v %v", out, err)
	}
	want := []string{trigger.SourcePreSignUp, trigger.SourceCustomMessageSignUp, trigger.SourcePostConfirmation,
		trigger.SourcePreAuthentication, trigger.SourcePostAuthentication}
	if got := tr.Sources(); !slices.Equal(got, want) {
		t.Fatalf("sources = %v, want %v", got, want)
	}

	// A refused sign-up is Cognito's error and stores nothing.
	before := e.snapshot(t)
	_, err = c.SignUp(ctx, &cip.SignUpInput{
		ClientId: aws.String(e.client.ID), SecretHash: e.hash("eve"), Username: aws.String("eve"), Password: aws.String(pw),
		UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String("eve@evil.test")}},
	})
	wantAPIError(t, err, "UserLambdaValidationException", "PreSignUp failed with error Sign-up is for example.com only.")
	if e.snapshot(t) != before {
		t.Fatal("a refused sign-up changed the pool's users")
	}
	if n := e.count(t, m, "eve@evil.test"); n != 0 {
		t.Fatalf("%d mails to a refused sign-up", n)
	}
	if tr.BadSignatures() != 0 {
		t.Fatal("a request failed the signature check")
	}
	if !strings.Contains(e.kit.Log.String(), `"source":"PreSignUp_SignUp"`) {
		t.Fatal("the invocations were not logged with their source")
	}
	e.kit.Log.NoSecrets(t, pw, code)
}

// TestPreAuthenticationRefusesThroughSDK: the trigger's error is the
// sign-in's answer, and a stalled trigger is UnexpectedLambdaException.
func TestPreAuthenticationRefusesThroughSDK(t *testing.T) {
	e, _, tr := triggerEnv(t, pool.TriggerPreAuthentication)
	e.allowFlows(t, pool.ExistenceEnabled, "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")
	e.confirmedUser(t, "frank", "Frank-Pass-1!")
	tr.Handle(pool.TriggerPreAuthentication, func(_ context.Context, ev events.CognitoEventUserPoolsPreAuthentication) (events.CognitoEventUserPoolsPreAuthentication, error) {
		return ev, errors.New("Outside office hours")
	})
	_, err := e.passwordAuth("frank", "Frank-Pass-1!", e.hash("frank"))
	wantAPIError(t, err, "UserLambdaValidationException", "PreAuthentication failed with error Outside office hours.")
	tr.HandleRaw(pool.TriggerPreAuthentication, func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	_, err = e.passwordAuth("frank", "Frank-Pass-1!", e.hash("frank"))
	wantAPIError(t, err, "UnexpectedLambdaException", "PreAuthentication invocation failed due to error Socket timeout while invoking Lambda function.")
}

// legacyDirectory answers the user migration trigger for one user.
func legacyDirectory(user, pw string) func(context.Context, events.CognitoEventUserPoolsMigrateUser) (events.CognitoEventUserPoolsMigrateUser, error) {
	return func(_ context.Context, ev events.CognitoEventUserPoolsMigrateUser) (events.CognitoEventUserPoolsMigrateUser, error) {
		if ev.UserName != user || ev.TriggerSource == trigger.SourceUserMigrationAuthentication && ev.CognitoEventUserPoolsMigrateUserRequest.Password != pw {
			return ev, errors.New("User does not exist")
		}
		r := &ev.CognitoEventUserPoolsMigrateUserResponse
		r.UserAttributes = map[string]string{"email": user + "@legacy.example", "email_verified": "true"}
		r.FinalUserStatus = "CONFIRMED"
		if ev.TriggerSource == trigger.SourceUserMigrationForgotPassword {
			r.FinalUserStatus = "RESET_REQUIRED"
		}
		r.MessageAction = "SUPPRESS"
		return ev, nil
	}
}

// TestUserMigrationThroughSDK: USER_PASSWORD_AUTH for an unknown user
// migrates it; ForgotPassword migrates another one RESET_REQUIRED; an
// unknown user gets the same answer as without the trigger.
func TestUserMigrationThroughSDK(t *testing.T) {
	e, m, tr := triggerEnv(t, pool.TriggerUserMigration)
	e.allowFlows(t, pool.ExistenceLegacy, "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")
	pw := "Legacy-Pass-1!"
	tr.Handle(pool.TriggerUserMigration, legacyDirectory("olga", pw))
	out, err := e.passwordAuth("olga", pw, e.hash("olga"))
	if err != nil || out.AuthenticationResult == nil {
		t.Fatalf("InitiateAuth of a migrated user: %+v %v", out, err)
	}
	if _, err := e.passwordAuth("olga", pw, e.hash("olga")); err != nil {
		t.Fatal(err)
	}
	if got := tr.Count(trigger.SourceUserMigrationAuthentication); got != 1 {
		t.Fatalf("%d migration events, want 1", got)
	}
	_, err = e.passwordAuth("nobody", pw, e.hash("nobody"))
	wantAPIError(t, err, "UserNotFoundException", "User does not exist.")

	tr.Handle(pool.TriggerUserMigration, legacyDirectory("pete", ""))
	d, err := e.anon().ForgotPassword(context.Background(), &cip.ForgotPasswordInput{ClientId: aws.String(e.client.ID), SecretHash: e.hash("pete"), Username: aws.String("pete")})
	if err != nil || d.CodeDeliveryDetails == nil {
		t.Fatalf("ForgotPassword of a migrated user: %+v %v", d, err)
	}
	if e.code(t, m, "pete@legacy.example") == "" {
		t.Fatal("no code")
	}
	if got := tr.Count(trigger.SourceUserMigrationForgotPassword); got != 1 {
		t.Fatalf("%d forgot-password migration events, want 1", got)
	}
	e.kit.Log.NoSecrets(t, pw, e.code(t, m, "pete@legacy.example"))
}

// TestUserMigrationOnHostedPage: a user unknown to linkpool signs in on
// the hosted page, the trigger vouches for the password, the user
// exists afterwards and the second sign-in does not call the trigger.
func TestUserMigrationOnHostedPage(t *testing.T) {
	e, _, tr := triggerEnv(t, pool.TriggerUserMigration)
	pw := "Legacy-Pass-1!"
	tr.Handle(pool.TriggerUserMigration, legacyDirectory("olga", pw))
	e.hostedRefused(t, "olga", "Wrong-Pass-1!")
	if n := len(e.snapshot(t)); n != 0 {
		t.Fatal("a refused migration stored a user")
	}
	e.hostedSignIn(t, "olga", pw)
	u, err := e.app.Accounts.Lookup(context.Background(), e.pool, "olga")
	if err != nil || u.Status != pool.StatusConfirmed || u.Email() != "olga@legacy.example" {
		t.Fatalf("migrated user: %+v %v", u, err)
	}
	e.hostedSignIn(t, "olga", pw)
	if got := tr.Count(trigger.SourceUserMigrationAuthentication); got != 2 {
		t.Fatalf("%d migration events (one refused, one vouched), want 2", got)
	}
	for _, b := range tr.Bodies() {
		if !strings.Contains(b, `"clientId":"`+e.client.ID+`"`) {
			t.Fatalf("event without the page's client: %s", b)
		}
	}
}

// TestPreSignUpOnHostedPage: the hosted sign-up page runs pre sign-up;
// a refusal is shown and stores nothing, an auto-confirming answer signs
// the user in at once.
func TestPreSignUpOnHostedPage(t *testing.T) {
	e, m, tr := triggerEnv(t, pool.TriggerPreSignUp, pool.TriggerPostConfirmation)
	tr.Handle(pool.TriggerPreSignUp, func(_ context.Context, ev events.CognitoEventUserPoolsPreSignup) (events.CognitoEventUserPoolsPreSignup, error) {
		if ev.CallerContext.ClientID != e.client.ID {
			return ev, errors.New("unknown client")
		}
		if !strings.HasSuffix(ev.Request.UserAttributes["email"], "@example.com") {
			return ev, errors.New("Sign-up is for example.com only")
		}
		ev.Response.AutoConfirmUser = true
		ev.Response.AutoVerifyEmail = true
		return ev, nil
	})
	signUpURL := e.srv.URL + "/" + e.pool.ID + "/signup?" + url.Values{
		"response_type": {"code"}, "client_id": {e.client.ID}, "redirect_uri": {rpCallback}, "scope": {"openid"},
	}.Encode()
	submit := func(username, email string) *hostedform.Page {
		t.Helper()
		b := &hostedform.Browser{HTTP: browser(), Stop: func(_, _ *url.URL) bool { return true }}
		form, err := b.Get(context.Background(), signUpURL)
		if err != nil || form.Status != http.StatusOK {
			t.Fatalf("sign-up page: %v %+v", err, form)
		}
		p, err := b.Submit(context.Background(), form, map[string]string{"username": username, "email": email, "password": "Sign-Up-Pass-1!"})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	p := submit("eve", "eve@evil.test")
	if p.Status != http.StatusBadRequest || !strings.Contains(p.Body, "This app refused the request.") {
		t.Fatalf("refused sign-up page: %d\n%s", p.Status, p.Body)
	}
	if s := e.snapshot(t); s != "" {
		t.Fatalf("a refused sign-up stored a user: %s", s)
	}
	p = submit("ann", "ann@example.com")
	if !strings.HasPrefix(p.Location, rpCallback) {
		t.Fatalf("auto-confirmed sign-up did not reach the callback: %d %s", p.Status, p.Location)
	}
	u, err := e.app.Accounts.Lookup(context.Background(), e.pool, "ann")
	if err != nil || u.Status != pool.StatusConfirmed || !u.EmailVerified() {
		t.Fatalf("signed-up user: %+v %v", u, err)
	}
	if n := e.count(t, m, "ann@example.com"); n != 0 {
		t.Fatalf("%d mails to an auto-confirmed user", n)
	}
	want := []string{trigger.SourcePreSignUp, trigger.SourcePreSignUp, trigger.SourcePostConfirmation}
	if got := tr.Sources(); !slices.Equal(got, want) {
		t.Fatalf("sources = %v, want %v", got, want)
	}
}

// TestTriggerSourcesThroughSDK: AdminCreateUser, ResendConfirmationCode,
// ForgotPassword, ConfirmForgotPassword, UpdateUserAttributes and
// GetUserAttributeVerificationCode each run their trigger source once.
func TestTriggerSourcesThroughSDK(t *testing.T) {
	e, m, tr := triggerEnv(t, pool.TriggerPreSignUp, pool.TriggerCustomMessage, pool.TriggerPostConfirmation)
	e.allowFlows(t, pool.ExistenceEnabled, "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")
	tr.Handle(pool.TriggerCustomMessage, func(_ context.Context, ev events.CognitoEventUserPoolsCustomMessage) (events.CognitoEventUserPoolsCustomMessage, error) {
		ev.Response.EmailMessage = ev.TriggerSource + " " + ev.Request.CodeParameter
		return ev, nil
	})
	ctx := context.Background()
	c := e.anon()
	check := func(step string, want ...string) {
		t.Helper()
		if got := tr.Sources(); !slices.Equal(got, want) {
			t.Fatalf("after %s: sources = %v, want %v", step, got, want)
		}
	}
	lastText := func(to string) string {
		t.Helper()
		e.code(t, m, to) // flushes the outbox
		ms := m.Messages()
		return ms[len(ms)-1].Text
	}

	e.confirmedUser(t, "frank", "Frank-Pass-1!")
	check("AdminCreateUser", trigger.SourcePreSignUpAdminCreate)

	if _, err := c.SignUp(ctx, &cip.SignUpInput{
		ClientId: aws.String(e.client.ID), SecretHash: e.hash("ann"), Username: aws.String("ann"), Password: aws.String("Sign-Up-Pass-1!"),
		UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String("ann@example.com")}},
	}); err != nil {
		t.Fatal(err)
	}
	e.kit.Clock.Advance(time.Minute)
	if _, err := c.ResendConfirmationCode(ctx, &cip.ResendConfirmationCodeInput{ClientId: aws.String(e.client.ID), SecretHash: e.hash("ann"), Username: aws.String("ann")}); err != nil {
		t.Fatal(err)
	}
	code := e.code(t, m, "ann@example.com")
	if want := "CustomMessage_ResendCode " + code; lastText("ann@example.com") != want {
		t.Fatalf("mail = %q, want %q", lastText("ann@example.com"), want)
	}
	if _, err := c.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: aws.String(e.client.ID), SecretHash: e.hash("ann"), Username: aws.String("ann"), ConfirmationCode: aws.String(code)}); err != nil {
		t.Fatal(err)
	}
	check("sign-up", trigger.SourcePreSignUpAdminCreate, trigger.SourcePreSignUp, trigger.SourceCustomMessageSignUp,
		trigger.SourceCustomMessageResendCode, trigger.SourcePostConfirmation)

	e.kit.Clock.Advance(time.Minute)
	if _, err := c.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: aws.String(e.client.ID), SecretHash: e.hash("ann"), Username: aws.String("ann")}); err != nil {
		t.Fatal(err)
	}
	code = e.code(t, m, "ann@example.com")
	if _, err := c.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{ClientId: aws.String(e.client.ID), SecretHash: e.hash("ann"), Username: aws.String("ann"),
		ConfirmationCode: aws.String(code), Password: aws.String("New-Pass-123!")}); err != nil {
		t.Fatal(err)
	}
	n := len(tr.Sources())
	if got := tr.Sources()[n-2:]; !slices.Equal(got, []string{trigger.SourceCustomMessageForgot, trigger.SourcePostConfirmationForgot}) {
		t.Fatalf("forgot password sources = %v", got)
	}

	access, _ := e.signedIn(t, "ann", "New-Pass-123!")
	e.kit.Clock.Advance(time.Minute)
	if _, err := c.UpdateUserAttributes(ctx, &cip.UpdateUserAttributesInput{AccessToken: aws.String(access),
		UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String("ann@new.example")}}}); err != nil {
		t.Fatal(err)
	}
	if want := "CustomMessage_UpdateUserAttribute " + e.code(t, m, "ann@new.example"); lastText("ann@new.example") != want {
		t.Fatalf("mail = %q, want %q", lastText("ann@new.example"), want)
	}
	e.kit.Clock.Advance(time.Minute)
	if _, err := c.GetUserAttributeVerificationCode(ctx, &cip.GetUserAttributeVerificationCodeInput{AccessToken: aws.String(access), AttributeName: aws.String("email")}); err != nil {
		t.Fatal(err)
	}
	if want := "CustomMessage_VerifyUserAttribute " + e.code(t, m, "ann@new.example"); lastText("ann@new.example") != want {
		t.Fatalf("mail = %q, want %q", lastText("ann@new.example"), want)
	}
}

// TestTriggersAsLambdaFunctions: the same flows with Lambda function
// targets, invoked through the Lambda Invoke API of a loopback server
// running aws-lambda-go handlers.
func TestTriggersAsLambdaFunctions(t *testing.T) {
	ls := apptest.NewLambdaServer(t)
	e := newEnv(t, func(c *app.Config) { c.Triggers.LambdaEndpoint = ls.Server.URL })
	arn := func(fn string) string { return "arn:aws:lambda:eu-west-1:123456789012:function:" + fn }
	if err := e.app.Store.UpdatePool(context.Background(), e.pool.ID, func(p pool.Pool) (pool.Pool, error) {
		p.LambdaConfig.PreSignUp = arn("vet-sign-up")
		p.LambdaConfig.PostConfirmation = arn("welcome")
		return p, nil
	}); err != nil {
		t.Fatal(err)
	}
	ls.Handle("vet-sign-up", func(_ context.Context, ev events.CognitoEventUserPoolsPreSignup) (events.CognitoEventUserPoolsPreSignup, error) {
		if !strings.HasSuffix(ev.Request.UserAttributes["email"], "@example.com") {
			return ev, errors.New("Sign-up is for example.com only")
		}
		ev.Response.AutoConfirmUser = true
		ev.Response.AutoVerifyEmail = true
		return ev, nil
	})
	ls.Handle("welcome", func(_ context.Context, ev events.CognitoEventUserPoolsPostConfirmation) (events.CognitoEventUserPoolsPostConfirmation, error) {
		return ev, nil
	})
	ctx := context.Background()
	signUp := func(name, email string) (*cip.SignUpOutput, error) {
		return e.anon().SignUp(ctx, &cip.SignUpInput{
			ClientId: aws.String(e.client.ID), SecretHash: e.hash(name), Username: aws.String(name), Password: aws.String("Sign-Up-Pass-1!"),
			UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String(email)}},
		})
	}
	out, err := signUp("ann", "ann@example.com")
	if err != nil || !out.UserConfirmed {
		t.Fatalf("SignUp: %+v %v", out, err)
	}
	_, err = signUp("eve", "eve@evil.test")
	wantAPIError(t, err, "UserLambdaValidationException", "PreSignUp failed with error Sign-up is for example.com only.")
	if want := []string{"vet-sign-up", "welcome", "vet-sign-up"}; !slices.Equal(ls.Calls(), want) {
		t.Fatalf("functions invoked = %v, want %v", ls.Calls(), want)
	}
	if _, err := e.app.Accounts.Lookup(ctx, e.pool, "eve"); err == nil {
		t.Fatal("a refused sign-up was stored")
	}
}
