package cognitoapi

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/oauth"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
	"github.com/linkpool/linkpool/internal/web"
)

// InitiateAuth (unsigned, authorized by the app client): USER_PASSWORD_AUTH
// checks the password with internal/account; REFRESH_TOKEN_AUTH (alias
// REFRESH_TOKEN) runs the refresh grant; the tokens are minted by
// internal/oauth, as the token endpoint's.

// authenticationResult is Cognito's AuthenticationResultType.
type authenticationResult struct {
	AccessToken  string `json:"AccessToken"`
	ExpiresIn    int    `json:"ExpiresIn"`
	TokenType    string `json:"TokenType"`
	RefreshToken string `json:"RefreshToken,omitempty"`
	IdToken      string `json:"IdToken"`
}

type initiateAuthAnswer struct {
	AuthenticationResult authenticationResult `json:"AuthenticationResult"`
	ChallengeParameters  map[string]string    `json:"ChallengeParameters"`
}

var authFlows = []string{"USER_SRP_AUTH", "REFRESH_TOKEN_AUTH", "REFRESH_TOKEN", "CUSTOM_AUTH", "ADMIN_NO_SRP_AUTH", "USER_PASSWORD_AUTH", "ADMIN_USER_PASSWORD_AUTH", "USER_AUTH"}

