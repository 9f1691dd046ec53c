package cognitoapi_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/smithy-go"

	"github.com/linkpool/linkpool/internal/accesskey"
	"github.com/linkpool/linkpool/internal/app"
)

// TestAccessKeysSignTheAPI runs the API with the server's own
// authenticator (app.Config.APIAuthenticate left nil): requests signed by
// the real SDK with a key from the access-key service are accepted; a
// wrong secret, an unknown key, a read-only key writing and a key limited
// to another pool are refused with AWS's names, and change nothing.
func TestAccessKeysSignTheAPI(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, func(c *app.Config) { c.APIAuthenticate = nil })
	create := func(in accesskey.CreateInput) (string, string) {
		t.Helper()
		k, secret, err := e.app.AccessKeys.Create(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		return k.ID, secret
	}
	client := func(id, secret string) *cip.Client {
		return cip.New(cip.Options{
			Region: "eu-central-1", BaseEndpoint: aws.String(e.srv.URL), RetryMaxAttempts: 1,
			Credentials: credentials.NewStaticCredentialsProvider(id, secret, ""),
		})
	}
	adminID, adminSecret := create(accesskey.CreateInput{Description: "admin"})
	roID, roSecret := create(accesskey.CreateInput{Description: "read only", ReadOnly: true})
	otherID, otherSecret := create(accesskey.CreateInput{Description: "this pool only", PoolIDs: []string{e.pool.ID}})

	admin := client(adminID, adminSecret)
	if _, err := admin.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
		UserPoolId: aws.String(e.pool.ID), Username: aws.String("signed"), MessageAction: "SUPPRESS",
	}); err != nil {
		t.Fatalf("AdminCreateUser signed by a real key: %v", err)
	}
	got, err := client(roID, roSecret).AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(e.pool.ID), Username: aws.String("signed")})
	if err != nil || aws.ToString(got.Username) != "signed" {
		t.Fatalf("AdminGetUser with a read-only key: %v %+v", err, got)
	}
	if _, err := client(otherID, otherSecret).AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(e.pool.ID), Username: aws.String("signed")}); err != nil {
		t.Fatalf("AdminGetUser with a key limited to this pool: %v", err)
	}

	before := e.snapshot(t)
	refused := []struct {
		name string
		c    *cip.Client
		pool string
		want string
	}{
		{"wrong secret", client(adminID, adminSecret+"x"), e.pool.ID, "InvalidSignatureException"},
		{"unknown key", client("AKIA"+"QQQQQQQQQQQQQQQQ", adminSecret), e.pool.ID, "UnrecognizedClientException"},
		{"read-only key writing", client(roID, roSecret), e.pool.ID, "AccessDeniedException"},
		{"key limited to another pool", client(otherID, otherSecret), "us-east-1_Another99", "AccessDeniedException"},
	}
	for _, r := range refused {
		_, err := r.c.AdminDeleteUser(ctx, &cip.AdminDeleteUserInput{UserPoolId: aws.String(r.pool), Username: aws.String("signed")})
		var ae smithy.APIError
		if !errors.As(err, &ae) || ae.ErrorCode() != r.want {
			t.Errorf("%s: %v, want %s", r.name, err, r.want)
		}
	}
	if after := e.snapshot(t); after != before {
		t.Fatalf("a refused call changed the store:\nbefore %s\nafter  %s", before, after)
	}
	if _, err := admin.AdminDeleteUser(ctx, &cip.AdminDeleteUserInput{UserPoolId: aws.String(e.pool.ID), Username: aws.String("signed")}); err != nil {
		t.Fatalf("AdminDeleteUser with the admin key: %v", err)
	}
}
