package cognitoapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/linkpool/linkpool/internal/cognitoapi"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/srp"
)

// FuzzDecodeRequest sends arbitrary bodies to every action: the API
// never panics, never fails internally on bad input, and always answers
// a JSON object, with __type and x-amzn-ErrorType on errors.
func FuzzDecodeRequest(f *testing.F) {
	e := newEnv(f)
	pid := e.pool.ID
	for _, s := range []string{
		`{}`, ``, `null`, `[]`, `"x"`, `{"UserPoolId": "` + pid + `", "Username": "ivy"}`,
		`{"UserPoolId": "` + pid + `", "Filter": "email ^= \"a\\\"b\""}`,
		`{"UserPoolId": "` + pid + `", "Limit": -1, "AttributesToGet": ["email", ""]}`,
		`{"UserPoolId": "` + pid + `", "Username": "x", "UserAttributes": [{"Name": null}], "TemporaryPassword": "Abcdef1!x"}`,
		`{"UserPoolId": 1e400}`, `{"UserPoolId": "` + pid + `", "Username": "\ud800"}`,
		`{"PoolName": "p", "Policies": {"PasswordPolicy": {"MinimumLength": 99999999999}}, "Schema": [{"Name": null}], "MfaConfiguration": "ON"}`,
		`{"UserPoolId": "` + pid + `", "ClientId": "` + e.client.ID + `", "ClientName": "c", "AllowedOAuthFlows": ["code", ""], "TokenValidityUnits": {"AccessToken": "years"}, "MaxResults": 61}`,
		`{"UserPoolId": "` + pid + `", "Domain": "a.b", "CustomDomainConfig": {}, "GroupName": "g", "Precedence": -5, "Limit": 0, "NextToken": "x"}`,
		`{"ClientId": "` + e.client.ID + `", "SecretHash": "=/+", "Username": "ivy", "Password": "x", "ConfirmationCode": "", "UserAttributes": [{"Name": "email"}], "ValidationData": null}`,
		`{"UserPoolId": "` + pid + `", "ClientId": "` + e.client.ID + `", "AuthFlow": "USER_SRP_AUTH", "AuthParameters": {"USERNAME": "ivy", "SRP_A": "0"}}`,
		`{"UserPoolId": "` + pid + `", "ClientId": "` + e.client.ID + `", "ChallengeName": "NEW_PASSWORD_REQUIRED", "Session": "AAAAAAAAAAAAAAAAAAAAAAAA", "ChallengeResponses": {"USERNAME": "ivy"}}`,
		`{"UserPoolId": "` + pid + `", "MfaConfiguration": "ON", "SmsMfaConfiguration": null, "SoftwareTokenMfaConfiguration": {"Enabled": null}, "EmailMfaConfiguration": {"Message": ""}, "WebAuthnConfiguration": {"RelyingPartyId": "..", "UserVerification": 1}}`,
		`{"AccessToken": "a.b.c", "Session": "AAAAAAAAAAAAAAAAAAAAAAAA", "UserCode": "12345x", "FriendlyDeviceName": "", "Credential": [], "CredentialId": "%%", "MaxResults": 0}`,
		`{"UserPoolId": "` + pid + `", "Username": "ivy", "SMSMfaSettings": {"Enabled": true}, "SoftwareTokenMfaSettings": {"PreferredMfa": "x"}}`,
		`{"ClientId": "` + e.client.ID + `", "AuthFlow": "USER_AUTH", "AuthParameters": {"USERNAME": "ivy", "PREFERRED_CHALLENGE": "WEB_AUTHN"}, "ChallengeName": "SELECT_CHALLENGE", "ChallengeResponses": {"ANSWER": "EMAIL_OTP"}}`,
	} {
		for _, a := range []string{"AdminCreateUser", "AdminGetUser", "ListUsers", "AdminUpdateUserAttributes", "AdminDeleteUserAttributes", "Nope",
			"CreateUserPool", "UpdateUserPool", "ListUserPools", "AddCustomAttributes", "CreateUserPoolClient", "UpdateUserPoolClient",
			"ListUserPoolClients", "CreateUserPoolDomain", "DescribeUserPoolDomain", "CreateGroup", "UpdateGroup", "ListUsersInGroup", "AdminListGroupsForUser",
			"SignUp", "ConfirmSignUp", "ResendConfirmationCode", "ForgotPassword", "ConfirmForgotPassword",
			"InitiateAuth", "RespondToAuthChallenge", "AdminInitiateAuth", "AdminRespondToAuthChallenge",
			"SetUserPoolMfaConfig", "GetUserPoolMfaConfig", "AdminSetUserMFAPreference", "AssociateSoftwareToken", "VerifySoftwareToken",
			"SetUserMFAPreference", "StartWebAuthnRegistration", "CompleteWebAuthnRegistration", "ListWebAuthnCredentials", "DeleteWebAuthnCredential"} {
			f.Add(a, []byte(s))
		}
	}
	h := e.app.Server.Handler()
	f.Fuzz(func(t *testing.T, action string, body []byte) {
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(string(body)))
		req.Header.Set("Content-Type", cognitoapi.ContentType)
		req.Header.Set("X-Amz-Target", cognitoapi.TargetPrefix+action)
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+keyAdmin+"/20260101/us-east-1/cognito-idp/aws4_request")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %q: %d %s", action, body, rec.Code, rec.Body)
		}
		var out map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			t.Fatalf("%s %q: answer %q is not a JSON object", action, body, rec.Body)
		}
		if rec.Code != 200 {
			typ, _ := out["__type"].(string)
			if typ == "" || rec.Header().Get("x-amzn-ErrorType") != typ {
				t.Fatalf("%s %q: error without a type: %v %v", action, body, out, rec.Header())
			}
		}
	})
}

