package cognitoapi_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/linkpool/linkpool/internal/cognitoapi"
)

// setMFA sets the pool's MFA configuration through the API.
func (e *env) setMFA(t testing.TB, in *cip.SetUserPoolMfaConfigInput) *cip.SetUserPoolMfaConfigOutput {
	t.Helper()
	in.UserPoolId = aws.String(e.pool.ID)
	out, err := e.sdk(keyAdmin).SetUserPoolMfaConfig(context.Background(), in)
	if err != nil {
		t.Fatalf("SetUserPoolMfaConfig: %v", err)
	}
	return out
}

func TestUserPoolMfaConfig(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	c := e.sdk(keyAdmin)

	got, err := c.GetUserPoolMfaConfig(ctx, &cip.GetUserPoolMfaConfigInput{UserPoolId: aws.String(e.pool.ID)})
	if err != nil || got.MfaConfiguration != types.UserPoolMfaTypeOff || got.EmailMfaConfiguration != nil ||
		got.SoftwareTokenMfaConfiguration == nil || got.SoftwareTokenMfaConfiguration.Enabled ||
		got.WebAuthnConfiguration == nil || got.WebAuthnConfiguration.UserVerification != types.UserVerificationTypePreferred {
		t.Fatalf("default configuration: %+v %v", got, err)
	}

	set := e.setMFA(t, &cip.SetUserPoolMfaConfigInput{
		MfaConfiguration:              types.UserPoolMfaTypeOptional,
		SoftwareTokenMfaConfiguration: &types.SoftwareTokenMfaConfigType{Enabled: true},
		EmailMfaConfiguration:         &types.EmailMfaConfigType{Subject: aws.String("Your code"), Message: aws.String("Your code is {####}.")},
		WebAuthnConfiguration: &types.WebAuthnConfigurationType{RelyingPartyId: aws.String("auth.example.com"),
			UserVerification: types.UserVerificationTypeRequired, FactorConfiguration: types.WebAuthnFactorConfigurationTypeMultiFactorWithUserVerification},
	})
	if set.MfaConfiguration != types.UserPoolMfaTypeOptional || !set.SoftwareTokenMfaConfiguration.Enabled {
		t.Fatalf("SetUserPoolMfaConfig answer: %+v", set)
	}
	got, err = c.GetUserPoolMfaConfig(ctx, &cip.GetUserPoolMfaConfigInput{UserPoolId: aws.String(e.pool.ID)})
	if err != nil || got.MfaConfiguration != types.UserPoolMfaTypeOptional || !got.SoftwareTokenMfaConfiguration.Enabled ||
		got.EmailMfaConfiguration == nil || aws.ToString(got.EmailMfaConfiguration.Message) != "Your code is {####}." ||
		aws.ToString(got.EmailMfaConfiguration.Subject) != "Your code" ||
		aws.ToString(got.WebAuthnConfiguration.RelyingPartyId) != "auth.example.com" ||
		got.WebAuthnConfiguration.UserVerification != types.UserVerificationTypeRequired ||
		got.WebAuthnConfiguration.FactorConfiguration != types.WebAuthnFactorConfigurationTypeMultiFactorWithUserVerification {
		t.Fatalf("read back: %+v %v", got, err)
	}
	stored, err := e.app.Store.GetPool(ctx, e.pool.ID)
	if err != nil || !stored.MFA.SoftwareToken || !stored.MFA.Email || stored.MFA.Mode != "OPTIONAL" {
		t.Fatalf("stored: %+v %v", stored.MFA, err)
	}

	// The pool's first factors go with the pool settings; DescribeUserPool
	// shows them and the mode.
	if _, err := c.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{
		UserPoolId: aws.String(e.pool.ID), MfaConfiguration: types.UserPoolMfaTypeOptional,
		Policies: &types.UserPoolPolicyType{SignInPolicy: &types.SignInPolicyType{
			AllowedFirstAuthFactors: []types.AuthFactorType{types.AuthFactorTypePassword, types.AuthFactorTypeEmailOtp, types.AuthFactorTypeWebAuthn}}},
	}); err != nil {
		t.Fatalf("UpdateUserPool: %v", err)
	}
	d, err := c.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String(e.pool.ID)})
	if err != nil || d.UserPool.MfaConfiguration != types.UserPoolMfaTypeOptional || d.UserPool.Policies.SignInPolicy == nil ||
		len(d.UserPool.Policies.SignInPolicy.AllowedFirstAuthFactors) != 3 {
		t.Fatalf("DescribeUserPool: %+v %v", d.UserPool, err)
	}

	// Leaving out a factor disables it; leaving out the mode and the
	// passkey settings keeps them.
	e.setMFA(t, &cip.SetUserPoolMfaConfigInput{
		SoftwareTokenMfaConfiguration: &types.SoftwareTokenMfaConfigType{Enabled: true},
		EmailMfaConfiguration:         &types.EmailMfaConfigType{},
	})
	got, _ = c.GetUserPoolMfaConfig(ctx, &cip.GetUserPoolMfaConfigInput{UserPoolId: aws.String(e.pool.ID)})
	if got.MfaConfiguration != types.UserPoolMfaTypeOptional || got.EmailMfaConfiguration == nil ||
		aws.ToString(got.EmailMfaConfiguration.Message) != "" || aws.ToString(got.WebAuthnConfiguration.RelyingPartyId) != "auth.example.com" {
		t.Fatalf("after a partial set: %+v", got)
	}
}

