package oauth

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
	"github.com/linkpool/linkpool/internal/trigger"
	"github.com/linkpool/linkpool/internal/web"
)

// grantCode redeems an authorization code (RFC 6749 §4.1.3, RFC 7636 §4.6).
//
// The code is consumed atomically before it is checked, so each code is
// tried once: of concurrent redemptions exactly one can succeed. A replayed
// code revokes every token issued from it (RFC 6749 §4.1.2, RFC 9700
// §4.5), whatever the interleaving with the redemption that won: the
// replay's ConsumeAuthCode marks the code replayed before the replay
// revokes the code's grants, and the winner's CreateRefreshToken refuses a
// grant of a marked code atomically with storing it. Either the mark
// commits first, and the winner stores nothing and answers invalid_grant;
// or the winner's grant commits first, and the revocation, which starts
// after the mark, revokes it, and with it the access and ID tokens minted
// from it. The redirect_uri must repeat the authorization request's exactly,
// and the PKCE verifier must match the S256 challenge; a verifier for a
// code issued without a challenge is refused (RFC 9700 §2.1.1).
func (s *Service) grantCode(ctx context.Context, t web.Target, c pool.Client, form url.Values) (*tokenResponse, error) {
	if !c.AllowsFlow(pool.FlowCode) {
		return nil, badRequest(ErrUnauthorizedClient, "The client is not allowed the authorization code grant.")
	}
	code, redirectURI, verifier := form.Get("code"), form.Get("redirect_uri"), form.Get("code_verifier")
	if code == "" {
		return nil, badRequest(ErrInvalidRequest, "Missing code.")
	}
	if redirectURI == "" {
		return nil, badRequest(ErrInvalidRequest, "Missing redirect_uri.")
	}
	if len(code) > 256 {
		return nil, badRequest(ErrInvalidGrant, "Invalid authorization code.")
	}
	now := s.now()
	ac, err := s.store.ConsumeAuthCode(ctx, hashSecret(code), now)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, badRequest(ErrInvalidGrant, "Invalid authorization code.")
	case errors.Is(err, store.ErrConflict):
		if ac.PoolID == t.Pool.ID {
			n, rerr := s.store.RevokeRefreshTokens(ctx, store.RevokeFilter{PoolID: ac.PoolID, CodeID: ac.ID}, now)
			if rerr != nil {
				return nil, unavailable(fmt.Errorf("revoke tokens of replayed code: %w", rerr))
			}
			s.log.WarnContext(ctx, "authorization code replayed; tokens issued from it revoked", "pool", ac.PoolID, "client_id", ac.ClientID, "sub", ac.Sub, "grants_revoked", n)
		}
		return nil, badRequest(ErrInvalidGrant, "Invalid authorization code.")
	case err != nil:
		return nil, unavailable(fmt.Errorf("consume code: %w", err))
	}
	if ac.PoolID != t.Pool.ID || ac.ClientID != c.ID {
		return nil, badRequest(ErrInvalidGrant, "Invalid authorization code.")
	}
	if ac.RedirectURI != redirectURI {
		return nil, badRequest(ErrInvalidGrant, "redirect_uri does not match the authorization request.")
	}
	if err := checkPKCE(ac, verifier); err != nil {
		return nil, err
	}
	u, err := s.activeUser(ctx, t.Pool.ID, ac.Sub, ac.AuthTime)
	if err != nil {
		return nil, err
	}
	return s.issueForUser(ctx, t, c, u, grantContext{
		scopes: ac.Scopes, authTime: ac.AuthTime, originJTI: ac.OriginJTI,
		nonce: ac.Nonce, codeID: ac.ID, withRefresh: true, source: trigger.SourceTokenHostedAuth,
	})
}

func checkPKCE(ac store.AuthCode, verifier string) error {
	if ac.CodeChallenge == "" {
		if verifier != "" {
			return badRequest(ErrInvalidGrant, "code_verifier sent for a code issued without code_challenge.")
		}
		return nil
	}
	if verifier == "" {
		return badRequest(ErrInvalidGrant, "Missing code_verifier.")
	}
	if !pkcePattern.MatchString(verifier) {
		return badRequest(ErrInvalidGrant, "Malformed code_verifier.")
	}
	sum := sha256.Sum256([]byte(verifier))
	got := base64.RawURLEncoding.EncodeToString(sum[:])
	if subtle.ConstantTimeCompare([]byte(got), []byte(ac.CodeChallenge)) != 1 {
		return badRequest(ErrInvalidGrant, "code_verifier does not match code_challenge.")
	}
	return nil
}

// activeUser loads the user a grant was issued to and checks that it may
// still receive tokens: it exists, is enabled and confirmed, and has not
// signed out globally since the authentication.
func (s *Service) activeUser(ctx context.Context, poolID, sub string, authTime time.Time) (pool.User, error) {
	u, err := s.store.GetUser(ctx, poolID, sub)
	if err := checkActive(u, err, authTime); err != nil {
		return pool.User{}, err
	}
	return u, nil
}

// checkActive is activeUser's verdict on a user already read (err is the
// read's error).
func checkActive(u pool.User, err error, authTime time.Time) error {
	if errors.Is(err, store.ErrNotFound) {
		return badRequest(ErrInvalidGrant, "The user no longer exists.")
	}
	if err != nil {
		return unavailable(fmt.Errorf("get user: %w", err))
	}
	if !u.Enabled {
		return badRequest(ErrInvalidGrant, "User is disabled.")
	}
	if u.Status != pool.StatusConfirmed && u.Status != pool.StatusExternalProvider {
		return badRequest(ErrInvalidGrant, "User is not confirmed.")
	}
	if authTime.Before(u.TokensValidAfter) {
		return badRequest(ErrInvalidGrant, "The user has signed out.")
	}
	return nil
}
