package cognitoapi_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/document"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/descope/virtualwebauthn"

	"github.com/linkpool/linkpool/internal/apptest"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/trigger"
)

// passkeyRP is the relying party the test's authenticator answers: the
// pool's RelyingPartyId, localhost, at its http origin.
var passkeyRP = virtualwebauthn.RelyingParty{ID: "localhost", Name: "API test", Origin: "http://localhost"}

// registerPasskey registers a new passkey for the holder of access with
// StartWebAuthnRegistration and CompleteWebAuthnRegistration, and returns
// the authenticator holding it.
func (e *env) registerPasskey(t *testing.T, access *string) (virtualwebauthn.Authenticator, virtualwebauthn.Credential) {
	t.Helper()
	ctx := context.Background()
	c := e.anon()
	start, err := c.StartWebAuthnRegistration(ctx, &cip.StartWebAuthnRegistrationInput{AccessToken: access})
	if err != nil {
		t.Fatalf("StartWebAuthnRegistration: %v", err)
	}
	raw, err := start.CredentialCreationOptions.MarshalSmithyDocument()
	if err != nil {
		t.Fatal(err)
	}
	opts, err := virtualwebauthn.ParseAttestationOptions(string(raw))
	if err != nil {
		t.Fatalf("CredentialCreationOptions %s: %v", raw, err)
	}
	if opts.RelyingPartyID != "localhost" {
		t.Fatalf("relying party %q", opts.RelyingPartyID)
	}
	auth := virtualwebauthn.NewAuthenticatorWithOptions(virtualwebauthn.AuthenticatorOptions{UserHandle: []byte(opts.UserID)})
	cred := apptest.PasskeyCredential()
	var answer map[string]any
	if err := json.Unmarshal([]byte(virtualwebauthn.CreateAttestationResponse(passkeyRP, auth, cred, *opts)), &answer); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CompleteWebAuthnRegistration(ctx, &cip.CompleteWebAuthnRegistrationInput{AccessToken: access, Credential: document.NewLazyDocument(answer)}); err != nil {
		t.Fatalf("CompleteWebAuthnRegistration: %v", err)
	}
	auth.AddCredential(cred)
	return auth, cred
}

// passkeyAnswer is the authenticator's assertion for a WEB_AUTHN
// challenge.
func passkeyAnswer(t *testing.T, auth virtualwebauthn.Authenticator, cred virtualwebauthn.Credential, params map[string]string) string {
	t.Helper()
	opts, err := virtualwebauthn.ParseAssertionOptions(params["CREDENTIAL_REQUEST_OPTIONS"])
	if err != nil {
		t.Fatalf("CREDENTIAL_REQUEST_OPTIONS %q: %v", params["CREDENTIAL_REQUEST_OPTIONS"], err)
	}
	return virtualwebauthn.CreateAssertionResponse(passkeyRP, auth, cred, *opts)
}

