package cognitoapi_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"
	"golang.org/x/oauth2"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/app"
	"github.com/linkpool/linkpool/internal/apptest"
	"github.com/linkpool/linkpool/internal/cognitoapi"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/testclock"
)

// code returns the code of the last mail to to, once the outbox has
// delivered what it holds.
func (e *env) code(t *testing.T, m *apptest.Mailbox, to string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := e.app.Mail.Flush(ctx); err != nil {
		t.Fatalf("outbox not delivered: %v", err)
	}
	return m.LastCode(t, to)
}

// count is the number of mails delivered to to.
func (e *env) count(t *testing.T, m *apptest.Mailbox, to string) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := e.app.Mail.Flush(ctx); err != nil {
		t.Fatalf("outbox not delivered: %v", err)
	}
	n := 0
	for _, s := range m.Messages() {
		if s.To == to {
			n++
		}
	}
	return n
}

// mailEnv is an env whose mail lands in an inbox, on a test clock,
// with per-address limits that these tests stay within unless rates
// says otherwise.
func mailEnv(t testing.TB, rates ...app.UIRates) (*env, *apptest.Mailbox, *testclock.Clock) {
	r := app.DefaultUIRates
	r.SignUp = app.Rate{PerMinute: 600, Burst: 100}
	r.ForgotPassword = app.Rate{PerMinute: 600, Burst: 100}
	if len(rates) > 0 {
		r = rates[0]
	}
	limits := r.Limits()
	e := newEnv(t, func(c *app.Config) { c.UILimits = &limits })
	return e, e.kit.Mail, e.kit.Clock
}

// anon is the real SDK without credentials: the unsigned actions need
// none.
func (e *env) anon() *cip.Client {
	return cip.New(cip.Options{
		Region:           "eu-west-1",
		BaseEndpoint:     aws.String(e.srv.URL),
		Credentials:      aws.AnonymousCredentials{},
		RetryMaxAttempts: 1,
	})
}

// publicClient adds an app client without a secret to e's pool.
func (e *env) publicClient(t *testing.T, existence string) pool.Client {
	t.Helper()
	c := pool.NewClient(e.pool.ID, "app", time.Now())
	c.CallbackURLs = []string{rpCallback}
	c.AllowedOAuthFlows = []string{pool.FlowCode}
	c.AllowedOAuthFlowsUserPoolClient = true
	c.AllowedOAuthScopes = []string{pool.ScopeOpenID, pool.ScopeEmail}
	c.PreventUserExistenceErrors = existence
	if err := e.app.Store.CreateClient(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	return c
}

func (e *env) hash(username string) *string {
	return aws.String(cognitoapi.SecretHash(e.secret, username, e.client.ID))
}

// hostedSignIn signs username in on the hosted pages with e's
// confidential client and exchanges the code for tokens.
func (e *env) hostedSignIn(t *testing.T, username, pw string) {
	t.Helper()
	cfg := oauth2.Config{
		ClientID: e.client.ID, ClientSecret: e.secret, RedirectURL: rpCallback, Scopes: []string{"openid", "email"},
		Endpoint: oauth2.Endpoint{AuthURL: e.srv.URL + "/" + e.pool.ID + "/oauth2/authorize", TokenURL: e.srv.URL + "/" + e.pool.ID + "/oauth2/token"},
	}
	verifier := oauth2.GenerateVerifier()
	cb := signIn(t, browser(), cfg.AuthCodeURL("st", oauth2.S256ChallengeOption(verifier)), username, pw)
	if cb.Query().Get("code") == "" {
		t.Fatalf("%s did not sign in: callback %s", username, cb)
	}
	tok, err := cfg.Exchange(context.Background(), cb.Query().Get("code"), oauth2.VerifierOption(verifier))
	if err != nil || tok.AccessToken == "" {
		t.Fatalf("exchange: %v", err)
	}
}

// hostedRefused checks that the hosted pages refuse username/pw: the
// login form answers again instead of redirecting to the callback.
func (e *env) hostedRefused(t *testing.T, username, pw string) {
	t.Helper()
	authURL := e.srv.URL + "/" + e.pool.ID + "/oauth2/authorize?" + url.Values{
		"response_type": {"code"}, "client_id": {e.client.ID}, "redirect_uri": {rpCallback}, "scope": {"openid"},
	}.Encode()
	if st := postLogin(t, browser(), authURL, username, pw); st == http.StatusFound || st == http.StatusSeeOther {
		t.Fatalf("hosted sign-in of %s with that password succeeded", username)
	}
}

// wantAPIError checks err is the AWS error typ with message msg ("" for
// any).
func wantAPIError(t *testing.T, err error, typ, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("want %s, got %v", typ, err)
	}
	if ae.ErrorCode() != typ || (msg != "" && ae.ErrorMessage() != msg) {
		t.Fatalf("want %s %q, got %s %q", typ, msg, ae.ErrorCode(), ae.ErrorMessage())
	}
}

