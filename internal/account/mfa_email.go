package account

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/linkpool/linkpool/internal/mail"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/trigger"
)

// EmailOTPTTL is how long a code of the email factor is valid (Cognito:
// five minutes).
const EmailOTPTTL = 5 * time.Minute

// emailOTPDigits is the length of the email factor's codes (Cognito's
// eight digits): a guess succeeds with chance 1 in 100,000,000.
const emailOTPDigits = 8

// Messages of the email factor.
const (
	msgEmailNotEnabled  = "Email MFA is not enabled for the user pool."
	msgEmailSignInOff   = "Sign-in with an email code is not enabled for the user pool."
	msgNoEmailAddress   = "The user has no email address to send a code to."
	msgUnknownPurpose   = "Unknown one-time code purpose."
	msgEmailCodeInvalid = "The code must be 8 digits."
)

// newEmailOTP returns eight decimal digits from crypto/rand.
func newEmailOTP() string { return randomDigits(emailOTPDigits) }

// emailOTPMail returns the mail kind of a code purpose, after checking
// that pool p offers it: the second factor when p offers the email
// factor, the passwordless sign-in when p allows it as a first factor
// (FirstFactors).
func emailOTPMail(p pool.Pool, purpose string) (mail.Kind, error) {
	switch purpose {
	case pool.CodeEmailMFA:
		if !offers(p, pool.FactorEmail) {
			return "", invalidParam("EmailMfaConfiguration", msgEmailNotEnabled)
		}
		return mail.MFACode, nil
	case pool.CodeEmailSignIn:
		if !slices.Contains(FirstFactors(p), pool.FirstFactorEmailOTP) {
			return "", invalidParam("AllowedFirstAuthFactors", msgEmailSignInOff)
		}
		return mail.SignInCode, nil
	}
	return "", invalidParam("purpose", msgUnknownPurpose)
}

// SendEmailOTP mails the user a fresh 8-digit one-time code for purpose
// (pool.CodeEmailMFA, the second factor; pool.CodeEmailSignIn, the
// passwordless first factor) and returns the masked address it went to
// (Cognito's CODE_DELIVERY_DESTINATION, "a***@e***"). The code is stored
// as its HMAC in UserMFA.EmailCode, valid for EmailOTPTTL, single use,
// void after MaxCodeAttempts wrong tries; sends are capped per user
// (CodeInterval, MaxCodesPerDay) and per address.
//
// The caps are the counts of UserMFA.EmailCode, kept on the user record
// apart from those of the sign-up, reset and verification codes, so the
// email factor cannot use up a user's password reset. They cap the
// address too: a code goes only to the user's own address, so its sends
// are the user's. A new code, of either purpose, replaces the pending
// one; none is sent within CodeInterval of the last.
//
// The account state (disabled, unconfirmed) is the caller's to check
// (SignInState); for an unknown user the caller spends the same work
// with DecoyEmailOTP.
//
// Errors: UserNotFoundException; InvalidParameterException when the user
// has no email address (or the pool does not offer the purpose);
// LimitExceededException past a cap; CodeDeliveryFailureException when
// the mailer refuses.
func (s *Service) SendEmailOTP(ctx context.Context, p pool.Pool, sub, purpose string) (destination string, err error) {
	kind, err := emailOTPMail(p, purpose)
	if err != nil {
		return "", err
	}
	code := newEmailOTP()
	now := s.now()
	u, err := s.update(ctx, p, sub, func(u *pool.User) error {
		cur := u.MFA.EmailCode
		switch {
		case u.Email() == "":
			return invalidParam(pool.AttrEmail, msgNoEmailAddress)
		case cur != nil && cur.Hash != "" && now.Before(cur.SentAt.Add(s.interval)):
			return newErr(LimitExceededException, msgLimitExceeded)
		}
		c, err := s.countSend(cur, now)
		if err != nil {
			return err
		}
		c.Purpose, c.Hash, c.ExpiresAt, c.Attempts, c.SentAt = purpose, s.codeHash(u.Sub, purpose, code), now.Add(EmailOTPTTL), 0, now
		u.MFA.EmailCode = &c
		return nil
	})
	if err != nil {
		return "", err
	}
	d, err := s.sendMail(ctx, p, u, trigger.SourceCustomMessageAuthentication, mail.Content{
		Kind: kind, Code: code, ValidFor: EmailOTPTTL,
		Subject: p.MFA.EmailSubject, Message: p.MFA.EmailMessage,
	})
	if err != nil {
		return "", err
	}
	return d.Destination, nil
}

// DecoyEmailOTP does for an unknown user the work SendEmailOTP does for
// a known one (a write transaction, the rendering of the mail) and
// stores and sends nothing, so that timing does not tell whether the
// user exists.
func (s *Service) DecoyEmailOTP(ctx context.Context, p pool.Pool, purpose string) {
	kind, err := emailOTPMail(p, purpose)
	if err != nil {
		return
	}
	s.decoyCode(ctx, p, kind, EmailOTPTTL)
}

// VerifyEmailOTP checks a mailed code of purpose and returns the user;
// the code is spent by the right answer. A wrong code counts towards the
// pool's lockout.
//
// The code is checked inside the store's transaction, so two requests
// with one code cannot both pass. A right code also ends the count of
// failed sign-ins; a locked-out user's code is not checked. Wrong codes
// count against MaxCodeMissesPerDay; the MaxCodeAttempts-th wrong code
// voids the code (CodeMismatchException, then ExpiredCodeException).
//
// Errors: InvalidParameterException for a code that is not 8 digits (or
// a purpose the pool does not offer);
// UserNotFoundException; CodeMismatchException for a wrong code;
// ExpiredCodeException when none is pending or it expired;
// NotAuthorizedException when locked out; LimitExceededException past
// the daily misses. A right sign-in code (CodeEmailSignIn) runs the
// pool's post authentication trigger, whose failure is returned.
func (s *Service) VerifyEmailOTP(ctx context.Context, p pool.Pool, sub, code, purpose string) (pool.User, error) {
	if _, err := emailOTPMail(p, purpose); err != nil {
		return pool.User{}, err
	}
	if !isDigits(code, emailOTPDigits) {
		return pool.User{}, invalidParam("code", msgEmailCodeInvalid)
	}
	now := s.now()
	locked, refused, missed := false, false, false
	u, err := s.update(ctx, p, sub, func(u *pool.User) error {
		locked, refused, missed = false, false, false
		if u.Locked(now) {
			refused = true
			return lockedOut()
		}
		err := s.checkCode(&u.MFA.EmailCode, u.Sub, purpose, code, now)
		var k *keep
		switch {
		case err == nil:
			u.RecordSuccessfulLogin()
		case errors.As(err, &k) && TypeOf(k.verdict) != ExpiredCodeException:
			u.RecordFailedLogin(p.LockoutPolicy, now)
			locked, missed = u.Locked(now), true
			return &keep{newErr(CodeMismatchException, msgMFACodeMismatch)}
		}
		return err
	})
	s.countCodeOutcome(refused, missed)
	if locked {
		s.logLockout(ctx, p, sub, "wrong one-time codes")
	}
	if err != nil {
		return pool.User{}, err
	}
	return scrub(u), nil
}
