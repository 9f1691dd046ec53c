package oauth

import (
	"context"
	"net/url"
	"slices"
	"strings"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/trigger"
	"github.com/linkpool/linkpool/internal/web"
)

// grantClientCredentials serves the client_credentials grant (RFC 6749
// §4.4, Cognito machine-to-machine): only for secret clients whose one
// allowed flow is client_credentials; only custom scopes; no scope
// parameter means all of the client's scopes. The response has no ID or
// refresh token.
func (s *Service) grantClientCredentials(ctx context.Context, t web.Target, c pool.Client, form url.Values) (*tokenResponse, error) {
	if !c.AllowsFlow(pool.FlowClientCredentials) || !c.HasSecret() {
		return nil, badRequest(ErrUnauthorizedClient, "The client is not allowed the client_credentials grant.")
	}
	scopes := c.AllowedOAuthScopes
	if raw := form.Get("scope"); raw != "" {
		scopes = nil
		for _, sc := range strings.Fields(raw) {
			if !slices.Contains(c.AllowedOAuthScopes, sc) {
				return nil, badRequest(ErrInvalidScope, "Scope "+sc+" is not allowed for this client.")
			}
			if !slices.Contains(scopes, sc) {
				scopes = append(scopes, sc)
			}
		}
	}
	g := grantContext{scopes: scopes, source: trigger.SourceTokenClientCredentials}
	pt, err := s.preTokenGeneration(ctx, t, c, nil, nil, g)
	if err != nil {
		return nil, err
	}
	now := s.now()
	access, err := s.signAccess(ctx, t, c, nil, pt, g, now)
	if err != nil {
		return nil, err
	}
	return &tokenResponse{AccessToken: access, TokenType: "Bearer", ExpiresIn: int(c.AccessTokenTTL().Seconds())}, nil
}
