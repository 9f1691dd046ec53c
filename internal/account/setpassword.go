package account

import (
	"context"
	"time"

	"github.com/linkpool/linkpool/internal/pool"
)

// newPassword is a password ready to be stored: everything the store
// keeps that is derived from the plain password. Every flow that sets a
// password (SignUp, AdminCreateUser, AdminSetUserPassword,
// ConfirmForgotPassword, ChangePassword) derives it with hashPassword
// and stores it with setOn, so that whatever is derived from a password
// is derived in one place.
type newPassword struct {
	hash string
}

// hashPassword derives what is stored for the plain password pw. It
// does not check the pool's policy; callers check it first.
func (s *Service) hashPassword(ctx context.Context, pw string) (newPassword, error) {
	hash, err := s.hasher.Hash(ctx, pw)
	if err != nil {
		return newPassword{}, err
	}
	return newPassword{hash: hash}, nil
}

// setOn stores the password on u, set at now.
func (np newPassword) setOn(u *pool.User, now time.Time) {
	u.PasswordHash, u.PasswordSetAt = np.hash, now
}
