package account

import (
	"context"
	"fmt"

	"github.com/linkpool/linkpool/internal/pool"
)

// Authenticate checks a user's password (Cognito's USER_PASSWORD_AUTH and
// the hosted sign-in page) and returns the signed-in user. The user is
// found by username, or by email address where the pool allows it.
//
// Every failure costs one password hash, whether the user exists or not.
// A wrong password counts towards the pool's LockoutPolicy on the stored
// user, shared by all instances. The account state is reported only after
// the password proved right.
//
// Errors: UserNotFoundException (Conceal turns it into
// NotAuthorizedException); NotAuthorizedException "Incorrect username or
// password.", "Password attempts exceeded" (Cause ErrLockedOut),
// "User is disabled." or the expiry of a temporary password;
// UserNotConfirmedException; PasswordResetRequiredException; and the
// NewPasswordRequired challenge for users who must replace the temporary
// password an administrator set (see CompleteNewPassword).
func (s *Service) Authenticate(ctx context.Context, p pool.Pool, username, password string) (pool.User, error) {
	u, err := s.checkPassword(ctx, p, username, password)
	if err != nil {
		return pool.User{}, err
	}
	now := s.now()
	switch {
	case !u.Enabled:
		return pool.User{}, disabled()
	case u.Status == pool.StatusUnconfirmed:
		return pool.User{}, newErr(UserNotConfirmedException, msgNotConfirmed)
	case u.Status == pool.StatusResetRequired:
		return pool.User{}, newErr(PasswordResetRequiredException, msgResetRequired)
	case u.Status == pool.StatusForceChangePassword && temporaryPasswordExpired(p, u, now):
		return pool.User{}, tempExpired()
	case u.Status == pool.StatusForceChangePassword:
		return pool.User{}, newErr(NewPasswordRequired, msgNewPassword)
	case u.Status != pool.StatusConfirmed:
		return pool.User{}, notAuthorized("User cannot sign in in its current state.")
	}
	return scrub(u), nil
}

// CompleteNewPassword answers the NewPasswordRequired challenge (Cognito
// RespondToAuthChallenge NEW_PASSWORD_REQUIRED): a FORCE_CHANGE_PASSWORD
// user proves the temporary password, chooses a new one and becomes
// CONFIRMED. The temporary password must be younger than the pool's
// TemporaryPasswordValidityDays. It returns the signed-in user.
func (s *Service) CompleteNewPassword(ctx context.Context, p pool.Pool, username, currentPassword, newPassword string) (pool.User, error) {
	if err := p.CheckPassword(newPassword); err != nil {
		return pool.User{}, fromPolicy("new_password", err)
	}
	u, err := s.checkPassword(ctx, p, username, currentPassword)
	if err != nil {
		return pool.User{}, err
	}
	now := s.now()
	switch {
	case !u.Enabled:
		return pool.User{}, disabled()
	case u.Status != pool.StatusForceChangePassword:
		return pool.User{}, notAuthorized("The user does not have to change the password.")
	case temporaryPasswordExpired(p, u, now):
		return pool.User{}, tempExpired()
	}
	hash, err := s.hasher.Hash(ctx, newPassword)
	if err != nil {
		return pool.User{}, fmt.Errorf("account: new password: hash: %w", err)
	}
	u, err = s.update(ctx, p, u.Sub, func(u *pool.User) error {
		if u.Status != pool.StatusForceChangePassword {
			return notAuthorized("The user does not have to change the password.")
		}
		u.PasswordHash, u.PasswordSetAt = hash, now
		u.Status = pool.StatusConfirmed
		u.UpdatedAt = now
		return nil
	})
	if err != nil {
		return pool.User{}, err
	}
	return scrub(u), nil
}

// checkPassword finds the user and verifies the password, applying and
// recording the lockout policy. It returns the stored user, whatever its
// state, when the password is right.
func (s *Service) checkPassword(ctx context.Context, p pool.Pool, username, password string) (pool.User, error) {
	u, err := s.Lookup(ctx, p, username)
	if TypeOf(err) == UserNotFoundException {
		s.hasher.VerifyDummy(ctx, password)
		return pool.User{}, err
	}
	if err != nil {
		return pool.User{}, err
	}
	now := s.now()
	ok := false
	if u.PasswordHash == "" {
		s.hasher.VerifyDummy(ctx, password)
	} else if ok, err = s.hasher.Verify(ctx, u.PasswordHash, password); err != nil {
		return pool.User{}, fmt.Errorf("account: verify password of %s: %w", u.Sub, err)
	}
	if u.Locked(now) {
		return pool.User{}, &Error{Type: NotAuthorizedException, Message: msgAttemptsExceeded, Cause: ErrLockedOut}
	}
	if !ok {
		locked := false
		_, err := s.update(ctx, p, u.Sub, func(u *pool.User) error {
			u.RecordFailedLogin(p.LockoutPolicy, now)
			locked = u.Locked(now)
			return nil
		})
		if err != nil {
			return pool.User{}, err
		}
		if locked {
			s.log.WarnContext(ctx, "account: user locked out after failed sign-ins", "pool", p.ID, "sub", u.Sub)
		}
		return pool.User{}, notAuthorized(msgIncorrect)
	}
	rehash := s.hasher.NeedsRehash(u.PasswordHash)
	if u.FailedLogins == 0 && u.LockedUntil.IsZero() && !rehash {
		return u, nil
	}
	var fresh string
	if rehash {
		if fresh, err = s.hasher.Hash(ctx, password); err != nil {
			return pool.User{}, fmt.Errorf("account: rehash password: %w", err)
		}
	}
	old := u.PasswordHash
	return s.update(ctx, p, u.Sub, func(u *pool.User) error {
		u.RecordSuccessfulLogin()
		if fresh != "" && u.PasswordHash == old {
			u.PasswordHash = fresh
		}
		return nil
	})
}
