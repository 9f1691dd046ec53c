package account

import (
	"context"
	"errors"

	"github.com/linkpool/linkpool/internal/pool"
)

// errTODO marks the multi-factor operations still to be written.
var errTODO = errors.New("account: not implemented")

// FactorSetting is Cognito's SoftwareTokenMfaSettings / EmailMfaSettings.
type FactorSetting struct {
	Enabled   bool
	Preferred bool
}

// MFAPreference is SetUserMFAPreference's request: nil leaves a factor
// as it is.
type MFAPreference struct {
	SoftwareToken *FactorSetting
	Email         *FactorSetting
}

// SetMFAPreference sets which factors the user has enabled and which is
// preferred (Cognito SetUserMFAPreference and AdminSetUserMFAPreference).
// Enabling TOTP needs a verified device; enabling email an email
// address; a preferred factor must be enabled. Disabling every factor is
// allowed even when the pool requires MFA (the next sign-in sets one up).
//
// Errors: UserNotFoundException; InvalidParameterException for a factor
// the pool does not offer or the user cannot use.
func (s *Service) SetMFAPreference(ctx context.Context, p pool.Pool, sub string, pref MFAPreference) (pool.User, error) {
	return pool.User{}, errTODO
}

// ResetMFA removes every factor of the user: the TOTP device (active and
// pending), the enabled and preferred factors, a pending email code and
// registration, and every passkey. It is the administrator's recovery
// for a user who lost a device (the CLI's `user mfa reset`).
func (s *Service) ResetMFA(ctx context.Context, p pool.Pool, sub string) (pool.User, error) {
	return pool.User{}, errTODO
}
