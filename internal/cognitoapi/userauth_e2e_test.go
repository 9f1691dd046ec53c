package cognitoapi_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/srp"
)

// userAuth runs InitiateAuth USER_AUTH for username with e's client.
func (e *env) userAuth(username string, more map[string]string) (*cip.InitiateAuthOutput, error) {
	params := map[string]string{"USERNAME": username, "SECRET_HASH": *e.hash(username)}
	for k, v := range more {
		params[k] = v
	}
	return e.anon().InitiateAuth(context.Background(), &cip.InitiateAuthInput{
		AuthFlow: types.AuthFlowTypeUserAuth, ClientId: aws.String(e.client.ID), AuthParameters: params,
	})
}

// TestUserAuthEmailOTP: the choice-based sign-in lists the pool's first
// factors, signs in with a mailed code or a password, and answers an
// unknown user as a known one without mailing anything.
func TestUserAuthEmailOTP(t *testing.T) {
	e, m, clk := srpEnv(t)
	e.allowFlows(t, pool.ExistenceEnabled, "ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")
	e.mfaPool(t, types.UserPoolMfaTypeOptional, types.AuthFactorTypePassword, types.AuthFactorTypeEmailOtp, types.AuthFactorTypeWebAuthn)
	e.confirmedUser(t, "uma", "Uma-Pass-12345!")

	out, err := e.userAuth("uma", nil)
	want := []types.ChallengeNameType{"PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "WEB_AUTHN"}
	if err != nil || out.ChallengeName != types.ChallengeNameTypeSelectChallenge || !slices.Equal(out.AvailableChallenges, want) || aws.ToString(out.Session) == "" {
		t.Fatalf("USER_AUTH without a preference: %v %+v", err, out)
	}
	answer := map[string]string{"USERNAME": "uma", "SECRET_HASH": *e.hash("uma"), "ANSWER": "SMS_OTP"}
	_, err = e.respond(types.ChallengeNameTypeSelectChallenge, out.Session, answer)
	wantAPIError(t, err, "InvalidParameterException", "")
	answer["ANSWER"] = "EMAIL_OTP"
	ch, err := e.respond(types.ChallengeNameTypeSelectChallenge, out.Session, answer)
	if err != nil || ch.ChallengeName != types.ChallengeNameTypeEmailOtp || ch.ChallengeParameters["CODE_DELIVERY_DESTINATION"] != "u***@e***.com" {
		t.Fatalf("SELECT_CHALLENGE EMAIL_OTP: %v %+v", err, ch)
	}
	code := e.otp(t, m, "uma@example.com")
	res, err := e.respond(types.ChallengeNameTypeEmailOtp, ch.Session, map[string]string{"USERNAME": "uma", "SECRET_HASH": *e.hash("uma"), "EMAIL_OTP_CODE": code})
	if err != nil || res.AuthenticationResult == nil || aws.ToString(res.AuthenticationResult.RefreshToken) == "" {
		t.Fatalf("EMAIL_OTP sign-in: %v %+v", err, res)
	}

	// PREFERRED_CHALLENGE starts a factor at once.
	res2, err := e.userAuth("uma", map[string]string{"PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": "Uma-Pass-12345!"})
	if err != nil || res2.AuthenticationResult == nil {
		t.Fatalf("USER_AUTH PASSWORD: %v %+v", err, res2)
	}
	_, err = e.userAuth("uma", map[string]string{"PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": "wrong-Pass-1!"})
	wantAPIError(t, err, "NotAuthorizedException", "Incorrect username or password.")
	clk.Advance(time.Minute)
	out, err = e.userAuth("uma", map[string]string{"PREFERRED_CHALLENGE": "EMAIL_OTP"})
	if err != nil || out.ChallengeName != types.ChallengeNameTypeEmailOtp {
		t.Fatalf("USER_AUTH EMAIL_OTP: %v %+v", err, out)
	}
	code = e.otp(t, m, "uma@example.com")
	failed := e.storedUser(t, "uma").FailedLogins
	wrong := "00000000"
	if code == wrong {
		wrong = "11111111"
	}
	_, err = e.respond(types.ChallengeNameTypeEmailOtp, out.Session, map[string]string{"USERNAME": "uma", "SECRET_HASH": *e.hash("uma"), "EMAIL_OTP_CODE": wrong})
	wantAPIError(t, err, "CodeMismatchException", "Invalid code or auth state for the user.")
	if u := e.storedUser(t, "uma"); u.FailedLogins != failed+1 {
		t.Fatalf("a wrong code took the failures from %d to %d", failed, u.FailedLogins)
	}

	// An unknown user: the same answers, no mail.
	mails := len(e.delivered(t, m))
	out, err = e.userAuth("nobody@example.com", map[string]string{"PREFERRED_CHALLENGE": "EMAIL_OTP"})
	if err != nil || out.ChallengeName != types.ChallengeNameTypeEmailOtp || out.ChallengeParameters["CODE_DELIVERY_DESTINATION"] != "n***@e***.com" {
		t.Fatalf("USER_AUTH EMAIL_OTP for an unknown user: %v %+v", err, out)
	}
	if len(e.delivered(t, m)) != mails {
		t.Fatal("a code was mailed for an unknown user")
	}
	_, err = e.respond(types.ChallengeNameTypeEmailOtp, out.Session, map[string]string{"USERNAME": "nobody@example.com", "SECRET_HASH": *e.hash("nobody@example.com"), "EMAIL_OTP_CODE": "12345678"})
	wantAPIError(t, err, "CodeMismatchException", "Invalid code or auth state for the user.")

	// A disabled user: the answer of a known user, no mail, no match.
	if _, err := e.sdk(keyAdmin).AdminDisableUser(context.Background(), &cip.AdminDisableUserInput{UserPoolId: aws.String(e.pool.ID), Username: aws.String("uma")}); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Minute)
	out, err = e.userAuth("uma", map[string]string{"PREFERRED_CHALLENGE": "EMAIL_OTP"})
	if err != nil || out.ChallengeName != types.ChallengeNameTypeEmailOtp || out.ChallengeParameters["CODE_DELIVERY_DESTINATION"] != "u***@e***.com" {
		t.Fatalf("USER_AUTH EMAIL_OTP for a disabled user: %v %+v", err, out)
	}
	if len(e.delivered(t, m)) != mails {
		t.Fatal("a code was mailed to a disabled user")
	}
	_, err = e.respond(types.ChallengeNameTypeEmailOtp, out.Session, map[string]string{"USERNAME": "uma", "SECRET_HASH": *e.hash("uma"), "EMAIL_OTP_CODE": code})
	wantAPIError(t, err, "CodeMismatchException", "Invalid code or auth state for the user.")

	// A client without ALLOW_USER_AUTH, or a pool without the factor.
	e.allowFlows(t, pool.ExistenceEnabled, "ALLOW_USER_PASSWORD_AUTH")
	_, err = e.userAuth("uma", nil)
	wantAPIError(t, err, "InvalidParameterException", "USER_AUTH flow not enabled for this client")
	e.allowFlows(t, pool.ExistenceEnabled, "ALLOW_USER_AUTH")
	e.mfaPool(t, types.UserPoolMfaTypeOptional, types.AuthFactorTypePassword)
	out, err = e.userAuth("uma", map[string]string{"PREFERRED_CHALLENGE": "EMAIL_OTP"})
	if err != nil || out.ChallengeName != types.ChallengeNameTypeSelectChallenge || !slices.Equal(out.AvailableChallenges, want[:2]) {
		t.Fatalf("USER_AUTH in a pool with passwords only: %v %+v", err, out)
	}
}

