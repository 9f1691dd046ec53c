package cognitoapi_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/linkpool/linkpool/internal/cognitoapi"
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
	} {
		for _, a := range []string{"AdminCreateUser", "AdminGetUser", "ListUsers", "AdminUpdateUserAttributes", "AdminDeleteUserAttributes", "Nope",
			"CreateUserPool", "UpdateUserPool", "ListUserPools", "AddCustomAttributes", "CreateUserPoolClient", "UpdateUserPoolClient",
			"ListUserPoolClients", "CreateUserPoolDomain", "DescribeUserPoolDomain", "CreateGroup", "UpdateGroup", "ListUsersInGroup", "AdminListGroupsForUser",
			"SignUp", "ConfirmSignUp", "ResendConfirmationCode", "ForgotPassword", "ConfirmForgotPassword"} {
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
