package cognitoapi_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/linkpool/linkpool/internal/app"
	"github.com/linkpool/linkpool/internal/apptest"
	"github.com/linkpool/linkpool/internal/pool"
)

// allowFlows sets the ExplicitAuthFlows and PreventUserExistenceErrors of
// e's confidential client.
func (e *env) allowFlows(t testing.TB, existence string, flows ...string) {
	t.Helper()
	err := e.app.Store.UpdateClient(context.Background(), e.client.ID, func(c pool.Client) (pool.Client, error) {
		c.ExplicitAuthFlows = flows
		c.PreventUserExistenceErrors = existence
		return c, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	e.client.ExplicitAuthFlows, e.client.PreventUserExistenceErrors = flows, existence
}

// confirmedUser creates username with a permanent password through the
// administrative API.
func (e *env) confirmedUser(t testing.TB, username, pw string) {
	t.Helper()
	ctx := context.Background()
	admin := e.sdk(keyAdmin)
	if _, err := admin.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
		UserPoolId: aws.String(e.pool.ID), Username: aws.String(username), MessageAction: types.MessageActionTypeSuppress,
		UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String(username + "@example.com")}},
	}); err != nil {
		t.Fatalf("AdminCreateUser: %v", err)
	}
	if _, err := admin.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{
		UserPoolId: aws.String(e.pool.ID), Username: aws.String(username), Password: aws.String(pw), Permanent: true,
	}); err != nil {
		t.Fatalf("AdminSetUserPassword: %v", err)
	}
}

func (e *env) passwordAuth(username, pw string, hash *string) (*cip.InitiateAuthOutput, error) {
	params := map[string]string{"USERNAME": username, "PASSWORD": pw}
	if hash != nil {
		params["SECRET_HASH"] = *hash
	}
	return e.anon().InitiateAuth(context.Background(), &cip.InitiateAuthInput{
		AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: aws.String(e.client.ID), AuthParameters: params,
	})
}

func (e *env) refreshAuth(flow types.AuthFlowType, rt string, hash *string) (*cip.InitiateAuthOutput, error) {
	params := map[string]string{"REFRESH_TOKEN": rt}
	if hash != nil {
		params["SECRET_HASH"] = *hash
	}
	return e.anon().InitiateAuth(context.Background(), &cip.InitiateAuthInput{
		AuthFlow: flow, ClientId: aws.String(e.client.ID), AuthParameters: params,
	})
}

// userInfo calls the pool's /oauth2/userInfo with access and returns the
// status and the claims.
func (e *env) userInfo(t *testing.T, access string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/"+e.pool.ID+"/oauth2/userInfo", nil)
	req.Header.Set("Authorization", "Bearer "+access)
	return doJSON(t, req)
}

// doJSON sends req and returns the status and the JSON object answered
// (nil when the body is not one).
func doJSON(t *testing.T, req *http.Request) (int, map[string]any) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var m map[string]any
	_ = json.Unmarshal(body, &m)
	return resp.StatusCode, m
}

