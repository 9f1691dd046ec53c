package oauth

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
	"github.com/linkpool/linkpool/internal/web"
)

// Tokens is a token set the Cognito API (internal/cognitoapi) returns as
// its AuthenticationResult. RefreshToken is empty on a refresh unless the
// client rotates refresh tokens; IDToken is empty on a refresh when the
// client's IDTokenOnRefresh is off.
type Tokens struct {
	AccessToken  string
	IDToken      string
	RefreshToken string
	ExpiresIn    int
}

// IssueSignIn issues the tokens of a user who signed in through the
// Cognito API (InitiateAuth USER_PASSWORD_AUTH) with client c: an access
// token with Cognito's API scope aws.cognito.signin.user.admin, an ID
// token, and a new refresh-token grant; both tokens carry the sign-in's
// event_id, as Cognito's API tokens do. u must come from
// account.Service.Authenticate.
func (s *Service) IssueSignIn(ctx context.Context, t web.Target, c pool.Client, u pool.User) (Tokens, error) {
	resp, err := s.issueForUser(ctx, t, c, u, grantContext{
		scopes: []string{pool.ScopeCognitoAPI}, authTime: s.now(), originJTI: newJTI(),
		withRefresh: true, withID: true, eventID: newJTI(),
	})
	if err != nil {
		return Tokens{}, err
	}
	s.metrics.tokensIssued.WithLabelValues("api_user_password").Inc()
	return tokensOf(resp), nil
}

// RefreshAPI runs the refresh grant for client c (InitiateAuth
// REFRESH_TOKEN_AUTH): the same checks, rotation and revocation as the
// token endpoint's refresh_token grant, with an ID token minted whatever
// the scopes unless the client's IDTokenOnRefresh is off (then IDToken is
// empty), and an event_id of the refresh's own in the tokens.
// A refused token is an *Error with ErrInvalidGrant.
func (s *Service) RefreshAPI(ctx context.Context, t web.Target, c pool.Client, refreshToken string) (Tokens, error) {
	resp, err := s.refresh(ctx, t, c, url.Values{"refresh_token": {refreshToken}}, true)
	if err != nil {
		return Tokens{}, err
	}
	s.metrics.tokensIssued.WithLabelValues("api_refresh_token").Inc()
	return tokensOf(resp), nil
}

func tokensOf(r *tokenResponse) Tokens {
	return Tokens{AccessToken: r.AccessToken, IDToken: r.IDToken, RefreshToken: r.RefreshToken, ExpiresIn: r.ExpiresIn}
}

// RefreshTokenSub returns the sub of the user a refresh token of pool
// poolID and client clientID was issued to, or "" when there is no such
// token; the Cognito API checks a SECRET_HASH computed over it before
// the refresh. The token's secret is not checked here (RefreshAPI does).
func (s *Service) RefreshTokenSub(ctx context.Context, poolID, clientID, refreshToken string) (string, error) {
	id, _, ok := splitRefreshToken(refreshToken)
	if !ok {
		return "", nil
	}
	rt, err := s.store.GetRefreshToken(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", unavailable(fmt.Errorf("get refresh token: %w", err))
	}
	if rt.PoolID != poolID || rt.ClientID != clientID {
		return "", nil
	}
	return rt.Sub, nil
}
