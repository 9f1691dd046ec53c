package cognitoapi_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/app"
	"github.com/linkpool/linkpool/internal/cognitoapi"
)

const target = cognitoapi.TargetPrefix

// TestRefusedCalls checks every error path of the wire protocol over
// raw HTTP: the status, __type, message and headers, and that nothing
// changed in the store.
func TestRefusedCalls(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	if _, err := e.app.Accounts.AdminCreateUser(ctx, e.pool, account.AdminCreateUserInput{
		Username: "ivy", TemporaryPassword: "Corr3ct-Horse!", Permanent: true, Attributes: map[string]string{"email": "ivy@example.com"},
	}); err != nil {
		t.Fatal(err)
	}
	before := e.snapshot(t)
	pid := e.pool.ID
	tests := []struct {
		name, target, key, body string
		status                  int
		typ, msg                string
	}{
		{"missing target", "", keyAdmin, `{}`, 400, "UnknownOperationException", "Missing X-Amz-Target header."},
		{"unknown action", target + "AdminFlyUser", keyAdmin, `{}`, 400, "UnknownOperationException", `Unknown operation "AWSCognitoIdentityProviderService.AdminFlyUser".`},
		{"other service", "DynamoDB_20120810.AdminGetUser", keyAdmin, `{}`, 400, "UnknownOperationException", `Unknown operation "DynamoDB_20120810.AdminGetUser".`},
		{"truncated JSON", target + "AdminDeleteUser", keyAdmin, `{"UserPoolId": "` + pid, 400, "SerializationException", "The request body is not valid JSON."},
		{"JSON array", target + "AdminDeleteUser", keyAdmin, `["ivy"]`, 400, "SerializationException", "The request body must be a JSON object."},
		{"wrong type", target + "AdminDeleteUser", keyAdmin, `{"UserPoolId": "` + pid + `", "Username": 7}`, 400, "SerializationException", "Unexpected JSON type for Username."},
		{"null pool", target + "AdminDeleteUser", keyAdmin, `{"Username": "ivy"}`, 400, "InvalidParameterException",
			"1 validation error detected: Value null at 'userPoolId' failed to satisfy constraint: Member must not be null"},
		{"two nulls", target + "AdminDeleteUser", keyAdmin, `{}`, 400, "InvalidParameterException",
			"2 validation errors detected: Value null at 'userPoolId' failed to satisfy constraint: Member must not be null; Value null at 'username' failed to satisfy constraint: Member must not be null"},
		{"bad pool id", target + "AdminDeleteUser", keyAdmin, `{"UserPoolId": "no pool", "Username": "ivy"}`, 400, "InvalidParameterException",
			`1 validation error detected: Value 'no pool' at 'userPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w-]+_[0-9a-zA-Z]+`},
		{"empty username", target + "AdminDeleteUser", keyAdmin, `{"UserPoolId": "` + pid + `", "Username": ""}`, 400, "InvalidParameterException",
			"2 validation errors detected: Value at 'username' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
				`Value at 'username' failed to satisfy constraint: Member must satisfy regular expression pattern: [\p{L}\p{M}\p{S}\p{N}\p{P}]+`},
		{"password not shown", target + "AdminSetUserPassword", keyAdmin, `{"UserPoolId": "` + pid + `", "Username": "ivy", "Password": "has space"}`, 400, "InvalidParameterException",
			`1 validation error detected: Value at 'password' failed to satisfy constraint: Member must satisfy regular expression pattern: [\S]+`},
		{"weak password", target + "AdminSetUserPassword", keyAdmin, `{"UserPoolId": "` + pid + `", "Username": "ivy", "Password": "short"}`, 400, "InvalidPasswordException", ""},
		{"bad enum", target + "AdminCreateUser", keyAdmin, `{"UserPoolId": "` + pid + `", "Username": "jo", "MessageAction": "SHOUT"}`, 400, "InvalidParameterException",
			"1 validation error detected: Value 'SHOUT' at 'messageAction' failed to satisfy constraint: Member must satisfy enum value set: [RESEND, SUPPRESS]"},
		{"sms", target + "AdminCreateUser", keyAdmin, `{"UserPoolId": "` + pid + `", "Username": "jo", "DesiredDeliveryMediums": ["SMS"]}`, 400, "InvalidParameterException", "SMS delivery is not supported; use EMAIL."},
		{"attribute without name", target + "AdminUpdateUserAttributes", keyAdmin, `{"UserPoolId": "` + pid + `", "Username": "ivy", "UserAttributes": [{"Value": "x"}]}`, 400, "InvalidParameterException",
			"1 validation error detected: Value null at 'userAttributes.1.member.name' failed to satisfy constraint: Member must not be null"},
		{"no attributes", target + "AdminUpdateUserAttributes", keyAdmin, `{"UserPoolId": "` + pid + `", "Username": "ivy"}`, 400, "InvalidParameterException",
			"1 validation error detected: Value null at 'userAttributes' failed to satisfy constraint: Member must not be null"},
		{"invalid email", target + "AdminUpdateUserAttributes", keyAdmin, `{"UserPoolId": "` + pid + `", "Username": "ivy", "UserAttributes": [{"Name": "email", "Value": "not-an-address"}]}`, 400, "InvalidParameterException", ""},
		{"limit", target + "ListUsers", keyAdmin, `{"UserPoolId": "` + pid + `", "Limit": 61}`, 400, "InvalidParameterException",
			"1 validation error detected: Value '61' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 60"},
		{"filter syntax", target + "ListUsers", keyAdmin, `{"UserPoolId": "` + pid + `", "Filter": "email == \"x\""}`, 400, "InvalidParameterException", "Error while parsing filter."},
		{"filter attribute", target + "ListUsers", keyAdmin, `{"UserPoolId": "` + pid + `", "Filter": "custom:x = \"1\""}`, 400, "InvalidParameterException", "Invalid search attribute: custom:x"},
		{"pagination token", target + "ListUsers", keyAdmin, `{"UserPoolId": "` + pid + `", "PaginationToken": "garbage"}`, 400, "InvalidParameterException", "Invalid pagination token."},
		{"unknown pool", target + "AdminDeleteUser", keyAdmin, `{"UserPoolId": "us-east-1_Nope1", "Username": "ivy"}`, 400, "ResourceNotFoundException", "User pool us-east-1_Nope1 does not exist."},
		{"unknown user", target + "AdminDeleteUser", keyAdmin, `{"UserPoolId": "` + pid + `", "Username": "nobody"}`, 400, "UserNotFoundException", "User does not exist."},
		{"unconfirmable", target + "AdminConfirmSignUp", keyAdmin, `{"UserPoolId": "` + pid + `", "Username": "ivy"}`, 400, "NotAuthorizedException", "User cannot be confirmed. Current status is CONFIRMED"},
		{"unsigned", target + "AdminDeleteUser", "", `{"UserPoolId": "` + pid + `", "Username": "ivy"}`, 400, "MissingAuthenticationTokenException", "Missing Authentication Token"},
		{"unknown key", target + "AdminDeleteUser", "AKIDUNKNOWN000000000", `{"UserPoolId": "` + pid + `", "Username": "ivy"}`, 400, "UnrecognizedClientException", "The security token included in the request is invalid."},
		{"read-only key writing", target + "AdminDeleteUser", keyReadOnly, `{"UserPoolId": "` + pid + `", "Username": "ivy"}`, 400, "AccessDeniedException", "The key may not call AdminDeleteUser."},
		{"key of another pool", target + "AdminGetUser", keyOther, `{"UserPoolId": "` + pid + `", "Username": "ivy"}`, 400, "AccessDeniedException", "The key may not use pool " + pid + "."},
		{"body too large", target + "AdminDeleteUser", keyAdmin, `{"UserPoolId": "` + pid + `", "Username": "ivy", "Pad": "` + strings.Repeat("x", cognitoapi.DefaultMaxBodyBytes) + `"}`, 413, "RequestEntityTooLargeException", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, h, body := e.raw(t, tt.target, tt.key, tt.body)
			if status != tt.status || body["__type"] != tt.typ || (tt.msg != "" && body["message"] != tt.msg) {
				t.Errorf("%d %v, want %d %s %q", status, body, tt.status, tt.typ, tt.msg)
			}
			if m, _ := body["message"].(string); m == "" {
				t.Errorf("no message: %v", body)
			}
			if h.Get("x-amzn-ErrorType") != tt.typ || h.Get("x-amzn-RequestId") == "" || h.Get("x-amzn-RequestId") != h.Get("X-Request-Id") || h.Get("Content-Type") != cognitoapi.ContentType {
				t.Errorf("headers %v", h)
			}
		})
	}
	if after := e.snapshot(t); after != before {
		t.Errorf("a refused call changed the store:\n%s\n%s", before, after)
	}

	// The same key reads, and unknown members are ignored.
	status, h, body := e.raw(t, target+"AdminGetUser", keyReadOnly, `{"UserPoolId": "`+pid+`", "Username": "ivy", "Unknown": {"x": [1, 2]}}`)
	if status != 200 || body["Username"] != "ivy" || h.Get("x-amzn-RequestId") == "" {
		t.Fatalf("read-only AdminGetUser: %d %v", status, body)
	}
	// The key of another pool is authorized there: that pool is unknown.
	if _, _, body := e.raw(t, target+"AdminGetUser", keyOther, `{"UserPoolId": "us-east-1_Other1", "Username": "ivy"}`); body["__type"] != "ResourceNotFoundException" {
		t.Fatalf("other pool: %v", body)
	}
	// Wrong content type.
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/", strings.NewReader(`{}`))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Amz-Target", target+"AdminGetUser")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 || resp.Header.Get("x-amzn-ErrorType") != "SerializationException" {
		t.Fatalf("form post: %d %v", resp.StatusCode, resp.Header)
	}
}