func TestInitiateAuthPasswordAndRefresh(t *testing.T) {
	e := newEnv(t)
	e.allowFlows(t, pool.ExistenceEnabled, "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")
	e.confirmedUser(t, "frank", "Frank-Pass-1!")

	out, err := e.passwordAuth("frank", "Frank-Pass-1!", e.hash("frank"))
	if err != nil {
		t.Fatalf("InitiateAuth USER_PASSWORD_AUTH: %v", err)
	}
	r := out.AuthenticationResult
	if r == nil || aws.ToString(r.AccessToken) == "" || aws.ToString(r.IdToken) == "" || aws.ToString(r.RefreshToken) == "" ||
		aws.ToString(r.TokenType) != "Bearer" || r.ExpiresIn != 3600 || out.ChallengeName != "" || out.ChallengeParameters == nil {
		t.Fatalf("answer: %+v %+v", out, r)
	}
	ac := apptest.JWTClaims(t, aws.ToString(r.AccessToken))
	if ac["scope"] != pool.ScopeCognitoAPI || ac["token_use"] != "access" || ac["client_id"] != e.client.ID || ac["username"] != "frank" ||
		ac["iss"] != e.srv.URL+"/"+e.pool.ID {
		t.Fatalf("access token claims: %v", ac)
	}
	id := apptest.JWTClaims(t, aws.ToString(r.IdToken))
	if id["aud"] != e.client.ID || id["token_use"] != "id" || id["email"] != "frank@example.com" || id["sub"] != ac["sub"] {
		t.Fatalf("ID token claims: %v", id)
	}
	// Both tokens of one authentication carry its event_id.
	if ev, _ := ac["event_id"].(string); ev == "" || id["event_id"] != ev || id["origin_jti"] != ac["origin_jti"] {
		t.Fatalf("event_id %v/%v, origin_jti %v/%v: want one of each in both tokens", ac["event_id"], id["event_id"], ac["origin_jti"], id["origin_jti"])
	}
	// The access token verifies with the pool's keys at userInfo.
	if st, m := e.userInfo(t, aws.ToString(r.AccessToken)); st != http.StatusOK || m["email"] != "frank@example.com" || m["sub"] != ac["sub"] {
		t.Fatalf("userInfo: %d %v", st, m)
	}

	// Refresh: the SECRET_HASH is computed over the sub or the username.
	sub := ac["sub"].(string)
	for _, flow := range []types.AuthFlowType{types.AuthFlowTypeRefreshTokenAuth, types.AuthFlowTypeRefreshToken} {
		for _, name := range []string{sub, "frank"} {
			rout, err := e.refreshAuth(flow, aws.ToString(r.RefreshToken), e.hash(name))
			if err != nil {
				t.Fatalf("%s (hash over %s): %v", flow, name, err)
			}
			rr := rout.AuthenticationResult
			if rr == nil || aws.ToString(rr.AccessToken) == "" || aws.ToString(rr.IdToken) == "" || aws.ToString(rr.RefreshToken) != "" || aws.ToString(rr.TokenType) != "Bearer" {
				t.Fatalf("refresh answer: %+v", rr)
			}
			if st, _ := e.userInfo(t, aws.ToString(rr.AccessToken)); st != http.StatusOK {
				t.Fatalf("userInfo with the refreshed token: %d", st)
			}
			rac, rid := apptest.JWTClaims(t, aws.ToString(rr.AccessToken)), apptest.JWTClaims(t, aws.ToString(rr.IdToken))
			if ev, _ := rac["event_id"].(string); ev == "" || rid["event_id"] != ev || rac["origin_jti"] != ac["origin_jti"] || rac["auth_time"] != ac["auth_time"] {
				t.Fatalf("refreshed tokens: event_id %v/%v, origin_jti %v, auth_time %v; want an event_id in both and the sign-in's origin_jti and auth_time", rac["event_id"], rid["event_id"], rac["origin_jti"], rac["auth_time"])
			}
		}
	}
	_, err = e.refreshAuth(types.AuthFlowTypeRefreshTokenAuth, aws.ToString(r.RefreshToken), e.hash("somebody"))
	wantAPIError(t, err, "NotAuthorizedException", "Unable to verify secret hash for client "+e.client.ID)
	_, err = e.refreshAuth(types.AuthFlowTypeRefreshTokenAuth, aws.ToString(r.RefreshToken)+"x", e.hash("frank"))
	wantAPIError(t, err, "NotAuthorizedException", "Invalid Refresh Token.")
	_, err = e.refreshAuth(types.AuthFlowTypeRefreshTokenAuth, aws.ToString(r.RefreshToken), nil)
	wantAPIError(t, err, "NotAuthorizedException", "Client "+e.client.ID+" is configured with secret but SECRET_HASH was not received")

	// An administrator's global sign-out ends the refresh token.
	if _, err := e.sdk(keyAdmin).AdminUserGlobalSignOut(context.Background(), &cip.AdminUserGlobalSignOutInput{UserPoolId: aws.String(e.pool.ID), Username: aws.String("frank")}); err != nil {
		t.Fatal(err)
	}
	_, err = e.refreshAuth(types.AuthFlowTypeRefreshTokenAuth, aws.ToString(r.RefreshToken), e.hash("frank"))
	wantAPIError(t, err, "NotAuthorizedException", "")
}

