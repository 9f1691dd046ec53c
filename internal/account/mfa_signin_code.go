package account

import (
	"context"

	"github.com/linkpool/linkpool/internal/pool"
)

// SendSignInCode mails the passwordless sign-in code (SendEmailOTP with
// pool.CodeEmailSignIn) to the user named username (a username or, where
// the pool allows it, an email address) and returns the masked address.
// For an unknown user, and for one who may not sign in (SignInState:
// disabled, unconfirmed, ...), it does the work of a send instead
// (DecoyEmailOTP), so that timing does not tell them apart, and returns
// the verdict; callers that must not reveal which users exist answer
// every *Error alike.
//
// The pool's pre authentication trigger runs before the code is mailed;
// its failure is returned and nothing is mailed.
//
// Errors: those of SendEmailOTP; UserNotFoundException; those of
// SignInState; a trigger's failure.
func (s *Service) SendSignInCode(ctx context.Context, p pool.Pool, username string) (destination string, err error) {
	u, err := s.Lookup(ctx, p, username)
	if TypeOf(err) == UserNotFoundException {
		s.DecoyEmailOTP(ctx, p, pool.CodeEmailSignIn)
		return "", err
	}
	if err != nil {
		return "", err
	}
	if err := SignInState(p, u, s.now()); err != nil {
		s.DecoyEmailOTP(ctx, p, pool.CodeEmailSignIn)
		return "", err
	}
	if err := s.PreAuthentication(ctx, p, u); err != nil {
		return "", err
	}
	return s.SendEmailOTP(ctx, p, u.Sub, pool.CodeEmailSignIn)
}
