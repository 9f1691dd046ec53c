package cognitoapi_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/linkpool/linkpool/internal/apptest"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/trigger"
)

// TestPreTokenGenerationAfterNewPassword: the tokens of a sign-in that
// answered NEW_PASSWORD_REQUIRED are generated with the trigger source
// TokenGeneration_NewPasswordChallenge, and the trigger's claim is in
// them; a later password sign-in is TokenGeneration_Authentication.
func TestPreTokenGenerationAfterNewPassword(t *testing.T) {
	e, _, tr := triggerEnv(t, pool.TriggerPreTokenGeneration)
	e.allowFlows(t, pool.ExistenceEnabled, "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")
	tr.Handle(pool.TriggerPreTokenGeneration, func(_ context.Context, ev events.CognitoEventUserPoolsPreTokenGen) (events.CognitoEventUserPoolsPreTokenGen, error) {
		ev.Response.ClaimsOverrideDetails.ClaimsToAddOrOverride = map[string]string{"signed_in_by": ev.TriggerSource}
		return ev, nil
	})
	e.tempUser(t, "nora", "Temp-Pass-123!", map[string]string{"email": "nora@example.com"})
	out, err := e.passwordAuth("nora", "Temp-Pass-123!", e.hash("nora"))
	if err != nil {
		t.Fatalf("InitiateAuth: %v", err)
	}
	session, _ := wantNewPasswordChallenge(t, out.ChallengeName, out.Session, out.ChallengeParameters, "nora")
	if got := tr.Sources(); len(got) != 0 {
		t.Fatalf("sources before the new password = %v, want none", got)
	}
	res, err := e.respond(types.ChallengeNameTypeNewPasswordRequired, session, map[string]string{
		"USERNAME": "nora", "NEW_PASSWORD": "Nora-New-Pass-1!", "SECRET_HASH": *e.hash("nora"),
	})
	if err != nil || res.AuthenticationResult == nil {
		t.Fatalf("RespondToAuthChallenge NEW_PASSWORD_REQUIRED: %v %+v", err, res)
	}
	if id := apptest.JWTClaims(t, aws.ToString(res.AuthenticationResult.IdToken)); id["signed_in_by"] != trigger.SourceTokenNewPassword {
		t.Fatalf("ID token after the new password: %v", id)
	}
	again, err := e.passwordAuth("nora", "Nora-New-Pass-1!", e.hash("nora"))
	if err != nil || again.AuthenticationResult == nil {
		t.Fatalf("sign-in with the new password: %v %+v", err, again)
	}
	if id := apptest.JWTClaims(t, aws.ToString(again.AuthenticationResult.IdToken)); id["signed_in_by"] != trigger.SourceTokenAuthentication {
		t.Fatalf("ID token of the later sign-in: %v", id)
	}
	want := []string{trigger.SourceTokenNewPassword, trigger.SourceTokenAuthentication}
	if got := tr.Sources(); !slices.Equal(got, want) {
		t.Fatalf("sources = %v, want %v", got, want)
	}
}

