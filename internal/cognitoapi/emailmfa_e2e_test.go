package cognitoapi_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/linkpool/linkpool/internal/apptest"
	"github.com/linkpool/linkpool/internal/mail"
	"github.com/linkpool/linkpool/internal/pool"
)

// otp returns the one-time code of the last mail to to, once the outbox
// has delivered what it holds.
func (e *env) otp(t *testing.T, m *apptest.Mailbox, to string) string {
	t.Helper()
	e.delivered(t, m)
	return m.LastOTP(t, to)
}

// delivered flushes the outbox and returns every mail delivered.
func (e *env) delivered(t *testing.T, m *apptest.Mailbox) []mail.Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := e.app.Mail.Flush(ctx); err != nil {
		t.Fatalf("outbox not delivered: %v", err)
	}
	return m.Messages()
}

// mfaPool configures e's pool: mode, TOTP and email factors, and the
// first factors of USER_AUTH (nil: PASSWORD only).
func (e *env) mfaPool(t testing.TB, mode types.UserPoolMfaType, firstFactors ...types.AuthFactorType) {
	t.Helper()
	e.setMFA(t, &cip.SetUserPoolMfaConfigInput{
		MfaConfiguration: mode, SoftwareTokenMfaConfiguration: &types.SoftwareTokenMfaConfigType{Enabled: true},
		EmailMfaConfiguration: &types.EmailMfaConfigType{},
		WebAuthnConfiguration: &types.WebAuthnConfigurationType{RelyingPartyId: aws.String("localhost")},
	})
	if firstFactors == nil {
		return
	}
	if _, err := e.sdk(keyAdmin).UpdateUserPool(context.Background(), &cip.UpdateUserPoolInput{
		UserPoolId: aws.String(e.pool.ID), MfaConfiguration: mode,
		Policies: &types.UserPoolPolicyType{SignInPolicy: &types.SignInPolicyType{AllowedFirstAuthFactors: firstFactors}},
	}); err != nil {
		t.Fatalf("UpdateUserPool AllowedFirstAuthFactors: %v", err)
	}
}

// enableEmailMFA turns on the email factor of username through
// AdminSetUserMFAPreference.
func (e *env) enableEmailMFA(t *testing.T, username string, preferred bool) {
	t.Helper()
	if _, err := e.sdk(keyAdmin).AdminSetUserMFAPreference(context.Background(), &cip.AdminSetUserMFAPreferenceInput{
		UserPoolId: aws.String(e.pool.ID), Username: aws.String(username),
		EmailMfaSettings: &types.EmailMfaSettingsType{Enabled: true, PreferredMfa: preferred},
	}); err != nil {
		t.Fatalf("AdminSetUserMFAPreference: %v", err)
	}
}