func TestInitiateAuthRefused(t *testing.T) {
	e, _, _ := mailEnv(t, relaxedSignIn())
	e.confirmedUser(t, "gina", "Gina-Pass-1!")

	// The default client does not allow USER_PASSWORD_AUTH.
	_, err := e.passwordAuth("gina", "Gina-Pass-1!", e.hash("gina"))
	wantAPIError(t, err, "InvalidParameterException", "USER_PASSWORD_AUTH flow not enabled for this client")
	e.allowFlows(t, pool.ExistenceEnabled, "ALLOW_USER_PASSWORD_AUTH")
	_, err = e.refreshAuth(types.AuthFlowTypeRefreshTokenAuth, "abc.def", e.hash("gina"))
	wantAPIError(t, err, "InvalidParameterException", "REFRESH_TOKEN_AUTH flow not enabled for this client")

	_, err = e.passwordAuth("gina", "Wrong-Pass-1!", e.hash("gina"))
	wantAPIError(t, err, "NotAuthorizedException", "Incorrect username or password.")
	_, err = e.passwordAuth("nobody", "Gina-Pass-1!", e.hash("nobody"))
	wantAPIError(t, err, "NotAuthorizedException", "Incorrect username or password.")
	_, err = e.passwordAuth("gina", "Gina-Pass-1!", e.hash("other"))
	wantAPIError(t, err, "NotAuthorizedException", "Unable to verify secret hash for client "+e.client.ID)
	_, err = e.passwordAuth("gina", "Gina-Pass-1!", nil)
	wantAPIError(t, err, "NotAuthorizedException", "Client "+e.client.ID+" is configured with secret but SECRET_HASH was not received")
	_, err = e.anon().InitiateAuth(context.Background(), &cip.InitiateAuthInput{
		AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: aws.String(e.client.ID), AuthParameters: map[string]string{"USERNAME": "gina", "SECRET_HASH": *e.hash("gina")},
	})
	wantAPIError(t, err, "InvalidParameterException", "Missing required parameter PASSWORD")

	e.allowFlows(t, pool.ExistenceLegacy, "ALLOW_USER_PASSWORD_AUTH")
	_, err = e.passwordAuth("nobody", "Gina-Pass-1!", e.hash("nobody"))
	wantAPIError(t, err, "UserNotFoundException", "User does not exist.")

	ctx := context.Background()
	admin := e.sdk(keyAdmin)
	if _, err := admin.AdminDisableUser(ctx, &cip.AdminDisableUserInput{UserPoolId: aws.String(e.pool.ID), Username: aws.String("gina")}); err != nil {
		t.Fatal(err)
	}
	_, err = e.passwordAuth("gina", "Gina-Pass-1!", e.hash("gina"))
	wantAPIError(t, err, "NotAuthorizedException", "User is disabled.")
	if _, err := admin.AdminEnableUser(ctx, &cip.AdminEnableUserInput{UserPoolId: aws.String(e.pool.ID), Username: aws.String("gina")}); err != nil {
		t.Fatal(err)
	}

	// Unconfirmed: signed up, not confirmed.
	if _, err := e.anon().SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(e.client.ID), SecretHash: e.hash("hank"), Username: aws.String("hank"), Password: aws.String("Hank-Pass-1!"),
		UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String("hank@example.com")}}}); err != nil {
		t.Fatalf("SignUp: %v", err)
	}
	_, err = e.passwordAuth("hank", "Hank-Pass-1!", e.hash("hank"))
	wantAPIError(t, err, "UserNotConfirmedException", "User is not confirmed.")

	// Lockout after the pool's failed attempts: then even the right
	// password is refused.
	for range e.pool.LockoutPolicy.MaxFailedAttempts {
		_, err = e.passwordAuth("gina", "Wrong-Pass-1!", e.hash("gina"))
		wantAPIError(t, err, "NotAuthorizedException", "Incorrect username or password.")
	}
	_, err = e.passwordAuth("gina", "Gina-Pass-1!", e.hash("gina"))
	wantAPIError(t, err, "NotAuthorizedException", "Password attempts exceeded")
}

