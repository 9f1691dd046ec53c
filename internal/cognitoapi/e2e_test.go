package cognitoapi_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"
	"golang.org/x/oauth2"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/store"
)

var storeAll = store.ListOptions{Limit: store.MaxPageSize}

func attr(list []types.AttributeType, name string) (string, bool) {
	for _, a := range list {
		if aws.ToString(a.Name) == name {
			return aws.ToString(a.Value), true
		}
	}
	return "", false
}

// listAll pages through ListUsers with limit users a page.
func listAll(t *testing.T, c *cip.Client, in cip.ListUsersInput, limit int32) []types.UserType {
	t.Helper()
	in.Limit = aws.Int32(limit)
	var out []types.UserType
	for pages := 0; ; pages++ {
		if pages > 20 {
			t.Fatal("ListUsers never ends")
		}
		res, err := c.ListUsers(context.Background(), &in)
		if err != nil {
			t.Fatalf("ListUsers %s: %v", aws.ToString(in.Filter), err)
		}
		if len(res.Users) > int(limit) {
			t.Fatalf("page of %d users, limit %d", len(res.Users), limit)
		}
		out = append(out, res.Users...)
		if res.PaginationToken == nil {
			return out
		}
		in.PaginationToken = res.PaginationToken
	}
}

func usernames(us []types.UserType) []string {
	var out []string
	for _, u := range us {
		out = append(out, aws.ToString(u.Username))
	}
	slices.Sort(out)
	return out
}