// TestCustomMessageAuthenticationThroughSDK: the email code of the
// EMAIL_OTP second factor and that of a USER_AUTH sign-in with the email
// code are both CustomMessage_Authentication, and the trigger's message
// is the mail; the code in it signs in.
func TestCustomMessageAuthenticationThroughSDK(t *testing.T) {
	e, m, tr := triggerEnv(t, pool.TriggerCustomMessage)
	e.allowFlows(t, pool.ExistenceEnabled, "ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")
	e.mfaPool(t, types.UserPoolMfaTypeOptional, types.AuthFactorTypePassword, types.AuthFactorTypeEmailOtp)
	// UpdateUserPool without LambdaConfig removed the triggers, as in
	// Cognito: configure them again.
	if err := e.app.Store.UpdatePool(context.Background(), e.pool.ID, func(p pool.Pool) (pool.Pool, error) {
		tr.Configure(&p, e.kit.Box, pool.TriggerCustomMessage)
		return p, nil
	}); err != nil {
		t.Fatal(err)
	}
	e.confirmedUser(t, "emma", "Emma-Pass-123!")
	e.enableEmailMFA(t, "emma", true)
	tr.Handle(pool.TriggerCustomMessage, func(_ context.Context, ev events.CognitoEventUserPoolsCustomMessage) (events.CognitoEventUserPoolsCustomMessage, error) {
		ev.Response.EmailSubject = "Lamp sign-in"
		ev.Response.EmailMessage = ev.TriggerSource + " " + ev.Request.CodeParameter
		return ev, nil
	})
	mailed := func() string {
		t.Helper()
		code := e.otp(t, m, "emma@example.com")
		ms := m.Messages()
		if last := ms[len(ms)-1]; last.Subject != "Lamp sign-in" || last.Text != trigger.SourceCustomMessageAuthentication+" "+code {
			t.Fatalf("mail = %q %q", last.Subject, last.Text)
		}
		return code
	}

	out, err := e.passwordAuth("emma", "Emma-Pass-123!", e.hash("emma"))
	if err != nil || out.ChallengeName != types.ChallengeNameTypeEmailOtp {
		t.Fatalf("InitiateAuth: %v %+v", err, out)
	}
	res, err := e.respond(types.ChallengeNameTypeEmailOtp, out.Session, map[string]string{
		"USERNAME": "emma", "SECRET_HASH": *e.hash("emma"), "EMAIL_OTP_CODE": mailed()})
	if err != nil || res.AuthenticationResult == nil {
		t.Fatalf("EMAIL_OTP second factor: %v %+v", err, res)
	}

	e.kit.Clock.Advance(time.Minute)
	first, err := e.userAuth("emma", map[string]string{"PREFERRED_CHALLENGE": "EMAIL_OTP"})
	if err != nil || first.ChallengeName != types.ChallengeNameTypeEmailOtp {
		t.Fatalf("USER_AUTH EMAIL_OTP: %v %+v", err, first)
	}
	res, err = e.respond(types.ChallengeNameTypeEmailOtp, first.Session, map[string]string{
		"USERNAME": "emma", "SECRET_HASH": *e.hash("emma"), "EMAIL_OTP_CODE": mailed()})
	if err != nil || res.AuthenticationResult == nil {
		t.Fatalf("EMAIL_OTP sign-in: %v %+v", err, res)
	}
	want := []string{trigger.SourceCustomMessageAuthentication, trigger.SourceCustomMessageAuthentication}
	if got := tr.Sources(); !slices.Equal(got, want) {
		t.Fatalf("sources = %v, want %v", got, want)
	}
}

// TestCustomAuthTriggerSourcesThroughSDK: a CUSTOM_AUTH sign-in sends
// the three challenge triggers their own trigger sources
// (DefineAuthChallenge_Authentication, CreateAuthChallenge_Authentication,
// VerifyAuthChallengeResponse_Authentication), in Cognito's order, each
// decoded into aws-lambda-go's event type.
func TestCustomAuthTriggerSourcesThroughSDK(t *testing.T) {
	e, _, tr := triggerEnv(t, pool.TriggerDefineAuthChallenge, pool.TriggerCreateAuthChallenge, pool.TriggerVerifyAuthChallengeResponse)
	e.allowFlows(t, pool.ExistenceEnabled, "ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")
	e.confirmedUser(t, "dora", "Dora-Pass-123!")
	tr.Handle(pool.TriggerDefineAuthChallenge, func(_ context.Context, ev events.CognitoEventUserPoolsDefineAuthChallenge) (events.CognitoEventUserPoolsDefineAuthChallenge, error) {
		s := ev.Request.Session
		switch {
		case len(s) > 0 && s[len(s)-1].ChallengeResult:
			ev.Response.IssueTokens = true
		case len(s) > 0:
			ev.Response.FailAuthentication = true
		default:
			ev.Response.ChallengeName = "CUSTOM_CHALLENGE"
		}
		return ev, nil
	})
	tr.Handle(pool.TriggerCreateAuthChallenge, func(_ context.Context, ev events.CognitoEventUserPoolsCreateAuthChallenge) (events.CognitoEventUserPoolsCreateAuthChallenge, error) {
		ev.Response.PublicChallengeParameters = map[string]string{"question": "Colour of the hall lamp?"}
		ev.Response.PrivateChallengeParameters = map[string]string{"answer": "amber"}
		return ev, nil
	})
	tr.Handle(pool.TriggerVerifyAuthChallengeResponse, func(_ context.Context, ev events.CognitoEventUserPoolsVerifyAuthChallenge) (events.CognitoEventUserPoolsVerifyAuthChallenge, error) {
		ev.Response.AnswerCorrect = ev.Request.ChallengeAnswer == ev.Request.PrivateChallengeParameters["answer"]
		return ev, nil
	})
	out, err := e.anon().InitiateAuth(context.Background(), &cip.InitiateAuthInput{
		AuthFlow: types.AuthFlowTypeCustomAuth, ClientId: aws.String(e.client.ID),
		AuthParameters: map[string]string{"USERNAME": "dora", "SECRET_HASH": *e.hash("dora")},
	})
	if err != nil || out.ChallengeName != types.ChallengeNameTypeCustomChallenge || out.ChallengeParameters["question"] != "Colour of the hall lamp?" {
		t.Fatalf("InitiateAuth CUSTOM_AUTH: %v %+v", err, out)
	}
	res, err := e.respond(types.ChallengeNameTypeCustomChallenge, out.Session, map[string]string{
		"USERNAME": "dora", "SECRET_HASH": *e.hash("dora"), "ANSWER": "amber"})
	if err != nil || res.AuthenticationResult == nil {
		t.Fatalf("CUSTOM_CHALLENGE: %v %+v", err, res)
	}
	want := []string{trigger.SourceDefineAuthChallenge, trigger.SourceCreateAuthChallenge,
		trigger.SourceVerifyAuthChallengeResponse, trigger.SourceDefineAuthChallenge}
	if got := tr.Sources(); !slices.Equal(got, want) {
		t.Fatalf("sources = %v, want %v", got, want)
	}
	if tr.BadSignatures() != 0 {
		t.Fatal("a request failed the signature check")
	}
}

