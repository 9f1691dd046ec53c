package cognitoapi_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/srp"
)

// tempUser creates username with a temporary password (FORCE_CHANGE_PASSWORD);
// attrs are its attributes.
func (e *env) tempUser(t *testing.T, username, temp string, attrs map[string]string) {
	t.Helper()
	in := &cip.AdminCreateUserInput{
		UserPoolId: aws.String(e.pool.ID), Username: aws.String(username), TemporaryPassword: aws.String(temp),
		MessageAction: types.MessageActionTypeSuppress,
	}
	for k, v := range attrs {
		in.UserAttributes = append(in.UserAttributes, types.AttributeType{Name: aws.String(k), Value: aws.String(v)})
	}
	if _, err := e.sdk(keyAdmin).AdminCreateUser(context.Background(), in); err != nil {
		t.Fatalf("AdminCreateUser: %v", err)
	}
}

// wantNewPasswordChallenge checks a NEW_PASSWORD_REQUIRED challenge and
// returns its session and required attributes.
func wantNewPasswordChallenge(t *testing.T, name types.ChallengeNameType, session *string, params map[string]string, username string) (*string, []string) {
	t.Helper()
	if name != types.ChallengeNameTypeNewPasswordRequired || aws.ToString(session) == "" || params["USER_ID_FOR_SRP"] != username {
		t.Fatalf("challenge %q session %q params %v", name, aws.ToString(session), params)
	}
	var attrs map[string]string
	var required []string
	if err := json.Unmarshal([]byte(params["userAttributes"]), &attrs); err != nil {
		t.Fatalf("userAttributes %q: %v", params["userAttributes"], err)
	}
	if err := json.Unmarshal([]byte(params["requiredAttributes"]), &required); err != nil || required == nil {
		t.Fatalf("requiredAttributes %q: %v", params["requiredAttributes"], err)
	}
	return session, required
}

func TestNewPasswordRequiredViaPassword(t *testing.T) {
	e, _, clk := srpEnv(t)
	e.allowFlows(t, pool.ExistenceEnabled, "ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH")
	e.tempUser(t, "nora", "Temp-Pass-123!", map[string]string{"email": "nora@example.com", "name": "Nora"})

	out, err := e.passwordAuth("nora", "Temp-Pass-123!", e.hash("nora"))
	if err != nil {
		t.Fatalf("InitiateAuth: %v", err)
	}
	if out.AuthenticationResult != nil {
		t.Fatal("tokens for a user with a temporary password")
	}
	session, required := wantNewPasswordChallenge(t, out.ChallengeName, out.Session, out.ChallengeParameters, "nora")
	var attrs map[string]string
	_ = json.Unmarshal([]byte(out.ChallengeParameters["userAttributes"]), &attrs)
	if attrs["email"] != "nora@example.com" || attrs["name"] != "Nora" || len(required) != 0 {
		t.Fatalf("userAttributes %v requiredAttributes %v", attrs, required)
	}
	before := e.snapshot(t)

	// A weak password is refused and the session stays usable.
	_, err = e.respond(types.ChallengeNameTypeNewPasswordRequired, session, map[string]string{
		"USERNAME": "nora", "NEW_PASSWORD": "weak", "SECRET_HASH": *e.hash("nora"),
	})
	wantAPIError(t, err, "InvalidPasswordException", "")
	// A session for another challenge, or tampered, is refused.
	_, err = e.respond(types.ChallengeNameTypeNewPasswordRequired, aws.String(aws.ToString(session)[:40]+"AAAA"+aws.ToString(session)[44:]), map[string]string{
		"USERNAME": "nora", "NEW_PASSWORD": "Nora-New-Pass-1!", "SECRET_HASH": *e.hash("nora"),
	})
	wantAPIError(t, err, "NotAuthorizedException", "Invalid session for the user.")
	if e.snapshot(t) != before {
		t.Fatal("a refused answer changed the user")
	}

	res, err := e.respond(types.ChallengeNameTypeNewPasswordRequired, session, map[string]string{
		"USERNAME": "nora", "NEW_PASSWORD": "Nora-New-Pass-1!", "SECRET_HASH": *e.hash("nora"), "userAttributes.name": "Nora N.",
	})
	if err != nil || res.AuthenticationResult == nil || aws.ToString(res.AuthenticationResult.AccessToken) == "" {
		t.Fatalf("RespondToAuthChallenge NEW_PASSWORD_REQUIRED: %v %+v", err, res)
	}
	u := e.storedUser(t, "nora")
	if u.Status != pool.StatusConfirmed || u.Attributes["name"] != "Nora N." || len(u.SRPVerifier) == 0 {
		t.Fatalf("after the challenge: %s %v verifier %d", u.Status, u.Attributes, len(u.SRPVerifier))
	}
	// The session is single use.
	_, err = e.respond(types.ChallengeNameTypeNewPasswordRequired, session, map[string]string{
		"USERNAME": "nora", "NEW_PASSWORD": "Nora-Other-Pass-1!", "SECRET_HASH": *e.hash("nora"),
	})
	wantAPIError(t, err, "NotAuthorizedException", "Invalid session for the user, session is expired.")
	// The new password works, with SRP too; the temporary one no more.
	if out, err := e.srpSignIn(t, "nora", "Nora-New-Pass-1!", clk.Now()); err != nil || out.AuthenticationResult == nil {
		t.Fatalf("SRP with the new password: %v", err)
	}
	_, err = e.passwordAuth("nora", "Temp-Pass-123!", e.hash("nora"))
	wantAPIError(t, err, "NotAuthorizedException", "Incorrect username or password.")
}

