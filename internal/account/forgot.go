package account

import (
	"context"
	"fmt"

	"github.com/linkpool/linkpool/internal/mail"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/trigger"
)

// ForgotPassword mails a password-reset code to the user's verified email
// address (Cognito ForgotPassword). The code is valid for ResetCodeTTL;
// the password does not change until ConfirmForgotPassword. For an
// unknown user it does the work of issuing a code (decoyCode), so that
// timing does not tell the two apart.
//
// Errors: UserNotFoundException; NotAuthorizedException for a disabled
// user, one who still has an administrator's temporary password, or one
// an identity provider created (who has no password here);
// InvalidParameterException when the user has no verified email address;
// LimitExceededException when a code was sent less than CodeInterval
// ago or MaxCodesPerDay codes were sent in the last day;
// CodeDeliveryFailureException when the mailer does not take the mail
// (see sendCode).
//
// For an unknown user, the user migration trigger
// (UserMigration_ForgotPassword) is asked first; a user it vouches for
// is created RESET_REQUIRED and mailed the code. The code mail goes
// through the custom message trigger (CustomMessage_ForgotPassword).
func (s *Service) ForgotPassword(ctx context.Context, p pool.Pool, username string) (*CodeDelivery, error) {
	u, err := s.Lookup(ctx, p, username)
	if TypeOf(err) == UserNotFoundException {
		// A user the migration trigger vouches for is created
		// RESET_REQUIRED, and gets the code as any user.
		migrated, ok, merr := s.migrateOnForgot(ctx, p, username)
		if merr != nil {
			return nil, merr
		}
		if ok {
			u, err = migrated, nil
		}
	}
	if err != nil {
		if TypeOf(err) == UserNotFoundException {
			s.decoyCode(ctx, p, mail.ResetCode, s.resetTTL)
		}
		return nil, err
	}
	now := s.now()
	code := newCode()
	u, err = s.update(ctx, p, u.Sub, func(u *pool.User) error {
		switch {
		case !u.Enabled:
			return disabled()
		case u.Status == pool.StatusForceChangePassword:
			return notAuthorized("User password cannot be reset in the current state.")
		case IsFederated(*u):
			return federatedPasswordRefused()
		case u.Email() == "" || !u.EmailVerified():
			return invalidParam(pool.AttrEmail, "Cannot reset password for the user as there is no registered/verified email or phone_number")
		case s.throttled(u, pool.CodeResetPassword, now):
			return newErr(LimitExceededException, msgLimitExceeded)
		}
		return s.issueCode(u, pool.CodeResetPassword, code, now, s.resetTTL)
	})
	if err != nil {
		return nil, err
	}
	return s.sendCode(ctx, p, u, mail.ResetCode, trigger.SourceCustomMessageForgot, code, s.resetTTL)
}

// ConfirmForgotPassword sets a new password with the code ForgotPassword
// mailed (Cognito ConfirmForgotPassword). Success also ends a lockout and
// moves a RESET_REQUIRED user to CONFIRMED: the code proves control of
// the verified address.
//
// The new password is hashed before the user is looked up, so an unknown
// user, a user without a pending code and a wrong code all cost the same
// work and timing does not tell them apart.
//
// Errors: InvalidPasswordException (checked first, so a rejected password
// costs no code attempt); UserNotFoundException; NotAuthorizedException
// for a disabled user; CodeMismatchException; ExpiredCodeException;
// TooManyFailedAttemptsException when this wrong guess voided the code;
// LimitExceededException after MaxCodeMissesPerDay wrong codes in a day.
//
// The post confirmation trigger (PostConfirmation_ConfirmForgotPassword)
// runs after the new password is stored; its failure is returned and the
// new password stays, as in Cognito.
func (s *Service) ConfirmForgotPassword(ctx context.Context, p pool.Pool, username, code, newPassword string) error {
	if err := checkCodeInput(code); err != nil {
		return err
	}
	if err := p.CheckPassword(newPassword); err != nil {
		return fromPolicy("password", err)
	}
	// The password is hashed whether the user exists or not.
	u, lookupErr := s.Lookup(ctx, p, username)
	target := u
	if lookupErr != nil {
		target = pool.User{PoolID: p.ID, Username: username}
	}
	np, err := s.preparePassword(ctx, target, newPassword)
	if err != nil {
		return fmt.Errorf("account: confirm forgot password: %w", err)
	}
	if lookupErr != nil {
		return lookupErr
	}
	now := s.now()
	u, err = s.update(ctx, p, u.Sub, func(u *pool.User) error {
		if !u.Enabled {
			return disabled()
		}
		if err := s.verifyCode(u, pool.CodeResetPassword, code, now); err != nil {
			return err
		}
		np.set(u, now)
		if u.Status == pool.StatusResetRequired {
			u.Status = pool.StatusConfirmed
		}
		u.RecordSuccessfulLogin()
		u.UpdatedAt = now
		return nil
	})
	if err != nil {
		return err
	}
	return s.postConfirmation(ctx, p, trigger.SourcePostConfirmationForgot, u)
}