// TestUserAuthPassword: USER_AUTH with a password, directly or through
// SELECT_CHALLENGE, and with SRP (PASSWORD_SRP, then PASSWORD_VERIFIER).
func TestUserAuthPassword(t *testing.T) {
	e, _, clk := srpEnv(t)
	e.allowFlows(t, pool.ExistenceEnabled, "ALLOW_USER_AUTH")
	e.confirmedUser(t, "ria", "Ria-Pass-12345!")

	out, err := e.userAuth("ria", nil)
	if err != nil || out.ChallengeName != types.ChallengeNameTypeSelectChallenge || len(out.AvailableChallenges) != 2 {
		t.Fatalf("USER_AUTH in a pool with passwords only: %v %+v", err, out)
	}
	answer := map[string]string{"USERNAME": "ria", "SECRET_HASH": *e.hash("ria"), "ANSWER": "PASSWORD"}
	_, err = e.respond(types.ChallengeNameTypeSelectChallenge, out.Session, answer)
	wantAPIError(t, err, "InvalidParameterException", "Missing required parameter PASSWORD")
	// The session outlives an incomplete answer, and not a complete one.
	answer["PASSWORD"] = "Ria-Pass-12345!"
	res, err := e.respond(types.ChallengeNameTypeSelectChallenge, out.Session, answer)
	if err != nil || res.AuthenticationResult == nil {
		t.Fatalf("SELECT_CHALLENGE PASSWORD: %v %+v", err, res)
	}
	_, err = e.respond(types.ChallengeNameTypeSelectChallenge, out.Session, answer)
	wantAPIError(t, err, "NotAuthorizedException", "Invalid session for the user, session is expired.")

	cl := srp.NewClient(srp.PoolName(e.pool.ID))
	out, err = e.userAuth("ria", map[string]string{"PREFERRED_CHALLENGE": "PASSWORD_SRP", "SRP_A": cl.SRPA()})
	if err != nil {
		t.Fatalf("USER_AUTH PASSWORD_SRP: %v", err)
	}
	res, err = e.respond(types.ChallengeNameTypePasswordVerifier, nil, e.srpAnswer(t, cl, out, "Ria-Pass-12345!", clk.Now()))
	if err != nil || res.AuthenticationResult == nil {
		t.Fatalf("PASSWORD_VERIFIER after USER_AUTH: %v %+v", err, res)
	}

	cl = srp.NewClient(srp.PoolName(e.pool.ID))
	out, _ = e.userAuth("ria", nil)
	ch, err := e.respond(types.ChallengeNameTypeSelectChallenge, out.Session, map[string]string{
		"USERNAME": "ria", "SECRET_HASH": *e.hash("ria"), "ANSWER": "PASSWORD_SRP", "SRP_A": cl.SRPA(),
	})
	if err != nil {
		t.Fatalf("SELECT_CHALLENGE PASSWORD_SRP: %v", err)
	}
	verifier := &cip.InitiateAuthOutput{ChallengeName: ch.ChallengeName, ChallengeParameters: ch.ChallengeParameters}
	res, err = e.respond(types.ChallengeNameTypePasswordVerifier, nil, e.srpAnswer(t, cl, verifier, "Ria-Pass-12345!", clk.Now()))
	if err != nil || res.AuthenticationResult == nil {
		t.Fatalf("PASSWORD_VERIFIER after SELECT_CHALLENGE: %v %+v", err, res)
	}
}

