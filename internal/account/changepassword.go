package account

import (
	"context"
	"errors"
	"fmt"

	"github.com/linkpool/linkpool/internal/pool"
)

// ChangePassword replaces a signed-in user's password (Cognito
// ChangePassword, authorized by the user's access token). The previous
// password is checked as a sign-in checks it, with the same lockout:
// a wrong one counts towards the pool's LockoutPolicy, and a locked-out
// user is refused even with the right one.
//
// As in Cognito, the user's refresh tokens and other sessions stay valid:
// a password change is not a sign-out (GlobalSignOut is).
//
// Errors: InvalidPasswordException (checked first, so a rejected
// proposal costs no attempt); NotAuthorizedException "Incorrect username
// or password." for a wrong previous password, "User is disabled.";
// LimitExceededException "Attempt limit exceeded, please try after some
// time." while the user is locked out, as Cognito answers it here.
func (s *Service) ChangePassword(ctx context.Context, p pool.Pool, u pool.User, previous, proposed string) error {
	if err := p.CheckPassword(proposed); err != nil {
		return fromPolicy("proposed_password", err)
	}
	cur, err := s.verify(ctx, p, u.Username, s.replacedPasswordCredential(previous))
	switch {
	case errors.Is(err, ErrLockedOut):
		return &Error{Type: LimitExceededException, Message: msgLimitExceeded, Cause: ErrLockedOut}
	case TypeOf(err) == UserNotFoundException:
		return notAuthorized(msgIncorrect)
	case err != nil:
		return err
	case cur.Sub != u.Sub:
		return notAuthorized(msgIncorrect)
	}
	np, err := s.preparePassword(ctx, u, proposed)
	if err != nil {
		return fmt.Errorf("account: change password: hash: %w", err)
	}
	now := s.now()
	_, err = s.update(ctx, p, u.Sub, func(u *pool.User) error {
		if !u.Enabled {
			return disabled()
		}
		np.set(u, now)
		u.UpdatedAt = now
		return nil
	})
	return err
}
