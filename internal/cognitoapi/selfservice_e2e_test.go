package cognitoapi_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/linkpool/linkpool/internal/apptest"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/testclock"
)

// signedIn signs username in with USER_PASSWORD_AUTH and returns the
// access and refresh tokens.
func (e *env) signedIn(t *testing.T, username, pw string) (access, refresh string) {
	t.Helper()
	out, err := e.passwordAuth(username, pw, e.hash(username))
	if err != nil {
		t.Fatalf("InitiateAuth %s: %v", username, err)
	}
	return aws.ToString(out.AuthenticationResult.AccessToken), aws.ToString(out.AuthenticationResult.RefreshToken)
}

// selfEnv is a mail env with a confirmed user "gina" signed in through
// the API.
func selfEnv(t *testing.T) (*env, *apptest.Mailbox, *testclock.Clock, string, string) {
	e, m, clk := mailEnv(t)
	e.allowFlows(t, pool.ExistenceEnabled, "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")
	e.confirmedUser(t, "gina", "Gina-Pass-1!")
	access, refresh := e.signedIn(t, "gina", "Gina-Pass-1!")
	return e, m, clk, access, refresh
}

// attrsOf is the user's attributes as GetUser answers them.
func (e *env) attrsOf(t *testing.T, access string) map[string]string {
	t.Helper()
	out, err := e.anon().GetUser(context.Background(), &cip.GetUserInput{AccessToken: aws.String(access)})
	if err != nil {
		t.Fatalf("GetUser: %v", err)
	}
	m := map[string]string{}
	for _, a := range out.UserAttributes {
		m[aws.ToString(a.Name)] = aws.ToString(a.Value)
	}
	return m
}

func newAttr(name, value string) types.AttributeType {
	return types.AttributeType{Name: aws.String(name), Value: aws.String(value)}
}

func TestUpdateUserAttributesVerifiesNewEmail(t *testing.T) {
	e, m, _, access, _ := selfEnv(t)
	ctx := context.Background()
	api := e.anon()

	out, err := api.UpdateUserAttributes(ctx, &cip.UpdateUserAttributesInput{
		AccessToken:    aws.String(access),
		UserAttributes: []types.AttributeType{newAttr("name", "Gina G"), newAttr("email", "gina.new@example.org")},
	})
	if err != nil {
		t.Fatalf("UpdateUserAttributes: %v", err)
	}
	if len(out.CodeDeliveryDetailsList) != 1 {
		t.Fatalf("CodeDeliveryDetailsList: %+v", out.CodeDeliveryDetailsList)
	}
	d := out.CodeDeliveryDetailsList[0]
	if aws.ToString(d.Destination) != "g***@e***.org" || d.DeliveryMedium != types.DeliveryMediumTypeEmail || aws.ToString(d.AttributeName) != "email" {
		t.Fatalf("delivery: %+v", d)
	}
	got := e.attrsOf(t, access)
	if got["name"] != "Gina G" || got["email"] != "gina.new@example.org" || got["email_verified"] != "false" {
		t.Fatalf("attributes after update: %v", got)
	}
	code := e.code(t, m, "gina.new@example.org")

	// A wrong code is a mismatch and changes nothing but the attempt.
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	_, err = api.VerifyUserAttribute(ctx, &cip.VerifyUserAttributeInput{AccessToken: aws.String(access), AttributeName: aws.String("email"), Code: aws.String(wrong)})
	wantAPIError(t, err, "CodeMismatchException", "Invalid verification code provided, please try again.")
	if got := e.attrsOf(t, access); got["email_verified"] != "false" {
		t.Fatalf("wrong code verified the address: %v", got)
	}
	if _, err := api.VerifyUserAttribute(ctx, &cip.VerifyUserAttributeInput{AccessToken: aws.String(access), AttributeName: aws.String("email"), Code: aws.String(code)}); err != nil {
		t.Fatalf("VerifyUserAttribute: %v", err)
	}
	if got := e.attrsOf(t, access); got["email_verified"] != "true" {
		t.Fatalf("after verification: %v", got)
	}
	// The code is spent.
	_, err = api.VerifyUserAttribute(ctx, &cip.VerifyUserAttributeInput{AccessToken: aws.String(access), AttributeName: aws.String("email"), Code: aws.String(code)})
	wantAPIError(t, err, "ExpiredCodeException", "Invalid code provided, please request a code again.")

	// The verified address now signs in where the pool allows it, and
	// another user cannot take it over.
	if _, err := api.UpdateUserAttributes(ctx, &cip.UpdateUserAttributesInput{
		AccessToken: aws.String(access), UserAttributes: []types.AttributeType{newAttr("name", "")},
	}); err != nil {
		t.Fatalf("removing name: %v", err)
	}
	if got := e.attrsOf(t, access); got["name"] != "" || got["email"] != "gina.new@example.org" {
		t.Fatalf("an empty value did not remove name: %v", got)
	}
}

