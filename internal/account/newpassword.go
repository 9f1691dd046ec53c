package account

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
)

// CompleteNewPassword answers the NewPasswordRequired challenge on the
// hosted sign-in page: a FORCE_CHANGE_PASSWORD user proves the temporary
// password, chooses a new one and becomes CONFIRMED. The temporary
// password must be younger than the pool's TemporaryPasswordValidityDays.
// It returns the signed-in user.
func (s *Service) CompleteNewPassword(ctx context.Context, p pool.Pool, username, currentPassword, newPassword string) (pool.User, error) {
	if err := p.CheckPassword(newPassword); err != nil {
		return pool.User{}, fromPolicy("new_password", err)
	}
	u, err := s.verify(ctx, p, username, s.replacedPasswordCredential(currentPassword))
	if err != nil {
		return pool.User{}, err
	}
	return s.completeNewPassword(ctx, p, u, newPassword, nil)
}

// RespondNewPassword answers the NewPasswordRequired challenge of the
// Cognito API (RespondToAuthChallenge NEW_PASSWORD_REQUIRED) for the user
// sub, whom the caller's challenge session proved to know the temporary
// password: it sets the new password and the attributes given
// (userAttributes.<name>), which must include the pool's required
// attributes the user lacks (RequiredAttributes), and makes the user
// CONFIRMED. It returns the signed-in user.
//
// Errors: those of CheckNewPassword; NotAuthorizedException for a
// disabled user, an expired temporary password or a user who no longer
// has to change it.
func (s *Service) RespondNewPassword(ctx context.Context, p pool.Pool, sub, newPassword string, attrs map[string]string) (pool.User, error) {
	u, err := s.checkNewPassword(ctx, p, sub, newPassword, attrs)
	if err != nil {
		return pool.User{}, err
	}
	return s.completeNewPassword(ctx, p, u, newPassword, attrs)
}

// CheckNewPassword checks, changing nothing, what RespondNewPassword
// would refuse of the caller's input, so that the caller can let the
// user correct it within the same challenge.
//
// Errors: InvalidPasswordException; InvalidParameterException "Invalid
// attributes given, <name> is missing" for a required attribute, or for
// a bad or read-only attribute; UserNotFoundException.
func (s *Service) CheckNewPassword(ctx context.Context, p pool.Pool, sub, newPassword string, attrs map[string]string) error {
	_, err := s.checkNewPassword(ctx, p, sub, newPassword, attrs)
	return err
}

func (s *Service) checkNewPassword(ctx context.Context, p pool.Pool, sub, newPassword string, attrs map[string]string) (pool.User, error) {
	if err := p.CheckPassword(newPassword); err != nil {
		return pool.User{}, fromPolicy("new_password", err)
	}
	u, err := s.store.GetUser(ctx, p.ID, sub)
	if errors.Is(err, store.ErrNotFound) {
		return pool.User{}, userNotFound()
	}
	if err != nil {
		return pool.User{}, fmt.Errorf("account: get user: %w", err)
	}
	for _, name := range RequiredAttributes(p, u) {
		if attrs[name] == "" {
			return pool.User{}, invalidParam(name, "Invalid attributes given, "+name+" is missing")
		}
	}
	if _, err := mergeChallengeAttributes(p, u, attrs); err != nil {
		return pool.User{}, err
	}
	return u, nil
}

// mergeChallengeAttributes returns u's attributes with those given in
// the challenge answer, checked against the pool. Verification flags and
// sub cannot be set; a new email address is unverified.
func mergeChallengeAttributes(p pool.Pool, u pool.User, attrs map[string]string) (map[string]string, error) {
	merged := maps.Clone(u.Attributes)
	if merged == nil {
		merged = map[string]string{}
	}
	if len(attrs) == 0 {
		return merged, nil
	}
	for name := range attrs {
		if name == "sub" || strings.HasSuffix(name, "_verified") {
			return nil, invalidParam(name, "Cannot modify the attribute "+name+".")
		}
	}
	oldEmail := merged[pool.AttrEmail]
	maps.Copy(merged, attrs)
	if merged[pool.AttrEmail] != oldEmail {
		merged[pool.AttrEmailVerified] = "false"
	}
	if err := p.ValidateAttributes(merged); err != nil {
		return nil, fromValidation(err)
	}
	return merged, nil
}

// RequiredAttributes lists the attributes the user must provide to
// complete the new-password challenge: those the pool requires that the
// user has no value for. linkpool's pools require the email address when
// they sign users in with it or verify it.
func RequiredAttributes(p pool.Pool, u pool.User) []string {
	var out []string
	if (p.EmailIsUsername() || p.VerifiesEmail()) && u.Email() == "" {
		out = append(out, pool.AttrEmail)
	}
	return out
}

// completeNewPassword sets the new password of u, who proved the
// temporary one, with attrs, and makes the user CONFIRMED.
func (s *Service) completeNewPassword(ctx context.Context, p pool.Pool, u pool.User, newPassword string, attrs map[string]string) (pool.User, error) {
	now := s.now()
	switch {
	case !u.Enabled:
		return pool.User{}, disabled()
	case u.Status != pool.StatusForceChangePassword:
		return pool.User{}, notAuthorized("The user does not have to change the password.")
	case temporaryPasswordExpired(p, u, now):
		return pool.User{}, tempExpired()
	}
	if _, err := mergeChallengeAttributes(p, u, attrs); err != nil {
		return pool.User{}, err
	}
	np, err := s.preparePassword(ctx, u, newPassword)
	if err != nil {
		return pool.User{}, fmt.Errorf("account: new password: %w", err)
	}
	u, err = s.update(ctx, p, u.Sub, func(u *pool.User) error {
		if u.Status != pool.StatusForceChangePassword {
			return notAuthorized("The user does not have to change the password.")
		}
		if len(attrs) > 0 {
			merged, err := mergeChallengeAttributes(p, *u, attrs)
			if err != nil {
				return err
			}
			u.Attributes = merged
			if p.SignInWithEmail() && merged[pool.AttrEmail] != "" {
				u.EmailKey = pool.EmailKey(merged[pool.AttrEmail])
			}
		}
		np.set(u, now)
		u.Status = pool.StatusConfirmed
		u.UpdatedAt = now
		return nil
	})
	if errors.Is(err, store.ErrAlreadyExists) {
		return pool.User{}, newErr(AliasExistsException, "An account with the given email already exists.")
	}
	if err != nil {
		return pool.User{}, err
	}
	return scrub(u), nil
}
