package account_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/apptest"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/trigger"
)

// triggerTimeout is the invoker's limit in these tests, so that a
// stalled receiver fails the operation quickly.
const triggerTimeout = 500 * time.Millisecond

// newTriggerEnv is newEnv with a webhook receiver configured for the
// given triggers and a Service that invokes them.
func newTriggerEnv(t *testing.T, edit func(*pool.Pool), triggers ...string) (*env, *apptest.Triggers) {
	t.Helper()
	tr := apptest.NewTriggers(t)
	e := newEnv(t, func(p *pool.Pool) {
		tr.Configure(p, masterBox, triggers...)
		if edit != nil {
			edit(p)
		}
	})
	inv, err := trigger.New(trigger.Config{Box: masterBox, Timeout: triggerTimeout, Logger: e.logs.Logger()})
	if err != nil {
		t.Fatal(err)
	}
	e.svc = e.serviceOn(e.db, e.sender(), func(c *account.Config) { c.Triggers = inv })
	return e, tr
}

// stall answers nothing until the invoker gives up.
func stall(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }

func malformedAnswer(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(`["not an event"]`))
}

func refuse(msg string) func(context.Context, events.CognitoEventUserPoolsPreSignup) (events.CognitoEventUserPoolsPreSignup, error) {
	return func(context.Context, events.CognitoEventUserPoolsPreSignup) (events.CognitoEventUserPoolsPreSignup, error) {
		return events.CognitoEventUserPoolsPreSignup{}, errors.New(msg)
	}
}

func TestPreSignUpAutoConfirmsAndVerifies(t *testing.T) {
	e, tr := newTriggerEnv(t, nil, pool.TriggerPreSignUp, pool.TriggerPostConfirmation)
	var got events.CognitoEventUserPoolsPreSignup
	tr.Handle(pool.TriggerPreSignUp, func(_ context.Context, ev events.CognitoEventUserPoolsPreSignup) (events.CognitoEventUserPoolsPreSignup, error) {
		got = ev
		ev.Response.AutoConfirmUser = true
		ev.Response.AutoVerifyEmail = true
		return ev, nil
	})
	ctx := account.WithCaller(context.Background(), account.Caller{
		ClientID: "client-1", ValidationData: map[string]string{"captcha": "ok"}, ClientMetadata: map[string]string{"app": "lamp"},
	})
	res, err := e.svc.SignUp(ctx, e.pool, account.SignUpInput{Username: "ann", Password: goodPW, Attributes: map[string]string{"email": "ann@example.com"}})
	if err != nil {
		t.Fatalf("SignUp: %v", err)
	}
	if got.TriggerSource != trigger.SourcePreSignUp || got.UserName != "ann" || got.UserPoolID != e.pool.ID || got.CallerContext.ClientID != "client-1" {
		t.Fatalf("event = %+v", got)
	}
	if got.Request.UserAttributes["email"] != "ann@example.com" || got.Request.ValidationData["captcha"] != "ok" || got.Request.ClientMetadata["app"] != "lamp" {
		t.Fatalf("request = %+v", got.Request)
	}
	if !res.Confirmed || res.Delivery != nil {
		t.Fatalf("result = %+v, want confirmed without a code", res)
	}
	u := e.user(t, res.User.Sub)
	if u.Status != pool.StatusConfirmed || !u.EmailVerified() {
		t.Fatalf("stored %s verified=%v", u.Status, u.EmailVerified())
	}
	if n := e.box.Count("ann@example.com"); n != 0 {
		t.Fatalf("%d mails sent to an auto-confirmed user", n)
	}
	if want := []string{trigger.SourcePreSignUp, trigger.SourcePostConfirmation}; !slices.Equal(tr.Sources(), want) {
		t.Fatalf("sources = %v, want %v", tr.Sources(), want)
	}
}