func TestSignUpConfirmSignIn(t *testing.T) {
	e, m, clk := mailEnv(t)
	ctx := context.Background()
	c := e.anon()

	out, err := c.SignUp(ctx, &cip.SignUpInput{
		ClientId: aws.String(e.client.ID), SecretHash: e.hash("erin"),
		Username: aws.String("erin"), Password: aws.String("Sign-Up-Pass-1!"),
		UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String("erin@example.com")}, {Name: aws.String("name"), Value: aws.String("Erin")}},
		ValidationData: []types.AttributeType{{Name: aws.String("anything"), Value: aws.String("ignored")}},
		ClientMetadata: map[string]string{"source": "test"},
	})
	if err != nil {
		t.Fatalf("SignUp: %v", err)
	}
	d := out.CodeDeliveryDetails
	if out.UserConfirmed || aws.ToString(out.UserSub) == "" || d == nil || aws.ToString(d.Destination) != "e***@e***.com" || d.DeliveryMedium != types.DeliveryMediumTypeEmail || aws.ToString(d.AttributeName) != "email" {
		t.Fatalf("SignUp answer: %+v %+v", out, d)
	}
	u, err := e.app.Store.GetUserByUsername(ctx, e.pool.ID, e.pool.UsernameKey("erin"))
	if err != nil || u.Sub != aws.ToString(out.UserSub) || u.Status != pool.StatusUnconfirmed || u.Attributes["name"] != "Erin" {
		t.Fatalf("stored user: %+v %v", u, err)
	}
	// Not confirmed yet: the hosted pages do not sign the user in.
	e.hostedRefused(t, "erin", "Sign-Up-Pass-1!")

	code := e.code(t, m, "erin@example.com")
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	_, err = c.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: aws.String(e.client.ID), SecretHash: e.hash("erin"), Username: aws.String("erin"), ConfirmationCode: aws.String(wrong)})
	wantAPIError(t, err, "CodeMismatchException", "Invalid verification code provided, please try again.")
	if after, _ := e.app.Store.GetUserByUsername(ctx, e.pool.ID, e.pool.UsernameKey("erin")); after.Status != pool.StatusUnconfirmed {
		t.Fatalf("a wrong code changed the status: %s", after.Status)
	}

	// Resend: a new code, the old one stops working.
	clk.Advance(account.DefaultCodeInterval + time.Second)
	rc, err := c.ResendConfirmationCode(ctx, &cip.ResendConfirmationCodeInput{ClientId: aws.String(e.client.ID), SecretHash: e.hash("erin"), Username: aws.String("erin")})
	if err != nil || aws.ToString(rc.CodeDeliveryDetails.Destination) != "e***@e***.com" {
		t.Fatalf("ResendConfirmationCode: %+v %v", rc, err)
	}
	// The pending-code interval applies, as on the hosted pages.
	_, err = c.ResendConfirmationCode(ctx, &cip.ResendConfirmationCodeInput{ClientId: aws.String(e.client.ID), SecretHash: e.hash("erin"), Username: aws.String("erin")})
	wantAPIError(t, err, "LimitExceededException", "Attempt limit exceeded, please try after some time.")
	code2 := e.code(t, m, "erin@example.com")
	if code2 != code {
		_, err = c.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: aws.String(e.client.ID), SecretHash: e.hash("erin"), Username: aws.String("erin"), ConfirmationCode: aws.String(code)})
		wantAPIError(t, err, "CodeMismatchException", "")
	}
	if _, err := c.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: aws.String(e.client.ID), SecretHash: e.hash("erin"), Username: aws.String("erin"), ConfirmationCode: aws.String(code2)}); err != nil {
		t.Fatalf("ConfirmSignUp: %v", err)
	}
	u, _ = e.app.Store.GetUserByUsername(ctx, e.pool.ID, e.pool.UsernameKey("erin"))
	if u.Status != pool.StatusConfirmed || !u.EmailVerified() {
		t.Fatalf("after ConfirmSignUp: %s verified=%v", u.Status, u.EmailVerified())
	}
	_, err = c.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: aws.String(e.client.ID), SecretHash: e.hash("erin"), Username: aws.String("erin"), ConfirmationCode: aws.String(code2)})
	wantAPIError(t, err, "NotAuthorizedException", "User cannot be confirmed. Current status is CONFIRMED")

	// The user the API signed up signs in on the hosted pages.
	e.hostedSignIn(t, "erin", "Sign-Up-Pass-1!")

	// The name is taken now.
	before := e.snapshot(t)
	_, err = c.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(e.client.ID), SecretHash: e.hash("erin"), Username: aws.String("erin"), Password: aws.String("Sign-Up-Pass-2!"),
		UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String("other@example.com")}}})
	wantAPIError(t, err, "UsernameExistsException", "User already exists")
	if e.snapshot(t) != before {
		t.Fatal("a refused SignUp changed the pool")
	}
}

