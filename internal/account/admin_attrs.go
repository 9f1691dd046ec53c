package account

import (
	"context"

	"github.com/linkpool/linkpool/internal/audit"
	"github.com/linkpool/linkpool/internal/mail"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
	"github.com/linkpool/linkpool/internal/trigger"
)

// AdminDeleteUserAttributes removes attributes of a user (Cognito
// AdminDeleteUserAttributes). Removing the email address also removes
// its verification; removing an attribute the pool requires, or "sub",
// fails.
//
// Errors: UserNotFoundException; InvalidParameterException.
func (s *Service) AdminDeleteUserAttributes(ctx context.Context, p pool.Pool, username string, names []string) error {
	if len(names) == 0 {
		return invalidParam("attributes", "No attributes to delete.")
	}
	attrs := make(map[string]string, len(names)+1)
	for _, n := range names {
		if n == "" || n == "sub" {
			return invalidParam("attributes", "Cannot delete attribute "+n+".")
		}
		attrs[n] = ""
		if n == pool.AttrEmail {
			attrs[pool.AttrEmailVerified] = ""
		}
	}
	return s.adminUpdateAttributes(ctx, "AdminDeleteUserAttributes", p, username, attrs)
}

// AdminResetUserPassword makes a user reset the password (Cognito
// AdminResetUserPassword): the user becomes RESET_REQUIRED, so sign-in
// fails with PasswordResetRequiredException, and a reset code is mailed
// to the verified address; ConfirmForgotPassword with it sets a new
// password and makes the user CONFIRMED again. The old password stops
// working at once.
//
// Errors: UserNotFoundException; NotAuthorizedException for a disabled
// user; InvalidParameterException when the user has no verified email
// address (nothing is changed then); LimitExceededException when a code
// was mailed less than CodeInterval ago; CodeDeliveryFailureException.
func (s *Service) AdminResetUserPassword(ctx context.Context, p pool.Pool, username string) (err error) {
	var sub string
	defer func() {
		s.record(ctx, "AdminResetUserPassword", p.ID, sub, []store.AuditChange{audit.Field("Status", pool.StatusResetRequired)}, err)
	}()
	u, err := s.Lookup(ctx, p, username)
	sub = u.Sub
	if err != nil {
		return err
	}
	now := s.now()
	code := newCode()
	u, err = s.update(ctx, p, u.Sub, func(u *pool.User) error {
		switch {
		case !u.Enabled:
			return disabled()
		case IsFederated(*u):
			return federatedPasswordRefused()
		case u.Email() == "" || !u.EmailVerified():
			return invalidParam(pool.AttrEmail, "Cannot reset password for the user as there is no registered/verified email or phone_number")
		case s.throttled(u, pool.CodeResetPassword, now):
			return newErr(LimitExceededException, msgLimitExceeded)
		}
		if err := s.issueCode(u, pool.CodeResetPassword, code, now, s.resetTTL); err != nil {
			return err
		}
		u.Status = pool.StatusResetRequired
		u.UpdatedAt = now
		return nil
	})
	if err != nil {
		return err
	}
	_, err = s.sendCode(ctx, p, u, mail.ResetCode, trigger.SourceCustomMessageForgot, code, s.resetTTL)
	return err
}
