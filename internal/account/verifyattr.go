package account

import (
	"context"

	"github.com/linkpool/linkpool/internal/mail"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/trigger"
)

// GetUserAttributeVerificationCode mails a signed-in user a code that
// verifies the email address (Cognito GetUserAttributeVerificationCode).
// The code is valid for SignUpCodeTTL and only for the address it was
// mailed to; it replaces any code pending for the user. Codes are
// limited as the other codes are: one per CodeInterval, MaxCodesPerDay a
// day.
//
// Errors: InvalidParameterException for another attribute than email
// (linkpool sends no SMS) or a user without an email address;
// LimitExceededException; CodeDeliveryFailureException.
func (s *Service) GetUserAttributeVerificationCode(ctx context.Context, p pool.Pool, sub, name string) (*CodeDelivery, error) {
	if err := checkVerifiable(name); err != nil {
		return nil, err
	}
	now := s.now()
	code := newCode()
	u, err := s.update(ctx, p, sub, func(u *pool.User) error {
		addr := u.Email()
		switch {
		case addr == "":
			return invalidParam(pool.AttrEmail, "The user has no email address to verify.")
		case s.throttled(u, verifyPurpose(addr), now):
			return newErr(LimitExceededException, msgLimitExceeded)
		}
		return s.issueCode(u, verifyPurpose(addr), code, now, s.signUpTTL)
	})
	if err != nil {
		return nil, err
	}
	return s.sendCode(ctx, p, u, mail.VerifyCode, trigger.SourceCustomMessageVerifyAttr, code, s.signUpTTL)
}

// VerifyUserAttribute verifies a signed-in user's email address with the
// code mailed to it (Cognito VerifyUserAttribute): email_verified becomes
// true. A wrong code counts as an attempt; MaxCodeAttempts void the code
// and MaxCodeMissesPerDay wrong codes a day stop all checks, as for the
// other codes.
//
// Errors: InvalidParameterException for another attribute than email;
// CodeMismatchException; ExpiredCodeException (also for a code mailed to
// an address the user has since replaced); TooManyFailedAttemptsException;
// LimitExceededException; AliasExistsException when another user signs in
// with the address.
func (s *Service) VerifyUserAttribute(ctx context.Context, p pool.Pool, sub, name, code string) error {
	if err := checkVerifiable(name); err != nil {
		return err
	}
	if err := checkCodeInput(code); err != nil {
		return err
	}
	now := s.now()
	_, err := s.update(ctx, p, sub, func(u *pool.User) error {
		if err := s.verifyCode(u, verifyPurpose(u.Email()), code, now); err != nil {
			return err
		}
		return applyAttributes(p, u, map[string]string{pool.AttrEmailVerified: "true"}, now)
	})
	return aliasExists(err)
}

// checkVerifiable refuses attributes other than email.
func checkVerifiable(name string) error {
	switch name {
	case pool.AttrEmail:
		return nil
	case pool.AttrPhoneNumber:
		return invalidParam(name, "Only email can be verified: this server sends no SMS.")
	}
	return invalidParam(name, "Only email can be verified.")
}
