package account

import (
	"context"
	"fmt"

	"github.com/linkpool/linkpool/internal/audit"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
)

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
// A factor that stops being preferred or enabled leaves the user without
// a preference, unless the request prefers the other.
//
// Errors: UserNotFoundException; InvalidParameterException for a factor
// the pool does not offer or the user cannot use.
func (s *Service) SetMFAPreference(ctx context.Context, p pool.Pool, sub string, pref MFAPreference) (_ pool.User, err error) {
	defer func() {
		changed := map[string]any{}
		if pref.SoftwareToken != nil {
			changed["SoftwareTokenMfa"] = *pref.SoftwareToken
		}
		if pref.Email != nil {
			changed["EmailMfa"] = *pref.Email
		}
		s.recordAdmin(ctx, "AdminSetUserMFAPreference", p.ID, sub, audit.Fields(changed), err)
	}()
	if t, e := pref.SoftwareToken, pref.Email; t != nil && e != nil && t.Preferred && e.Preferred {
		return pool.User{}, invalidParam("PreferredMfa", "Only one MFA factor can be preferred.")
	}
	for _, f := range []struct {
		name string
		set  *FactorSetting
	}{{pool.FactorSoftwareToken, pref.SoftwareToken}, {pool.FactorEmail, pref.Email}} {
		switch {
		case f.set == nil:
		case f.set.Preferred && !f.set.Enabled:
			return pool.User{}, invalidParam(settingsField(f.name), "A preferred MFA factor must be enabled.")
		case f.set.Enabled && !offers(p, f.name):
			return pool.User{}, invalidParam(settingsField(f.name), fmt.Sprintf("%s is not enabled for the user pool.", f.name))
		}
	}
	now := s.now()
	u, err := s.update(ctx, p, sub, func(u *pool.User) error {
		m := u.MFA
		if t := pref.SoftwareToken; t != nil {
			if t.Enabled && m.TOTP == nil {
				return invalidParam(settingsField(pool.FactorSoftwareToken), "User has not verified software token mfa")
			}
			m.SoftwareTokenEnabled = t.Enabled
			setPreferred(&m, pool.FactorSoftwareToken, *t)
		}
		if e := pref.Email; e != nil {
			if e.Enabled && u.Email() == "" {
				return invalidParam(settingsField(pool.FactorEmail), "User does not have an email address.")
			}
			m.EmailEnabled = e.Enabled
			setPreferred(&m, pool.FactorEmail, *e)
		}
		u.MFA = m
		u.UpdatedAt = now
		return nil
	})
	if err != nil {
		return pool.User{}, err
	}
	return scrub(u), nil
}

// setPreferred applies factor f's setting to m's preference.
func setPreferred(m *pool.UserMFA, f string, set FactorSetting) {
	switch {
	case set.Preferred:
		m.Preferred = f
	case m.Preferred == f:
		m.Preferred = ""
	}
}

// settingsField names the request member of factor f.
func settingsField(f string) string {
	if f == pool.FactorSoftwareToken {
		return "SoftwareTokenMfaSettings"
	}
	return "EmailMfaSettings"
}

// ResetMFA removes every factor of the user: the TOTP device (active and
// pending), the enabled and preferred factors, a pending email code and
// registration, and every passkey. It is the administrator's recovery
// for a user who lost a device (the CLI's `user mfa reset`). The day
// counts of the email codes stay, so a reset does not lift their caps;
// sessions stay too (global sign-out is separate).
//
// Errors: UserNotFoundException.
func (s *Service) ResetMFA(ctx context.Context, p pool.Pool, sub string) (_ pool.User, err error) {
	defer func() {
		s.recordAdmin(ctx, "AdminResetUserMFA", p.ID, sub, []store.AuditChange{audit.Field("MFA", nil)}, err)
	}()
	now := s.now()
	u, err := s.update(ctx, p, sub, func(u *pool.User) error {
		u.MFA = pool.UserMFA{EmailCode: spent(u.MFA.EmailCode)}
		u.UpdatedAt = now
		return nil
	})
	if err != nil {
		return pool.User{}, err
	}
	if _, err := s.store.DeleteWebAuthnCredentials(ctx, p.ID, sub); err != nil {
		return pool.User{}, fmt.Errorf("account: delete the passkeys of %s: %w", sub, err)
	}
	return scrub(u), nil
}
