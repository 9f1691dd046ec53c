package account

import (
	"context"
	"fmt"
	"math/big"
	"time"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/srp"
)

// newPassword is a password about to be stored: its argon2id hash and
// its SRP verifier, sealed for the user.
type newPassword struct {
	hash     string
	salt     string
	verifier []byte
}

// preparePassword turns a password into what is stored for the user u
// (its pool, sub and username must be set): the argon2id hash and the
// sealed SRP verifier. It is the one place that does so: every path that
// sets a password (sign-up, administrator-set and temporary passwords,
// forgotten-password reset, the new-password challenge, a password
// change) calls it outside the store's transaction and applies the
// result with set inside.
func (s *Service) preparePassword(ctx context.Context, u pool.User, password string) (newPassword, error) {
	hash, err := s.hasher.Hash(ctx, password)
	if err != nil {
		return newPassword{}, fmt.Errorf("hash password: %w", err)
	}
	salt, sealed := s.verifier(u, password)
	return newPassword{hash: hash, salt: salt, verifier: sealed}, nil
}

// set stores the password on u, set at now.
func (np newPassword) set(u *pool.User, now time.Time) {
	u.PasswordHash, u.PasswordSetAt = np.hash, now
	u.SRPSalt, u.SRPVerifier = np.salt, np.verifier
}

// verifier derives the SRP verifier of password for u with a fresh salt
// and returns the salt (hex) and the verifier sealed with the master key,
// bound to the user. The identity hashed is the username, which
// USER_ID_FOR_SRP names (for pools whose username is the email address
// that is the sub).
func (s *Service) verifier(u pool.User, password string) (string, []byte) {
	salt := srp.NewSalt()
	n, _ := new(big.Int).SetString(salt, 16)
	v := srp.Verifier(n, srp.PoolName(u.PoolID), u.Username, password)
	return salt, s.box.Seal(v, u.SRPVerifierAAD())
}
