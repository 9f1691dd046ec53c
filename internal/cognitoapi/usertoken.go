package cognitoapi

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/linkpool/linkpool/internal/oauth"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
	"github.com/linkpool/linkpool/internal/web"
)

// The unsigned actions authorized by a user's tokens: GetUser and
// GlobalSignOut by an access token (verified by internal/oauth), and
// RevokeToken by a refresh token and its app client.

type getUserAnswer struct {
	Username       string          `json:"Username"`
	UserAttributes []attributeType `json:"UserAttributes"`
	mfaSettings
}

func getUser(c *call) (any, error) {
	a, err := c.accessUser()
	if err != nil {
		return nil, err
	}
	return getUserAnswer{Username: a.user.Username, UserAttributes: attributes(a.user, nil), mfaSettings: newMFASettings(a.user)}, nil
}

func globalSignOut(c *call) (any, error) {
	a, err := c.accessUser()
	if err != nil {
		return nil, err
	}
	if err := c.api.cfg.Accounts.GlobalSignOut(c.ctx, a.pool, a.user.Username); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

// accessUser decodes {"AccessToken"} and returns the user the token
// stands for and their pool, refusing it with Cognito's
// NotAuthorizedException messages.
func (c *call) accessUser() (access, error) {
	var req struct {
		AccessToken *string `json:"AccessToken"`
	}
	if err := c.decode(&req); err != nil {
		return access{}, err
	}
	var v validation
	v.accessToken(req.AccessToken)
	if err := v.err(); err != nil {
		return access{}, err
	}
	return c.verifyAccess(*req.AccessToken)
}

// accessToken checks an AccessToken member; a token of the wrong form is
// left to verifyAccess, which refuses it as Cognito does.
func (v *validation) accessToken(s *string) {
	v.str("accessToken", s, true, 1, 16384, "", nil, true)
}

// access is what a verified access token stands for: the user, the pool
// and the id of the app client it was issued to.
type access struct {
	pool     pool.Pool
	user     pool.User
	clientID string
}

// verifyAccess verifies an access token (oauth.Service.VerifyAPIAccessClient)
// and refuses it with Cognito's NotAuthorizedException messages.
func (c *call) verifyAccess(tok string) (access, error) {
	if c.api.cfg.OAuth == nil || c.api.cfg.Issuer == nil {
		return access{}, errors.New("cognitoapi: no token service configured")
	}
	invalid := NewError(NotAuthorizedException, "Invalid Access Token")
	poolID, ok := issuerPool(tok)
	if !ok {
		return access{}, invalid
	}
	p, err := c.api.getPool(c.ctx, poolID)
	if errors.Is(err, store.ErrNotFound) {
		return access{}, invalid
	}
	if err != nil {
		return access{}, fmt.Errorf("cognitoapi: get pool: %w", err)
	}
	u, clientID, err := c.api.cfg.OAuth.VerifyAPIAccessClient(c.ctx, web.Target{Pool: p, Issuer: c.api.cfg.Issuer(p.ID)}, tok)
	switch {
	case err == nil:
		return access{pool: p, user: u, clientID: clientID}, nil
	case errors.Is(err, oauth.ErrAccessExpired):
		return access{}, NewError(NotAuthorizedException, "Access Token has expired")
	case errors.Is(err, oauth.ErrAccessRevoked):
		return access{}, NewError(NotAuthorizedException, "Access Token has been revoked")
	case errors.Is(err, oauth.ErrAccessScope):
		return access{}, NewError(NotAuthorizedException, "Access Token does not have required scopes")
	case errors.Is(err, oauth.ErrAccessInvalid):
		return access{}, invalid
	}
	return access{}, fmt.Errorf("cognitoapi: verify access token: %w", err)
}

// issuerPool reads, without trusting it, the pool id at the end of a
// JWT's iss; the signature is checked with that pool's keys afterwards.
func issuerPool(tok string) (string, bool) {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return "", false
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return "", false
	}
	var cl struct {
		Iss string `json:"iss"`
	}
	if json.Unmarshal(b, &cl) != nil {
		return "", false
	}
	i := strings.LastIndexByte(cl.Iss, '/')
	if i < 0 || !poolIDRe.MatchString(cl.Iss[i+1:]) {
		return "", false
	}
	return cl.Iss[i+1:], true
}

// revokeToken revokes a refresh token (and every token of its grant) for
// its app client; a client with a secret must send ClientSecret.
func revokeToken(c *call) (any, error) {
	var req struct {
		Token        *string `json:"Token"`
		ClientId     *string `json:"ClientId"`
		ClientSecret *string `json:"ClientSecret"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	var v validation
	v.str("token", req.Token, true, 1, 16384, "", nil, true)
	v.clientID(req.ClientId)
	v.str("clientSecret", req.ClientSecret, false, 1, 64, "", nil, true)
	if err := v.err(); err != nil {
		return nil, err
	}
	if c.api.cfg.OAuth == nil || c.api.cfg.Issuer == nil {
		return nil, errors.New("cognitoapi: RevokeToken: no token service configured")
	}
	cl, p, err := c.clientOf(*req.ClientId, "")
	if err != nil {
		return nil, err
	}
	if err := c.authenticateClient(cl, req.ClientSecret); err != nil {
		return nil, err
	}
	if !cl.EnableTokenRevocation {
		return nil, NewError(UnsupportedOperationException, "Token revocation is not enabled for this client.")
	}
	if strings.Count(*req.Token, ".") == 2 {
		return nil, NewError(UnsupportedTokenTypeException, "Only refresh tokens can be revoked.")
	}
	if err := c.api.cfg.OAuth.RevokeAPI(c.ctx, web.Target{Pool: p, Issuer: c.api.cfg.Issuer(p.ID)}, cl, *req.Token); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}
