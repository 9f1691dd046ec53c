package cognitoapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"

	"github.com/linkpool/linkpool/internal/pool"
)

// TestLambdaConfigWithSDK sets, reads and removes a pool's triggers with
// CreateUserPool, DescribeUserPool, ListUserPools and UpdateUserPool,
// webhook URLs where Cognito takes ARNs; the signing secret is never in
// an answer, and a refused LambdaConfig changes nothing.
func TestLambdaConfigWithSDK(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	c := e.sdk(keyAdmin)
	const (
		arn  = "arn:aws:lambda:eu-west-1:123456789012:function:household-claim"
		hook = "https://hooks.example.com/linkpool/pre-sign-up"
	)
	in := &types.LambdaConfigType{
		PreSignUp:          aws.String(hook),
		PreTokenGeneration: aws.String(arn),
		PreTokenGenerationConfig: &types.PreTokenGenerationVersionConfigType{
			LambdaVersion: types.PreTokenGenerationLambdaVersionTypeV20, LambdaArn: aws.String(arn),
		},
		DefineAuthChallenge: aws.String("http://127.0.0.1:8080/define"),
	}
	cp, err := c.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("Triggers"), LambdaConfig: in})
	if err != nil {
		t.Fatalf("CreateUserPool: %v", err)
	}
	id := cp.UserPool.Id
	if !reflect.DeepEqual(cp.UserPool.LambdaConfig, in) {
		t.Fatalf("created LambdaConfig %+v", cp.UserPool.LambdaConfig)
	}
	secret, err := e.app.Admin.TriggerSecret(ctx, *id)
	if err != nil || len(secret) != 43 {
		t.Fatalf("the pool with a webhook has no signing secret: %q %v", secret, err)
	}
	dp, err := c.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: id})
	if err != nil || !reflect.DeepEqual(dp.UserPool.LambdaConfig, in) {
		t.Fatalf("DescribeUserPool: %+v %v", dp, err)
	}
	status, _, body := e.raw(t, "AWSCognitoIdentityProviderService.DescribeUserPool", keyAdmin, `{"UserPoolId":"`+*id+`"}`)
	raw, _ := json.Marshal(body)
	if status != 200 || strings.Contains(string(raw), secret) {
		t.Fatalf("DescribeUserPool answered %d with the signing secret or failed: %v", status, body)
	}
	lp, err := c.ListUserPools(ctx, &cip.ListUserPoolsInput{MaxResults: aws.Int32(60)})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, p := range lp.UserPools {
		if aws.ToString(p.Id) == *id {
			found = reflect.DeepEqual(p.LambdaConfig, in)
		}
	}
	if !found {
		t.Fatalf("ListUserPools has not the pool's LambdaConfig: %+v", lp.UserPools)
	}

	// Refused: plain http to another host, a non-function ARN, a custom
	// sender; the pool keeps its triggers.
	for _, bad := range []struct {
		lc    *types.LambdaConfigType
		field string
	}{
		{&types.LambdaConfigType{PostConfirmation: aws.String("http://hooks.example.com/welcome")}, "LambdaConfig.PostConfirmation"},
		{&types.LambdaConfigType{UserMigration: aws.String("arn:aws:sns:eu-west-1:123456789012:function:x")}, "LambdaConfig.UserMigration"},
		{&types.LambdaConfigType{CustomEmailSender: &types.CustomEmailLambdaVersionConfigType{LambdaArn: aws.String(arn), LambdaVersion: types.CustomEmailSenderLambdaVersionTypeV10}}, "lambdaConfig.customEmailSender"},
	} {
		_, err := c.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: id, LambdaConfig: bad.lc})
		var ae smithy.APIError
		if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidParameterException" || !strings.Contains(ae.ErrorMessage(), bad.field) {
			t.Fatalf("UpdateUserPool %s: %v", bad.field, err)
		}
	}
	if dp, err := c.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: id}); err != nil || !reflect.DeepEqual(dp.UserPool.LambdaConfig, in) {
		t.Fatalf("a refused update changed the triggers: %+v %v", dp.UserPool.LambdaConfig, err)
	}

	// UpdateUserPool without LambdaConfig removes the triggers, as
	// Cognito's does; the secret stays for the next webhook.
	if _, err := c.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: id}); err != nil {
		t.Fatal(err)
	}
	p, err := e.app.Admin.DescribeUserPool(ctx, *id)
	if err != nil || !reflect.DeepEqual(p.LambdaConfig, pool.LambdaConfig{}) || len(p.TriggerSecret) == 0 {
		t.Fatalf("after UpdateUserPool without LambdaConfig: %+v %v", p.LambdaConfig, err)
	}
}