func TestPreSignUpConfirmWithoutVerify(t *testing.T) {
	e, tr := newTriggerEnv(t, nil, pool.TriggerPreSignUp)
	tr.Handle(pool.TriggerPreSignUp, func(_ context.Context, ev events.CognitoEventUserPoolsPreSignup) (events.CognitoEventUserPoolsPreSignup, error) {
		ev.Response.AutoConfirmUser = true
		return ev, nil
	})
	res, err := e.svc.SignUp(context.Background(), e.pool, account.SignUpInput{Username: "ann", Password: goodPW, Attributes: map[string]string{"email": "ann@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	u := e.user(t, res.User.Sub)
	if u.Status != pool.StatusConfirmed || u.EmailVerified() {
		t.Fatalf("stored %s verified=%v, want confirmed, address unverified", u.Status, u.EmailVerified())
	}
}

// TestPreSignUpFailuresStoreNothing: an error, a malformed answer and a
// stalled receiver each fail the sign-up with Cognito's exception, and
// no user is stored and no mail sent.
func TestPreSignUpFailuresStoreNothing(t *testing.T) {
	cases := []struct {
		name    string
		set     func(*apptest.Triggers)
		typ     string
		message string
	}{
		{"error", func(tr *apptest.Triggers) { tr.Handle(pool.TriggerPreSignUp, refuse("Sign-up is closed")) },
			account.UserLambdaValidationException, "PreSignUp failed with error Sign-up is closed."},
		{"malformed", func(tr *apptest.Triggers) { tr.HandleRaw(pool.TriggerPreSignUp, malformedAnswer) },
			account.InvalidLambdaResponseException, "Unrecognizable lambda output"},
		{"timeout", func(tr *apptest.Triggers) { tr.HandleRaw(pool.TriggerPreSignUp, stall) },
			account.UnexpectedLambdaException, "PreSignUp invocation failed due to error Socket timeout while invoking Lambda function."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e, tr := newTriggerEnv(t, nil, pool.TriggerPreSignUp, pool.TriggerPostConfirmation, pool.TriggerCustomMessage)
			c.set(tr)
			_, err := e.svc.SignUp(context.Background(), e.pool, account.SignUpInput{Username: "ann", Password: goodPW, Attributes: map[string]string{"email": "ann@example.com"}})
			ae := wantErr(t, err, c.typ)
			if ae.Message != c.message {
				t.Fatalf("message = %q, want %q", ae.Message, c.message)
			}
			if n := e.userCount(t); n != 0 {
				t.Fatalf("%d users stored", n)
			}
			if n := len(e.box.Messages()); n != 0 {
				t.Fatalf("%d mails sent", n)
			}
			if want := []string{trigger.SourcePreSignUp}; !slices.Equal(tr.Sources(), want) {
				t.Fatalf("sources = %v, want %v", tr.Sources(), want)
			}
		})
	}
}

func TestPreSignUpAdminCreateUser(t *testing.T) {
	e, tr := newTriggerEnv(t, nil, pool.TriggerPreSignUp)
	tr.Handle(pool.TriggerPreSignUp, func(_ context.Context, ev events.CognitoEventUserPoolsPreSignup) (events.CognitoEventUserPoolsPreSignup, error) {
		if ev.TriggerSource != trigger.SourcePreSignUpAdminCreate {
			return ev, errors.New("unexpected source " + ev.TriggerSource)
		}
		if ev.UserName == "mallory" {
			return ev, errors.New("not mallory")
		}
		ev.Response.AutoVerifyEmail = true
		ev.Response.AutoConfirmUser = true // not for administrators' users
		return ev, nil
	})
	ctx := context.Background()
	res, err := e.svc.AdminCreateUser(ctx, e.pool, account.AdminCreateUserInput{Username: "bob", Attributes: map[string]string{"email": "bob@example.com"}})
	if err != nil {
		t.Fatalf("AdminCreateUser: %v", err)
	}
	u := e.user(t, res.User.Sub)
	if u.Status != pool.StatusForceChangePassword || !u.EmailVerified() {
		t.Fatalf("stored %s verified=%v", u.Status, u.EmailVerified())
	}
	_, err = e.svc.AdminCreateUser(ctx, e.pool, account.AdminCreateUserInput{Username: "mallory"})
	if ae := wantErr(t, err, account.UserLambdaValidationException); ae.Message != "PreSignUp failed with error not mallory." {
		t.Fatalf("message = %q", ae.Message)
	}
	if n := e.userCount(t); n != 1 {
		t.Fatalf("%d users stored, want 1", n)
	}
}

func TestPreSignUpExternalProvider(t *testing.T) {
	e, tr := newTriggerEnv(t, nil, pool.TriggerPreSignUp)
	tr.Handle(pool.TriggerPreSignUp, func(_ context.Context, ev events.CognitoEventUserPoolsPreSignup) (events.CognitoEventUserPoolsPreSignup, error) {
		if ev.TriggerSource != trigger.SourcePreSignUpExternal {
			return ev, errors.New("unexpected source " + ev.TriggerSource)
		}
		if !strings.HasSuffix(ev.Request.UserAttributes["email"], "@example.com") {
			return ev, errors.New("outsiders may not sign in")
		}
		ev.Response.AutoVerifyEmail = true
		return ev, nil
	})
	ctx := context.Background()
	idp := testProvider(e)
	u, err := e.svc.SignInFederated(ctx, e.pool, idp, "abc-123", map[string]string{"email": "ann@example.com"})
	if err != nil {
		t.Fatalf("SignInFederated: %v", err)
	}
	if got := e.user(t, u.Sub); !got.EmailVerified() {
		t.Fatal("autoVerifyEmail not applied")
	}
	// A second sign-in is not a sign-up.
	if _, err := e.svc.SignInFederated(ctx, e.pool, idp, "abc-123", map[string]string{"email": "ann@example.com"}); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.SignInFederated(ctx, e.pool, idp, "xyz", map[string]string{"email": "eve@evil.test"})
	wantErr(t, err, account.UserLambdaValidationException)
	if n := e.userCount(t); n != 1 {
		t.Fatalf("%d users stored, want 1", n)
	}
	if got := tr.Count(trigger.SourcePreSignUpExternal); got != 2 {
		t.Fatalf("%d PreSignUp_ExternalProvider events, want 2", got)
	}
}

func TestPostConfirmationConfirmSignUp(t *testing.T) {
	e, tr := newTriggerEnv(t, nil, pool.TriggerPostConfirmation)
	var got events.CognitoEventUserPoolsPostConfirmation
	tr.Handle(pool.TriggerPostConfirmation, func(_ context.Context, ev events.CognitoEventUserPoolsPostConfirmation) (events.CognitoEventUserPoolsPostConfirmation, error) {
		got = ev
		if ev.UserName == "bob" {
			return ev, errors.New("welcome mail failed")
		}
		return ev, nil
	})
	ctx := context.Background()
	u := e.signUp(t, "ann", "ann@example.com", goodPW)
	if got.TriggerSource != trigger.SourcePostConfirmation || got.UserName != "ann" ||
		got.Request.UserAttributes["sub"] != u.Sub || got.Request.UserAttributes["email_verified"] != "true" || got.Request.UserAttributes["cognito:user_status"] != pool.StatusConfirmed {
		t.Fatalf("event = %+v", got)
	}
	// A failure is the answer, and the confirmation stays, as in Cognito.
	res, err := e.svc.SignUp(ctx, e.pool, account.SignUpInput{Username: "bob", Password: goodPW, Attributes: map[string]string{"email": "bob@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.ConfirmSignUp(ctx, e.pool, "bob", e.box.LastCode(t, "bob@example.com"))
	if ae := wantErr(t, err, account.UserLambdaValidationException); ae.Message != "PostConfirmation failed with error welcome mail failed." {
		t.Fatalf("message = %q", ae.Message)
	}
	if s := e.user(t, res.User.Sub).Status; s != pool.StatusConfirmed {
		t.Fatalf("status after a failed post confirmation = %s", s)
	}
	// AdminConfirmSignUp runs it too.
	if _, err := e.svc.SignUp(ctx, e.pool, account.SignUpInput{Username: "cat", Password: goodPW, Attributes: map[string]string{"email": "cat@example.com"}}); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.AdminConfirmSignUp(ctx, e.pool, "cat"); err != nil {
		t.Fatal(err)
	}
	if got.UserName != "cat" || got.TriggerSource != trigger.SourcePostConfirmation {
		t.Fatalf("AdminConfirmSignUp event = %s %s", got.TriggerSource, got.UserName)
	}
}

func TestForgotPasswordTriggers(t *testing.T) {
	e, tr := newTriggerEnv(t, nil, pool.TriggerPostConfirmation, pool.TriggerCustomMessage)
	e.signUp(t, "ann", "ann@example.com", goodPW)
	var sources []string
	tr.Handle(pool.TriggerCustomMessage, func(_ context.Context, ev events.CognitoEventUserPoolsCustomMessage) (events.CognitoEventUserPoolsCustomMessage, error) {
		sources = append(sources, ev.TriggerSource)
		ev.Response.EmailSubject = "Reset for " + ev.Request.UsernameParameter
		ev.Response.EmailMessage = "Hello " + ev.Request.UsernameParameter + ", your reset code is " + ev.Request.CodeParameter
		return ev, nil
	})
	ctx := context.Background()
	if _, err := e.svc.ForgotPassword(ctx, e.pool, "ann"); err != nil {
		t.Fatal(err)
	}
	msgs := e.box.Messages()
	last := msgs[len(msgs)-1]
	code := e.box.LastCode(t, "ann@example.com")
	if last.Subject != "Reset for ann" || last.Text != "Hello ann, your reset code is "+code {
		t.Fatalf("mail = %q / %q", last.Subject, last.Text)
	}
	if err := e.svc.ConfirmForgotPassword(ctx, e.pool, "ann", code, "N3w-Passw0rd!"); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(sources, []string{trigger.SourceCustomMessageForgot}) {
		t.Fatalf("custom message sources = %v", sources)
	}
	if got := tr.Count(trigger.SourcePostConfirmationForgot); got != 1 {
		t.Fatalf("%d PostConfirmation_ConfirmForgotPassword events", got)
	}
}

// TestCustomMessageSources: every mailed code goes through the trigger
// with its source; a message without the code placeholder is ignored,
// and a failure fails the operation.
func TestCustomMessageSources(t *testing.T) {
	e, tr := newTriggerEnv(t, nil, pool.TriggerCustomMessage)
	tr.Handle(pool.TriggerCustomMessage, func(_ context.Context, ev events.CognitoEventUserPoolsCustomMessage) (events.CognitoEventUserPoolsCustomMessage, error) {
		switch ev.UserName {
		case "nocode":
			ev.Response.EmailMessage = "Welcome, no code here"
		case "broken":
			return ev, errors.New("template missing")
		default:
			if ev.Request.CodeParameter != "{####}" {
				return ev, errors.New("no code parameter")
			}
			ev.Response.EmailMessage = ev.TriggerSource + ": " + ev.Request.CodeParameter
		}
		return ev, nil
	})
	ctx := context.Background()
	signUp := func(name string) (account.SignUpResult, error) {
		return e.svc.SignUp(ctx, e.pool, account.SignUpInput{Username: name, Password: goodPW, Attributes: map[string]string{"email": name + "@example.com"}})
	}
	res, err := signUp("ann")
	if err != nil {
		t.Fatal(err)
	}
	lastText := func(to string) string {
		for _, m := range slices.Backward(e.box.Messages()) {
			if m.To == to {
				return m.Text
			}
		}
		t.Fatalf("no mail to %s", to)
		return ""
	}
	if want := "CustomMessage_SignUp: " + e.box.LastCode(t, "ann@example.com"); lastText("ann@example.com") != want {
		t.Fatalf("mail = %q, want %q", lastText("ann@example.com"), want)
	}
	e.clock.Advance(time.Minute)
	if _, err := e.svc.ResendConfirmationCode(ctx, e.pool, "ann"); err != nil {
		t.Fatal(err)
	}
	if want := "CustomMessage_ResendCode: " + e.box.LastCode(t, "ann@example.com"); lastText("ann@example.com") != want {
		t.Fatalf("mail = %q, want %q", lastText("ann@example.com"), want)
	}
	if _, err := e.svc.ConfirmSignUp(ctx, e.pool, "ann", e.box.LastCode(t, "ann@example.com")); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Minute)
	if _, err := e.svc.GetUserAttributeVerificationCode(ctx, e.pool, res.User.Sub, "email"); err != nil {
		t.Fatal(err)
	}
	if want := "CustomMessage_VerifyUserAttribute: " + e.box.LastCode(t, "ann@example.com"); lastText("ann@example.com") != want {
		t.Fatalf("mail = %q, want %q", lastText("ann@example.com"), want)
	}
	// Without the placeholder the pool's own message goes out.
	if _, err := signUp("nocode"); err != nil {
		t.Fatal(err)
	}
	if txt := lastText("nocode@example.com"); strings.Contains(txt, "no code here") || !codePattern.MatchString(txt) {
		t.Fatalf("mail = %q, want the pool's message with the code", txt)
	}
	// A failure is the answer; the user exists, the mail is not sent.
	_, err = signUp("broken")
	if ae := wantErr(t, err, account.UserLambdaValidationException); ae.Message != "CustomMessage failed with error template missing." {
		t.Fatalf("message = %q", ae.Message)
	}
	if n := e.box.Count("broken@example.com"); n != 0 {
		t.Fatalf("%d mails sent after a failed custom message", n)
	}
}

func TestPreAndPostAuthentication(t *testing.T) {
	e, tr := newTriggerEnv(t, nil, pool.TriggerPreAuthentication, pool.TriggerPostAuthentication)
	e.signUp(t, "ann", "ann@example.com", goodPW)
	e.signUp(t, "bob", "bob@example.com", goodPW)
	var post events.CognitoEventUserPoolsPostAuthentication
	tr.Handle(pool.TriggerPreAuthentication, func(_ context.Context, ev events.CognitoEventUserPoolsPreAuthentication) (events.CognitoEventUserPoolsPreAuthentication, error) {
		if ev.UserName == "bob" {
			return ev, errors.New("bob is banned")
		}
		return ev, nil
	})
	tr.Handle(pool.TriggerPostAuthentication, func(_ context.Context, ev events.CognitoEventUserPoolsPostAuthentication) (events.CognitoEventUserPoolsPostAuthentication, error) {
		post = ev
		return ev, nil
	})
	ctx := context.Background()
	if _, err := e.svc.Authenticate(ctx, e.pool, "ann", goodPW); err != nil {
		t.Fatalf("Authenticate: %v", err)
	}
	if want := []string{trigger.SourcePreAuthentication, trigger.SourcePostAuthentication}; !slices.Equal(tr.Sources(), want) {
		t.Fatalf("sources = %v, want %v", tr.Sources(), want)
	}
	if post.UserName != "ann" || post.Request.NewDeviceUsed || post.Request.UserAttributes["email"] != "ann@example.com" {
		t.Fatalf("post authentication event = %+v", post)
	}
	// A wrong password runs pre authentication only.
	_, err := e.svc.Authenticate(ctx, e.pool, "ann", "Wr0ng-Password")
	wantErr(t, err, account.NotAuthorizedException)
	if got := tr.Count(trigger.SourcePostAuthentication); got != 1 {
		t.Fatalf("%d post authentication events, want 1", got)
	}
	// The refusal of pre authentication comes first and counts no attempt.
	_, err = e.svc.Authenticate(ctx, e.pool, "bob", "Wr0ng-Password")
	if ae := wantErr(t, err, account.UserLambdaValidationException); ae.Message != "PreAuthentication failed with error bob is banned." {
		t.Fatalf("message = %q", ae.Message)
	}
	bob, _ := e.svc.Lookup(ctx, e.pool, "bob")
	if bob.FailedLogins != 0 {
		t.Fatalf("failed logins = %d after a refused pre authentication", bob.FailedLogins)
	}
	// An unknown user runs nothing.
	before := len(tr.Sources())
	_, err = e.svc.Authenticate(ctx, e.pool, "nobody", goodPW)
	wantErr(t, err, account.UserNotFoundException)
	if len(tr.Sources()) != before {
		t.Fatal("a trigger ran for an unknown user")
	}
}

func TestPostAuthenticationFailureRefusesSignIn(t *testing.T) {
	e, tr := newTriggerEnv(t, nil, pool.TriggerPostAuthentication)
	e.signUp(t, "ann", "ann@example.com", goodPW)
	tr.HandleRaw(pool.TriggerPostAuthentication, stall)
	_, err := e.svc.Authenticate(context.Background(), e.pool, "ann", goodPW)
	wantErr(t, err, account.UnexpectedLambdaException)
}

// migrateHandler vouches for the users of a legacy directory.
func migrateHandler(legacy map[string]string, status string) func(context.Context, events.CognitoEventUserPoolsMigrateUser) (events.CognitoEventUserPoolsMigrateUser, error) {
	return func(_ context.Context, ev events.CognitoEventUserPoolsMigrateUser) (events.CognitoEventUserPoolsMigrateUser, error) {
		pw, ok := legacy[ev.UserName]
		if !ok || ev.TriggerSource == trigger.SourceUserMigrationAuthentication && ev.CognitoEventUserPoolsMigrateUserRequest.Password != pw {
			return ev, errors.New("Bad password")
		}
		resp := &ev.CognitoEventUserPoolsMigrateUserResponse
		resp.UserAttributes = map[string]string{"email": ev.UserName + "@legacy.example", "email_verified": "true"}
		resp.FinalUserStatus = status
		resp.MessageAction = "SUPPRESS"
		return ev, nil
	}
}

func TestUserMigrationAtSignIn(t *testing.T) {
	e, tr := newTriggerEnv(t, nil, pool.TriggerUserMigration)
	legacyPW := "Legacy-Passw0rd"
	e.logs.Secret(legacyPW)
	tr.Handle(pool.TriggerUserMigration, migrateHandler(map[string]string{"old": legacyPW}, "CONFIRMED"))
	ctx := context.Background()
	u, err := e.svc.Authenticate(ctx, e.pool, "old", legacyPW)
	if err != nil {
		t.Fatalf("Authenticate: %v", err)
	}
	stored := e.user(t, u.Sub)
	if stored.Status != pool.StatusConfirmed || stored.Email() != "old@legacy.example" || !stored.EmailVerified() {
		t.Fatalf("migrated user = %s %v", stored.Status, stored.Attributes)
	}
	if stored.PasswordHash == "" || strings.Contains(stored.PasswordHash, legacyPW) || len(stored.SRPVerifier) == 0 {
		t.Fatal("password not stored as a hash and verifier")
	}
	if got := tr.Count(trigger.SourceUserMigrationAuthentication); got != 1 {
		t.Fatalf("%d migration events", got)
	}
	// The second sign-in is linkpool's own.
	if _, err := e.svc.Authenticate(ctx, e.pool, "old", legacyPW); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Authenticate(ctx, e.pool, "old", "Wr0ng-Password"); account.TypeOf(err) != account.NotAuthorizedException {
		t.Fatalf("wrong password after migration: %v", err)
	}
	if got := tr.Count(trigger.SourceUserMigrationAuthentication); got != 1 {
		t.Fatalf("%d migration events after later sign-ins, want 1", got)
	}
	// Unknown to both, or a wrong password: the answer of an unknown user.
	_, err = e.svc.Authenticate(ctx, e.pool, "old2", legacyPW)
	wantErr(t, err, account.UserNotFoundException)
	if n := e.userCount(t); n != 1 {
		t.Fatalf("%d users, want 1", n)
	}
	e.logs.NoSecrets(t)
}

func TestUserMigrationFailuresAnswerUnknownUser(t *testing.T) {
	for name, h := range map[string]http.HandlerFunc{"timeout": stall, "malformed": malformedAnswer} {
		t.Run(name, func(t *testing.T) {
			e, tr := newTriggerEnv(t, nil, pool.TriggerUserMigration)
			tr.HandleRaw(pool.TriggerUserMigration, h)
			_, err := e.svc.Authenticate(context.Background(), e.pool, "old", goodPW)
			wantErr(t, err, account.UserNotFoundException)
			if n := e.userCount(t); n != 0 {
				t.Fatalf("%d users stored", n)
			}
		})
	}
}

func TestUserMigrationResetRequired(t *testing.T) {
	e, tr := newTriggerEnv(t, nil, pool.TriggerUserMigration)
	tr.Handle(pool.TriggerUserMigration, migrateHandler(map[string]string{"old": goodPW}, "RESET_REQUIRED"))
	_, err := e.svc.Authenticate(context.Background(), e.pool, "old", goodPW)
	wantErr(t, err, account.PasswordResetRequiredException)
}

func TestUserMigrationForgotPassword(t *testing.T) {
	e, tr := newTriggerEnv(t, nil, pool.TriggerUserMigration)
	tr.Handle(pool.TriggerUserMigration, migrateHandler(map[string]string{"old": ""}, "RESET_REQUIRED"))
	ctx := context.Background()
	d, err := e.svc.ForgotPassword(ctx, e.pool, "old")
	if err != nil {
		t.Fatalf("ForgotPassword: %v", err)
	}
	if d.Destination != account.MaskEmail("old@legacy.example") {
		t.Fatalf("delivery = %+v", d)
	}
	if got := tr.Count(trigger.SourceUserMigrationForgotPassword); got != 1 {
		t.Fatalf("%d migration events", got)
	}
	u, err := e.svc.Lookup(ctx, e.pool, "old")
	if err != nil || u.Status != pool.StatusResetRequired || u.PasswordHash != "" {
		t.Fatalf("migrated user = %+v, %v", u.Status, err)
	}
	if err := e.svc.ConfirmForgotPassword(ctx, e.pool, "old", e.box.LastCode(t, "old@legacy.example"), "N3w-Passw0rd!"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Authenticate(ctx, e.pool, "old", "N3w-Passw0rd!"); err != nil {
		t.Fatal(err)
	}
	// Unknown to the trigger: the answer of an unknown user.
	_, err = e.svc.ForgotPassword(ctx, e.pool, "stranger")
	wantErr(t, err, account.UserNotFoundException)
}

// TestCustomMessageAttributeAndSignInCodes: the code of a changed
// address is CustomMessage_UpdateUserAttribute and the email codes of
// sign-in and MFA are CustomMessage_Authentication.
func TestCustomMessageAttributeAndSignInCodes(t *testing.T) {
	e, tr := newTriggerEnv(t, mfaPool, pool.TriggerCustomMessage)
	u := e.signUp(t, "ann", "ann@example.com", goodPW)
	tr.Handle(pool.TriggerCustomMessage, func(_ context.Context, ev events.CognitoEventUserPoolsCustomMessage) (events.CognitoEventUserPoolsCustomMessage, error) {
		ev.Response.EmailMessage = ev.TriggerSource + ": " + ev.Request.CodeParameter
		return ev, nil
	})
	ctx := context.Background()
	lastText := func() string {
		ms := e.box.Messages()
		return ms[len(ms)-1].Text
	}
	if _, err := e.svc.SendEmailOTP(ctx, e.pool, u.Sub, pool.CodeEmailMFA); err != nil {
		t.Fatal(err)
	}
	if want := "CustomMessage_Authentication: " + e.box.LastOTP(t, "ann@example.com"); lastText() != want {
		t.Fatalf("mail = %q, want %q", lastText(), want)
	}
	cl := pool.NewClient(e.pool.ID, "app", e.clock.Now())
	if _, err := e.svc.UpdateUserAttributes(ctx, e.pool, cl, u.Sub, map[string]string{"email": "ann@new.example"}); err != nil {
		t.Fatal(err)
	}
	if want := "CustomMessage_UpdateUserAttribute: " + e.box.LastCode(t, "ann@new.example"); lastText() != want {
		t.Fatalf("mail = %q, want %q", lastText(), want)
	}
	// The sign-up's code mail went through it too, answered with the
	// event unchanged: the pool's own message.
	if got := tr.Count(trigger.SourceCustomMessageSignUp); got != 1 {
		t.Fatalf("%d CustomMessage_SignUp events", got)
	}
}

// TestAuthenticationTriggersEmailSignInCode: the email code as a first
// factor runs pre authentication before the code is mailed and post
// authentication when it is right.
func TestAuthenticationTriggersEmailSignInCode(t *testing.T) {
	e, tr := newTriggerEnv(t, emailSignInPool, pool.TriggerPreAuthentication, pool.TriggerPostAuthentication)
	u := e.signUp(t, "ann", "ann@example.com", goodPW)
	e.signUp(t, "bob", "bob@example.com", goodPW)
	tr.Handle(pool.TriggerPreAuthentication, func(_ context.Context, ev events.CognitoEventUserPoolsPreAuthentication) (events.CognitoEventUserPoolsPreAuthentication, error) {
		if ev.UserName == "bob" {
			return ev, errors.New("bob is banned")
		}
		return ev, nil
	})
	ctx := context.Background()
	if _, err := e.svc.SendSignInCode(ctx, e.pool, "ann"); err != nil {
		t.Fatal(err)
	}
	if want := []string{trigger.SourcePreAuthentication}; !slices.Equal(tr.Sources(), want) {
		t.Fatalf("sources = %v, want %v", tr.Sources(), want)
	}
	if _, err := e.svc.VerifyEmailOTP(ctx, e.pool, u.Sub, e.box.LastOTP(t, "ann@example.com"), pool.CodeEmailSignIn); err != nil {
		t.Fatal(err)
	}
	if want := []string{trigger.SourcePreAuthentication, trigger.SourcePostAuthentication}; !slices.Equal(tr.Sources(), want) {
		t.Fatalf("sources = %v, want %v", tr.Sources(), want)
	}
	before := len(e.box.Messages())
	_, err := e.svc.SendSignInCode(ctx, e.pool, "bob")
	wantErr(t, err, account.UserLambdaValidationException)
	if len(e.box.Messages()) != before {
		t.Fatal("a code was mailed to a user pre authentication refused")
	}
}

// TestUserMigrationForceAliasCreation: an address another user holds as
// its sign-in alias blocks the migration, unless the answer sets
// forceAliasCreation: then it moves to the migrated user.
func TestUserMigrationForceAliasCreation(t *testing.T) {
	e, tr := newTriggerEnv(t, func(p *pool.Pool) { p.AliasAttributes = []string{pool.AttrEmail} }, pool.TriggerUserMigration)
	ann := e.signUp(t, "ann", "shared@example.com", goodPW)
	force := false
	tr.Handle(pool.TriggerUserMigration, func(_ context.Context, ev events.CognitoEventUserPoolsMigrateUser) (events.CognitoEventUserPoolsMigrateUser, error) {
		r := &ev.CognitoEventUserPoolsMigrateUserResponse
		r.UserAttributes = map[string]string{"email": "shared@example.com", "email_verified": "true"}
		r.ForceAliasCreation = force
		return ev, nil
	})
	ctx := context.Background()
	_, err := e.svc.Authenticate(ctx, e.pool, "olga", goodPW)
	wantErr(t, err, account.UserNotFoundException)
	if n := e.userCount(t); n != 1 {
		t.Fatalf("%d users, want 1", n)
	}
	force = true
	olga, err := e.svc.Authenticate(ctx, e.pool, "olga", goodPW)
	if err != nil {
		t.Fatalf("Authenticate with forceAliasCreation: %v", err)
	}
	if got, err := e.svc.Lookup(ctx, e.pool, "shared@example.com"); err != nil || got.Sub != olga.Sub {
		t.Fatalf("the address signs in %v (%v), want the migrated user", got.Username, err)
	}
	if prev := e.user(t, ann.Sub); prev.EmailVerified() || prev.Email() != "shared@example.com" {
		t.Fatalf("previous holder: %v", prev.Attributes)
	}
	if _, err := e.svc.Authenticate(ctx, e.pool, "ann", goodPW); err != nil {
		t.Fatalf("the previous holder signs in by username: %v", err)
	}
}

// TestCustomMessageHTML: a message with HTML tags is sent as HTML, with
// the username escaped into it and a text part derived from it.
func TestCustomMessageHTML(t *testing.T) {
	e, tr := newTriggerEnv(t, nil, pool.TriggerCustomMessage)
	tr.Handle(pool.TriggerCustomMessage, func(_ context.Context, ev events.CognitoEventUserPoolsCustomMessage) (events.CognitoEventUserPoolsCustomMessage, error) {
		ev.Response.EmailMessage = "<p>Hello " + ev.Request.UsernameParameter + ",</p><p>your code is <b>" + ev.Request.CodeParameter + "</b></p>"
		return ev, nil
	})
	if _, err := e.svc.SignUp(context.Background(), e.pool, account.SignUpInput{Username: "a<b>&c", Password: goodPW, Attributes: map[string]string{"email": "ab@example.com"}}); err != nil {
		t.Fatal(err)
	}
	m := e.box.Messages()[0]
	code := e.box.LastCode(t, "ab@example.com")
	if m.HTML != "<p>Hello a&lt;b&gt;&amp;c,</p><p>your code is <b>"+code+"</b></p>" {
		t.Fatalf("HTML = %q", m.HTML)
	}
	if m.Text != "Hello a<b>&c,\n\nyour code is "+code {
		t.Fatalf("text = %q", m.Text)
	}
}