func TestNewPasswordRequiredViaSRP(t *testing.T) {
	e, _, clk := srpEnv(t)
	e.allowFlows(t, pool.ExistenceEnabled, "ALLOW_USER_SRP_AUTH")
	// The pool verifies email addresses, so a user without one must give it.
	ctx := context.Background()
	if err := e.app.Store.UpdatePool(ctx, e.pool.ID, func(p pool.Pool) (pool.Pool, error) {
		p.AutoVerifiedAttributes = []string{pool.AttrEmail}
		return p, nil
	}); err != nil {
		t.Fatal(err)
	}
	e.tempUser(t, "ned", "Temp-Pass-123!", nil)

	out, err := e.srpSignIn(t, "ned", "Temp-Pass-123!", clk.Now())
	if err != nil {
		t.Fatalf("SRP sign-in: %v", err)
	}
	session, required := wantNewPasswordChallenge(t, out.ChallengeName, out.Session, out.ChallengeParameters, "ned")
	if len(required) != 1 || required[0] != "userAttributes.email" {
		t.Fatalf("requiredAttributes %v", required)
	}
	answer := map[string]string{"USERNAME": "ned", "NEW_PASSWORD": "Ned-New-Pass-1!", "SECRET_HASH": *e.hash("ned")}
	_, err = e.respond(types.ChallengeNameTypeNewPasswordRequired, session, answer)
	wantAPIError(t, err, "InvalidParameterException", "Invalid attributes given, email is missing")
	answer["userAttributes.email_verified"] = "true"
	answer["userAttributes.email"] = "ned@example.com"
	_, err = e.respond(types.ChallengeNameTypeNewPasswordRequired, session, answer)
	wantAPIError(t, err, "InvalidParameterException", "")
	delete(answer, "userAttributes.email_verified")

	// The session expires after AuthSessionValidity.
	later := clk.Now().Add(3*time.Minute + time.Second)
	clk.Advance(3*time.Minute + time.Second)
	_, err = e.respond(types.ChallengeNameTypeNewPasswordRequired, session, answer)
	wantAPIError(t, err, "NotAuthorizedException", "Invalid session for the user, session is expired.")

	out, err = e.srpSignIn(t, "ned", "Temp-Pass-123!", later)
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.respond(types.ChallengeNameTypeNewPasswordRequired, out.Session, answer)
	if err != nil || res.AuthenticationResult == nil {
		t.Fatalf("answer: %v", err)
	}
	u := e.storedUser(t, "ned")
	if u.Status != pool.StatusConfirmed || u.Attributes["email"] != "ned@example.com" || u.Attributes["email_verified"] == "true" {
		t.Fatalf("after the challenge: %s %v", u.Status, u.Attributes)
	}
}