func TestGetUserGlobalSignOutRevokeToken(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.allowFlows(t, pool.ExistenceEnabled, "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")
	e.confirmedUser(t, "ivy", "Ivy-Pass-1!")
	c := e.anon()

	out, err := e.passwordAuth("ivy", "Ivy-Pass-1!", e.hash("ivy"))
	if err != nil {
		t.Fatal(err)
	}
	access, refresh := aws.ToString(out.AuthenticationResult.AccessToken), aws.ToString(out.AuthenticationResult.RefreshToken)
	gu, err := c.GetUser(ctx, &cip.GetUserInput{AccessToken: aws.String(access)})
	if err != nil {
		t.Fatalf("GetUser: %v", err)
	}
	attrs := map[string]string{}
	for _, a := range gu.UserAttributes {
		attrs[aws.ToString(a.Name)] = aws.ToString(a.Value)
	}
	if aws.ToString(gu.Username) != "ivy" || attrs["email"] != "ivy@example.com" || attrs["sub"] == "" {
		t.Fatalf("GetUser answer: %s %v", aws.ToString(gu.Username), attrs)
	}
	_, err = c.GetUser(ctx, &cip.GetUserInput{AccessToken: aws.String(access[:len(access)-4] + "AAAA")})
	wantAPIError(t, err, "NotAuthorizedException", "Invalid Access Token")
	_, err = c.GetUser(ctx, &cip.GetUserInput{AccessToken: out.AuthenticationResult.IdToken})
	wantAPIError(t, err, "NotAuthorizedException", "Invalid Access Token")

	rout, err := e.refreshAuth(types.AuthFlowTypeRefreshTokenAuth, refresh, e.hash("ivy"))
	if err != nil {
		t.Fatal(err)
	}
	refreshed := aws.ToString(rout.AuthenticationResult.AccessToken)
	if st, m := e.userInfo(t, refreshed); st != http.StatusOK || m["username"] != "ivy" {
		t.Fatalf("userInfo: %d %v", st, m)
	}

	if _, err := c.GlobalSignOut(ctx, &cip.GlobalSignOutInput{AccessToken: aws.String(refreshed)}); err != nil {
		t.Fatalf("GlobalSignOut: %v", err)
	}
	_, err = e.refreshAuth(types.AuthFlowTypeRefreshTokenAuth, refresh, e.hash("ivy"))
	wantAPIError(t, err, "NotAuthorizedException", "Refresh Token has been revoked")
	_, err = c.GetUser(ctx, &cip.GetUserInput{AccessToken: aws.String(refreshed)})
	wantAPIError(t, err, "NotAuthorizedException", "Access Token has been revoked")
	if st, _ := e.userInfo(t, refreshed); st != http.StatusUnauthorized {
		t.Fatalf("userInfo after GlobalSignOut: %d", st)
	}

	// RevokeToken: the client's secret is required; the refresh token and
	// the access tokens of its grant stop working.
	out, err = e.passwordAuth("ivy", "Ivy-Pass-1!", e.hash("ivy"))
	if err != nil {
		t.Fatal(err)
	}
	access, refresh = aws.ToString(out.AuthenticationResult.AccessToken), aws.ToString(out.AuthenticationResult.RefreshToken)
	_, err = c.RevokeToken(ctx, &cip.RevokeTokenInput{Token: aws.String(refresh), ClientId: aws.String(e.client.ID)})
	wantAPIError(t, err, "NotAuthorizedException", "Client authentication failed.")
	_, err = c.RevokeToken(ctx, &cip.RevokeTokenInput{Token: aws.String(refresh), ClientId: aws.String(e.client.ID), ClientSecret: aws.String("wrong")})
	wantAPIError(t, err, "NotAuthorizedException", "Client authentication failed.")
	if _, err := e.refreshAuth(types.AuthFlowTypeRefreshTokenAuth, refresh, e.hash("ivy")); err != nil {
		t.Fatalf("refresh before RevokeToken: %v", err)
	}
	_, err = c.RevokeToken(ctx, &cip.RevokeTokenInput{Token: aws.String(access), ClientId: aws.String(e.client.ID), ClientSecret: aws.String(e.secret)})
	wantAPIError(t, err, "UnsupportedTokenTypeException", "")
	if _, err := c.RevokeToken(ctx, &cip.RevokeTokenInput{Token: aws.String(refresh), ClientId: aws.String(e.client.ID), ClientSecret: aws.String(e.secret)}); err != nil {
		t.Fatalf("RevokeToken: %v", err)
	}
	_, err = e.refreshAuth(types.AuthFlowTypeRefreshTokenAuth, refresh, e.hash("ivy"))
	wantAPIError(t, err, "NotAuthorizedException", "Refresh Token has been revoked")
	_, err = c.GetUser(ctx, &cip.GetUserInput{AccessToken: aws.String(access)})
	wantAPIError(t, err, "NotAuthorizedException", "Access Token has been revoked")
}

