package account

import (
	"context"

	"github.com/linkpool/linkpool/internal/mail"
	"github.com/linkpool/linkpool/internal/pool"
)

// SendSignInCode mails the passwordless sign-in code (SendEmailOTP with
// pool.CodeEmailSignIn) to the user named username (a username or, where
// the pool allows it, an email address) and returns the masked address.
// For an unknown user it does the work of issuing a code (decoyCode), so
// that timing does not tell the two apart, and returns
// UserNotFoundException; callers that must not reveal which users exist
// answer every error of a *Error alike.
//
// Errors: those of SendEmailOTP; UserNotFoundException.
func (s *Service) SendSignInCode(ctx context.Context, p pool.Pool, username string) (destination string, err error) {
	u, err := s.Lookup(ctx, p, username)
	if TypeOf(err) == UserNotFoundException {
		s.decoyCode(ctx, p, mail.ResetCode, s.resetTTL)
		return "", err
	}
	if err != nil {
		return "", err
	}
	return s.SendEmailOTP(ctx, p, u.Sub, pool.CodeEmailSignIn)
}
