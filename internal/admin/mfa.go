package admin

import (
	"context"
	"slices"

	"github.com/linkpool/linkpool/internal/pool"
)

// GetMFAConfig returns the pool's multi-factor configuration
// (GetUserPoolMfaConfig) and the first factors it allows
// (Policies.SignInPolicy.AllowedFirstAuthFactors, [PASSWORD] when unset).
func (s *Service) GetMFAConfig(ctx context.Context, poolID string) (pool.MFAConfig, []string, error) {
	p, err := s.DescribeUserPool(ctx, poolID)
	if err != nil {
		return pool.MFAConfig{}, nil, err
	}
	return p.MFA, slices.Clone(p.FirstFactors()), nil
}

// SetMFAConfig replaces the pool's multi-factor configuration
// (SetUserPoolMfaConfig) and, unless firstFactors is nil, its
// AllowedFirstAuthFactors, in one update: the two are checked together
// (pool.MFAConfig.Validate, pool.Pool.Validate), so that EMAIL_OTP stays
// a first factor only while the email factor is enabled. A rejected
// configuration is an InvalidParameterException naming the Cognito
// member and changes nothing. It returns the updated pool.
func (s *Service) SetMFAConfig(ctx context.Context, poolID string, c pool.MFAConfig, firstFactors []string) (pool.Pool, error) {
	if err := c.Validate(); err != nil {
		return pool.Pool{}, validated(err)
	}
	return s.UpdateUserPool(ctx, poolID, func(p *pool.Pool) {
		p.MFA = c
		if firstFactors != nil {
			p.AllowedFirstAuthFactors = slices.Clone(firstFactors)
		}
	})
}