// TestPasskeys: a signed-in user registers a passkey, lists it, signs in
// with it through USER_AUTH WEB_AUTHN (a replayed assertion is refused,
// another user's name is refused), and deletes it.
func TestPasskeys(t *testing.T) {
	e, _, clk := srpEnv(t)
	ctx := context.Background()
	c := e.anon()
	e.allowFlows(t, pool.ExistenceEnabled, "ALLOW_USER_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")
	e.confirmedUser(t, "pat", "Pat-Pass-12345!")
	e.confirmedUser(t, "quin", "Quin-Pass-1234!")
	out, err := e.passwordAuth("pat", "Pat-Pass-12345!", e.hash("pat"))
	if err != nil || out.AuthenticationResult == nil {
		t.Fatalf("InitiateAuth: %v", err)
	}
	tok := out.AuthenticationResult.AccessToken

	// Not before the pool allows passkeys.
	_, err = c.StartWebAuthnRegistration(ctx, &cip.StartWebAuthnRegistrationInput{AccessToken: tok})
	wantAPIError(t, err, "WebAuthnNotEnabledException", "")
	e.mfaPool(t, types.UserPoolMfaTypeOptional, types.AuthFactorTypePassword, types.AuthFactorTypeWebAuthn)

	auth, cred := e.registerPasskey(t, tok)
	list, err := c.ListWebAuthnCredentials(ctx, &cip.ListWebAuthnCredentialsInput{AccessToken: tok})
	if err != nil || len(list.Credentials) != 1 || aws.ToString(list.Credentials[0].RelyingPartyId) != "localhost" ||
		aws.ToString(list.Credentials[0].CredentialId) == "" || list.Credentials[0].CreatedAt == nil || list.NextToken != nil {
		t.Fatalf("ListWebAuthnCredentials: %v %+v", err, list)
	}
	id := list.Credentials[0].CredentialId

	out, err = e.userAuth("pat", map[string]string{"PREFERRED_CHALLENGE": "WEB_AUTHN"})
	if err != nil || out.ChallengeName != types.ChallengeNameTypeWebAuthn || out.ChallengeParameters["CREDENTIAL_REQUEST_OPTIONS"] == "" {
		t.Fatalf("USER_AUTH WEB_AUTHN: %v %+v", err, out)
	}
	assertion := passkeyAnswer(t, auth, cred, out.ChallengeParameters)
	answer := map[string]string{"USERNAME": "pat", "SECRET_HASH": *e.hash("pat")}
	_, err = e.respond(types.ChallengeNameTypeWebAuthn, out.Session, answer)
	wantAPIError(t, err, "InvalidParameterException", "Missing required parameter CREDENTIAL")
	answer["CREDENTIAL"] = assertion
	res, err := e.respond(types.ChallengeNameTypeWebAuthn, out.Session, answer)
	if err != nil || res.AuthenticationResult == nil {
		t.Fatalf("WEB_AUTHN: %v %+v", err, res)
	}
	// The assertion answered one challenge; on another it is refused.
	out, err = e.userAuth("pat", map[string]string{"PREFERRED_CHALLENGE": "WEB_AUTHN"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.respond(types.ChallengeNameTypeWebAuthn, out.Session, answer)
	if err == nil {
		t.Fatal("a replayed assertion signed in")
	}
	// Pat's passkey does not sign quin in.
	clk.Advance(time.Second)
	out, err = e.userAuth("quin", map[string]string{"PREFERRED_CHALLENGE": "WEB_AUTHN"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.respond(types.ChallengeNameTypeWebAuthn, out.Session, map[string]string{
		"USERNAME": "quin", "SECRET_HASH": *e.hash("quin"), "CREDENTIAL": passkeyAnswer(t, auth, cred, out.ChallengeParameters),
	})
	wantAPIError(t, err, "NotAuthorizedException", "Incorrect username or password.")

	// An unknown user gets a WEB_AUTHN challenge all the same, which no
	// passkey answers.
	clk.Advance(time.Second)
	out, err = e.userAuth("nobody", map[string]string{"PREFERRED_CHALLENGE": "WEB_AUTHN"})
	if err != nil || out.ChallengeName != types.ChallengeNameTypeWebAuthn || out.ChallengeParameters["CREDENTIAL_REQUEST_OPTIONS"] == "" {
		t.Fatalf("USER_AUTH WEB_AUTHN for an unknown user: %v %+v", err, out)
	}
	_, err = e.respond(types.ChallengeNameTypeWebAuthn, out.Session, map[string]string{
		"USERNAME": "nobody", "SECRET_HASH": *e.hash("nobody"), "CREDENTIAL": passkeyAnswer(t, auth, cred, out.ChallengeParameters),
	})
	wantAPIError(t, err, "NotAuthorizedException", "Incorrect username or password.")

	// A second passkey; pages of one.
	e.registerPasskey(t, tok)
	page, err := c.ListWebAuthnCredentials(ctx, &cip.ListWebAuthnCredentialsInput{AccessToken: tok, MaxResults: aws.Int32(1)})
	if err != nil || len(page.Credentials) != 1 || page.NextToken == nil {
		t.Fatalf("ListWebAuthnCredentials page 1: %v %+v", err, page)
	}
	page2, err := c.ListWebAuthnCredentials(ctx, &cip.ListWebAuthnCredentialsInput{AccessToken: tok, MaxResults: aws.Int32(1), NextToken: page.NextToken})
	if err != nil || len(page2.Credentials) != 1 || page2.NextToken != nil ||
		aws.ToString(page2.Credentials[0].CredentialId) == aws.ToString(page.Credentials[0].CredentialId) {
		t.Fatalf("ListWebAuthnCredentials page 2: %v %+v", err, page2)
	}
	if _, err := c.DeleteWebAuthnCredential(ctx, &cip.DeleteWebAuthnCredentialInput{AccessToken: tok, CredentialId: page2.Credentials[0].CredentialId}); err != nil {
		t.Fatalf("DeleteWebAuthnCredential: %v", err)
	}

	// Bad input changes nothing.
	before := e.snapshot(t)
	for _, body := range []string{
		`{"AccessToken":"` + aws.ToString(tok) + `"}`,
		`{"AccessToken":"` + aws.ToString(tok) + `","Credential":"text"}`,
		`{"AccessToken":"` + aws.ToString(tok) + `","Credential":{"id":"x"}}`,
	} {
		status, h, _ := e.raw(t, "AWSCognitoIdentityProviderService.CompleteWebAuthnRegistration", "", body)
		if status != 400 || h.Get("x-amzn-ErrorType") == "" {
			t.Fatalf("CompleteWebAuthnRegistration %s: %d %s", body, status, h.Get("x-amzn-ErrorType"))
		}
	}
	status, h, _ := e.raw(t, "AWSCognitoIdentityProviderService.ListWebAuthnCredentials", "", `{"AccessToken":"`+aws.ToString(tok)+`","MaxResults":21}`)
	if status != 400 || h.Get("x-amzn-ErrorType") != "InvalidParameterException" {
		t.Fatalf("ListWebAuthnCredentials MaxResults 21: %d %s", status, h.Get("x-amzn-ErrorType"))
	}
	_, err = c.DeleteWebAuthnCredential(ctx, &cip.DeleteWebAuthnCredentialInput{AccessToken: tok, CredentialId: aws.String("bm90LWEtY3JlZGVudGlhbA")})
	wantAPIError(t, err, "ResourceNotFoundException", "")
	// Quin cannot delete pat's passkey.
	qout, err := e.passwordAuth("quin", "Quin-Pass-1234!", e.hash("quin"))
	if err != nil || qout.AuthenticationResult == nil {
		t.Fatalf("InitiateAuth quin: %v", err)
	}
	_, err = c.DeleteWebAuthnCredential(ctx, &cip.DeleteWebAuthnCredentialInput{AccessToken: qout.AuthenticationResult.AccessToken, CredentialId: id})
	wantAPIError(t, err, "ResourceNotFoundException", "")
	if e.snapshot(t) != before {
		t.Fatal("a refused request changed a user")
	}
	if list, err := c.ListWebAuthnCredentials(ctx, &cip.ListWebAuthnCredentialsInput{AccessToken: tok}); err != nil || len(list.Credentials) != 1 {
		t.Fatalf("passkeys after refused requests: %v %+v", err, list)
	}

	if _, err := c.DeleteWebAuthnCredential(ctx, &cip.DeleteWebAuthnCredentialInput{AccessToken: tok, CredentialId: id}); err != nil {
		t.Fatalf("DeleteWebAuthnCredential: %v", err)
	}
	list, err = c.ListWebAuthnCredentials(ctx, &cip.ListWebAuthnCredentialsInput{AccessToken: tok})
	if err != nil || len(list.Credentials) != 0 {
		t.Fatalf("after delete: %v %+v", err, list)
	}
	_, err = c.DeleteWebAuthnCredential(ctx, &cip.DeleteWebAuthnCredentialInput{AccessToken: tok, CredentialId: id})
	wantAPIError(t, err, "ResourceNotFoundException", "")
}

// TestPasskeySatisfiesMFA: in a pool that requires MFA and counts a
// passkey with user verification as multi-factor, such a passkey signs
// in at once; one without user verification is refused, and a password
// still takes the second factor.
func TestPasskeySatisfiesMFA(t *testing.T) {
	e, _, clk := srpEnv(t)
	e.allowFlows(t, pool.ExistenceEnabled, "ALLOW_USER_AUTH", "ALLOW_USER_PASSWORD_AUTH")
	e.mfaPool(t, types.UserPoolMfaTypeOptional, types.AuthFactorTypePassword, types.AuthFactorTypeWebAuthn)
	e.confirmedUser(t, "val", "Val-Pass-12345!")
	out, err := e.passwordAuth("val", "Val-Pass-12345!", e.hash("val"))
	if err != nil || out.AuthenticationResult == nil {
		t.Fatalf("InitiateAuth: %v", err)
	}
	auth, cred := e.registerPasskey(t, out.AuthenticationResult.AccessToken)

	e.setMFA(t, &cip.SetUserPoolMfaConfigInput{
		MfaConfiguration: types.UserPoolMfaTypeOn, SoftwareTokenMfaConfiguration: &types.SoftwareTokenMfaConfigType{Enabled: true},
		WebAuthnConfiguration: &types.WebAuthnConfigurationType{RelyingPartyId: aws.String("localhost"),
			FactorConfiguration: types.WebAuthnFactorConfigurationTypeMultiFactorWithUserVerification},
	})
	out, err = e.userAuth("val", nil)
	if err != nil || len(out.AvailableChallenges) != 3 || out.AvailableChallenges[2] != "WEB_AUTHN" {
		t.Fatalf("USER_AUTH in a pool requiring MFA: %v %+v", err, out)
	}
	answer := map[string]string{"USERNAME": "val", "SECRET_HASH": *e.hash("val"), "ANSWER": "WEB_AUTHN"}
	ch, err := e.respond(types.ChallengeNameTypeSelectChallenge, out.Session, answer)
	if err != nil || ch.ChallengeName != types.ChallengeNameTypeWebAuthn {
		t.Fatalf("SELECT_CHALLENGE WEB_AUTHN: %v %+v", err, ch)
	}
	res, err := e.respond(types.ChallengeNameTypeWebAuthn, ch.Session, map[string]string{
		"USERNAME": "val", "SECRET_HASH": *e.hash("val"), "CREDENTIAL": passkeyAnswer(t, auth, cred, ch.ChallengeParameters),
	})
	if err != nil || res.AuthenticationResult == nil {
		t.Fatalf("a verified passkey in a pool requiring MFA: %v %+v", err, res)
	}

	// Without user verification it is one factor only.
	clk.Advance(time.Second)
	auth.Options.UserNotVerified = true
	out, err = e.userAuth("val", map[string]string{"PREFERRED_CHALLENGE": "WEB_AUTHN"})
	if err != nil || out.ChallengeName != types.ChallengeNameTypeWebAuthn {
		t.Fatalf("USER_AUTH WEB_AUTHN: %v %+v", err, out)
	}
	_, err = e.respond(types.ChallengeNameTypeWebAuthn, out.Session, map[string]string{
		"USERNAME": "val", "SECRET_HASH": *e.hash("val"), "CREDENTIAL": passkeyAnswer(t, auth, cred, out.ChallengeParameters),
	})
	wantAPIError(t, err, "NotAuthorizedException", "")

	// A password needs the second factor: the user has none, so MFA_SETUP.
	out, err = e.userAuth("val", map[string]string{"PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": "Val-Pass-12345!"})
	if err != nil || out.AuthenticationResult != nil || out.ChallengeName != types.ChallengeNameTypeMfaSetup {
		t.Fatalf("USER_AUTH PASSWORD in a pool requiring MFA: %v %+v", err, out)
	}
}

// TestPasskeySignInRunsAuthenticationTriggers: USER_AUTH with WEB_AUTHN
// runs pre authentication when it starts for a known user and post
// authentication when the assertion signs in.
func TestPasskeySignInRunsAuthenticationTriggers(t *testing.T) {
	e, _, _ := srpEnv(t)
	e.allowFlows(t, pool.ExistenceEnabled, "ALLOW_USER_AUTH", "ALLOW_USER_PASSWORD_AUTH")
	e.confirmedUser(t, "pat", "Pat-Pass-12345!")
	out, err := e.passwordAuth("pat", "Pat-Pass-12345!", e.hash("pat"))
	if err != nil || out.AuthenticationResult == nil {
		t.Fatalf("InitiateAuth: %v", err)
	}
	e.mfaPool(t, types.UserPoolMfaTypeOptional, types.AuthFactorTypePassword, types.AuthFactorTypeWebAuthn)
	auth, cred := e.registerPasskey(t, out.AuthenticationResult.AccessToken)
	tr := apptest.NewTriggers(t)
	if err := e.app.Store.UpdatePool(context.Background(), e.pool.ID, func(p pool.Pool) (pool.Pool, error) {
		tr.Configure(&p, e.kit.Box, pool.TriggerPreAuthentication, pool.TriggerPostAuthentication)
		return p, nil
	}); err != nil {
		t.Fatal(err)
	}

	out, err = e.userAuth("pat", map[string]string{"PREFERRED_CHALLENGE": "WEB_AUTHN"})
	if err != nil || out.ChallengeName != types.ChallengeNameTypeWebAuthn {
		t.Fatalf("USER_AUTH WEB_AUTHN: %v %+v", err, out)
	}
	if got := tr.Sources(); !slices.Equal(got, []string{trigger.SourcePreAuthentication}) {
		t.Fatalf("sources after USER_AUTH = %v", got)
	}
	res, err := e.respond(types.ChallengeNameTypeWebAuthn, out.Session, map[string]string{
		"USERNAME": "pat", "SECRET_HASH": *e.hash("pat"), "CREDENTIAL": passkeyAnswer(t, auth, cred, out.ChallengeParameters)})
	if err != nil || res.AuthenticationResult == nil {
		t.Fatalf("WEB_AUTHN: %v %+v", err, res)
	}
	if got := tr.Sources(); !slices.Equal(got, []string{trigger.SourcePreAuthentication, trigger.SourcePostAuthentication}) {
		t.Fatalf("sources after the sign-in = %v", got)
	}
}

// TestPasskeyRegistrationFollowsSignIn: a pool registers a passkey only
// where one can sign in. Requiring MFA of single-factor passkeys takes
// WEB_AUTHN out of USER_AUTH and refuses StartWebAuthnRegistration;
// counting a verified passkey as two factors requires user verification
// of the registration as of the sign-in.
func TestPasskeyRegistrationFollowsSignIn(t *testing.T) {
	e, _, _ := srpEnv(t)
	ctx := context.Background()
	c := e.anon()
	e.allowFlows(t, pool.ExistenceEnabled, "ALLOW_USER_AUTH", "ALLOW_USER_PASSWORD_AUTH")
	e.confirmedUser(t, "pat", "Pat-Pass-12345!")
	out, err := e.passwordAuth("pat", "Pat-Pass-12345!", e.hash("pat"))
	if err != nil || out.AuthenticationResult == nil {
		t.Fatalf("InitiateAuth: %v", err)
	}
	tok := out.AuthenticationResult.AccessToken

	e.mfaPool(t, types.UserPoolMfaTypeOn, types.AuthFactorTypePassword, types.AuthFactorTypeWebAuthn)
	out, err = e.userAuth("pat", nil)
	if err != nil || slices.Contains(out.AvailableChallenges, "WEB_AUTHN") {
		t.Fatalf("USER_AUTH in a pool requiring MFA of single-factor passkeys: %v %+v", err, out)
	}
	before := e.snapshot(t)
	_, err = c.StartWebAuthnRegistration(ctx, &cip.StartWebAuthnRegistrationInput{AccessToken: tok})
	wantAPIError(t, err, "WebAuthnNotEnabledException", "")
	if e.snapshot(t) != before {
		t.Fatal("a refused registration changed the user")
	}

	e.setMFA(t, &cip.SetUserPoolMfaConfigInput{
		MfaConfiguration: types.UserPoolMfaTypeOn, SoftwareTokenMfaConfiguration: &types.SoftwareTokenMfaConfigType{Enabled: true},
		WebAuthnConfiguration: &types.WebAuthnConfigurationType{RelyingPartyId: aws.String("localhost"),
			FactorConfiguration: types.WebAuthnFactorConfigurationTypeMultiFactorWithUserVerification},
	})
	start, err := c.StartWebAuthnRegistration(ctx, &cip.StartWebAuthnRegistrationInput{AccessToken: tok})
	if err != nil {
		t.Fatalf("StartWebAuthnRegistration: %v", err)
	}
	raw, err := start.CredentialCreationOptions.MarshalSmithyDocument()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(raw), `"userVerification":"required"`) {
		t.Fatalf("CredentialCreationOptions %s do not require user verification", raw)
	}
	opts, err := virtualwebauthn.ParseAttestationOptions(string(raw))
	if err != nil {
		t.Fatalf("CredentialCreationOptions %s: %v", raw, err)
	}
	auth := virtualwebauthn.NewAuthenticatorWithOptions(virtualwebauthn.AuthenticatorOptions{UserHandle: []byte(opts.UserID), UserNotVerified: true})
	var answer map[string]any
	if err := json.Unmarshal([]byte(virtualwebauthn.CreateAttestationResponse(passkeyRP, auth, apptest.PasskeyCredential(), *opts)), &answer); err != nil {
		t.Fatal(err)
	}
	_, err = c.CompleteWebAuthnRegistration(ctx, &cip.CompleteWebAuthnRegistrationInput{AccessToken: tok, Credential: document.NewLazyDocument(answer)})
	wantAPIError(t, err, "WebAuthnCredentialNotSupportedException", "")
	if list, err := c.ListWebAuthnCredentials(ctx, &cip.ListWebAuthnCredentialsInput{AccessToken: tok}); err != nil || len(list.Credentials) != 0 {
		t.Fatalf("passkeys after a refused registration: %v %+v", err, list)
	}

	// A verified passkey registers, and signs in at once.
	auth, cred := e.registerPasskey(t, tok)
	out, err = e.userAuth("pat", map[string]string{"PREFERRED_CHALLENGE": "WEB_AUTHN"})
	if err != nil || out.ChallengeName != types.ChallengeNameTypeWebAuthn {
		t.Fatalf("USER_AUTH WEB_AUTHN: %v %+v", err, out)
	}
	res, err := e.respond(types.ChallengeNameTypeWebAuthn, out.Session, map[string]string{
		"USERNAME": "pat", "SECRET_HASH": *e.hash("pat"), "CREDENTIAL": passkeyAnswer(t, auth, cred, out.ChallengeParameters)})
	if err != nil || res.AuthenticationResult == nil {
		t.Fatalf("WEB_AUTHN: %v %+v", err, res)
	}
}
