package oauth

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
	"github.com/linkpool/linkpool/internal/trigger"
	"github.com/linkpool/linkpool/internal/web"
)

// completeImplicit finishes an implicit-grant request (RFC 6749 §4.2.2):
// tokens in the redirect fragment, no refresh token. The grant is recorded
// without a refresh secret so that revocation and userInfo checks work for
// these tokens too; it expires with the access token.
func (s *Service) completeImplicit(ctx context.Context, req *AuthorizeRequest, u pool.User, authTime time.Time, origin string) (string, error) {
	t, ok := web.TargetFrom(ctx)
	if !ok {
		return "", serverError(fmt.Errorf("implicit grant without a pool target"))
	}
	g := grantContext{
		scopes: req.Scopes, authTime: authTime, originJTI: origin, nonce: req.Nonce, source: trigger.SourceTokenHostedAuth,
	}
	pt, err := s.prepareTokens(ctx, t, req.Client, &u, g)
	if err != nil {
		return "", err
	}
	g.pre = pt
	now := s.now()
	rt := store.RefreshToken{
		ID: newOpaque(refreshIDBytes), OriginJTI: origin, PoolID: req.Pool.ID, ClientID: req.Client.ID,
		Sub: u.Sub, Scopes: req.Scopes, AuthTime: authTime, CreatedAt: now, LastUsedAt: now,
		ExpiresAt: now.Add(max(req.Client.AccessTokenTTL(), req.Client.IDTokenTTL())),
	}
	if err := s.store.CreateRefreshToken(ctx, rt); err != nil {
		return "", unavailable(fmt.Errorf("store implicit grant: %w", err))
	}
	resp, err := s.issueForUser(ctx, t, req.Client, u, g)
	if err != nil {
		return "", err
	}
	v := url.Values{}
	v.Set("access_token", resp.AccessToken)
	if resp.IDToken != "" {
		v.Set("id_token", resp.IDToken)
	}
	v.Set("token_type", "Bearer")
	v.Set("expires_in", strconv.Itoa(resp.ExpiresIn))
	if req.State != "" {
		v.Set("state", req.State)
	}
	return req.RedirectURI + "#" + v.Encode(), nil
}
