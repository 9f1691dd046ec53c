package account

import (
	"context"

	"github.com/linkpool/linkpool/internal/pool"
)

// SendEmailOTP mails the user a fresh 8-digit one-time code for purpose
// (pool.CodeEmailMFA, the second factor; pool.CodeEmailSignIn, the
// passwordless first factor) and returns the masked address it went to
// (Cognito's CODE_DELIVERY_DESTINATION, "a***@e***"). The code is stored
// as its HMAC in UserMFA.EmailCode, valid for EmailOTPTTL, single use,
// void after MaxCodeAttempts wrong tries; sends are capped per user
// (CodeInterval, MaxCodesPerDay) and per address.
//
// Errors: UserNotFoundException; InvalidParameterException when the user
// has no email address; LimitExceededException past a cap;
// CodeDeliveryFailureException when the mailer refuses.
func (s *Service) SendEmailOTP(ctx context.Context, p pool.Pool, sub, purpose string) (destination string, err error) {
	return "", errTODO
}

// VerifyEmailOTP checks a mailed code of purpose and returns the user;
// the code is spent by the right answer. A wrong code counts towards the
// pool's lockout.
//
// Errors: CodeMismatchException for a wrong code; ExpiredCodeException
// when none is pending or it expired; NotAuthorizedException when locked
// out; LimitExceededException past the daily misses.
func (s *Service) VerifyEmailOTP(ctx context.Context, p pool.Pool, sub, code, purpose string) (pool.User, error) {
	return pool.User{}, errTODO
}
