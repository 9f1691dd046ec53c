package cognitoapi_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/linkpool/linkpool/internal/apptest"
	"github.com/linkpool/linkpool/internal/pool"
)

// getTokens calls GetTokensFromRefreshToken with e's client and secret.
func (e *env) getTokens(rt string) (*cip.GetTokensFromRefreshTokenOutput, error) {
	return e.anon().GetTokensFromRefreshToken(context.Background(), &cip.GetTokensFromRefreshTokenInput{
		ClientId: aws.String(e.client.ID), ClientSecret: aws.String(e.secret), RefreshToken: aws.String(rt),
	})
}

// rotate turns refresh-token rotation on for e's client.
func (e *env) rotate(t *testing.T, grace int) {
	t.Helper()
	err := e.app.Store.UpdateClient(context.Background(), e.client.ID, func(c pool.Client) (pool.Client, error) {
		c.RefreshTokenRotation = pool.RefreshTokenRotation{Feature: pool.RotationEnabled, RetryGracePeriodSeconds: grace}
		return c, nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// tokenEndpointRefresh runs the token endpoint's refresh_token grant with
// e's client and returns the status and the answer.
func (e *env) tokenEndpointRefresh(t *testing.T, rt string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/"+e.pool.ID+"/oauth2/token",
		strings.NewReader(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(e.client.ID, e.secret)
	return doJSON(t, req)
}

func TestGetTokensFromRefreshTokenWithoutRotation(t *testing.T) {
	e, _, _, _, refresh := selfEnv(t)
	for i := range 2 {
		out, err := e.getTokens(refresh)
		if err != nil {
			t.Fatalf("GetTokensFromRefreshToken #%d: %v", i+1, err)
		}
		r := out.AuthenticationResult
		if r == nil || aws.ToString(r.AccessToken) == "" || aws.ToString(r.IdToken) == "" || aws.ToString(r.TokenType) != "Bearer" || r.ExpiresIn != 3600 {
			t.Fatalf("answer: %+v", r)
		}
		if r.RefreshToken != nil {
			t.Fatalf("a client without rotation got a new refresh token")
		}
		if got := e.attrsOf(t, aws.ToString(r.AccessToken)); got["email"] != "gina@example.com" {
			t.Fatalf("the new access token does not work: %v", got)
		}
		if c := apptest.JWTClaims(t, aws.ToString(r.IdToken)); c["cognito:username"] != "gina" {
			t.Fatalf("ID token claims: %v", c)
		}
	}
}

func TestGetTokensFromRefreshTokenRefusals(t *testing.T) {
	e, _, clk, _, refresh := selfEnv(t)
	ctx := context.Background()
	api := e.anon()

	_, err := api.GetTokensFromRefreshToken(ctx, &cip.GetTokensFromRefreshTokenInput{ClientId: aws.String(e.client.ID), RefreshToken: aws.String(refresh)})
	wantAPIError(t, err, "NotAuthorizedException", "Client authentication failed.")
	_, err = api.GetTokensFromRefreshToken(ctx, &cip.GetTokensFromRefreshTokenInput{ClientId: aws.String(e.client.ID), ClientSecret: aws.String("wrong"), RefreshToken: aws.String(refresh)})
	wantAPIError(t, err, "NotAuthorizedException", "Client authentication failed.")
	_, err = api.GetTokensFromRefreshToken(ctx, &cip.GetTokensFromRefreshTokenInput{ClientId: aws.String("1example23456789abcdefghij"), RefreshToken: aws.String(refresh)})
	wantAPIError(t, err, "ResourceNotFoundException", "")
	_, err = e.getTokens("garbage")
	wantAPIError(t, err, "NotAuthorizedException", "Invalid Refresh Token.")
	_, err = e.getTokens(refresh[:len(refresh)-4] + "AAAA")
	wantAPIError(t, err, "NotAuthorizedException", "Invalid Refresh Token.")

	// Another client's token is no token of this one.
	other := e.publicClient(t, pool.ExistenceEnabled)
	_, err = api.GetTokensFromRefreshToken(ctx, &cip.GetTokensFromRefreshTokenInput{ClientId: aws.String(other.ID), RefreshToken: aws.String(refresh)})
	wantAPIError(t, err, "NotAuthorizedException", "Invalid Refresh Token.")

	// Expired.
	clk.Advance(31 * 24 * time.Hour)
	_, err = e.getTokens(refresh)
	wantAPIError(t, err, "NotAuthorizedException", "Refresh Token has expired")
}

func TestGetTokensFromRefreshTokenRevoked(t *testing.T) {
	e, _, _, _, refresh := selfEnv(t)
	if _, err := e.anon().RevokeToken(context.Background(), &cip.RevokeTokenInput{ClientId: aws.String(e.client.ID), ClientSecret: aws.String(e.secret), Token: aws.String(refresh)}); err != nil {
		t.Fatal(err)
	}
	_, err := e.getTokens(refresh)
	wantAPIError(t, err, "NotAuthorizedException", "Refresh Token has been revoked")
}

func TestGetTokensFromRefreshTokenRotation(t *testing.T) {
	e, _, clk, _, rt0 := selfEnv(t)
	e.rotate(t, 10)

	out, err := e.getTokens(rt0)
	if err != nil {
		t.Fatalf("first rotation: %v", err)
	}
	rt1 := aws.ToString(out.AuthenticationResult.RefreshToken)
	if rt1 == "" || rt1 == rt0 {
		t.Fatalf("rotation returned %q", rt1)
	}
	// A retry of rt0 within the grace period gets the current token and
	// rotates nothing.
	clk.Advance(5 * time.Second)
	out, err = e.getTokens(rt0)
	if err != nil {
		t.Fatalf("retry within the grace period: %v", err)
	}
	if got := aws.ToString(out.AuthenticationResult.RefreshToken); got != rt1 {
		t.Fatalf("retry got %q, want the current token", got)
	}
	// The token endpoint's refresh grant is the same grant: it rotates
	// rt1 onwards.
	st, body := e.tokenEndpointRefresh(t, rt1)
	rt2, _ := body["refresh_token"].(string)
	if st != http.StatusOK || rt2 == "" || rt2 == rt1 {
		t.Fatalf("token endpoint refresh: %d %v", st, body)
	}
	// Past the grace period, a superseded token is reuse: it is refused
	// and revokes the grant, so the current token stops working too.
	clk.Advance(11 * time.Second)
	_, err = e.getTokens(rt0)
	wantAPIError(t, err, "RefreshTokenReuseException", "")
	_, err = e.getTokens(rt2)
	wantAPIError(t, err, "NotAuthorizedException", "Refresh Token has been revoked")
}

func TestRefreshTokenRotationInClientActions(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	admin := e.sdk(keyAdmin)
	created, err := admin.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
		UserPoolId: aws.String(e.pool.ID), ClientName: aws.String("rotating"),
		RefreshTokenRotation: &types.RefreshTokenRotationType{Feature: types.FeatureTypeEnabled, RetryGracePeriodSeconds: aws.Int32(30)},
	})
	if err != nil {
		t.Fatalf("CreateUserPoolClient: %v", err)
	}
	got, err := admin.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: aws.String(e.pool.ID), ClientId: created.UserPoolClient.ClientId})
	if err != nil {
		t.Fatal(err)
	}
	if r := got.UserPoolClient.RefreshTokenRotation; r == nil || r.Feature != types.FeatureTypeEnabled || aws.ToInt32(r.RetryGracePeriodSeconds) != 30 {
		t.Fatalf("RefreshTokenRotation: %+v", r)
	}
}