func TestSignUpAutoConfirmPublicClient(t *testing.T) {
	e, m, _ := mailEnv(t)
	ctx := context.Background()
	if err := e.app.Store.UpdatePool(ctx, e.pool.ID, func(p pool.Pool) (pool.Pool, error) {
		p.AutoConfirmSignUp = true
		return p, nil
	}); err != nil {
		t.Fatal(err)
	}
	pub := e.publicClient(t, pool.ExistenceLegacy)
	c := e.anon()
	out, err := c.SignUp(ctx, &cip.SignUpInput{
		ClientId: aws.String(pub.ID), Username: aws.String("finn"), Password: aws.String("Sign-Up-Pass-1!"),
		UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String("finn@example.com")}},
	})
	if err != nil || !out.UserConfirmed || out.CodeDeliveryDetails != nil {
		t.Fatalf("SignUp in an auto-confirming pool: %+v %v", out, err)
	}
	if n := e.count(t, m, "finn@example.com"); n != 0 {
		t.Fatalf("%d mails sent for an auto-confirmed sign-up", n)
	}
	e.hostedSignIn(t, "finn", "Sign-Up-Pass-1!")

	// A client without a secret may not send one.
	_, err = c.SignUp(ctx, &cip.SignUpInput{
		ClientId: aws.String(pub.ID), SecretHash: aws.String(cognitoapi.SecretHash("x", "gina", pub.ID)), Username: aws.String("gina"), Password: aws.String("Sign-Up-Pass-1!"),
	})
	wantAPIError(t, err, "InvalidParameterException", "App client "+pub.ID+" is not configured for secret but secret hash was received")

	// LEGACY clients tell an unknown user.
	_, err = c.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: aws.String(pub.ID), Username: aws.String("nobody")})
	wantAPIError(t, err, "UserNotFoundException", "User does not exist.")
	_, err = c.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{ClientId: aws.String(pub.ID), Username: aws.String("nobody"), ConfirmationCode: aws.String("123456"), Password: aws.String("New-Pass-123!")})
	wantAPIError(t, err, "UserNotFoundException", "User does not exist.")
}