// TestUserAuthEmailOTPNotAFirstFactorWhenMFARequired: in a pool that
// requires MFA, a mailed code is only ever a second factor: USER_AUTH
// does not offer EMAIL_OTP, a PREFERRED_CHALLENGE of it falls back to
// the choice, and choosing it is refused; no code is mailed and no token
// issued on that path.
func TestUserAuthEmailOTPNotAFirstFactorWhenMFARequired(t *testing.T) {
	e, m, _ := srpEnv(t)
	e.allowFlows(t, pool.ExistenceEnabled, "ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")
	e.mfaPool(t, types.UserPoolMfaTypeOn, types.AuthFactorTypePassword, types.AuthFactorTypeEmailOtp)
	e.confirmedUser(t, "uma", "Uma-Pass-12345!")
	mails := len(e.delivered(t, m))

	want := []types.ChallengeNameType{"PASSWORD", "PASSWORD_SRP"}
	out, err := e.userAuth("uma", map[string]string{"PREFERRED_CHALLENGE": "EMAIL_OTP"})
	if err != nil || out.ChallengeName != types.ChallengeNameTypeSelectChallenge || !slices.Equal(out.AvailableChallenges, want) {
		t.Fatalf("USER_AUTH EMAIL_OTP in a pool requiring MFA: %v %+v", err, out)
	}
	_, err = e.respond(types.ChallengeNameTypeSelectChallenge, out.Session, map[string]string{"USERNAME": "uma", "SECRET_HASH": *e.hash("uma"), "ANSWER": "EMAIL_OTP"})
	wantAPIError(t, err, "InvalidParameterException", "")
	if n := len(e.delivered(t, m)); n != mails {
		t.Fatalf("%d codes mailed", n-mails)
	}
	// The password leads to the second factor, not to tokens.
	res, err := e.userAuth("uma", map[string]string{"PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": "Uma-Pass-12345!"})
	if err != nil || res.AuthenticationResult != nil || res.ChallengeName == "" {
		t.Fatalf("USER_AUTH PASSWORD in a pool requiring MFA: %v %+v", err, res)
	}
}
