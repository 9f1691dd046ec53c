package oauth

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/web"
	"github.com/linkpool/linkpool/verify"
)

// Verdicts of VerifyAPIAccess on an access token.
var (
	// ErrAccessInvalid: not an access token of the pool (bad signature,
	// wrong issuer or use, not yet valid).
	ErrAccessInvalid = errors.New("invalid access token")
	// ErrAccessExpired: past its exp.
	ErrAccessExpired = errors.New("access token expired")
	// ErrAccessScope: without the aws.cognito.signin.user.admin scope.
	ErrAccessScope = errors.New("access token without aws.cognito.signin.user.admin")
)

// VerifyAPIAccess checks an access token presented to the Cognito API
// (GetUser, GlobalSignOut and the other actions a user calls with it):
// signed by the pool's key, issued by it, an access token, unexpired,
// carrying aws.cognito.signin.user.admin, and still standing
// (CheckAccess). It returns the user. A verdict on the
// token is ErrAccessInvalid, ErrAccessExpired, ErrAccessScope or
// ErrAccessRevoked; any other error is a store failure.
func (s *Service) VerifyAPIAccess(ctx context.Context, t web.Target, tok string) (pool.User, error) {
	u, _, err := s.VerifyAPIAccessClient(ctx, t, tok)
	return u, err
}

// VerifyAPIAccessClient is VerifyAPIAccess that also returns the id of
// the app client the token was issued to (its client_id claim).
func (s *Service) VerifyAPIAccessClient(ctx context.Context, t web.Target, tok string) (pool.User, string, error) {
	raw, err := s.keys.Verify(ctx, t.Pool.ID, "access", strings.TrimSpace(tok))
	if err != nil {
		if isKeyStoreError(err) {
			return pool.User{}, "", err
		}
		return pool.User{}, "", ErrAccessInvalid
	}
	var cl userInfoClaims
	if err := json.Unmarshal(raw, &cl); err != nil {
		return pool.User{}, "", ErrAccessInvalid
	}
	now := s.now()
	if cl.Issuer != t.Issuer || cl.TokenUse != "access" || cl.Iat == 0 {
		return pool.User{}, "", ErrAccessInvalid
	}
	var nbf time.Time
	if cl.Nbf != 0 {
		nbf = time.Unix(cl.Nbf, 0)
	}
	if verify.CheckValidFrom(now, time.Unix(cl.Iat, 0), nbf, verify.DefaultLeeway) != nil {
		return pool.User{}, "", ErrAccessInvalid
	}
	if now.Unix() >= cl.Exp {
		return pool.User{}, "", ErrAccessExpired
	}
	if !slices.Contains(strings.Fields(cl.Scope), pool.ScopeCognitoAPI) {
		return pool.User{}, "", ErrAccessScope
	}
	u, err := s.CheckAccess(ctx, t.Pool.ID, cl.Sub, cl.OriginJTI, time.Unix(cl.Iat, 0))
	if err != nil {
		return pool.User{}, "", err
	}
	return u, cl.ClientID, nil
}