func TestSignUpRefusals(t *testing.T) {
	e, _, _ := mailEnv(t)
	ctx := context.Background()
	c := e.anon()
	before := e.snapshot(t)
	email := []types.AttributeType{{Name: aws.String("email"), Value: aws.String("hal@example.com")}}

	cases := []struct {
		name     string
		in       cip.SignUpInput
		typ, msg string
	}{
		{"unknown client", cip.SignUpInput{ClientId: aws.String("nosuchclient0000000000000a"), Username: aws.String("hal"), Password: aws.String("Sign-Up-Pass-1!"), UserAttributes: email},
			"ResourceNotFoundException", "User pool client nosuchclient0000000000000a does not exist."},
		{"no secret hash", cip.SignUpInput{ClientId: aws.String(e.client.ID), Username: aws.String("hal"), Password: aws.String("Sign-Up-Pass-1!"), UserAttributes: email},
			"NotAuthorizedException", "Client " + e.client.ID + " is configured with secret but SECRET_HASH was not received"},
		{"hash of another name", cip.SignUpInput{ClientId: aws.String(e.client.ID), SecretHash: e.hash("hal2"), Username: aws.String("hal"), Password: aws.String("Sign-Up-Pass-1!"), UserAttributes: email},
			"NotAuthorizedException", "Unable to verify secret hash for client " + e.client.ID},
		{"hash with another secret", cip.SignUpInput{ClientId: aws.String(e.client.ID), SecretHash: aws.String(cognitoapi.SecretHash("not-the-secret", "hal", e.client.ID)), Username: aws.String("hal"), Password: aws.String("Sign-Up-Pass-1!"), UserAttributes: email},
			"NotAuthorizedException", "Unable to verify secret hash for client " + e.client.ID},
		{"short password", cip.SignUpInput{ClientId: aws.String(e.client.ID), SecretHash: e.hash("hal"), Username: aws.String("hal"), Password: aws.String("Sh0rt!"), UserAttributes: email},
			"InvalidPasswordException", "Password did not conform with policy: Password not long enough"},
		{"no symbol", cip.SignUpInput{ClientId: aws.String(e.client.ID), SecretHash: e.hash("hal"), Username: aws.String("hal"), Password: aws.String("NoSymbolsHere123"), UserAttributes: email},
			"InvalidPasswordException", "Password did not conform with policy: Password must have symbol characters"},
		{"no email to send the code to", cip.SignUpInput{ClientId: aws.String(e.client.ID), SecretHash: e.hash("hal"), Username: aws.String("hal"), Password: aws.String("Sign-Up-Pass-1!")},
			"InvalidParameterException", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.SignUp(ctx, &tc.in)
			wantAPIError(t, err, tc.typ, tc.msg)
		})
	}
	// What the SDK checks before sending, the server checks too.
	st, h, body := e.raw(t, cognitoapi.TargetPrefix+"SignUp", "", `{"Username":"hal","Password":"Sign-Up-Pass-1!"}`)
	if st != http.StatusBadRequest || h.Get("x-amzn-ErrorType") != "InvalidParameterException" ||
		body["message"] != "1 validation error detected: Value null at 'clientId' failed to satisfy constraint: Member must not be null" {
		t.Fatalf("SignUp without ClientId: %d %v", st, body)
	}
	if e.snapshot(t) != before {
		t.Fatal("a refused SignUp changed the pool")
	}
}

