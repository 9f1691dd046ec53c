package oauth

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
)

// ErrAccessRevoked reports that an access token, though validly signed
// and unexpired, no longer stands: its grant was revoked or is gone, or
// its user was deleted, disabled or signed out everywhere after it was
// issued. It is a verdict on the token; any other error from CheckAccess
// is a store failure.
var ErrAccessRevoked = errors.New("access revoked")

// CheckAccess decides whether an access token of pool poolID, issued at
// issuedAt to sub from the grant originJTI, still stands. /oauth2/userInfo
// and a co-located skill use it, so both reject the same tokens (Cognito:
// "Access token is expired, disabled, or deleted, or the user has globally
// signed out"). It returns the user on success.
func (s *Service) CheckAccess(ctx context.Context, poolID, sub, originJTI string, issuedAt time.Time) (pool.User, error) {
	if originJTI == "" {
		return pool.User{}, fmt.Errorf("token without origin_jti: %w", ErrAccessRevoked)
	}
	g, err := s.store.GetRefreshTokenByOrigin(ctx, originJTI)
	if errors.Is(err, store.ErrNotFound) {
		return pool.User{}, fmt.Errorf("grant gone: %w", ErrAccessRevoked)
	}
	if err != nil {
		return pool.User{}, fmt.Errorf("get grant: %w", err)
	}
	if g.Revoked() || g.PoolID != poolID || g.Sub != sub {
		return pool.User{}, fmt.Errorf("grant revoked: %w", ErrAccessRevoked)
	}
	u, err := s.store.GetUser(ctx, poolID, sub)
	if errors.Is(err, store.ErrNotFound) {
		return pool.User{}, fmt.Errorf("user deleted: %w", ErrAccessRevoked)
	}
	if err != nil {
		return pool.User{}, fmt.Errorf("get user: %w", err)
	}
	if !u.Enabled {
		return pool.User{}, fmt.Errorf("user disabled: %w", ErrAccessRevoked)
	}
	// iat has whole seconds: compare at that precision.
	if issuedAt.Before(u.TokensValidAfter.Truncate(time.Second)) {
		return pool.User{}, fmt.Errorf("user signed out everywhere: %w", ErrAccessRevoked)
	}
	return u, nil
}