// TestUserAdministrationWithSDK drives the user administration life cycle
// with the real aws-sdk-go-v2 client over the whole server and a real
// SQLite file, then signs the user the SDK created in through the hosted
// pages with golang.org/x/oauth2.
func TestUserAdministrationWithSDK(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, realKeys)
	c := e.keySDK(t)
	poolID := aws.String(e.pool.ID)
	now := e.kit.Clock.Now() // the server's clock, frozen by the kit

	created, err := c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
		UserPoolId: poolID, Username: aws.String("dave"), TemporaryPassword: aws.String("Temp0rary-Pass!"),
		MessageAction: types.MessageActionTypeSuppress, DesiredDeliveryMediums: []types.DeliveryMediumType{types.DeliveryMediumTypeEmail},
		UserAttributes: []types.AttributeType{
			{Name: aws.String("email"), Value: aws.String("dave@example.com")},
			{Name: aws.String("email_verified"), Value: aws.String("true")},
			{Name: aws.String("family_name"), Value: aws.String("Bowman")},
		},
	})
	if err != nil {
		t.Fatalf("AdminCreateUser: %v", err)
	}
	u := created.User
	if aws.ToString(u.Username) != "dave" || u.UserStatus != types.UserStatusTypeForceChangePassword || !u.Enabled {
		t.Fatalf("created %+v", u)
	}
	if v, _ := attr(u.Attributes, "email"); v != "dave@example.com" {
		t.Fatalf("attributes %+v", u.Attributes)
	}
	if v, _ := attr(u.Attributes, "email_verified"); v != "true" {
		t.Fatalf("email_verified %+v", u.Attributes)
	}
	sub, ok := attr(u.Attributes, "sub")
	if !ok || u.UserCreateDate == nil || !u.UserCreateDate.Equal(now) {
		t.Fatalf("sub %q, created %v", sub, u.UserCreateDate)
	}

	for _, name := range []string{"erin", "eve", "frank"} {
		if _, err := c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
			UserPoolId: poolID, Username: aws.String(name), MessageAction: types.MessageActionTypeSuppress,
			UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String(name + "@example.org")}},
		}); err != nil {
			t.Fatalf("AdminCreateUser %s: %v", name, err)
		}
	}
	// Already taken: refused with Cognito's name.
	_, err = c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: poolID, Username: aws.String("dave"), MessageAction: types.MessageActionTypeSuppress})
	var exists *types.UsernameExistsException
	if !errors.As(err, &exists) {
		t.Fatalf("duplicate AdminCreateUser: %v", err)
	}

	got, err := c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: poolID, Username: aws.String("dave")})
	if err != nil {
		t.Fatalf("AdminGetUser: %v", err)
	}
	if aws.ToString(got.Username) != "dave" || got.UserStatus != types.UserStatusTypeForceChangePassword || !got.Enabled ||
		got.UserCreateDate == nil || !got.UserCreateDate.Equal(*u.UserCreateDate) || got.UserLastModifiedDate == nil {
		t.Fatalf("AdminGetUser %+v", got)
	}
	if v, _ := attr(got.UserAttributes, "sub"); v != sub {
		t.Fatalf("sub %q, want %q", v, sub)
	}

	// ListUsers: every page, filters, AttributesToGet.
	if all := usernames(listAll(t, c, cip.ListUsersInput{UserPoolId: poolID}, 1)); !slices.Equal(all, []string{"dave", "erin", "eve", "frank"}) {
		t.Fatalf("all users by pages of 1: %v", all)
	}
	filters := map[string][]string{
		`username = "dave"`:                             {"dave"},
		`email ^= "e"`:                                  {"erin", "eve"},
		`email = "FRANK@example.org"`:                   {"frank"},
		`family_name = "Bowman"`:                        {"dave"},
		`sub = "` + sub + `"`:                           {"dave"},
		`cognito:user_status = "force_change_password"`: {"dave", "erin", "eve", "frank"},
		`status = "Disabled"`:                           nil,
		`name ^= "x"`:                                   nil,
	}
	for f, want := range filters {
		if got := usernames(listAll(t, c, cip.ListUsersInput{UserPoolId: poolID, Filter: aws.String(f)}, 2)); !slices.Equal(got, want) {
			t.Errorf("filter %s: %v, want %v", f, got, want)
		}
	}
	only, err := c.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: poolID, Filter: aws.String(`username = "dave"`), AttributesToGet: []string{"email"}})
	if err != nil || len(only.Users) != 1 || len(only.Users[0].Attributes) != 1 || aws.ToString(only.Users[0].Attributes[0].Name) != "email" {
		t.Fatalf("AttributesToGet: %+v %v", only, err)
	}

	// Attributes: update, delete.
	if _, err := c.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{
		UserPoolId: poolID, Username: aws.String("dave"), UserAttributes: []types.AttributeType{{Name: aws.String("name"), Value: aws.String("Dave Bowman")}},
	}); err != nil {
		t.Fatalf("AdminUpdateUserAttributes: %v", err)
	}
	if _, err := c.AdminDeleteUserAttributes(ctx, &cip.AdminDeleteUserAttributesInput{
		UserPoolId: poolID, Username: aws.String("dave"), UserAttributeNames: []string{"family_name"},
	}); err != nil {
		t.Fatalf("AdminDeleteUserAttributes: %v", err)
	}
	got, err = c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: poolID, Username: aws.String("dave")})
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := attr(got.UserAttributes, "name"); v != "Dave Bowman" {
		t.Fatalf("name after update: %+v", got.UserAttributes)
	}
	if _, ok := attr(got.UserAttributes, "family_name"); ok {
		t.Fatalf("family_name after delete: %+v", got.UserAttributes)
	}

	// Disable, list by status, enable.
	if _, err := c.AdminDisableUser(ctx, &cip.AdminDisableUserInput{UserPoolId: poolID, Username: aws.String("dave")}); err != nil {
		t.Fatalf("AdminDisableUser: %v", err)
	}
	if got := usernames(listAll(t, c, cip.ListUsersInput{UserPoolId: poolID, Filter: aws.String(`status = "Disabled"`)}, 60)); !slices.Equal(got, []string{"dave"}) {
		t.Fatalf("disabled users: %v", got)
	}
	if _, err := c.AdminEnableUser(ctx, &cip.AdminEnableUserInput{UserPoolId: poolID, Username: aws.String("dave")}); err != nil {
		t.Fatalf("AdminEnableUser: %v", err)
	}

	// A permanent password makes the user CONFIRMED.
	if _, err := c.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{
		UserPoolId: poolID, Username: aws.String("dave"), Password: aws.String("Perm4nent-Pass!"), Permanent: true,
	}); err != nil {
		t.Fatalf("AdminSetUserPassword: %v", err)
	}
	got, err = c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: poolID, Username: aws.String("dave")})
	if err != nil || got.UserStatus != types.UserStatusTypeConfirmed || !got.Enabled {
		t.Fatalf("after AdminSetUserPassword: %+v %v", got, err)
	}

	// The user the SDK created signs in through the hosted pages.
	cfg := oauth2.Config{
		ClientID: e.client.ID, ClientSecret: e.secret, RedirectURL: rpCallback, Scopes: []string{"openid", "email"},
		Endpoint: oauth2.Endpoint{AuthURL: e.srv.URL + "/" + e.pool.ID + "/oauth2/authorize", TokenURL: e.srv.URL + "/" + e.pool.ID + "/oauth2/token"},
	}
	verifier := oauth2.GenerateVerifier()
	cb := signIn(t, browser(), cfg.AuthCodeURL("st", oauth2.S256ChallengeOption(verifier)), "dave", "Perm4nent-Pass!")
	if cb.Query().Get("state") != "st" || cb.Query().Get("code") == "" {
		t.Fatalf("callback %s", cb)
	}
	tok, err := cfg.Exchange(ctx, cb.Query().Get("code"), oauth2.VerifierOption(verifier))
	if err != nil || tok.RefreshToken == "" {
		t.Fatalf("exchange: %v", err)
	}

	// Global sign-out revokes the refresh token.
	if _, err := c.AdminUserGlobalSignOut(ctx, &cip.AdminUserGlobalSignOutInput{UserPoolId: poolID, Username: aws.String("dave")}); err != nil {
		t.Fatalf("AdminUserGlobalSignOut: %v", err)
	}
	expired := *tok
	expired.Expiry = time.Now().Add(-time.Minute)
	if _, err := cfg.TokenSource(ctx, &expired).Token(); err == nil || !strings.Contains(err.Error(), "invalid_grant") {
		t.Fatalf("refresh after global sign-out: %v", err)
	}

	// A reset makes the user RESET_REQUIRED.
	if _, err := c.AdminResetUserPassword(ctx, &cip.AdminResetUserPasswordInput{UserPoolId: poolID, Username: aws.String("dave")}); err != nil {
		t.Fatalf("AdminResetUserPassword: %v", err)
	}
	got, err = c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: poolID, Username: aws.String("dave")})
	if err != nil || got.UserStatus != types.UserStatusTypeResetRequired {
		t.Fatalf("after AdminResetUserPassword: %+v %v", got, err)
	}

	// A self sign-up is confirmed by the administrator.
	if _, err := e.app.Accounts.SignUp(ctx, e.pool, account.SignUpInput{Username: "gina", Password: "Corr3ct-Horse!", Attributes: map[string]string{"email": "gina@example.com"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AdminConfirmSignUp(ctx, &cip.AdminConfirmSignUpInput{UserPoolId: poolID, Username: aws.String("gina")}); err != nil {
		t.Fatalf("AdminConfirmSignUp: %v", err)
	}
	got, err = c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: poolID, Username: aws.String("gina")})
	if err != nil || got.UserStatus != types.UserStatusTypeConfirmed {
		t.Fatalf("after AdminConfirmSignUp: %+v %v", got, err)
	}

	// Delete: the user is gone.
	if _, err := c.AdminDeleteUser(ctx, &cip.AdminDeleteUserInput{UserPoolId: poolID, Username: aws.String("dave")}); err != nil {
		t.Fatalf("AdminDeleteUser: %v", err)
	}
	_, err = c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: poolID, Username: aws.String("dave")})
	var nf *types.UserNotFoundException
	if !errors.As(err, &nf) || nf.ErrorMessage() != "User does not exist." {
		t.Fatalf("AdminGetUser after delete: %v", err)
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "UserNotFoundException" {
		t.Fatalf("error code: %v", err)
	}
}

