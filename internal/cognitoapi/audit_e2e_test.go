package cognitoapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"

	"github.com/linkpool/linkpool/internal/accesskey"
	"github.com/linkpool/linkpool/internal/audit"
	"github.com/linkpool/linkpool/internal/cognitoapi"
	"github.com/linkpool/linkpool/internal/store"
)

// TestAuditLogOfAPIChanges: each administrative change through the JSON
// API, signed by a real access key with aws-sdk-go-v2, writes exactly one
// audit record under that key's id, refused changes with their error
// type; reads and the user's own actions write none; no secret reaches
// the log.
func TestAuditLogOfAPIChanges(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, realKeys)
	k, secret, err := e.app.AccessKeys.Create(audit.WithActor(ctx, audit.Actor{Kind: audit.KindCLI, ID: "setup"}),
		accesskey.CreateInput{Description: "audit test"})
	if err != nil {
		t.Fatal(err)
	}
	c := cip.New(cip.Options{Region: "eu-west-1", BaseEndpoint: aws.String(e.srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider(k.ID, secret, ""), RetryMaxAttempts: 1})

	cp, err := c.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("Audited")})
	if err != nil {
		t.Fatalf("CreateUserPool: %v", err)
	}
	poolID := cp.UserPool.Id
	cc, err := c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: poolID, ClientName: aws.String("web"),
		GenerateSecret: true, AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeCode}, AllowedOAuthFlowsUserPoolClient: true,
		AllowedOAuthScopes: []string{"openid"}, CallbackURLs: []string{"https://app.example.com/cb"}})
	if err != nil {
		t.Fatalf("CreateUserPoolClient: %v", err)
	}
	const tempPassword, newPassword, email = "Temp-Passw0rd!x", "Perm-Passw0rd!y", "zed.audit@example.com"
	cu, err := c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: poolID, Username: aws.String("zed"),
		TemporaryPassword: aws.String(tempPassword), MessageAction: types.MessageActionTypeSuppress,
		UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String(email)}}})
	if err != nil {
		t.Fatalf("AdminCreateUser: %v", err)
	}
	if _, err := c.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: poolID, Username: aws.String("zed"),
		Password: aws.String(newPassword), Permanent: true}); err != nil {
		t.Fatalf("AdminSetUserPassword: %v", err)
	}
	if _, err := c.AdminDisableUser(ctx, &cip.AdminDisableUserInput{UserPoolId: poolID, Username: aws.String("zed")}); err != nil {
		t.Fatalf("AdminDisableUser: %v", err)
	}
	_, err = c.AdminEnableUser(ctx, &cip.AdminEnableUserInput{UserPoolId: poolID, Username: aws.String("nobody")})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "UserNotFoundException" {
		t.Fatalf("AdminEnableUser of nobody: %v", err)
	}
	// Reads write no record.
	if _, err := c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: poolID, Username: aws.String("zed")}); err != nil {
		t.Fatalf("AdminGetUser: %v", err)
	}
	if _, err := c.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: poolID}); err != nil {
		t.Fatalf("ListUsers: %v", err)
	}
	// Neither does a user's own sign-up on the test pool's client.
	if _, err := c.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(e.client.ID), SecretHash: aws.String(cognitoapi.SecretHash(e.secret, "selfie", e.client.ID)),
		Username: aws.String("selfie"), Password: aws.String("Self-Passw0rd!z"),
		UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String("selfie@example.com")}}}); err != nil {
		t.Fatalf("SignUp: %v", err)
	}

	page, err := e.app.Store.ListAudit(ctx, store.AuditFilter{ActorKind: audit.KindAPI}, store.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct{ action, target, result string }{
		{"AdminEnableUser", "", "UserNotFoundException"},
		{"AdminDisableUser", aws.ToString(cu.User.Username), "ok"},
		{"AdminSetUserPassword", "", "ok"},
		{"AdminCreateUser", "", "ok"},
		{"CreateUserPoolClient", aws.ToString(cc.UserPoolClient.ClientId), "ok"},
		{"CreateUserPool", aws.ToString(poolID), "ok"},
	}
	if len(page.Items) != len(want) {
		t.Fatalf("%d records of the API, want %d: %+v", len(page.Items), len(want), page.Items)
	}
	for i, w := range want {
		r := page.Items[i]
		if r.Action != w.action || r.Result != w.result || r.ActorID != k.ID || r.PoolID != aws.ToString(poolID) || r.RequestID == "" {
			t.Errorf("record %d: %+v, want %s %s by api/%s in %s with a request id", i, r, w.action, w.result, k.ID, aws.ToString(poolID))
		}
		if w.target != "" && w.action != "AdminDisableUser" && r.Target != w.target {
			t.Errorf("%s: target %q, want %q", r.Action, r.Target, w.target)
		}
	}
	// The user's target is its sub, the same for every change to it.
	if subs := []string{page.Items[1].Target, page.Items[2].Target, page.Items[3].Target}; subs[0] == "" || subs[0] != subs[1] || subs[1] != subs[2] {
		t.Errorf("user changes name targets %q, want one sub", subs)
	}
	all, err := e.app.Store.ListAudit(ctx, store.AuditFilter{}, store.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(all.Items)
	for what, s := range map[string]string{"access key secret": secret, "client secret": aws.ToString(cc.UserPoolClient.ClientSecret),
		"temporary password": tempPassword, "password": newPassword, "email address": email, "sign-up password": "Self-Passw0rd!z"} {
		if s == "" || strings.Contains(string(raw), s) {
			t.Errorf("the audit log holds the %s (%q)", what, s)
		}
	}
	// The key itself was created under the actor its creator gave.
	keys, err := e.app.Store.ListAudit(ctx, store.AuditFilter{Action: "CreateAccessKey"}, store.ListOptions{})
	if err != nil || len(keys.Items) != 1 || keys.Items[0].Target != k.ID || keys.Items[0].ActorID != "setup" {
		t.Errorf("CreateAccessKey records: %+v, %v", keys.Items, err)
	}
}