func TestForgotPasswordFlow(t *testing.T) {
	e, m, clk := mailEnv(t)
	ctx := context.Background()
	c := e.anon()
	if _, err := e.app.Accounts.AdminCreateUser(ctx, e.pool, account.AdminCreateUserInput{
		Username: "ivy", TemporaryPassword: "Old-Password-1!", Attributes: map[string]string{"email": "ivy@example.com"},
		EmailVerified: true, Permanent: true,
	}); err != nil {
		t.Fatal(err)
	}

	fp, err := c.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: aws.String(e.client.ID), SecretHash: e.hash("ivy"), Username: aws.String("ivy")})
	if err != nil || aws.ToString(fp.CodeDeliveryDetails.Destination) != "i***@e***.com" || fp.CodeDeliveryDetails.DeliveryMedium != types.DeliveryMediumTypeEmail {
		t.Fatalf("ForgotPassword: %+v %v", fp, err)
	}
	code := e.code(t, m, "ivy@example.com")
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	before := e.snapshot(t)
	confirm := func(username, code, pw string, hash *string) error {
		_, err := c.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{ClientId: aws.String(e.client.ID), SecretHash: hash, Username: aws.String(username), ConfirmationCode: aws.String(code), Password: aws.String(pw)})
		return err
	}
	wantAPIError(t, confirm("ivy", code, "short", e.hash("ivy")), "InvalidPasswordException", "Password did not conform with policy: Password not long enough")
	wantAPIError(t, confirm("ivy", code, "New-Password-1!", nil), "NotAuthorizedException", "Client "+e.client.ID+" is configured with secret but SECRET_HASH was not received")
	wantAPIError(t, confirm("ivy", code, "New-Password-1!", e.hash("ivx")), "NotAuthorizedException", "Unable to verify secret hash for client "+e.client.ID)
	if e.snapshot(t) != before {
		t.Fatal("a refused ConfirmForgotPassword changed the pool")
	}
	wantAPIError(t, confirm("ivy", wrong, "New-Password-1!", e.hash("ivy")), "CodeMismatchException", "Invalid verification code provided, please try again.")
	e.hostedSignIn(t, "ivy", "Old-Password-1!")

	if err := confirm("ivy", code, "New-Password-1!", e.hash("ivy")); err != nil {
		t.Fatalf("ConfirmForgotPassword: %v", err)
	}
	e.hostedSignIn(t, "ivy", "New-Password-1!")
	e.hostedRefused(t, "ivy", "Old-Password-1!")
	// The code is used up.
	wantAPIError(t, confirm("ivy", code, "Other-Password-1!", e.hash("ivy")), "ExpiredCodeException", "Invalid code provided, please request a code again.")

	// A code past its lifetime (one hour) is expired.
	clk.Advance(time.Minute)
	if _, err := c.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: aws.String(e.client.ID), SecretHash: e.hash("ivy"), Username: aws.String("ivy")}); err != nil {
		t.Fatalf("ForgotPassword: %v", err)
	}
	code = e.code(t, m, "ivy@example.com")
	clk.Advance(time.Hour + time.Minute)
	before = e.snapshot(t)
	wantAPIError(t, confirm("ivy", code, "Other-Password-1!", e.hash("ivy")), "ExpiredCodeException", "Invalid code provided, please request a code again.")
	e.hostedSignIn(t, "ivy", "New-Password-1!")

	// PreventUserExistenceErrors (this client has it): an unknown user
	// is answered like a known one, and nothing is mailed.
	fp, err = c.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: aws.String(e.client.ID), SecretHash: e.hash("nobody@example.org"), Username: aws.String("nobody@example.org")})
	if err != nil || aws.ToString(fp.CodeDeliveryDetails.Destination) != "n***@e***.org" || fp.CodeDeliveryDetails.DeliveryMedium != types.DeliveryMediumTypeEmail || aws.ToString(fp.CodeDeliveryDetails.AttributeName) != "email" {
		t.Fatalf("ForgotPassword for an unknown user: %+v %v", fp, err)
	}
	fp2, err := c.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: aws.String(e.client.ID), SecretHash: e.hash("nobody"), Username: aws.String("nobody")})
	if err != nil || fp2.CodeDeliveryDetails == nil || aws.ToString(fp2.CodeDeliveryDetails.Destination) == "" {
		t.Fatalf("ForgotPassword for an unknown user: %+v %v", fp2, err)
	}
	rc, err := c.ResendConfirmationCode(ctx, &cip.ResendConfirmationCodeInput{ClientId: aws.String(e.client.ID), SecretHash: e.hash("nobody"), Username: aws.String("nobody")})
	if err != nil || rc.CodeDeliveryDetails == nil {
		t.Fatalf("ResendConfirmationCode for an unknown user: %+v %v", rc, err)
	}
	wantAPIError(t, confirm("nobody", "123456", "Other-Password-1!", e.hash("nobody")), "CodeMismatchException", "Invalid verification code provided, please try again.")
	_, err = c.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: aws.String(e.client.ID), SecretHash: e.hash("nobody"), Username: aws.String("nobody"), ConfirmationCode: aws.String("123456")})
	wantAPIError(t, err, "CodeMismatchException", "Invalid verification code provided, please try again.")
	if n := e.count(t, m, "nobody@example.org"); n != 0 {
		t.Fatalf("%d mails to an unknown address", n)
	}
	if e.snapshot(t) != before {
		t.Fatal("calls for an unknown user changed the pool")
	}
}