func TestGetUserExpiredAccessToken(t *testing.T) {
	e, _, clk := mailEnv(t)
	e.allowFlows(t, pool.ExistenceEnabled, "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")
	e.confirmedUser(t, "jack", "Jack-Pass-1!")
	out, err := e.passwordAuth("jack", "Jack-Pass-1!", e.hash("jack"))
	if err != nil {
		t.Fatal(err)
	}
	clk.Advance(61 * time.Minute)
	_, err = e.anon().GetUser(context.Background(), &cip.GetUserInput{AccessToken: out.AuthenticationResult.AccessToken})
	wantAPIError(t, err, "NotAuthorizedException", "Access Token has expired")
	// The refresh token still works and gives a token GetUser accepts.
	rout, err := e.refreshAuth(types.AuthFlowTypeRefreshTokenAuth, aws.ToString(out.AuthenticationResult.RefreshToken), e.hash("jack"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.anon().GetUser(context.Background(), &cip.GetUserInput{AccessToken: rout.AuthenticationResult.AccessToken}); err != nil {
		t.Fatalf("GetUser with the refreshed token: %v", err)
	}
}

// relaxedSignIn are rates that the tests of refusals stay within.
func relaxedSignIn() app.UIRates {
	r := app.DefaultUIRates
	r.Login = app.Rate{PerMinute: 600, Burst: 100}
	r.LoginUser = app.Rate{PerMinute: 600, Burst: 100}
	r.SignUp = app.Rate{PerMinute: 600, Burst: 100}
	return r
}

// The per-address and per-user budgets of the hosted sign-in page bound
// password sign-ins through the API too; a right password costs the
// per-user budget nothing.
func TestInitiateAuthRateLimited(t *testing.T) {
	r := relaxedSignIn()
	r.LoginUser = app.Rate{PerMinute: 1, Burst: 2}
	e, _, _ := mailEnv(t, r)
	e.allowFlows(t, pool.ExistenceEnabled, "ALLOW_USER_PASSWORD_AUTH")
	e.confirmedUser(t, "kim", "Kim-Pass-1!")
	for range 3 {
		if _, err := e.passwordAuth("kim", "Kim-Pass-1!", e.hash("kim")); err != nil {
			t.Fatalf("right password: %v", err)
		}
	}
	for range 2 {
		_, err := e.passwordAuth("kim", "Wrong-Pass-1!", e.hash("kim"))
		wantAPIError(t, err, "NotAuthorizedException", "Incorrect username or password.")
	}
	_, err := e.passwordAuth("kim", "Kim-Pass-1!", e.hash("kim"))
	wantAPIError(t, err, "TooManyRequestsException", "")
}