// TestUserPoolMfaConfigRefused sends bad configurations: each is an
// InvalidParameterException (or SerializationException for a member of
// the wrong JSON type) and changes nothing.
func TestUserPoolMfaConfigRefused(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.setMFA(t, &cip.SetUserPoolMfaConfigInput{
		MfaConfiguration:              types.UserPoolMfaTypeOptional,
		SoftwareTokenMfaConfiguration: &types.SoftwareTokenMfaConfigType{Enabled: true},
		EmailMfaConfiguration:         &types.EmailMfaConfigType{},
	})
	// EMAIL_OTP as a first factor keeps the email factor.
	if _, err := e.sdk(keyAdmin).UpdateUserPool(ctx, &cip.UpdateUserPoolInput{
		UserPoolId: aws.String(e.pool.ID), MfaConfiguration: types.UserPoolMfaTypeOptional,
		Policies: &types.UserPoolPolicyType{SignInPolicy: &types.SignInPolicyType{
			AllowedFirstAuthFactors: []types.AuthFactorType{types.AuthFactorTypePassword, types.AuthFactorTypeEmailOtp}}},
	}); err != nil {
		t.Fatalf("UpdateUserPool: %v", err)
	}
	before, err := e.app.Store.GetPool(ctx, e.pool.ID)
	if err != nil {
		t.Fatal(err)
	}
	pid := e.pool.ID
	cases := []struct{ name, body, typ, msg string }{
		{"no pool", `{"MfaConfiguration":"OFF"}`, "InvalidParameterException", "'userPoolId'"},
		{"bad mode", `{"UserPoolId":"` + pid + `","MfaConfiguration":"MAYBE"}`, "InvalidParameterException", "'mfaConfiguration'"},
		{"mode of wrong type", `{"UserPoolId":"` + pid + `","MfaConfiguration":1}`, "SerializationException", ""},
		{"enabled of wrong type", `{"UserPoolId":"` + pid + `","SoftwareTokenMfaConfiguration":{"Enabled":"yes"}}`, "SerializationException", ""},
		{"sms", `{"UserPoolId":"` + pid + `","SmsMfaConfiguration":{"SmsAuthenticationMessage":"{####}"},"SoftwareTokenMfaConfiguration":{"Enabled":true},"EmailMfaConfiguration":{}}`, "InvalidParameterException", "SMS"},
		{"on without a factor", `{"UserPoolId":"` + pid + `","MfaConfiguration":"ON"}`, "InvalidParameterException", "needs a factor"},
		{"email off while a first factor", `{"UserPoolId":"` + pid + `","SoftwareTokenMfaConfiguration":{"Enabled":true}}`, "InvalidParameterException", "EMAIL_OTP"},
		{"message without placeholder", `{"UserPoolId":"` + pid + `","EmailMfaConfiguration":{"Message":"no code here"}}`, "InvalidParameterException", "{####}"},
		{"message too short", `{"UserPoolId":"` + pid + `","EmailMfaConfiguration":{"Message":"{###"}}`, "InvalidParameterException", "'emailMfaConfiguration.message'"},
		{"subject blank", `{"UserPoolId":"` + pid + `","EmailMfaConfiguration":{"Subject":"   "}}`, "InvalidParameterException", "Subject"},
		{"bad user verification", `{"UserPoolId":"` + pid + `","EmailMfaConfiguration":{},"WebAuthnConfiguration":{"UserVerification":"sometimes"}}`, "InvalidParameterException", "'webAuthnConfiguration.userVerification'"},
		{"bad factor configuration", `{"UserPoolId":"` + pid + `","EmailMfaConfiguration":{},"WebAuthnConfiguration":{"FactorConfiguration":"TWO"}}`, "InvalidParameterException", "'webAuthnConfiguration.factorConfiguration'"},
		{"bad relying party", `{"UserPoolId":"` + pid + `","EmailMfaConfiguration":{},"WebAuthnConfiguration":{"RelyingPartyId":"https://x.example.com/"}}`, "InvalidParameterException", "RelyingPartyId"},
		{"unknown pool", `{"UserPoolId":"us-east-1_Missing99","MfaConfiguration":"OFF"}`, "ResourceNotFoundException", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, h, body := e.raw(t, cognitoapi.TargetPrefix+"SetUserPoolMfaConfig", keyAdmin, tc.body)
			if status != 400 || h.Get("x-amzn-ErrorType") != tc.typ {
				t.Fatalf("%d %s %v, want %s", status, h.Get("x-amzn-ErrorType"), body, tc.typ)
			}
			if msg, _ := body["message"].(string); !strings.Contains(msg, tc.msg) {
				t.Fatalf("message %q, want it to contain %q", msg, tc.msg)
			}
		})
	}
	after, err := e.app.Store.GetPool(ctx, e.pool.ID)
	if err != nil || after.MFA != before.MFA || !after.UpdatedAt.Equal(before.UpdatedAt) {
		t.Fatalf("a refused configuration changed the pool: %+v -> %+v", before.MFA, after.MFA)
	}
	// GetUserPoolMfaConfig needs a pool id.
	if status, h, _ := e.raw(t, cognitoapi.TargetPrefix+"GetUserPoolMfaConfig", keyAdmin, `{}`); status != 400 || h.Get("x-amzn-ErrorType") != "InvalidParameterException" {
		t.Fatalf("GetUserPoolMfaConfig without a pool: %d %s", status, h.Get("x-amzn-ErrorType"))
	}
	// A read-only key may read and not set.
	if _, err := e.sdk(keyReadOnly).GetUserPoolMfaConfig(ctx, &cip.GetUserPoolMfaConfigInput{UserPoolId: aws.String(pid)}); err != nil {
		t.Fatalf("read-only GetUserPoolMfaConfig: %v", err)
	}
	_, err = e.sdk(keyReadOnly).SetUserPoolMfaConfig(ctx, &cip.SetUserPoolMfaConfigInput{UserPoolId: aws.String(pid), MfaConfiguration: types.UserPoolMfaTypeOff})
	wantAPIError(t, err, "AccessDeniedException", "")
}