// BenchmarkAdminGetUser measures an AdminGetUser through the server's
// handler (edge middleware, routing, authentication hook, pool and user
// lookup on SQLite, encoding), without the network.

// FuzzSRPMessages sends arbitrary SRP and challenge members (SRP_A, the
// signature, the secret block, the timestamp, the Session) in
// well-formed requests: the API never fails internally, never signs
// anyone in, and refuses with a typed error.
func FuzzSRPMessages(f *testing.F) {
	e, _, clk := srpEnv(f)
	e.allowFlows(f, pool.ExistenceEnabled, "ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH")
	e.confirmedUser(f, "ivy", "Ivy-Pass-123!")
	cl := srp.NewClient(srp.PoolName(e.pool.ID))
	ch, err := e.anon().InitiateAuth(context.Background(), &cip.InitiateAuthInput{
		AuthFlow: types.AuthFlowTypeUserSrpAuth, ClientId: aws.String(e.client.ID),
		AuthParameters: map[string]string{"USERNAME": "ivy", "SRP_A": cl.SRPA(), "SECRET_HASH": *e.hash("ivy")},
	})
	if err != nil {
		f.Fatal(err)
	}
	block := ch.ChallengeParameters["SECRET_BLOCK"]
	ts := srp.FormatTimestamp(clk.Now())
	f.Add(cl.SRPA(), block, ts, "c2lnbmF0dXJl", block)
	f.Add(srp.N.Text(16), block[:len(block)/2], "Mon Jan 1 00:00:00 UTC 0001", "", "")
	f.Add("-1", "!!!", "Fri Jan 02 03:04:05 UTC 2026", "=", strings.Repeat("A", 4000))
	f.Add("0x10", "", ts+" ", strings.Repeat("x", 44), "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
	h := e.app.Server.Handler()
	post := func(t *testing.T, action string, v any) (int, map[string]any) { return fuzzPost(t, h, action, v) }
	f.Fuzz(func(t *testing.T, srpA, secretBlock, timestamp, signature, session string) {
		post(t, "InitiateAuth", map[string]any{
			"AuthFlow": "USER_SRP_AUTH", "ClientId": e.client.ID,
			"AuthParameters": map[string]string{"USERNAME": "ivy", "SRP_A": srpA, "SECRET_HASH": *e.hash("ivy")},
		})
		post(t, "RespondToAuthChallenge", map[string]any{
			"ChallengeName": "PASSWORD_VERIFIER", "ClientId": e.client.ID,
			"ChallengeResponses": map[string]string{
				"USERNAME": "ivy", "PASSWORD_CLAIM_SECRET_BLOCK": secretBlock, "TIMESTAMP": timestamp,
				"PASSWORD_CLAIM_SIGNATURE": signature, "SECRET_HASH": *e.hash("ivy"),
			},
		})
		st, _ := post(t, "RespondToAuthChallenge", map[string]any{
			"ChallengeName": "NEW_PASSWORD_REQUIRED", "ClientId": e.client.ID, "Session": session,
			"ChallengeResponses": map[string]string{"USERNAME": "ivy", "NEW_PASSWORD": "Ivy-New-Pass-1!", "SECRET_HASH": *e.hash("ivy")},
		})
		if st == 200 {
			t.Fatalf("a forged Session %q was accepted", session)
		}
	})
}

// fuzzPost sends v as the JSON body of action to h, unauthenticated, and
// returns the status and the answer, failing t on a 5xx, on an answer
// that is not a JSON object, on an error without its type and on
// tokens.
func fuzzPost(t *testing.T, h http.Handler, action string, v any) (int, map[string]any) {
	body, _ := json.Marshal(v)
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", cognitoapi.ContentType)
	req.Header.Set("X-Amz-Target", cognitoapi.TargetPrefix+action)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var out map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		t.Fatalf("%s: answer %q is not a JSON object", action, rec.Body)
	}
	if rec.Code >= 500 {
		t.Fatalf("%s %s: %d %v", action, body, rec.Code, out)
	}
	if rec.Code == 200 {
		if _, ok := out["AuthenticationResult"]; ok {
			t.Fatalf("%s %s signed in", action, body)
		}
	} else if typ, _ := out["__type"].(string); typ == "" {
		t.Fatalf("%s: error without a type: %v", action, out)
	}
	return rec.Code, out
}