// TestSDKErrors checks that the SDK reads the errors as its typed
// exceptions, with the messages.
func TestSDKErrors(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	c := e.sdk(keyAdmin)
	_, err := c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(e.pool.ID), Username: aws.String("nobody")})
	var nf *types.UserNotFoundException
	if !errors.As(err, &nf) || nf.ErrorMessage() != "User does not exist." {
		t.Fatalf("unknown user: %v", err)
	}
	_, err = c.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: aws.String("eu-west-1_Missing")})
	var rnf *types.ResourceNotFoundException
	if !errors.As(err, &rnf) || rnf.ErrorMessage() != "User pool eu-west-1_Missing does not exist." {
		t.Fatalf("unknown pool: %v", err)
	}
	_, err = c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(e.pool.ID), Username: aws.String("kim"), TemporaryPassword: aws.String("weak"), MessageAction: types.MessageActionTypeSuppress})
	var ip *types.InvalidPasswordException
	if !errors.As(err, &ip) {
		t.Fatalf("weak password: %v", err)
	}
	_, err = e.sdk(keyReadOnly).AdminDeleteUser(ctx, &cip.AdminDeleteUserInput{UserPoolId: aws.String(e.pool.ID), Username: aws.String("kim")})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "AccessDeniedException" {
		t.Fatalf("read-only key: %v", err)
	}
	if n := len(e.snapshot(t)); n != 0 {
		t.Fatalf("refused calls created users")
	}
}