// TestUnsignedActionsRateLimited: the unsigned actions take from the
// hosted pages' per-address budgets, and a refused call changes nothing.
func TestUnsignedActionsRateLimited(t *testing.T) {
	r := app.DefaultUIRates
	r.SignUp = app.Rate{PerMinute: 0.001, Burst: 2}
	r.ForgotPassword = app.Rate{PerMinute: 0.001, Burst: 1}
	e, m, _ := mailEnv(t, r)
	ctx := context.Background()
	c := e.anon()
	signUp := func(name string) error {
		_, err := c.SignUp(ctx, &cip.SignUpInput{
			ClientId: aws.String(e.client.ID), SecretHash: e.hash(name), Username: aws.String(name), Password: aws.String("Sign-Up-Pass-1!"),
			UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String(name + "@example.com")}},
		})
		return err
	}
	for _, name := range []string{"kim", "lou"} {
		if err := signUp(name); err != nil {
			t.Fatalf("SignUp %s: %v", name, err)
		}
	}
	before := e.snapshot(t)
	wantAPIError(t, signUp("max"), "TooManyRequestsException", "Too many requests")
	_, err := c.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: aws.String(e.client.ID), SecretHash: e.hash("kim"), Username: aws.String("kim"), ConfirmationCode: aws.String(e.code(t, m, "kim@example.com"))})
	wantAPIError(t, err, "TooManyRequestsException", "Too many requests")
	if e.snapshot(t) != before || e.count(t, m, "max@example.com") != 0 {
		t.Fatal("a rate-limited call changed the pool or mailed")
	}
	// The reset budget is separate.
	if _, err := c.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: aws.String(e.client.ID), SecretHash: e.hash("nobody"), Username: aws.String("nobody")}); err != nil {
		t.Fatalf("ForgotPassword: %v", err)
	}
	_, err = c.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: aws.String(e.client.ID), SecretHash: e.hash("nobody"), Username: aws.String("nobody")})
	wantAPIError(t, err, "TooManyRequestsException", "Too many requests")
}

// TestSignUpCodeExpires: a sign-up code is good for a day; after that
// ConfirmSignUp is an ExpiredCodeException and the user stays
// unconfirmed, until a resent code confirms it. The pool signs in with
// the email address as username.
func TestSignUpCodeExpires(t *testing.T) {
	e, m, clk := mailEnv(t)
	ctx := context.Background()
	if err := e.app.Store.UpdatePool(ctx, e.pool.ID, func(p pool.Pool) (pool.Pool, error) {
		p.UsernameAttributes = []string{pool.AttrEmail}
		return p, nil
	}); err != nil {
		t.Fatal(err)
	}
	c := e.anon()
	const addr = "jo@example.net"
	out, err := c.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(e.client.ID), SecretHash: e.hash(addr), Username: aws.String(addr), Password: aws.String("Sign-Up-Pass-1!")})
	if err != nil || out.UserConfirmed || aws.ToString(out.CodeDeliveryDetails.Destination) != "j***@e***.net" {
		t.Fatalf("SignUp: %+v %v", out, err)
	}
	code := e.code(t, m, addr)
	clk.Advance(account.DefaultSignUpCodeTTL + time.Minute)
	before := e.snapshot(t)
	_, err = c.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: aws.String(e.client.ID), SecretHash: e.hash(addr), Username: aws.String(addr), ConfirmationCode: aws.String(code)})
	wantAPIError(t, err, "ExpiredCodeException", "Invalid code provided, please request a code again.")
	if e.snapshot(t) != before {
		t.Fatal("an expired code changed the pool")
	}
	if _, err := c.ResendConfirmationCode(ctx, &cip.ResendConfirmationCodeInput{ClientId: aws.String(e.client.ID), SecretHash: e.hash(addr), Username: aws.String(addr)}); err != nil {
		t.Fatalf("ResendConfirmationCode: %v", err)
	}
	if _, err := c.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: aws.String(e.client.ID), SecretHash: e.hash(addr), Username: aws.String(addr), ConfirmationCode: aws.String(e.code(t, m, addr))}); err != nil {
		t.Fatalf("ConfirmSignUp: %v", err)
	}
	u, err := e.app.Store.GetUserByUsername(ctx, e.pool.ID, aws.ToString(out.UserSub))
	if err != nil || u.Status != pool.StatusConfirmed {
		t.Fatalf("after ConfirmSignUp: %+v %v", u, err)
	}
	e.hostedSignIn(t, addr, "Sign-Up-Pass-1!")
}
