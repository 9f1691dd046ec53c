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
// the password proved right. A right password also gives a user without
// an SRP verifier one (see internal/srp).
//
// Errors: UserNotFoundException (Conceal turns it into
// NotAuthorizedException); NotAuthorizedException "Incorrect username or
// password.", "Password attempts exceeded" (Cause ErrLockedOut),
// "User is disabled." or the expiry of a temporary password;
// UserNotConfirmedException; PasswordResetRequiredException; and the
// NewPasswordRequired challenge for users who must replace the temporary
// password an administrator set (see CompleteNewPassword and
// RespondNewPassword).
func (s *Service) Authenticate(ctx context.Context, p pool.Pool, username, password string) (pool.User, error) {
	return s.signIn(ctx, p, username, s.passwordCredential(p, password))
}

// passwordCredential proves a user with a password: the argon2id hash is
// verified, and a successful sign-in rehashes an outdated hash and
// derives the SRP verifier of a user who has none.
func (s *Service) passwordCredential(p pool.Pool, password string) credential {
	c := s.replacedPasswordCredential(password)
	c.password = password
	c.upgrade = func(ctx context.Context, u pool.User) (func(*pool.User), error) {
		return s.upgradePassword(ctx, u, password)
	}
	return c
}

// replacedPasswordCredential proves a user with a password that the
// caller replaces at once (ChangePassword, the new-password challenge):
// nothing is rehashed or derived from it, since the new password's hash
// and verifier are.
func (s *Service) replacedPasswordCredential(password string) credential {
	return credential{
		verify: func(ctx context.Context, u pool.User) (bool, error) {
			if u.PasswordHash == "" {
				s.hasher.VerifyDummy(ctx, password)
				return false, nil
			}
			ok, err := s.hasher.Verify(ctx, u.PasswordHash, password)
			if err != nil {
				return false, fmt.Errorf("account: verify password of %s: %w", u.Sub, err)
			}
			return ok, nil
		},
		dummy: func(ctx context.Context) { s.hasher.VerifyDummy(ctx, password) },
	}
}

// upgradePassword returns the change a successful password sign-in
// stores: a rehash of an outdated hash, and the SRP verifier of a user
// who has none; nil when there is nothing to change.
func (s *Service) upgradePassword(ctx context.Context, u pool.User, password string) (func(*pool.User), error) {
	rehash := s.hasher.NeedsRehash(u.PasswordHash)
	needVerifier := len(u.SRPVerifier) == 0
	if !rehash && !needVerifier {
		return nil, nil
	}
	var fresh string
	if rehash {
		var err error
		if fresh, err = s.hasher.Hash(ctx, password); err != nil {
			return nil, fmt.Errorf("account: rehash password: %w", err)
		}
	}
	var salt string
	var sealed []byte
	if needVerifier {
		salt, sealed = s.verifier(u, password)
	}
	old := u.PasswordHash
	return func(u *pool.User) {
		if u.PasswordHash != old {
			return // the password changed meanwhile
		}
		if fresh != "" {
			u.PasswordHash = fresh
		}
		if len(u.SRPVerifier) == 0 && sealed != nil {
			u.SRPSalt, u.SRPVerifier = salt, sealed
		}
	}, nil
}