// TestEmailMFA: a user with the email factor gets the EMAIL_OTP
// challenge after the password, with the code mailed; a wrong code is
// CodeMismatchException and counts towards the lockout. With a TOTP
// device too and no preference, SELECT_MFA_TYPE offers both.
func TestEmailMFA(t *testing.T) {
	e, m, clk := srpEnv(t)
	ctx := context.Background()
	e.allowFlows(t, pool.ExistenceEnabled, "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")
	e.mfaPool(t, types.UserPoolMfaTypeOptional)
	e.confirmedUser(t, "emma", "Emma-Pass-123!")
	e.enableEmailMFA(t, "emma", false)
	got, err := e.sdk(keyAdmin).AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(e.pool.ID), Username: aws.String("emma")})
	if err != nil || len(got.UserMFASettingList) != 1 || got.UserMFASettingList[0] != "EMAIL_OTP" {
		t.Fatalf("AdminGetUser after AdminSetUserMFAPreference: %v %+v", err, got)
	}

	out, err := e.passwordAuth("emma", "Emma-Pass-123!", e.hash("emma"))
	if err != nil || out.AuthenticationResult != nil || out.ChallengeName != types.ChallengeNameTypeEmailOtp ||
		out.ChallengeParameters["CODE_DELIVERY_DELIVERY_MEDIUM"] != "EMAIL" || out.ChallengeParameters["CODE_DELIVERY_DESTINATION"] != "e***@e***.com" {
		t.Fatalf("InitiateAuth with email MFA: %v %+v", err, out)
	}
	code := e.otp(t, m, "emma@example.com")
	// The session answers its own challenge only, and the code only its
	// own session.
	for _, name := range []types.ChallengeNameType{types.ChallengeNameTypeSoftwareTokenMfa, types.ChallengeNameTypeMfaSetup, types.ChallengeNameTypeSelectMfaType, types.ChallengeNameTypeWebAuthn} {
		_, err = e.respond(name, out.Session, map[string]string{"USERNAME": "emma", "SECRET_HASH": *e.hash("emma"),
			"SOFTWARE_TOKEN_MFA_CODE": "123456", "ANSWER": "EMAIL_OTP", "CREDENTIAL": "{}", "EMAIL_OTP_CODE": code})
		wantAPIError(t, err, "NotAuthorizedException", "Invalid session for the user.")
	}
	_, err = e.respond(types.ChallengeNameTypeEmailOtp, aws.String("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"), map[string]string{"USERNAME": "emma", "SECRET_HASH": *e.hash("emma"), "EMAIL_OTP_CODE": code})
	wantAPIError(t, err, "NotAuthorizedException", "Invalid session for the user.")
	// A wrong SECRET_HASH is refused before the code is looked at.
	_, err = e.respond(types.ChallengeNameTypeEmailOtp, out.Session, map[string]string{"USERNAME": "emma", "SECRET_HASH": *e.hash("other"), "EMAIL_OTP_CODE": code})
	wantAPIError(t, err, "NotAuthorizedException", "")
	answer := map[string]string{"USERNAME": "emma", "SECRET_HASH": *e.hash("emma"), "EMAIL_OTP_CODE": "00000000"}
	if code == "00000000" {
		answer["EMAIL_OTP_CODE"] = "11111111"
	}
	_, err = e.respond(types.ChallengeNameTypeEmailOtp, out.Session, answer)
	wantAPIError(t, err, "CodeMismatchException", "")
	if u := e.storedUser(t, "emma"); u.FailedLogins != 1 {
		t.Fatalf("a wrong code counted %d failures, want 1", u.FailedLogins)
	}
	answer["EMAIL_OTP_CODE"] = code
	res, err := e.respond(types.ChallengeNameTypeEmailOtp, out.Session, answer)
	if err != nil || res.AuthenticationResult == nil {
		t.Fatalf("RespondToAuthChallenge EMAIL_OTP: %v %+v", err, res)
	}
	tok := res.AuthenticationResult.AccessToken

	// An authenticator app too, and no preference: the user chooses.
	c := e.anon()
	assoc, err := c.AssociateSoftwareToken(ctx, &cip.AssociateSoftwareTokenInput{AccessToken: tok})
	if err != nil {
		t.Fatalf("AssociateSoftwareToken: %v", err)
	}
	secret := aws.ToString(assoc.SecretCode)
	if _, err := c.VerifySoftwareToken(ctx, &cip.VerifySoftwareTokenInput{AccessToken: tok, UserCode: aws.String(totpCode(t, secret, clk.Now()))}); err != nil {
		t.Fatalf("VerifySoftwareToken: %v", err)
	}
	if _, err := c.SetUserMFAPreference(ctx, &cip.SetUserMFAPreferenceInput{AccessToken: tok,
		SoftwareTokenMfaSettings: &types.SoftwareTokenMfaSettingsType{Enabled: true, PreferredMfa: false},
		EmailMfaSettings:         &types.EmailMfaSettingsType{Enabled: true, PreferredMfa: false},
	}); err != nil {
		t.Fatalf("SetUserMFAPreference: %v", err)
	}
	me, err := c.GetUser(ctx, &cip.GetUserInput{AccessToken: tok})
	if err != nil || me.PreferredMfaSetting != nil || len(me.UserMFASettingList) != 2 {
		t.Fatalf("GetUser with two factors: %v %+v", err, me)
	}
	clk.Advance(time.Minute)
	out, err = e.passwordAuth("emma", "Emma-Pass-123!", e.hash("emma"))
	if err != nil || out.ChallengeName != types.ChallengeNameTypeSelectMfaType ||
		out.ChallengeParameters["MFAS_CAN_CHOOSE"] != `["SOFTWARE_TOKEN_MFA","EMAIL_OTP"]` {
		t.Fatalf("InitiateAuth with two factors: %v %+v", err, out)
	}
	pick := map[string]string{"USERNAME": "emma", "SECRET_HASH": *e.hash("emma"), "ANSWER": "SMS_MFA"}
	_, err = e.respond(types.ChallengeNameTypeSelectMfaType, out.Session, pick)
	wantAPIError(t, err, "InvalidParameterException", "")
	pick["ANSWER"] = "EMAIL_OTP"
	sel, err := e.respond(types.ChallengeNameTypeSelectMfaType, out.Session, pick)
	if err != nil || sel.ChallengeName != types.ChallengeNameTypeEmailOtp || aws.ToString(sel.Session) == "" {
		t.Fatalf("SELECT_MFA_TYPE EMAIL_OTP: %v %+v", err, sel)
	}
	answer["EMAIL_OTP_CODE"] = e.otp(t, m, "emma@example.com")
	if res, err := e.respond(types.ChallengeNameTypeEmailOtp, sel.Session, answer); err != nil || res.AuthenticationResult == nil {
		t.Fatalf("EMAIL_OTP after SELECT_MFA_TYPE: %v", err)
	}
	// SOFTWARE_TOKEN_MFA chosen instead.
	clk.Advance(time.Minute)
	out, err = e.passwordAuth("emma", "Emma-Pass-123!", e.hash("emma"))
	if err != nil || out.ChallengeName != types.ChallengeNameTypeSelectMfaType {
		t.Fatalf("InitiateAuth with two factors: %v %+v", err, out)
	}
	pick["ANSWER"] = "SOFTWARE_TOKEN_MFA"
	sel, err = e.respond(types.ChallengeNameTypeSelectMfaType, out.Session, pick)
	if err != nil || sel.ChallengeName != types.ChallengeNameTypeSoftwareTokenMfa {
		t.Fatalf("SELECT_MFA_TYPE SOFTWARE_TOKEN_MFA: %v %+v", err, sel)
	}
	if res, err := e.respond(types.ChallengeNameTypeSoftwareTokenMfa, sel.Session, map[string]string{
		"USERNAME": "emma", "SECRET_HASH": *e.hash("emma"), "SOFTWARE_TOKEN_MFA_CODE": totpCode(t, secret, clk.Now()),
	}); err != nil || res.AuthenticationResult == nil {
		t.Fatalf("SOFTWARE_TOKEN_MFA after SELECT_MFA_TYPE: %v", err)
	}
}

