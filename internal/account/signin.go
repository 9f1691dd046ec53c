package account

import (
	"context"
	"time"

	"github.com/linkpool/linkpool/internal/pool"
)

// credential is what a user signs in with: a password (USER_PASSWORD_AUTH,
// the hosted page) or an SRP proof (USER_SRP_AUTH). signIn and verify
// apply the same lockout and account-state rules to every kind.
type credential struct {
	// verify checks the credential against the stored user. A wrong
	// credential is false and counts towards the lockout; an error is
	// returned as it is and counts nothing (an *Error is a verdict, any
	// other error an internal failure).
	verify func(ctx context.Context, u pool.User) (bool, error)
	// dummy spends the work of verify for a user who does not exist, so
	// that timing does not tell.
	dummy func(ctx context.Context)
	// upgrade, when set, returns a change to store with a successful
	// sign-in (a rehash, a missing SRP verifier), or nil. It runs outside
	// the store's transaction; the change it returns inside.
	upgrade func(ctx context.Context, u pool.User) (func(*pool.User), error)
	// before, when set, runs once the user is found and before verify
	// (the pre authentication trigger); its error ends the sign-in.
	before func(ctx context.Context, u pool.User) error
	// password is the password of a password credential, which the user
	// migration trigger may vouch for; "" for other kinds.
	password string
}

// signIn proves the user with c and then reports the account state:
// the rules of Authenticate, for every kind of credential.
//
// Triggers: for a password, an unknown user is first offered to the
// user migration trigger (see migrateOnSignIn); pre authentication runs
// once the user is found, before the credential is checked. A trigger's
// failure is the sign-in's error. Post authentication is not run here:
// the sign-in may still need a second factor (see PostAuthentication).
func (s *Service) signIn(ctx context.Context, p pool.Pool, username string, c credential) (pool.User, error) {
	if c.password != "" {
		if err := s.migrateOnSignIn(ctx, p, username, c.password); err != nil {
			return pool.User{}, err
		}
	}
	c.before = func(ctx context.Context, u pool.User) error { return s.PreAuthentication(ctx, p, u) }
	u, err := s.verify(ctx, p, username, c)
	if err != nil {
		return pool.User{}, err
	}
	if err := SignInState(p, u, s.now()); err != nil {
		return pool.User{}, err
	}
	return scrub(u), nil
}

// SignInState reports whether user u, proven by some credential, may
// sign in now: nil, or the refusal of its account state ("User is
// disabled.", UserNotConfirmedException, PasswordResetRequiredException,
// an expired temporary password, the NewPasswordRequired challenge).
// Every first factor checks it after proving the user (passwords and
// SRP here, email codes, passkeys).
func SignInState(p pool.Pool, u pool.User, now time.Time) error {
	switch {
	case !u.Enabled:
		return disabled()
	case u.Status == pool.StatusUnconfirmed:
		return newErr(UserNotConfirmedException, msgNotConfirmed)
	case u.Status == pool.StatusResetRequired:
		return newErr(PasswordResetRequiredException, msgResetRequired)
	case u.Status == pool.StatusForceChangePassword && temporaryPasswordExpired(p, u, now):
		return tempExpired()
	case u.Status == pool.StatusForceChangePassword:
		return newErr(NewPasswordRequired, msgNewPassword)
	case u.Status != pool.StatusConfirmed:
		return notAuthorized("User cannot sign in in its current state.")
	}
	return nil
}

// verify finds the user and checks the credential, applying and
// recording the lockout policy. It returns the stored user, whatever its
// state, when the credential is right.
func (s *Service) verify(ctx context.Context, p pool.Pool, username string, c credential) (pool.User, error) {
	u, err := s.Lookup(ctx, p, username)
	if TypeOf(err) == UserNotFoundException {
		c.dummy(ctx)
		s.failed(FailureUnknownUser)
		return pool.User{}, err
	}
	if err != nil {
		return pool.User{}, err
	}
	if c.before != nil {
		if err := c.before(ctx, u); err != nil {
			return pool.User{}, err
		}
	}
	now := s.now()
	ok, err := c.verify(ctx, u)
	if err != nil {
		return pool.User{}, err
	}
	if u.Locked(now) {
		s.failed(FailureLockedOut)
		return pool.User{}, &Error{Type: NotAuthorizedException, Message: msgAttemptsExceeded, Cause: ErrLockedOut}
	}
	if !ok {
		s.failed(FailureWrongPassword)
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
			s.logLockout(ctx, p, u.Sub, "failed sign-ins")
		}
		return pool.User{}, notAuthorized(msgIncorrect)
	}
	var change func(*pool.User)
	if c.upgrade != nil {
		if change, err = c.upgrade(ctx, u); err != nil {
			return pool.User{}, err
		}
	}
	if u.FailedLogins == 0 && u.LockedUntil.IsZero() && change == nil {
		return u, nil
	}
	return s.update(ctx, p, u.Sub, func(u *pool.User) error {
		u.RecordSuccessfulLogin()
		if change != nil {
			change(u)
		}
		return nil
	})
}

// logLockout counts and logs that the user sub of p was just locked out
// after too many wrong credentials of the kind why, with the app client
// the sign-in came through when there was one (Caller).
func (s *Service) logLockout(ctx context.Context, p pool.Pool, sub, why string) {
	s.metrics.lockouts.Inc()
	s.log.WarnContext(ctx, "account: user locked out after "+why, "pool", p.ID, "client_id", CallerFrom(ctx).ClientID, "sub", sub)
}