// TestRotatingClientRefreshesWithGetTokensOnly: as in Cognito, a client
// that rotates refresh tokens completes refreshes with
// GetTokensFromRefreshToken, even without ALLOW_REFRESH_TOKEN_AUTH, and
// InitiateAuth's REFRESH_TOKEN_AUTH is refused for it (it would refresh
// without rotating).
func TestRotatingClientRefreshesWithGetTokensOnly(t *testing.T) {
	e, _, _, _, rt0 := selfEnv(t)
	e.rotate(t, 0)

	_, err := e.refreshAuth(types.AuthFlowTypeRefreshTokenAuth, rt0, e.hash("gina"))
	wantAPIError(t, err, "InvalidParameterException",
		"REFRESH_TOKEN_AUTH is not available to an app client that rotates refresh tokens; use GetTokensFromRefreshToken")

	e.allowFlows(t, pool.ExistenceEnabled, "ALLOW_USER_PASSWORD_AUTH")
	e.rotate(t, 0)
	out, err := e.getTokens(rt0)
	if err != nil {
		t.Fatalf("GetTokensFromRefreshToken without ALLOW_REFRESH_TOKEN_AUTH: %v", err)
	}
	rt1 := aws.ToString(out.AuthenticationResult.RefreshToken)
	if rt1 == "" || rt1 == rt0 {
		t.Fatalf("rotation returned %q", rt1)
	}

	// Without rotation the flow list decides.
	err = e.app.Store.UpdateClient(context.Background(), e.client.ID, func(c pool.Client) (pool.Client, error) {
		c.RefreshTokenRotation = pool.RefreshTokenRotation{Feature: pool.RotationDisabled}
		return c, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.getTokens(rt1)
	wantAPIError(t, err, "InvalidParameterException", "REFRESH_TOKEN_AUTH flow not enabled for this client")
}
