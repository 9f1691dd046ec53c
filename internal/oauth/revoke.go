package oauth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
	"github.com/linkpool/linkpool/internal/web"
)

// handleRevoke serves POST /oauth2/revoke (RFC 7009, Cognito "Revoke
// endpoint"). It revokes a refresh token and, with it, every access and ID
// token minted from that grant: /oauth2/userInfo and co-located skills
// reject them from then on. Unknown, malformed or already revoked tokens
// answer 200, as RFC 7009 §2.2 requires; a JWT is not a refresh token and
// gets unsupported_token_type.
func (s *Service) handleRevoke(w http.ResponseWriter, r *http.Request) {
	t := web.MustTarget(r)
	if err := s.revoke(r.Context(), r, t); err != nil {
		if web.Gone(r, s.log, "revocation", err) {
			return
		}
		e := AsError(err)
		if e.Status >= 500 {
			s.log.ErrorContext(r.Context(), "revocation failure", "error", e.Code, "cause", e.Cause)
		}
		writeJSONError(w, r, e)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
}

func (s *Service) revoke(ctx context.Context, r *http.Request, t web.Target) error {
	if !s.limiter.Allow(web.ClientKey(ctx)) {
		return tooManyRequests()
	}
	form, err := parseForm(r)
	if err != nil {
		return err
	}
	c, err := s.authenticateClient(ctx, r, form, t.Pool)
	if err != nil {
		return err
	}
	if !c.EnableTokenRevocation {
		return badRequest(ErrInvalidRequest, "Token revocation is disabled for this client.")
	}
	tok := form.Get("token")
	if tok == "" {
		return badRequest(ErrInvalidRequest, "Missing token.")
	}
	if hint := form.Get("token_type_hint"); hint != "" && hint != "refresh_token" && hint != "access_token" {
		return badRequest(ErrUnsupportedTokenType, "Unsupported token_type_hint.")
	}
	if strings.Count(tok, ".") == 2 {
		return badRequest(ErrUnsupportedTokenType, "Only refresh tokens can be revoked.")
	}
	return s.revokeRefresh(ctx, t, c, tok)
}

// RevokeAPI revokes a refresh token of client c for the Cognito API's
// RevokeToken, as POST /oauth2/revoke does; the client is authenticated
// by the caller. A token that is unknown, not c's or already revoked is
// left alone; only store failures are errors.
func (s *Service) RevokeAPI(ctx context.Context, t web.Target, c pool.Client, tok string) error {
	return s.revokeRefresh(ctx, t, c, tok)
}

func (s *Service) revokeRefresh(ctx context.Context, t web.Target, c pool.Client, tok string) error {
	id, secret, ok := splitRefreshToken(tok)
	if !ok {
		return nil
	}
	rt, err := s.store.GetRefreshToken(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return unavailable(fmt.Errorf("get refresh token: %w", err))
	}
	h := hashSecret(secret)
	current := equalHash(h, rt.SecretHash) || rt.PrevSecretHash != "" && equalHash(h, rt.PrevSecretHash)
	if rt.PoolID != t.Pool.ID || rt.ClientID != c.ID || !current || rt.Revoked() {
		return nil
	}
	now := s.now()
	err = s.store.UpdateRefreshToken(ctx, id, func(rt store.RefreshToken) (store.RefreshToken, error) {
		if !rt.Revoked() {
			rt.RevokedAt = now
		}
		return rt, nil
	})
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return unavailable(fmt.Errorf("revoke: %w", err))
	}
	return nil
}