func TestVerificationCodeForReplacedAddress(t *testing.T) {
	e, m, _, access, _ := selfEnv(t)
	ctx := context.Background()
	api := e.anon()
	if _, err := api.UpdateUserAttributes(ctx, &cip.UpdateUserAttributesInput{
		AccessToken: aws.String(access), UserAttributes: []types.AttributeType{newAttr("email", "first@example.com")},
	}); err != nil {
		t.Fatal(err)
	}
	first := e.code(t, m, "first@example.com")
	// An administrator replaces the address: the code mailed to the first
	// one does not verify the second.
	if _, err := e.sdk(keyAdmin).AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{
		UserPoolId: aws.String(e.pool.ID), Username: aws.String("gina"), UserAttributes: []types.AttributeType{newAttr("email", "second@example.com")},
	}); err != nil {
		t.Fatal(err)
	}
	_, err := api.VerifyUserAttribute(ctx, &cip.VerifyUserAttributeInput{AccessToken: aws.String(access), AttributeName: aws.String("email"), Code: aws.String(first)})
	wantAPIError(t, err, "ExpiredCodeException", "")
	if got := e.attrsOf(t, access); got["email_verified"] != "false" {
		t.Fatalf("a code for another address verified %v", got)
	}
}

func TestGetUserAttributeVerificationCode(t *testing.T) {
	e, m, clk, access, refresh := selfEnv(t)
	ctx := context.Background()
	api := e.anon()

	out, err := api.GetUserAttributeVerificationCode(ctx, &cip.GetUserAttributeVerificationCodeInput{AccessToken: aws.String(access), AttributeName: aws.String("email")})
	if err != nil {
		t.Fatalf("GetUserAttributeVerificationCode: %v", err)
	}
	if d := out.CodeDeliveryDetails; d == nil || aws.ToString(d.Destination) != "g***@e***.com" || aws.ToString(d.AttributeName) != "email" {
		t.Fatalf("delivery: %+v", out.CodeDeliveryDetails)
	}
	code := e.code(t, m, "gina@example.com")
	before := e.count(t, m, "gina@example.com")

	// A second code within the interval is refused and not mailed.
	_, err = api.GetUserAttributeVerificationCode(ctx, &cip.GetUserAttributeVerificationCodeInput{AccessToken: aws.String(access), AttributeName: aws.String("email")})
	wantAPIError(t, err, "LimitExceededException", "Attempt limit exceeded, please try after some time.")
	if n := e.count(t, m, "gina@example.com"); n != before {
		t.Fatalf("%d mails after a refused code, want %d", n, before)
	}

	// Other attributes cannot be verified: there is no SMS.
	_, err = api.GetUserAttributeVerificationCode(ctx, &cip.GetUserAttributeVerificationCodeInput{AccessToken: aws.String(access), AttributeName: aws.String("phone_number")})
	wantAPIError(t, err, "InvalidParameterException", "")
	_, err = api.VerifyUserAttribute(ctx, &cip.VerifyUserAttributeInput{AccessToken: aws.String(access), AttributeName: aws.String("name"), Code: aws.String(code)})
	wantAPIError(t, err, "InvalidParameterException", "")

	// The code expires after a day.
	clk.Advance(25 * time.Hour)
	r, err := e.refreshAuth(types.AuthFlowTypeRefreshTokenAuth, refresh, e.hash("gina"))
	if err != nil {
		t.Fatalf("refresh: %v", err)
	}
	access = aws.ToString(r.AuthenticationResult.AccessToken)
	_, err = api.VerifyUserAttribute(ctx, &cip.VerifyUserAttributeInput{AccessToken: aws.String(access), AttributeName: aws.String("email"), Code: aws.String(code)})
	wantAPIError(t, err, "ExpiredCodeException", "Invalid code provided, please request a code again.")
	if got := e.attrsOf(t, access); got["email_verified"] == "true" {
		t.Fatalf("an expired code verified the address: %v", got)
	}

	// Five wrong guesses void a fresh code.
	if _, err := api.GetUserAttributeVerificationCode(ctx, &cip.GetUserAttributeVerificationCodeInput{AccessToken: aws.String(access), AttributeName: aws.String("email")}); err != nil {
		t.Fatal(err)
	}
	code = e.code(t, m, "gina@example.com")
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	for i := 1; i <= 5; i++ {
		_, err = api.VerifyUserAttribute(ctx, &cip.VerifyUserAttributeInput{AccessToken: aws.String(access), AttributeName: aws.String("email"), Code: aws.String(wrong)})
		want := "CodeMismatchException"
		if i == 5 {
			want = "TooManyFailedAttemptsException"
		}
		wantAPIError(t, err, want, "")
	}
	_, err = api.VerifyUserAttribute(ctx, &cip.VerifyUserAttributeInput{AccessToken: aws.String(access), AttributeName: aws.String("email"), Code: aws.String(code)})
	wantAPIError(t, err, "ExpiredCodeException", "")
}

