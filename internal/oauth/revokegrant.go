package oauth

import (
	"context"
	"errors"
	"fmt"

	"github.com/linkpool/linkpool/internal/store"
)

// RevokeGrant revokes the grant (refresh token lineage) an access token
// was minted from, identified by its origin_jti, as POST /oauth2/revoke
// does with the refresh token itself: every token of the grant stops
// working. It is for co-located services that hold a verified access
// token but not the refresh token, such as the SmartLamp skill when the
// user disables it in the Alexa app. A grant that is gone, already
// revoked or not sub's in poolID is left alone; only store failures are
// errors.
func (s *Service) RevokeGrant(ctx context.Context, poolID, sub, originJTI string) error {
	if originJTI == "" {
		return nil
	}
	g, err := s.store.GetRefreshTokenByOrigin(ctx, originJTI)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("get grant: %w", err)
	}
	if g.Revoked() || g.PoolID != poolID || g.Sub != sub {
		return nil
	}
	now := s.now()
	err = s.store.UpdateRefreshToken(ctx, g.ID, func(rt store.RefreshToken) (store.RefreshToken, error) {
		if !rt.Revoked() {
			rt.RevokedAt = now
		}
		return rt, nil
	})
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("revoke grant: %w", err)
	}
	return nil
}
