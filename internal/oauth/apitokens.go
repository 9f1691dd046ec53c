package oauth

import (
	"context"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/trigger"
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
	return s.IssueSignInFrom(ctx, t, c, u, trigger.SourceTokenAuthentication, nil)
}

// IssueSignInFrom is IssueSignIn with the pre token generation trigger's
// triggerSource (trigger.SourceTokenAuthentication, or
// trigger.SourceTokenNewPassword after a NEW_PASSWORD_REQUIRED answer)
// and the request's ClientMetadata. A failed trigger is an *Error whose
// cause is the *trigger.Error; nothing is issued or stored then.
func (s *Service) IssueSignInFrom(ctx context.Context, t web.Target, c pool.Client, u pool.User, source string, clientMetadata map[string]string) (Tokens, error) {
	resp, err := s.issueForUser(ctx, t, c, u, grantContext{
		scopes: []string{pool.ScopeCognitoAPI}, authTime: s.now(), originJTI: newJTI(),
		withRefresh: true, withID: true, eventID: newJTI(), source: source, clientMetadata: clientMetadata,
	})
	if err != nil {
		return Tokens{}, err
	}
	s.metrics.apiSignIns.Inc()
	return tokensOf(resp), nil
}

// RefreshAPI runs the refresh grant for client c (InitiateAuth
// REFRESH_TOKEN_AUTH, GetTokensFromRefreshToken): the same checks,
// rotation and revocation as the token endpoint's refresh_token grant,
// with an ID token minted whatever the scopes unless the client's
// IDTokenOnRefresh is off (then IDToken is empty), and an event_id of the
// refresh's own in the tokens. check, when non-nil, is called with the
// token's sub and its user's username ("" when the user is gone) once the
// token is known to be c's, before the grant is checked further (the
// SECRET_HASH of REFRESH_TOKEN_AUTH is computed over them); its error is
// returned as it is. The grant and the user are read once.
// A refused token is an *Error with ErrInvalidGrant.
func (s *Service) RefreshAPI(ctx context.Context, t web.Target, c pool.Client, refreshToken string, check func(sub, username string) error) (Tokens, error) {
	if check == nil {
		check = func(string, string) error { return nil }
	}
	resp, err := s.refresh(ctx, t, c, refreshToken, nil, check)
	if err != nil {
		return Tokens{}, err
	}
	s.metrics.apiRefreshes.Inc()
	return tokensOf(resp), nil
}

func tokensOf(r *tokenResponse) Tokens {
	return Tokens{AccessToken: r.AccessToken, IDToken: r.IDToken, RefreshToken: r.RefreshToken, ExpiresIn: r.ExpiresIn}
}