func TestUpdateUserAttributesRefusals(t *testing.T) {
	e, _, _, access, _ := selfEnv(t)
	ctx := context.Background()
	api := e.anon()
	err := e.app.Store.UpdatePool(ctx, e.pool.ID, func(p pool.Pool) (pool.Pool, error) {
		p.Schema = []pool.SchemaAttribute{{Name: "tier", AttributeDataType: "String", Mutable: false}, {Name: "team", AttributeDataType: "String", Mutable: true}}
		return p, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	before := e.snapshot(t)
	update := func(attrs ...types.AttributeType) error {
		_, err := api.UpdateUserAttributes(ctx, &cip.UpdateUserAttributesInput{AccessToken: aws.String(access), UserAttributes: attrs})
		return err
	}
	wantAPIError(t, update(newAttr("email_verified", "true")), "NotAuthorizedException", "A client attempted to write unauthorized attribute")
	wantAPIError(t, update(newAttr("custom:tier", "gold")), "InvalidParameterException", "user.custom:tier: Attribute cannot be updated.")
	wantAPIError(t, update(newAttr("custom:nope", "x")), "InvalidParameterException", "")
	wantAPIError(t, update(newAttr("sub", "x")), "InvalidParameterException", "")
	wantAPIError(t, update(newAttr("email", "not an address")), "InvalidParameterException", "")
	wantAPIError(t, update([]types.AttributeType{}...), "InvalidParameterException", "")
	_, err = api.DeleteUserAttributes(ctx, &cip.DeleteUserAttributesInput{AccessToken: aws.String(access), UserAttributeNames: []string{"custom:tier"}})
	wantAPIError(t, err, "InvalidParameterException", "user.custom:tier: Attribute cannot be updated.")

	// A client that lists its WriteAttributes allows only those.
	err = e.app.Store.UpdateClient(ctx, e.client.ID, func(c pool.Client) (pool.Client, error) {
		c.WriteAttributes = []string{"name", "custom:team"}
		return c, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	wantAPIError(t, update(newAttr("given_name", "G")), "NotAuthorizedException", "A client attempted to write unauthorized attribute")
	_, err = api.DeleteUserAttributes(ctx, &cip.DeleteUserAttributesInput{AccessToken: aws.String(access), UserAttributeNames: []string{"email"}})
	wantAPIError(t, err, "NotAuthorizedException", "A client attempted to write unauthorized attribute")
	if after := e.snapshot(t); after != before {
		t.Fatalf("a refused update changed the user:\n%s\n%s", before, after)
	}

	if err := update(newAttr("name", "Gina"), newAttr("custom:team", "blue")); err != nil {
		t.Fatalf("allowed update: %v", err)
	}
	if _, err := api.DeleteUserAttributes(ctx, &cip.DeleteUserAttributesInput{AccessToken: aws.String(access), UserAttributeNames: []string{"name"}}); err != nil {
		t.Fatalf("DeleteUserAttributes: %v", err)
	}
	if got := e.attrsOf(t, access); got["name"] != "" || got["custom:team"] != "blue" {
		t.Fatalf("attributes: %v", got)
	}
}

func TestChangePassword(t *testing.T) {
	e, _, _, access, refresh := selfEnv(t)
	ctx := context.Background()
	api := e.anon()
	change := func(prev, proposed string) error {
		_, err := api.ChangePassword(ctx, &cip.ChangePasswordInput{AccessToken: aws.String(access), PreviousPassword: aws.String(prev), ProposedPassword: aws.String(proposed)})
		return err
	}
	before := e.snapshot(t)
	wantAPIError(t, change("Gina-Pass-1!", "weak"), "InvalidPasswordException", "")
	if after := e.snapshot(t); after != before {
		t.Fatal("a weak proposal changed the user")
	}
	wantAPIError(t, change("Wrong-Pass-1!", "Gina-Pass-2!"), "NotAuthorizedException", "Incorrect username or password.")
	_, err := api.ChangePassword(ctx, &cip.ChangePasswordInput{AccessToken: aws.String(access), ProposedPassword: aws.String("Gina-Pass-2!")})
	wantAPIError(t, err, "InvalidParameterException", "")

	if err := change("Gina-Pass-1!", "Gina-Pass-2!"); err != nil {
		t.Fatalf("ChangePassword: %v", err)
	}
	if _, err := e.passwordAuth("gina", "Gina-Pass-1!", e.hash("gina")); err == nil {
		t.Fatal("the old password still signs in")
	}
	e.signedIn(t, "gina", "Gina-Pass-2!")
	// As in Cognito, a password change is no sign-out: the refresh token
	// and the access token stay valid.
	if _, err := e.refreshAuth(types.AuthFlowTypeRefreshTokenAuth, refresh, e.hash("gina")); err != nil {
		t.Fatalf("refresh after ChangePassword: %v", err)
	}
	e.attrsOf(t, access)
}

func TestChangePasswordLockout(t *testing.T) {
	e, _, _, access, _ := selfEnv(t)
	ctx := context.Background()
	api := e.anon()
	change := func(prev string) error {
		_, err := api.ChangePassword(ctx, &cip.ChangePasswordInput{AccessToken: aws.String(access), PreviousPassword: aws.String(prev), ProposedPassword: aws.String("Gina-Pass-2!")})
		return err
	}
	for range pool.DefaultLockoutPolicy().MaxFailedAttempts {
		wantAPIError(t, change("Wrong-Pass-1!"), "NotAuthorizedException", "Incorrect username or password.")
	}
	// Locked out: even the right password is refused, and the lockout is
	// the sign-in's.
	wantAPIError(t, change("Gina-Pass-1!"), "LimitExceededException", "Attempt limit exceeded, please try after some time.")
	if _, err := e.passwordAuth("gina", "Gina-Pass-1!", e.hash("gina")); err == nil {
		t.Fatal("a user locked out by ChangePassword signed in")
	}
	if _, err := e.passwordAuth("gina", "Gina-Pass-2!", e.hash("gina")); err == nil {
		t.Fatal("the refused proposal became the password")
	}
}

func TestDeleteUserRefusesItsTokens(t *testing.T) {
	e, _, _, access, refresh := selfEnv(t)
	ctx := context.Background()
	api := e.anon()
	if _, err := api.DeleteUser(ctx, &cip.DeleteUserInput{AccessToken: aws.String(access)}); err != nil {
		t.Fatalf("DeleteUser: %v", err)
	}
	_, err := e.sdk(keyAdmin).AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(e.pool.ID), Username: aws.String("gina")})
	wantAPIError(t, err, "UserNotFoundException", "")
	for name, call := range map[string]func() error{
		"GetUser": func() error {
			_, err := api.GetUser(ctx, &cip.GetUserInput{AccessToken: aws.String(access)})
			return err
		},
		"DeleteUser": func() error {
			_, err := api.DeleteUser(ctx, &cip.DeleteUserInput{AccessToken: aws.String(access)})
			return err
		},
		"UpdateUserAttributes": func() error {
			_, err := api.UpdateUserAttributes(ctx, &cip.UpdateUserAttributesInput{AccessToken: aws.String(access), UserAttributes: []types.AttributeType{newAttr("name", "x")}})
			return err
		},
		"ChangePassword": func() error {
			_, err := api.ChangePassword(ctx, &cip.ChangePasswordInput{AccessToken: aws.String(access), PreviousPassword: aws.String("Gina-Pass-1!"), ProposedPassword: aws.String("Gina-Pass-2!")})
			return err
		},
		"GetTokensFromRefreshToken": func() error {
			_, err := api.GetTokensFromRefreshToken(ctx, &cip.GetTokensFromRefreshTokenInput{ClientId: aws.String(e.client.ID), ClientSecret: aws.String(e.secret), RefreshToken: aws.String(refresh)})
			return err
		},
	} {
		t.Run(name, func(t *testing.T) { wantAPIError(t, call(), "NotAuthorizedException", "") })
	}
}

func TestSelfServiceRefusedAfterSignOutOrDisable(t *testing.T) {
	e, _, clk, access, _ := selfEnv(t)
	ctx := context.Background()
	api := e.anon()
	if _, err := api.GlobalSignOut(ctx, &cip.GlobalSignOutInput{AccessToken: aws.String(access)}); err != nil {
		t.Fatal(err)
	}
	_, err := api.UpdateUserAttributes(ctx, &cip.UpdateUserAttributesInput{AccessToken: aws.String(access), UserAttributes: []types.AttributeType{newAttr("name", "x")}})
	wantAPIError(t, err, "NotAuthorizedException", "Access Token has been revoked")
	_, err = api.VerifyUserAttribute(ctx, &cip.VerifyUserAttributeInput{AccessToken: aws.String(access), AttributeName: aws.String("email"), Code: aws.String("123456")})
	wantAPIError(t, err, "NotAuthorizedException", "Access Token has been revoked")

	// A disabled user's fresh token is refused too.
	clk.Advance(2 * time.Second) // tokens issued after the sign-out's second
	access, _ = e.signedIn(t, "gina", "Gina-Pass-1!")
	if _, err := e.sdk(keyAdmin).AdminDisableUser(ctx, &cip.AdminDisableUserInput{UserPoolId: aws.String(e.pool.ID), Username: aws.String("gina")}); err != nil {
		t.Fatal(err)
	}
	_, err = api.DeleteUser(ctx, &cip.DeleteUserInput{AccessToken: aws.String(access)})
	wantAPIError(t, err, "NotAuthorizedException", "")
	if _, err := e.sdk(keyAdmin).AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(e.pool.ID), Username: aws.String("gina")}); err != nil {
		t.Fatalf("a disabled user's token deleted the user: %v", err)
	}
	_, err = api.GetUser(ctx, &cip.GetUserInput{AccessToken: aws.String("not-a-token")})
	wantAPIError(t, err, "NotAuthorizedException", "Invalid Access Token")
}

func TestUpdateUserAttributesTakenAddress(t *testing.T) {
	e, _, _ := mailEnv(t)
	ctx := context.Background()
	err := e.app.Store.UpdatePool(ctx, e.pool.ID, func(p pool.Pool) (pool.Pool, error) {
		p.AliasAttributes = []string{pool.AttrEmail}
		return p, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	e.allowFlows(t, pool.ExistenceEnabled, "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")
	e.confirmedUser(t, "gina", "Gina-Pass-1!")
	e.confirmedUser(t, "ivan", "Ivan-Pass-1!")
	access, _ := e.signedIn(t, "gina", "Gina-Pass-1!")
	before := e.snapshot(t)
	_, err = e.anon().UpdateUserAttributes(ctx, &cip.UpdateUserAttributesInput{
		AccessToken: aws.String(access), UserAttributes: []types.AttributeType{newAttr("email", "ivan@example.com")},
	})
	wantAPIError(t, err, "AliasExistsException", "An account with the given email already exists.")
	if after := e.snapshot(t); after != before {
		t.Fatal("a refused update changed a user")
	}
}
