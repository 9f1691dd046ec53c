package cognitoapi

import (
	"errors"

	"github.com/linkpool/linkpool/internal/oauth"
	"github.com/linkpool/linkpool/internal/web"
)

// RefreshTokenReuseException is Cognito's refusal of a rotated refresh
// token presented after its grace period.
const RefreshTokenReuseException = "RefreshTokenReuseException"

// getTokensFromRefreshToken is Cognito's GetTokensFromRefreshToken: the
// refresh grant of internal/oauth (oauth.Service.RefreshAPI, the token
// endpoint's refresh_token grant), authorized by the app client: its id,
// and ClientSecret for a client with a secret. With the client's
// RefreshTokenRotation ENABLED it returns a new refresh token and the
// presented one keeps working for RetryGracePeriodSeconds; presented
// later, it is a RefreshTokenReuseException and revokes the grant.
func getTokensFromRefreshToken(c *call) (any, error) {
	var req struct {
		RefreshToken   *string           `json:"RefreshToken"`
		ClientId       *string           `json:"ClientId"`
		ClientSecret   *string           `json:"ClientSecret"`
		DeviceKey      *string           `json:"DeviceKey"`
		ClientMetadata map[string]string `json:"ClientMetadata"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	var v validation
	v.clientID(req.ClientId)
	v.str("clientSecret", req.ClientSecret, false, 1, 64, "", nil, true)
	v.str("refreshToken", req.RefreshToken, true, 1, 131072, "", nil, true)
	v.str("deviceKey", req.DeviceKey, false, 1, 55, "", nil, false)
	if err := v.err(); err != nil {
		return nil, err
	}
	if c.api.cfg.OAuth == nil || c.api.cfg.Issuer == nil {
		return nil, errors.New("cognitoapi: GetTokensFromRefreshToken: no token service configured")
	}
	cl, p, err := c.clientOf(*req.ClientId, "")
	if err != nil {
		return nil, err
	}
	if err := c.authenticateClient(cl, req.ClientSecret); err != nil {
		return nil, err
	}
	// A client that rotates refresh tokens refreshes here only, whether
	// or not it lists ALLOW_REFRESH_TOKEN_AUTH (Cognito has it left out).
	if !cl.RotatesRefreshTokens() && !(authCall{cl: cl}).allows("REFRESH_TOKEN_AUTH") {
		return nil, NewError(InvalidParameterException, "REFRESH_TOKEN_AUTH flow not enabled for this client")
	}
	tokens, err := c.api.cfg.OAuth.RefreshAPI(c.ctx, web.Target{Pool: p, Issuer: c.api.cfg.Issuer(p.ID)}, cl, *req.RefreshToken, nil)
	if err != nil {
		return nil, refreshError(err)
	}
	return struct {
		AuthenticationResult authenticationResult `json:"AuthenticationResult"`
	}{authenticationResult{
		AccessToken: tokens.AccessToken, ExpiresIn: tokens.ExpiresIn, TokenType: "Bearer",
		RefreshToken: tokens.RefreshToken, IdToken: tokens.IDToken,
	}}, nil
}

// refreshError renders a refused refresh as Cognito does: "Invalid
// Refresh Token." and "Refresh Token has been revoked" are Cognito's
// wording; the expiry and reuse messages are linkpool's.
func refreshError(err error) error {
	e := oauth.AsError(err)
	if e == nil || e.Code != oauth.ErrInvalidGrant {
		return err
	}
	switch {
	case errors.Is(err, oauth.ErrRefreshReused):
		return NewError(RefreshTokenReuseException, "Refresh token has been reused after rotation; its grant is revoked.")
	case errors.Is(err, oauth.ErrRefreshRevoked):
		return NewError(NotAuthorizedException, "Refresh Token has been revoked")
	case errors.Is(err, oauth.ErrRefreshExpired):
		return NewError(NotAuthorizedException, "Refresh Token has expired")
	}
	return NewError(NotAuthorizedException, "Invalid Refresh Token.")
}
