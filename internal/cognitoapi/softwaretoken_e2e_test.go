package cognitoapi_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/linkpool/linkpool/internal/pool"
)

// totpCode is an authenticator app's code for secret at t.
func totpCode(t testing.TB, secret string, at time.Time) string {
	t.Helper()
	code, err := totp.GenerateCodeCustom(secret, at, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// otherCode is a six-digit code that is not code.
func otherCode(code string) string {
	n, _ := strconv.Atoi(code)
	return fmt.Sprintf("%06d", (n+500000)%1000000)
}

// totpPool makes e's pool offer TOTP in mode.
func (e *env) totpPool(t *testing.T, mode types.UserPoolMfaType) {
	t.Helper()
	e.setMFA(t, &cip.SetUserPoolMfaConfigInput{
		MfaConfiguration: mode, SoftwareTokenMfaConfiguration: &types.SoftwareTokenMfaConfigType{Enabled: true},
	})
}

// TestSoftwareTokenMFASetupInSignIn: in a pool that requires MFA, a
// user without a factor sets up an authenticator app within the sign-in
// (MFA_SETUP, AssociateSoftwareToken and VerifySoftwareToken with the
// Session), then signs in with SOFTWARE_TOKEN_MFA: a wrong code is
// CodeMismatchException and counts towards the lockout, a used code is
// refused, the session is single use, SRP and the administrative flow
// take the same challenge.
func TestSoftwareTokenMFASetupInSignIn(t *testing.T) {
	e, _, clk := srpEnv(t)
	ctx := context.Background()
	c := e.anon()
	e.allowFlows(t, pool.ExistenceEnabled, "ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")
	e.totpPool(t, types.UserPoolMfaTypeOn)
	e.confirmedUser(t, "tess", "Tess-Pass-123!")

	out, err := e.passwordAuth("tess", "Tess-Pass-123!", e.hash("tess"))
	if err != nil || out.AuthenticationResult != nil || out.ChallengeName != types.ChallengeNameTypeMfaSetup ||
		out.ChallengeParameters["MFAS_CAN_SETUP"] != `["SOFTWARE_TOKEN_MFA"]` || aws.ToString(out.Session) == "" {
		t.Fatalf("InitiateAuth in a pool requiring MFA: %v %+v", err, out)
	}
	answer := map[string]string{"USERNAME": "tess", "SECRET_HASH": *e.hash("tess")}
	// Not set up yet: the answer is refused and the session stays.
	_, err = e.respond(types.ChallengeNameTypeMfaSetup, out.Session, answer)
	wantAPIError(t, err, "InvalidParameterException", "")

	assoc, err := c.AssociateSoftwareToken(ctx, &cip.AssociateSoftwareTokenInput{Session: out.Session})
	if err != nil || aws.ToString(assoc.SecretCode) == "" || aws.ToString(assoc.Session) == "" {
		t.Fatalf("AssociateSoftwareToken with the session: %v %+v", err, assoc)
	}
	// The MFA_SETUP session was spent by AssociateSoftwareToken.
	_, err = c.AssociateSoftwareToken(ctx, &cip.AssociateSoftwareTokenInput{Session: out.Session})
	wantAPIError(t, err, "NotAuthorizedException", "Invalid session for the user, session is expired.")
	secret := aws.ToString(assoc.SecretCode)
	code := totpCode(t, secret, clk.Now())
	_, err = c.VerifySoftwareToken(ctx, &cip.VerifySoftwareTokenInput{Session: assoc.Session, UserCode: aws.String(otherCode(code))})
	wantAPIError(t, err, "EnableSoftwareTokenMFAException", "")
	ver, err := c.VerifySoftwareToken(ctx, &cip.VerifySoftwareTokenInput{Session: assoc.Session, UserCode: aws.String(code), FriendlyDeviceName: aws.String("phone")})
	if err != nil || ver.Status != types.VerifySoftwareTokenResponseTypeSuccess || aws.ToString(ver.Session) == "" {
		t.Fatalf("VerifySoftwareToken with the session: %v %+v", err, ver)
	}
	res, err := e.respond(types.ChallengeNameTypeMfaSetup, ver.Session, answer)
	if err != nil || res.AuthenticationResult == nil || aws.ToString(res.AuthenticationResult.AccessToken) == "" {
		t.Fatalf("RespondToAuthChallenge MFA_SETUP: %v %+v", err, res)
	}
	me, err := c.GetUser(ctx, &cip.GetUserInput{AccessToken: res.AuthenticationResult.AccessToken})
	if err != nil || aws.ToString(me.PreferredMfaSetting) != "SOFTWARE_TOKEN_MFA" || len(me.UserMFASettingList) != 1 ||
		me.UserMFASettingList[0] != "SOFTWARE_TOKEN_MFA" || len(me.MFAOptions) != 0 {
		t.Fatalf("GetUser after the set-up: %v %+v", err, me)
	}
	u := e.storedUser(t, "tess")
	if u.MFA.TOTP == nil || u.MFA.TOTP.Name != "phone" || !u.MFA.SoftwareTokenEnabled {
		t.Fatalf("stored device: %+v", u.MFA)
	}

	// The next sign-in asks for a code.
	clk.Advance(30 * time.Second)
	out, err = e.passwordAuth("tess", "Tess-Pass-123!", e.hash("tess"))
	if err != nil || out.AuthenticationResult != nil || out.ChallengeName != types.ChallengeNameTypeSoftwareTokenMfa ||
		out.ChallengeParameters["USER_ID_FOR_SRP"] != "tess" || out.ChallengeParameters["FRIENDLY_DEVICE_NAME"] != "phone" {
		t.Fatalf("InitiateAuth with a device: %v %+v", err, out)
	}
	code = totpCode(t, secret, clk.Now())
	wrong := map[string]string{"USERNAME": "tess", "SECRET_HASH": *e.hash("tess"), "SOFTWARE_TOKEN_MFA_CODE": otherCode(code)}
	_, err = e.respond(types.ChallengeNameTypeSoftwareTokenMfa, out.Session, wrong)
	wantAPIError(t, err, "CodeMismatchException", "")
	if u := e.storedUser(t, "tess"); u.FailedLogins != 1 {
		t.Fatalf("a wrong code counted %d failures, want 1", u.FailedLogins)
	}
	// Missing members are refused before the code is looked at.
	_, err = e.respond(types.ChallengeNameTypeSoftwareTokenMfa, out.Session, map[string]string{"USERNAME": "tess", "SECRET_HASH": *e.hash("tess")})
	wantAPIError(t, err, "InvalidParameterException", "Missing required parameter SOFTWARE_TOKEN_MFA_CODE")
	right := map[string]string{"USERNAME": "tess", "SECRET_HASH": *e.hash("tess"), "SOFTWARE_TOKEN_MFA_CODE": code}
	res, err = e.respond(types.ChallengeNameTypeSoftwareTokenMfa, out.Session, right)
	if err != nil || res.AuthenticationResult == nil || aws.ToString(res.AuthenticationResult.RefreshToken) == "" {
		t.Fatalf("RespondToAuthChallenge SOFTWARE_TOKEN_MFA: %v %+v", err, res)
	}
	if u := e.storedUser(t, "tess"); u.FailedLogins != 0 {
		t.Fatalf("a right code left %d failures", u.FailedLogins)
	}
	// The session is spent, even with the next code.
	clk.Advance(30 * time.Second)
	next := map[string]string{"USERNAME": "tess", "SECRET_HASH": *e.hash("tess"), "SOFTWARE_TOKEN_MFA_CODE": totpCode(t, secret, clk.Now())}
	_, err = e.respond(types.ChallengeNameTypeSoftwareTokenMfa, out.Session, next)
	wantAPIError(t, err, "NotAuthorizedException", "Invalid session for the user, session is expired.")
	// The code is spent: a new sign-in cannot use it again.
	out, err = e.passwordAuth("tess", "Tess-Pass-123!", e.hash("tess"))
	if err != nil || out.ChallengeName != types.ChallengeNameTypeSoftwareTokenMfa {
		t.Fatalf("InitiateAuth: %v %+v", err, out)
	}
	_, err = e.respond(types.ChallengeNameTypeSoftwareTokenMfa, out.Session, right)
	wantAPIError(t, err, "CodeMismatchException", "")

	// SRP takes the same challenge.
	clk.Advance(30 * time.Second)
	srpOut, err := e.srpSignIn(t, "tess", "Tess-Pass-123!", clk.Now())
	if err != nil || srpOut.AuthenticationResult != nil || srpOut.ChallengeName != types.ChallengeNameTypeSoftwareTokenMfa {
		t.Fatalf("SRP sign-in with a device: %v %+v", err, srpOut)
	}
	right["SOFTWARE_TOKEN_MFA_CODE"] = totpCode(t, secret, clk.Now())
	if res, err := e.respond(types.ChallengeNameTypeSoftwareTokenMfa, srpOut.Session, right); err != nil || res.AuthenticationResult == nil {
		t.Fatalf("SOFTWARE_TOKEN_MFA after SRP: %v", err)
	}

	// So does the administrative flow, answered only by its own action.
	clk.Advance(30 * time.Second)
	admin := e.sdk(keyAdmin)
	aout, err := admin.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{
		UserPoolId: aws.String(e.pool.ID), ClientId: aws.String(e.client.ID), AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": "tess", "PASSWORD": "Tess-Pass-123!", "SECRET_HASH": *e.hash("tess")},
	})
	if err != nil || aout.ChallengeName != types.ChallengeNameTypeSoftwareTokenMfa {
		t.Fatalf("AdminInitiateAuth with a device: %v %+v", err, aout)
	}
	right["SOFTWARE_TOKEN_MFA_CODE"] = totpCode(t, secret, clk.Now())
	_, err = e.respond(types.ChallengeNameTypeSoftwareTokenMfa, aout.Session, right)
	wantAPIError(t, err, "NotAuthorizedException", "Invalid session for the user.")
	ares, err := admin.AdminRespondToAuthChallenge(ctx, &cip.AdminRespondToAuthChallengeInput{
		UserPoolId: aws.String(e.pool.ID), ClientId: aws.String(e.client.ID), ChallengeName: types.ChallengeNameTypeSoftwareTokenMfa,
		ChallengeResponses: right, Session: aout.Session,
	})
	if err != nil || ares.AuthenticationResult == nil {
		t.Fatalf("AdminRespondToAuthChallenge SOFTWARE_TOKEN_MFA: %v", err)
	}
}

// TestSoftwareTokenWithAccessToken: a signed-in user of a pool where MFA
// is optional adds an authenticator app with the access token; the next
// sign-in asks for its code. Bad requests change nothing.
func TestSoftwareTokenWithAccessToken(t *testing.T) {
	e, _, clk := srpEnv(t)
	ctx := context.Background()
	c := e.anon()
	e.allowFlows(t, pool.ExistenceEnabled, "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")
	e.totpPool(t, types.UserPoolMfaTypeOptional)
	e.confirmedUser(t, "otto", "Otto-Pass-123!")

	out, err := e.passwordAuth("otto", "Otto-Pass-123!", e.hash("otto"))
	if err != nil || out.AuthenticationResult == nil {
		t.Fatalf("optional MFA without a factor signs in at once: %v %+v", err, out)
	}
	tok := out.AuthenticationResult.AccessToken
	before := e.snapshot(t)
	status, h, _ := e.raw(t, "AWSCognitoIdentityProviderService.AssociateSoftwareToken", "", `{}`)
	if status != 400 || h.Get("x-amzn-ErrorType") != "InvalidParameterException" {
		t.Fatalf("AssociateSoftwareToken without token or session: %d %s", status, h.Get("x-amzn-ErrorType"))
	}
	_, err = c.AssociateSoftwareToken(ctx, &cip.AssociateSoftwareTokenInput{AccessToken: tok, Session: aws.String("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")})
	wantAPIError(t, err, "InvalidParameterException", "Give either AccessToken or Session.")
	_, err = c.AssociateSoftwareToken(ctx, &cip.AssociateSoftwareTokenInput{Session: aws.String("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")})
	wantAPIError(t, err, "NotAuthorizedException", "Invalid session for the user.")
	_, err = c.AssociateSoftwareToken(ctx, &cip.AssociateSoftwareTokenInput{AccessToken: aws.String("not.a.token")})
	wantAPIError(t, err, "NotAuthorizedException", "Invalid Access Token")
	status, h, _ = e.raw(t, "AWSCognitoIdentityProviderService.VerifySoftwareToken", "", `{"AccessToken":"`+aws.ToString(tok)+`","UserCode":"12ab56"}`)
	if status != 400 || h.Get("x-amzn-ErrorType") != "InvalidParameterException" {
		t.Fatalf("VerifySoftwareToken with letters: %d %s", status, h.Get("x-amzn-ErrorType"))
	}
	status, h, _ = e.raw(t, "AWSCognitoIdentityProviderService.VerifySoftwareToken", "", `{"AccessToken":"`+aws.ToString(tok)+`","UserCode":123456}`)
	if status != 400 || h.Get("x-amzn-ErrorType") != "SerializationException" {
		t.Fatalf("VerifySoftwareToken with a number: %d %s", status, h.Get("x-amzn-ErrorType"))
	}
	if e.snapshot(t) != before {
		t.Fatal("a refused request changed the user")
	}

	assoc, err := c.AssociateSoftwareToken(ctx, &cip.AssociateSoftwareTokenInput{AccessToken: tok})
	if err != nil || aws.ToString(assoc.SecretCode) == "" || assoc.Session != nil {
		t.Fatalf("AssociateSoftwareToken: %v %+v", err, assoc)
	}
	// Associated, not verified: sign-in still needs no code.
	if out, err := e.passwordAuth("otto", "Otto-Pass-123!", e.hash("otto")); err != nil || out.AuthenticationResult == nil {
		t.Fatalf("sign-in with an unverified device: %v %+v", err, out)
	}
	ver, err := c.VerifySoftwareToken(ctx, &cip.VerifySoftwareTokenInput{AccessToken: tok, UserCode: aws.String(totpCode(t, aws.ToString(assoc.SecretCode), clk.Now()))})
	if err != nil || ver.Status != types.VerifySoftwareTokenResponseTypeSuccess || ver.Session != nil {
		t.Fatalf("VerifySoftwareToken: %v %+v", err, ver)
	}
	got, err := e.sdk(keyAdmin).AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(e.pool.ID), Username: aws.String("otto")})
	if err != nil || aws.ToString(got.PreferredMfaSetting) != "SOFTWARE_TOKEN_MFA" || len(got.UserMFASettingList) != 1 {
		t.Fatalf("AdminGetUser: %v %+v", err, got)
	}
	clk.Advance(30 * time.Second)
	out, err = e.passwordAuth("otto", "Otto-Pass-123!", e.hash("otto"))
	if err != nil || out.ChallengeName != types.ChallengeNameTypeSoftwareTokenMfa {
		t.Fatalf("sign-in with a verified device: %v %+v", err, out)
	}
	res, err := e.respond(types.ChallengeNameTypeSoftwareTokenMfa, out.Session, map[string]string{
		"USERNAME": "otto", "SECRET_HASH": *e.hash("otto"), "SOFTWARE_TOKEN_MFA_CODE": totpCode(t, aws.ToString(assoc.SecretCode), clk.Now()),
	})
	if err != nil || res.AuthenticationResult == nil {
		t.Fatalf("SOFTWARE_TOKEN_MFA: %v", err)
	}

	// Wrong codes lock the user out as wrong passwords do: then even the
	// right code is refused, and no tokens are issued.
	clk.Advance(30 * time.Second)
	out, err = e.passwordAuth("otto", "Otto-Pass-123!", e.hash("otto"))
	if err != nil || out.ChallengeName != types.ChallengeNameTypeSoftwareTokenMfa {
		t.Fatalf("sign-in: %v %+v", err, out)
	}
	code := totpCode(t, aws.ToString(assoc.SecretCode), clk.Now())
	answer := map[string]string{"USERNAME": "otto", "SECRET_HASH": *e.hash("otto"), "SOFTWARE_TOKEN_MFA_CODE": otherCode(code)}
	for i := 0; i < pool.DefaultLockoutPolicy().MaxFailedAttempts; i++ {
		_, err = e.respond(types.ChallengeNameTypeSoftwareTokenMfa, out.Session, answer)
		wantAPIError(t, err, "CodeMismatchException", "")
	}
	answer["SOFTWARE_TOKEN_MFA_CODE"] = code
	_, err = e.respond(types.ChallengeNameTypeSoftwareTokenMfa, out.Session, answer)
	wantAPIError(t, err, "NotAuthorizedException", "")
}