// TestResendInvitation: MessageAction RESEND replaces the temporary
// password of a user who still has one, and is refused for others.
func TestResendInvitation(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	c := e.sdk(keyAdmin)
	poolID := aws.String(e.pool.ID)
	if _, err := c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: poolID, Username: aws.String("hal"), TemporaryPassword: aws.String("Temp0rary-Pass!"), MessageAction: types.MessageActionTypeSuppress}); err != nil {
		t.Fatal(err)
	}
	res, err := c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: poolID, Username: aws.String("hal"), TemporaryPassword: aws.String("An0ther-Temp!"), MessageAction: types.MessageActionTypeResend})
	if err != nil || res.User.UserStatus != types.UserStatusTypeForceChangePassword {
		t.Fatalf("RESEND: %+v %v", res, err)
	}
	if _, err := e.app.Accounts.Authenticate(ctx, e.pool, "hal", "An0ther-Temp!"); account.TypeOf(err) != account.NewPasswordRequired {
		t.Fatalf("sign-in with the new temporary password: %v", err)
	}
	if _, err := c.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: poolID, Username: aws.String("hal"), Password: aws.String("Perm4nent-Pass!"), Permanent: true}); err != nil {
		t.Fatal(err)
	}
	_, err = c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: poolID, Username: aws.String("hal"), MessageAction: types.MessageActionTypeResend})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "UnsupportedUserStateException" {
		t.Fatalf("RESEND for a confirmed user: %v", err)
	}
}