// TestEmailMFASetupInSignIn: in a pool requiring MFA with the email
// factor only, MFA_SETUP is answered with the user's address, then the
// mailed code; the email factor is enabled.
func TestEmailMFASetupInSignIn(t *testing.T) {
	e, m, _ := srpEnv(t)
	e.allowFlows(t, pool.ExistenceEnabled, "ALLOW_USER_PASSWORD_AUTH")
	e.setMFA(t, &cip.SetUserPoolMfaConfigInput{MfaConfiguration: types.UserPoolMfaTypeOn, EmailMfaConfiguration: &types.EmailMfaConfigType{}})
	e.confirmedUser(t, "eli", "Eli-Pass-1234!")

	out, err := e.passwordAuth("eli", "Eli-Pass-1234!", e.hash("eli"))
	if err != nil || out.ChallengeName != types.ChallengeNameTypeMfaSetup || out.ChallengeParameters["MFAS_CAN_SETUP"] != `["EMAIL_OTP"]` {
		t.Fatalf("InitiateAuth: %v %+v", err, out)
	}
	answer := map[string]string{"USERNAME": "eli", "SECRET_HASH": *e.hash("eli"), "EMAIL": "other@example.com"}
	_, err = e.respond(types.ChallengeNameTypeMfaSetup, out.Session, answer)
	wantAPIError(t, err, "InvalidParameterException", "EMAIL must be the user's email address.")
	if n := e.count(t, m, "other@example.com"); n != 0 {
		t.Fatalf("%d mails to an address that is not the user's", n)
	}
	answer["EMAIL"] = "ELI@example.com"
	ch, err := e.respond(types.ChallengeNameTypeMfaSetup, out.Session, answer)
	if err != nil || ch.ChallengeName != types.ChallengeNameTypeEmailOtp || ch.ChallengeParameters["CODE_DELIVERY_DESTINATION"] != "e***@e***.com" {
		t.Fatalf("MFA_SETUP with EMAIL: %v %+v", err, ch)
	}
	if u := e.storedUser(t, "eli"); u.MFA.EmailEnabled {
		t.Fatal("email MFA enabled before the code was answered")
	}
	res, err := e.respond(types.ChallengeNameTypeEmailOtp, ch.Session, map[string]string{
		"USERNAME": "eli", "SECRET_HASH": *e.hash("eli"), "EMAIL_OTP_CODE": e.otp(t, m, "eli@example.com"),
	})
	if err != nil || res.AuthenticationResult == nil {
		t.Fatalf("EMAIL_OTP of the set-up: %v %+v", err, res)
	}
	if u := e.storedUser(t, "eli"); !u.MFA.EmailEnabled || u.MFA.Preferred != pool.FactorEmail {
		t.Fatalf("after the set-up: %+v", u.MFA)
	}
}