// FuzzMFAChallengeResponses answers a live SOFTWARE_TOKEN_MFA sign-in
// (a user with an authenticator app, the session of its password) with
// arbitrary challenge names, codes, sessions and extra members: no
// answer is a 5xx or untyped, and none but the app's code signs in —
// which the fuzzer does not know, so nothing does.
func FuzzMFAChallengeResponses(f *testing.F) {
	e, _, clk := srpEnv(f)
	ctx := context.Background()
	e.allowFlows(f, pool.ExistenceEnabled, "ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")
	e.mfaPool(f, types.UserPoolMfaTypeOptional, types.AuthFactorTypePassword, types.AuthFactorTypeEmailOtp)
	e.confirmedUser(f, "ivy", "Ivy-Pass-123!")
	sub := e.storedUser(f, "ivy").Sub
	p, err := e.app.Store.GetPool(ctx, e.pool.ID)
	if err != nil {
		f.Fatal(err)
	}
	secret, err := e.app.Accounts.AssociateSoftwareToken(ctx, p, sub)
	if err != nil {
		f.Fatal(err)
	}
	if _, err := e.app.Accounts.VerifySoftwareToken(ctx, p, sub, totpCode(f, secret, clk.Now()), "phone"); err != nil {
		f.Fatal(err)
	}
	clk.Advance(30 * time.Second)
	out, err := e.passwordAuth("ivy", "Ivy-Pass-123!", e.hash("ivy"))
	if err != nil || out.ChallengeName != types.ChallengeNameTypeSoftwareTokenMfa {
		f.Fatalf("InitiateAuth: %v %+v", err, out)
	}
	live := aws.ToString(out.Session)
	for _, name := range []string{"SOFTWARE_TOKEN_MFA", "EMAIL_OTP", "SELECT_MFA_TYPE", "MFA_SETUP", "SELECT_CHALLENGE", "WEB_AUTHN", "CUSTOM_CHALLENGE", ""} {
		f.Add(name, "123456", true, "ANSWER", "SOFTWARE_TOKEN_MFA")
	}
	f.Add("SOFTWARE_TOKEN_MFA", "", false, "SOFTWARE_TOKEN_MFA_CODE", "1234567")
	f.Add("EMAIL_OTP", "12345678", true, "EMAIL_OTP_CODE", "\x00")
	f.Add("SOFTWARE_TOKEN_MFA", " 12345", true, "USERNAME", "nobody")
	f.Add("SELECT_MFA_TYPE", "", true, "ANSWER", strings.Repeat("A", 300))
	f.Add("WEB_AUTHN", "", true, "CREDENTIAL", `{"id":"x","response":{}}`)
	h := e.app.Server.Handler()
	f.Fuzz(func(t *testing.T, name, code string, useLive bool, key, value string) {
		session := value
		if useLive {
			session = live
		}
		responses := map[string]string{
			"USERNAME": "ivy", "SECRET_HASH": *e.hash("ivy"),
			"SOFTWARE_TOKEN_MFA_CODE": code, "EMAIL_OTP_CODE": code, key: value,
		}
		fuzzPost(t, h, "RespondToAuthChallenge", map[string]any{
			"ChallengeName": name, "ClientId": e.client.ID, "Session": session, "ChallengeResponses": responses,
		})
	})
}