// TestAdminConfirmSignUpRunsPostConfirmationThroughSDK: an administrator's
// AdminConfirmSignUp runs post confirmation as
// PostConfirmation_ConfirmSignUp, as ConfirmSignUp does; its failure is
// Cognito's error and the confirmation stays.
func TestAdminConfirmSignUpRunsPostConfirmationThroughSDK(t *testing.T) {
	e, _, tr := triggerEnv(t, pool.TriggerPostConfirmation)
	var got []events.CognitoEventUserPoolsPostConfirmation
	tr.Handle(pool.TriggerPostConfirmation, func(_ context.Context, ev events.CognitoEventUserPoolsPostConfirmation) (events.CognitoEventUserPoolsPostConfirmation, error) {
		got = append(got, ev)
		if ev.UserName == "bob" {
			return ev, errors.New("welcome mail failed")
		}
		return ev, nil
	})
	ctx := context.Background()
	for _, name := range []string{"ann", "bob"} {
		if _, err := e.anon().SignUp(ctx, &cip.SignUpInput{
			ClientId: aws.String(e.client.ID), SecretHash: e.hash(name), Username: aws.String(name), Password: aws.String("Sign-Up-Pass-1!"),
			UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String(name + "@example.com")}},
		}); err != nil {
			t.Fatal(err)
		}
	}
	admin := e.sdk(keyAdmin)
	if _, err := admin.AdminConfirmSignUp(ctx, &cip.AdminConfirmSignUpInput{UserPoolId: aws.String(e.pool.ID), Username: aws.String("ann")}); err != nil {
		t.Fatalf("AdminConfirmSignUp: %v", err)
	}
	_, err := admin.AdminConfirmSignUp(ctx, &cip.AdminConfirmSignUpInput{UserPoolId: aws.String(e.pool.ID), Username: aws.String("bob")})
	wantAPIError(t, err, "UserLambdaValidationException", "PostConfirmation failed with error welcome mail failed.")
	if u := e.storedUser(t, "bob"); u.Status != pool.StatusConfirmed {
		t.Fatalf("bob after a failed post confirmation: %s", u.Status)
	}
	if len(got) != 2 || got[0].TriggerSource != trigger.SourcePostConfirmation || got[0].UserName != "ann" ||
		got[0].Request.UserAttributes["cognito:user_status"] != pool.StatusConfirmed {
		t.Fatalf("post confirmation events %+v", got)
	}
}
