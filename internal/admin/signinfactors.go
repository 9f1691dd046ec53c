package admin

import (
	"context"
	"slices"

	"github.com/linkpool/linkpool/internal/pool"
)

// SetSignInFactors replaces the pool's multi-factor configuration and,
// unless firstFactors is nil, its AllowedFirstAuthFactors in one update
// (the CLI's `pool mfa set`): the two are checked together
// (pool.MFAConfig.Validate, pool.Pool.Validate), so that turning the
// email factor off and taking EMAIL_OTP from the first factors is one
// valid change, and EMAIL_OTP never outlives the email factor. An empty,
// non-nil firstFactors resets them to PASSWORD alone. A refused change
// is an InvalidParameterException naming the Cognito member and stores
// nothing. It returns the updated pool.
func (s *Service) SetSignInFactors(ctx context.Context, poolID string, c pool.MFAConfig, firstFactors []string) (pool.Pool, error) {
	return s.updatePool(ctx, "SetUserPoolMfaConfig", poolID, func(p *pool.Pool) {
		p.MFA = c
		if firstFactors != nil {
			p.AllowedFirstAuthFactors = slices.Clone(firstFactors)
		}
	})
}