// TestNoAuthenticator: without an authenticator every signed action is
// refused, never served.
func TestNoAuthenticator(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, func(c *app.Config) { c.APIAuthenticate = nil })
	_, err := e.sdk(keyAdmin).AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(e.pool.ID), Username: aws.String("lee"), MessageAction: types.MessageActionTypeSuppress})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "UnrecognizedClientException" {
		t.Fatalf("signed call without an authenticator: %v", err)
	}
	if _, _, body := e.raw(t, target+"ListUsers", "", `{"UserPoolId": "`+e.pool.ID+`"}`); body["__type"] != "MissingAuthenticationTokenException" {
		t.Fatalf("unsigned call without an authenticator: %v", body)
	}
	if e.snapshot(t) != "" {
		t.Fatal("a refused call created a user")
	}
}

// TestInternalError: a store failure is a 500 InternalErrorException
// without details.
func TestInternalError(t *testing.T) {
	e := newEnv(t)
	e.db.Close()
	status, h, body := e.raw(t, target+"AdminGetUser", keyAdmin, `{"UserPoolId": "`+e.pool.ID+`", "Username": "ivy"}`)
	if status != 500 || body["__type"] != "InternalErrorException" || body["message"] != "Internal server error." || h.Get("x-amzn-ErrorType") != "InternalErrorException" {
		t.Fatalf("%d %v", status, body)
	}
}

// TestPanicIsInternalError: a bug in a handler is answered as an
// InternalErrorException in JSON, without details.
func TestPanicIsInternalError(t *testing.T) {
	cognitoapi.Actions["TestPanic"] = cognitoapi.Action{Run: cognitoapi.PanicForTest}
	t.Cleanup(func() { delete(cognitoapi.Actions, "TestPanic") })
	e := newEnv(t)
	status, h, body := e.raw(t, target+"TestPanic", "", `{}`)
	if status != 500 || body["__type"] != "InternalErrorException" || body["message"] != "Internal server error." || h.Get("x-amzn-ErrorType") != "InternalErrorException" {
		t.Fatalf("%d %v", status, body)
	}
}