func TestAdminInitiateAuth(t *testing.T) {
	e, _, clk := srpEnv(t)
	ctx := context.Background()
	admin := e.sdk(keyAdmin)
	e.confirmedUser(t, "ada", "Ada-Pass-123!")
	e.tempUser(t, "tim", "Temp-Pass-123!", map[string]string{"email": "tim@example.com"})
	adminAuth := func(flow types.AuthFlowType, params map[string]string) (*cip.AdminInitiateAuthOutput, error) {
		return admin.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{
			UserPoolId: aws.String(e.pool.ID), ClientId: aws.String(e.client.ID), AuthFlow: flow, AuthParameters: params,
		})
	}
	pw := map[string]string{"USERNAME": "ada", "PASSWORD": "Ada-Pass-123!", "SECRET_HASH": *e.hash("ada")}

	e.allowFlows(t, pool.ExistenceEnabled, "ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")
	_, err := adminAuth(types.AuthFlowTypeAdminUserPasswordAuth, pw)
	wantAPIError(t, err, "InvalidParameterException", "ADMIN_USER_PASSWORD_AUTH flow not enabled for this client")
	_, err = adminAuth(types.AuthFlowTypeUserPasswordAuth, pw)
	wantAPIError(t, err, "InvalidParameterException", "Initiate Auth method not supported.")
	_, err = e.anon().InitiateAuth(ctx, &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth, ClientId: aws.String(e.client.ID), AuthParameters: pw})
	wantAPIError(t, err, "InvalidParameterException", "Initiate Auth method not supported.")
	// Unsigned, the administrative action is refused.
	_, err = e.anon().AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{
		UserPoolId: aws.String(e.pool.ID), ClientId: aws.String(e.client.ID), AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth, AuthParameters: pw,
	})
	if err == nil {
		t.Fatal("unsigned AdminInitiateAuth accepted")
	}

	e.allowFlows(t, pool.ExistenceEnabled, "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")
	var refresh string
	for _, flow := range []types.AuthFlowType{types.AuthFlowTypeAdminUserPasswordAuth, types.AuthFlowTypeAdminNoSrpAuth} {
		out, err := adminAuth(flow, pw)
		if err != nil || out.AuthenticationResult == nil || aws.ToString(out.AuthenticationResult.AccessToken) == "" {
			t.Fatalf("%s: %v", flow, err)
		}
		refresh = aws.ToString(out.AuthenticationResult.RefreshToken)
	}
	bad := map[string]string{"USERNAME": "ada", "PASSWORD": "Wrong-Pass-123!", "SECRET_HASH": *e.hash("ada")}
	_, err = adminAuth(types.AuthFlowTypeAdminUserPasswordAuth, bad)
	wantAPIError(t, err, "NotAuthorizedException", "Incorrect username or password.")
	if e.storedUser(t, "ada").FailedLogins != 1 {
		t.Fatal("a wrong admin sign-in did not count towards the lockout")
	}
	out, err := adminAuth(types.AuthFlowTypeRefreshTokenAuth, map[string]string{"REFRESH_TOKEN": refresh, "SECRET_HASH": *e.hash("ada")})
	if err != nil || out.AuthenticationResult == nil {
		t.Fatalf("REFRESH_TOKEN_AUTH: %v", err)
	}
	// A client of another pool is not found in this one.
	other := pool.NewPool("us-east-1", "other", time.Now())
	if err := e.app.Store.CreatePool(ctx, other); err != nil {
		t.Fatal(err)
	}
	_, err = admin.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{
		UserPoolId: aws.String(other.ID), ClientId: aws.String(e.client.ID), AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth, AuthParameters: pw,
	})
	wantAPIError(t, err, "ResourceNotFoundException", "")

	// SRP through the administrative actions; the challenge is answered
	// by AdminRespondToAuthChallenge only.
	cl := srp.NewClient(srp.PoolName(e.pool.ID))
	ch, err := adminAuth(types.AuthFlowTypeUserSrpAuth, map[string]string{"USERNAME": "ada", "SRP_A": cl.SRPA(), "SECRET_HASH": *e.hash("ada")})
	if err != nil || ch.ChallengeName != types.ChallengeNameTypePasswordVerifier {
		t.Fatalf("admin USER_SRP_AUTH: %v", err)
	}
	ans := e.srpAnswer(t, cl, &cip.InitiateAuthOutput{ChallengeName: ch.ChallengeName, ChallengeParameters: ch.ChallengeParameters}, "Ada-Pass-123!", clk.Now())
	_, err = e.respond(types.ChallengeNameTypePasswordVerifier, nil, ans)
	wantAPIError(t, err, "NotAuthorizedException", "Invalid session for the user.")
	res, err := admin.AdminRespondToAuthChallenge(ctx, &cip.AdminRespondToAuthChallengeInput{
		UserPoolId: aws.String(e.pool.ID), ClientId: aws.String(e.client.ID), ChallengeName: types.ChallengeNameTypePasswordVerifier, ChallengeResponses: ans,
	})
	if err != nil || res.AuthenticationResult == nil {
		t.Fatalf("AdminRespondToAuthChallenge PASSWORD_VERIFIER: %v", err)
	}

	// NEW_PASSWORD_REQUIRED through the administrative actions.
	tp := map[string]string{"USERNAME": "tim", "PASSWORD": "Temp-Pass-123!", "SECRET_HASH": *e.hash("tim")}
	out, err = adminAuth(types.AuthFlowTypeAdminUserPasswordAuth, tp)
	if err != nil {
		t.Fatal(err)
	}
	session, _ := wantNewPasswordChallenge(t, out.ChallengeName, out.Session, out.ChallengeParameters, "tim")
	answer := map[string]string{"USERNAME": "tim", "NEW_PASSWORD": "Tim-New-Pass-1!", "SECRET_HASH": *e.hash("tim")}
	_, err = e.respond(types.ChallengeNameTypeNewPasswordRequired, session, answer)
	wantAPIError(t, err, "NotAuthorizedException", "Invalid session for the user.")
	res, err = admin.AdminRespondToAuthChallenge(ctx, &cip.AdminRespondToAuthChallengeInput{
		UserPoolId: aws.String(e.pool.ID), ClientId: aws.String(e.client.ID), ChallengeName: types.ChallengeNameTypeNewPasswordRequired,
		ChallengeResponses: answer, Session: session,
	})
	if err != nil || res.AuthenticationResult == nil {
		t.Fatalf("AdminRespondToAuthChallenge NEW_PASSWORD_REQUIRED: %v", err)
	}
	// Unsupported challenges are refused plainly.
	_, err = admin.AdminRespondToAuthChallenge(ctx, &cip.AdminRespondToAuthChallengeInput{
		UserPoolId: aws.String(e.pool.ID), ClientId: aws.String(e.client.ID), ChallengeName: types.ChallengeNameTypeSmsMfa,
		ChallengeResponses: answer, Session: session,
	})
	wantAPIError(t, err, "InvalidParameterException", "")
}
