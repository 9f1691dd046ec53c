package cognitoapi_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/linkpool/linkpool/internal/apptest"
	"github.com/linkpool/linkpool/internal/cognitoapi"
	"github.com/linkpool/linkpool/internal/pool"
)

// setIDTokenOnRefresh stores the setting on e's client.
func (e *env) setIDTokenOnRefresh(t *testing.T, on bool) {
	t.Helper()
	err := e.app.Store.UpdateClient(context.Background(), e.client.ID, func(c pool.Client) (pool.Client, error) {
		c.IDTokenOnRefresh = on
		return c, nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestRefreshWithoutIDToken: with the client's IDTokenOnRefresh off,
// InitiateAuth REFRESH_TOKEN_AUTH and GetTokensFromRefreshToken answer
// no IdToken, which aws-sdk-go-v2 reads as a nil IdToken, and the access
// token works; the password sign-in still returns the ID token.
func TestRefreshWithoutIDToken(t *testing.T) {
	e := newEnv(t)
	e.allowFlows(t, pool.ExistenceEnabled, "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")
	e.confirmedUser(t, "ida", "Ida-Pass-1!x")
	e.setIDTokenOnRefresh(t, false)

	out, err := e.passwordAuth("ida", "Ida-Pass-1!x", e.hash("ida"))
	if err != nil {
		t.Fatalf("USER_PASSWORD_AUTH: %v", err)
	}
	if r := out.AuthenticationResult; r == nil || aws.ToString(r.IdToken) == "" || aws.ToString(r.RefreshToken) == "" {
		t.Fatalf("sign-in answer: %+v", r)
	}
	rt := aws.ToString(out.AuthenticationResult.RefreshToken)
	sub := apptest.JWTClaims(t, aws.ToString(out.AuthenticationResult.AccessToken))["sub"].(string)

	ia, err := e.refreshAuth(types.AuthFlowTypeRefreshTokenAuth, rt, e.hash(sub))
	if err != nil {
		t.Fatalf("REFRESH_TOKEN_AUTH: %v", err)
	}
	r := ia.AuthenticationResult
	if r == nil || r.IdToken != nil || aws.ToString(r.AccessToken) == "" || aws.ToString(r.TokenType) != "Bearer" || r.ExpiresIn != 3600 || r.RefreshToken != nil {
		t.Fatalf("REFRESH_TOKEN_AUTH answer: %+v", r)
	}
	if st, m := e.userInfo(t, aws.ToString(r.AccessToken)); st != 200 || m["sub"] != sub {
		t.Fatalf("userInfo with the refreshed access token: %d %v", st, m)
	}

	gt, err := e.getTokens(rt)
	if err != nil {
		t.Fatalf("GetTokensFromRefreshToken: %v", err)
	}
	if g := gt.AuthenticationResult; g == nil || g.IdToken != nil || aws.ToString(g.AccessToken) == "" {
		t.Fatalf("GetTokensFromRefreshToken answer: %+v", g)
	}

	// Switched back on, the same grant's refresh carries the ID token.
	e.setIDTokenOnRefresh(t, true)
	gt, err = e.getTokens(rt)
	if err != nil || gt.AuthenticationResult == nil || aws.ToString(gt.AuthenticationResult.IdToken) == "" {
		t.Fatalf("GetTokensFromRefreshToken with the setting on: %+v, %v", gt, err)
	}
}

// TestClientIDTokenOnRefreshField: LinkpoolIdTokenOnRefresh, linkpool's
// extension of the client actions, is true by default, can be created
// false, is answered by Describe, Create and Update, and an Update that
// leaves it out resets it to the default, as Cognito resets every setting
// an UpdateUserPoolClient leaves out. Cognito's own SDK ignores the
// member.
func TestClientIDTokenOnRefreshField(t *testing.T) {
	e := newEnv(t)
	call := func(action, body string) map[string]any {
		t.Helper()
		status, _, m := e.raw(t, cognitoapi.TargetPrefix+action, keyAdmin, body)
		if status != 200 {
			t.Fatalf("%s: %d %v", action, status, m)
		}
		return m
	}
	field := func(m map[string]any) any {
		c, _ := m["UserPoolClient"].(map[string]any)
		return c["LinkpoolIdTokenOnRefresh"]
	}

	def := call("CreateUserPoolClient", fmt.Sprintf(`{"UserPoolId":%q,"ClientName":"default"}`, e.pool.ID))
	if field(def) != true {
		t.Fatalf("default client: LinkpoolIdTokenOnRefresh %v, want true", field(def))
	}
	off := call("CreateUserPoolClient", fmt.Sprintf(`{"UserPoolId":%q,"ClientName":"alexa","LinkpoolIdTokenOnRefresh":false}`, e.pool.ID))
	if field(off) != false {
		t.Fatalf("created off: %v", field(off))
	}
	id := off["UserPoolClient"].(map[string]any)["ClientId"].(string)
	describe := func() any {
		return field(call("DescribeUserPoolClient", fmt.Sprintf(`{"UserPoolId":%q,"ClientId":%q}`, e.pool.ID, id)))
	}
	if got := describe(); got != false {
		t.Fatalf("Describe after create off: %v", got)
	}
	if got := field(call("UpdateUserPoolClient", fmt.Sprintf(`{"UserPoolId":%q,"ClientId":%q,"LinkpoolIdTokenOnRefresh":false}`, e.pool.ID, id))); got != false {
		t.Fatalf("Update keeping it off: %v", got)
	}
	if got := field(call("UpdateUserPoolClient", fmt.Sprintf(`{"UserPoolId":%q,"ClientId":%q}`, e.pool.ID, id))); got != true {
		t.Fatalf("Update without the field: %v, want the default true", got)
	}
	if got := describe(); got != true {
		t.Fatalf("Describe after an Update without the field: %v", got)
	}

	// A wrong type is refused like any other member, and changes nothing.
	status, _, m := e.raw(t, cognitoapi.TargetPrefix+"UpdateUserPoolClient", keyAdmin,
		fmt.Sprintf(`{"UserPoolId":%q,"ClientId":%q,"LinkpoolIdTokenOnRefresh":"no"}`, e.pool.ID, id))
	if status != 400 {
		t.Fatalf("wrong type: %d %v", status, m)
	}
	if got := describe(); got != true {
		t.Fatalf("after a refused update: %v", got)
	}

	// The real SDK reads the answers and never sends the member.
	sdkOut, err := e.sdk(keyAdmin).DescribeUserPoolClient(context.Background(), &cip.DescribeUserPoolClientInput{
		UserPoolId: aws.String(e.pool.ID), ClientId: aws.String(id),
	})
	if err != nil || aws.ToString(sdkOut.UserPoolClient.ClientId) != id {
		t.Fatalf("SDK DescribeUserPoolClient: %+v, %v", sdkOut, err)
	}
}
