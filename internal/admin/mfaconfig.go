package admin

import (
	"context"

	"github.com/linkpool/linkpool/internal/pool"
)

// SetMFAConfig replaces the pool's multi-factor configuration (Cognito
// SetUserPoolMfaConfig, the CLI's `pool mfa set`), validated with the
// rest of the pool: a mode other than OFF needs a factor, and a pool
// whose AllowedFirstAuthFactors name EMAIL_OTP keeps the email factor.
// A refused configuration stores nothing.
func (s *Service) SetMFAConfig(ctx context.Context, poolID string, c pool.MFAConfig) (pool.Pool, error) {
	return s.updatePool(ctx, "SetUserPoolMfaConfig", poolID, func(p *pool.Pool) { p.MFA = c })
}

// GetMFAConfig returns the pool's multi-factor configuration (Cognito
// GetUserPoolMfaConfig).
func (s *Service) GetMFAConfig(ctx context.Context, poolID string) (pool.MFAConfig, error) {
	p, err := s.DescribeUserPool(ctx, poolID)
	return p.MFA, err
}