func initiateAuth(c *call) (any, error) {
	var req struct {
		AuthFlow       *string           `json:"AuthFlow"`
		AuthParameters map[string]string `json:"AuthParameters"`
		ClientId       *string           `json:"ClientId"`
		ClientMetadata map[string]string `json:"ClientMetadata"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	var v validation
	v.enum("authFlow", req.AuthFlow, authFlows...)
	v.clientID(req.ClientId)
	if err := v.err(); err != nil {
		return nil, err
	}
	if c.api.cfg.OAuth == nil || c.api.cfg.Issuer == nil {
		return nil, errors.New("cognitoapi: InitiateAuth: no token service configured")
	}
	cl, err := c.api.cfg.Store.GetClient(c.ctx, *req.ClientId)
	if errors.Is(err, store.ErrNotFound) {
		return nil, NewError(ResourceNotFoundException, "User pool client "+*req.ClientId+" does not exist.")
	}
	if err != nil {
		return nil, fmt.Errorf("cognitoapi: get client: %w", err)
	}
	p, err := c.api.cfg.Store.GetPool(c.ctx, cl.PoolID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, NewError(ResourceNotFoundException, "User pool client "+cl.ID+" does not exist.")
	}
	if err != nil {
		return nil, fmt.Errorf("cognitoapi: get pool: %w", err)
	}
	t := web.Target{Pool: p, Issuer: c.api.cfg.Issuer(p.ID)}
	params := req.AuthParameters
	var secretHash *string
	if h, ok := params["SECRET_HASH"]; ok {
		secretHash = &h
	}
	var tokens oauth.Tokens
	switch flow := *req.AuthFlow; flow {
	case "USER_PASSWORD_AUTH":
		if !slices.Contains(cl.ExplicitAuthFlows, "ALLOW_USER_PASSWORD_AUTH") {
			return nil, NewError(InvalidParameterException, "USER_PASSWORD_AUTH flow not enabled for this client")
		}
		username, password := params["USERNAME"], params["PASSWORD"]
		if username == "" {
			return nil, NewError(InvalidParameterException, "Missing required parameter USERNAME")
		}
		if password == "" {
			return nil, NewError(InvalidParameterException, "Missing required parameter PASSWORD")
		}
		if err := c.checkSecretHash(cl, username, secretHash); err != nil {
			return nil, err
		}
		addr := web.ClientKey(c.ctx) + "|"
		userKey := addr + strings.ToLower(username)
		if l := c.api.cfg.SignInLimit; l != nil && !l.Allow(addr) {
			return nil, NewError(TooManyRequestsException, "Too many requests")
		}
		if l := c.api.cfg.SignInUserLimit; l != nil && !l.Allow(userKey) {
			return nil, NewError(TooManyRequestsException, "Too many requests")
		}
		u, err := c.api.cfg.Accounts.Authenticate(c.ctx, p, username, password)
		if err != nil {
			return nil, signInError(cl, err)
		}
		if l := c.api.cfg.SignInUserLimit; l != nil {
			l.Refund(userKey)
		}
		if tokens, err = c.api.cfg.OAuth.IssueSignIn(c.ctx, t, cl, u); err != nil {
			return nil, err
		}
	case "REFRESH_TOKEN_AUTH", "REFRESH_TOKEN":
		if !slices.Contains(cl.ExplicitAuthFlows, "ALLOW_REFRESH_TOKEN_AUTH") {
			return nil, NewError(InvalidParameterException, "REFRESH_TOKEN_AUTH flow not enabled for this client")
		}
		rt := params["REFRESH_TOKEN"]
		if rt == "" {
			return nil, NewError(InvalidParameterException, "Missing required parameter REFRESH_TOKEN")
		}
		if err := c.checkRefreshSecretHash(cl, p, rt, secretHash); err != nil {
			return nil, err
		}
		tokens, err = c.api.cfg.OAuth.RefreshAPI(c.ctx, t, cl, rt)
		if e := oauth.AsError(err); err != nil && e != nil && e.Code == oauth.ErrInvalidGrant {
			return nil, NewError(NotAuthorizedException, "Invalid Refresh Token")
		}
		if err != nil {
			return nil, err
		}
	default:
		return nil, NewError(InvalidParameterException, "Unsupported AuthFlow "+flow+": this server offers USER_PASSWORD_AUTH and REFRESH_TOKEN_AUTH")
	}
	return initiateAuthAnswer{
		AuthenticationResult: authenticationResult{
			AccessToken: tokens.AccessToken, ExpiresIn: tokens.ExpiresIn, TokenType: "Bearer",
			RefreshToken: tokens.RefreshToken, IdToken: tokens.IDToken,
		},
		ChallengeParameters: map[string]string{},
	}, nil
}

// signInError renders a refused password sign-in as Cognito does: an
// unknown user is "Incorrect username or password." unless the client's
// PreventUserExistenceErrors is LEGACY. A user who must replace a
// temporary password is refused: the NEW_PASSWORD_REQUIRED challenge
// (RespondToAuthChallenge) is not served by the API; the hosted sign-in
// page offers it.
func signInError(cl pool.Client, err error) error {
	switch account.TypeOf(err) {
	case account.UserNotFoundException:
		if prevents(cl) {
			return NewError(NotAuthorizedException, "Incorrect username or password.")
		}
	case account.NewPasswordRequired:
		return NewError(NotAuthorizedException, "The user must change the temporary password on the hosted sign-in page; NEW_PASSWORD_REQUIRED is not offered by this API.")
	}
	return err
}

// checkRefreshSecretHash checks the SECRET_HASH of a refresh by a client
// with a secret. Cognito computes it over the user's sub or username
// (the token's user); an unknown token is left to the refresh, which
// refuses it.
func (c *call) checkRefreshSecretHash(cl pool.Client, p pool.Pool, rt string, got *string) error {
	if !cl.HasSecret() || got == nil {
		return c.checkSecretHash(cl, "", got)
	}
	sub, err := c.api.cfg.OAuth.RefreshTokenSub(c.ctx, p.ID, cl.ID, rt)
	if err != nil {
		return err
	}
	if sub == "" {
		return nil
	}
	secret, err := c.api.cfg.Admin.ClientSecret(cl)
	if err != nil {
		return fmt.Errorf("cognitoapi: %w", err)
	}
	names := []string{sub}
	if u, err := c.api.cfg.Store.GetUser(c.ctx, p.ID, sub); err == nil {
		names = append(names, u.Username)
	} else if !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("cognitoapi: get user: %w", err)
	}
	for _, n := range names {
		if subtle.ConstantTimeCompare([]byte(SecretHash(secret, n, cl.ID)), []byte(*got)) == 1 {
			return nil
		}
	}
	return NewError(NotAuthorizedException, "Unable to verify secret hash for client "+cl.ID)
}