// TestMFAPreferenceRefused: bad preference requests are refused and
// change nothing.
func TestMFAPreferenceRefused(t *testing.T) {
	e, _, _ := srpEnv(t)
	ctx := context.Background()
	e.allowFlows(t, pool.ExistenceEnabled, "ALLOW_USER_PASSWORD_AUTH")
	e.mfaPool(t, types.UserPoolMfaTypeOptional)
	e.confirmedUser(t, "pia", "Pia-Pass-1234!")
	out, err := e.passwordAuth("pia", "Pia-Pass-1234!", e.hash("pia"))
	if err != nil || out.AuthenticationResult == nil {
		t.Fatalf("InitiateAuth: %v", err)
	}
	tok := out.AuthenticationResult.AccessToken
	before := e.snapshot(t)
	c := e.anon()
	_, err = c.SetUserMFAPreference(ctx, &cip.SetUserMFAPreferenceInput{AccessToken: tok, SMSMfaSettings: &types.SMSMfaSettingsType{Enabled: true}})
	wantAPIError(t, err, "InvalidParameterException", "")
	// No verified device: TOTP cannot be enabled.
	_, err = c.SetUserMFAPreference(ctx, &cip.SetUserMFAPreferenceInput{AccessToken: tok, SoftwareTokenMfaSettings: &types.SoftwareTokenMfaSettingsType{Enabled: true}})
	wantAPIError(t, err, "InvalidParameterException", "")
	_, err = e.sdk(keyAdmin).AdminSetUserMFAPreference(ctx, &cip.AdminSetUserMFAPreferenceInput{UserPoolId: aws.String(e.pool.ID), Username: aws.String("nobody"),
		EmailMfaSettings: &types.EmailMfaSettingsType{Enabled: true}})
	wantAPIError(t, err, "UserNotFoundException", "")
	for _, body := range []string{
		`{"UserPoolId":"` + e.pool.ID + `"}`,
		`{"UserPoolId":"` + e.pool.ID + `","Username":"pia","EmailMfaSettings":{"Enabled":"yes"}}`,
	} {
		status, h, _ := e.raw(t, "AWSCognitoIdentityProviderService.AdminSetUserMFAPreference", keyAdmin, body)
		if status != 400 || (h.Get("x-amzn-ErrorType") != "InvalidParameterException" && h.Get("x-amzn-ErrorType") != "SerializationException") {
			t.Fatalf("AdminSetUserMFAPreference %s: %d %s", body, status, h.Get("x-amzn-ErrorType"))
		}
	}
	status, h, _ := e.raw(t, "AWSCognitoIdentityProviderService.SetUserMFAPreference", "", `{"EmailMfaSettings":{"Enabled":true}}`)
	if status != 400 || h.Get("x-amzn-ErrorType") != "InvalidParameterException" {
		t.Fatalf("SetUserMFAPreference without a token: %d %s", status, h.Get("x-amzn-ErrorType"))
	}
	if e.snapshot(t) != before {
		t.Fatal("a refused preference changed the user")
	}
}
