package cognitoapi_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/linkpool/linkpool/internal/apptest"
	"github.com/linkpool/linkpool/internal/pool"
)

// README.md's aws-sdk-go-v2 example for app developers is the code between
// these markers, word for word (TestREADMESignInExample runs it and
// compares).
// README: begin signInWithPassword

// signInWithPassword signs a user in with USER_PASSWORD_AUTH. clientSecret
// is "" for an app client without a secret; with one, SECRET_HASH is
// Base64(HMAC-SHA256(key: client secret, message: username + client id)).
func signInWithPassword(ctx context.Context, endpoint, clientID, clientSecret, username, password string) (*types.AuthenticationResultType, error) {
	client := cognitoidentityprovider.New(cognitoidentityprovider.Options{
		Region:       "us-east-1", // any region: linkpool's pool ids carry their own
		BaseEndpoint: aws.String(endpoint),
		Credentials:  aws.AnonymousCredentials{}, // InitiateAuth is not signed
	})
	params := map[string]string{"USERNAME": username, "PASSWORD": password}
	if clientSecret != "" {
		mac := hmac.New(sha256.New, []byte(clientSecret))
		mac.Write([]byte(username + clientID))
		params["SECRET_HASH"] = base64.StdEncoding.EncodeToString(mac.Sum(nil))
	}
	out, err := client.InitiateAuth(ctx, &cognitoidentityprovider.InitiateAuthInput{
		AuthFlow:       types.AuthFlowTypeUserPasswordAuth,
		ClientId:       aws.String(clientID),
		AuthParameters: params,
	})
	var refused *types.NotAuthorizedException
	if errors.As(err, &refused) {
		// A wrong password, and an unknown user unless the client's
		// PreventUserExistenceErrors is LEGACY: "Incorrect username or password."
		return nil, fmt.Errorf("sign-in refused: %s", refused.ErrorMessage())
	}
	if err != nil {
		return nil, err
	}
	// AccessToken (scope aws.cognito.signin.user.admin: GetUser, GlobalSignOut),
	// IdToken, RefreshToken (InitiateAuth REFRESH_TOKEN_AUTH); ExpiresIn seconds.
	return out.AuthenticationResult, nil
}

// README: end signInWithPassword

// Example_signInWithPassword signs a user in through the Cognito API of
// a linkpool server at https://id.example.com.
func Example_signInWithPassword() {
	res, err := signInWithPassword(context.Background(), "https://id.example.com", "1example23456789", "", "erin", "Sign-Up-Pass-1!")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(aws.ToString(res.TokenType), res.ExpiresIn)
}

// TestREADMESignInExample runs README.md's signInWithPassword against the
// server, with the confidential client (SECRET_HASH) and a client
// without a secret, and checks that README.md shows it as it is here.
func TestREADMESignInExample(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.allowFlows(t, pool.ExistenceEnabled, "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")
	e.confirmedUser(t, "erin", "Sign-Up-Pass-1!")
	public := e.publicClient(t, pool.ExistenceEnabled)
	err := e.app.Store.UpdateClient(ctx, public.ID, func(c pool.Client) (pool.Client, error) {
		c.ExplicitAuthFlows = []string{"ALLOW_USER_PASSWORD_AUTH"}
		return c, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ id, secret string }{{e.client.ID, e.secret}, {public.ID, ""}} {
		res, err := signInWithPassword(ctx, e.srv.URL, c.id, c.secret, "erin", "Sign-Up-Pass-1!")
		if err != nil {
			t.Fatalf("client %s: %v", c.id, err)
		}
		if aws.ToString(res.AccessToken) == "" || aws.ToString(res.IdToken) == "" || aws.ToString(res.RefreshToken) == "" || res.ExpiresIn != 3600 {
			t.Fatalf("client %s: %+v", c.id, res)
		}
		if ac := apptest.JWTClaims(t, aws.ToString(res.AccessToken)); ac["client_id"] != c.id || ac["username"] != "erin" {
			t.Fatalf("client %s: access token claims %v", c.id, ac)
		}
		_, err = signInWithPassword(ctx, e.srv.URL, c.id, c.secret, "erin", "Wrong-Pass-1!")
		if err == nil || err.Error() != "sign-in refused: Incorrect username or password." {
			t.Fatalf("client %s, wrong password: %v", c.id, err)
		}
	}

	src, err := os.ReadFile("example_test.go")
	if err != nil {
		t.Fatal(err)
	}
	_, code, _ := strings.Cut(string(src), "// README: begin signInWithPassword\n")
	code, _, _ = strings.Cut(code, "\n// README: end signInWithPassword\n")
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if code == "" || !strings.Contains(string(readme), "```go\n"+strings.TrimSpace(code)+"\n```\n") {
		t.Errorf("README.md does not show signInWithPassword as example_test.go has it:\n%s", code)
	}
}
