package account

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"
	"time"

	"golang.org/x/text/language"

	"github.com/linkpool/linkpool/internal/mail"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
	"github.com/linkpool/linkpool/internal/trigger"
)

// attrLocale is the OpenID Connect standard attribute holding the user's
// language; mails are written in it.
const attrLocale = "locale"

// SignUpInput is a self sign-up (Cognito SignUp).
type SignUpInput struct {
	// Username is the user name, or the email address in pools whose
	// UsernameAttributes include email (the stored username is then the
	// sub).
	Username   string
	Password   string
	Attributes map[string]string
	// Lang is the user's language (a BCP 47 tag). Unless Attributes set
	// "locale", it is recorded there, so that every later mail to the
	// user is written in it.
	Lang string
	// ConcealExisting makes a sign-up whose username or email is taken
	// look like a fresh one: the result is shaped like a successful,
	// unconfirmed sign-up (no user is stored, Confirmed is false even in
	// pools that auto-confirm) and the owner of the address gets a mail
	// that someone tried to sign up with it, within the owner's daily
	// code cap. See AuthenticateSignedUp for the sign-in that follows.
	// The hosted pages set it; Cognito's SignUp API always reports
	// UsernameExistsException, so the JSON API leaves it off.
	ConcealExisting bool
}

// SignUpResult is the outcome of SignUp.
type SignUpResult struct {
	User pool.User
	// Confirmed is true when the pool confirms sign-ups without a code
	// (AutoConfirmSignUp) or the pre sign-up trigger confirmed it
	// (autoConfirmUser).
	Confirmed bool
	// Delivery says where the confirmation code went; nil when no code
	// was sent.
	Delivery *CodeDelivery
}

// SignUp registers a user (Cognito SignUp). The password must satisfy the
// pool's policy. The user is UNCONFIRMED and receives a six-digit code by
// mail when the pool verifies email, unless the pool auto-confirms
// sign-ups, which makes the user CONFIRMED with a verified email address.
//
// Errors: NotAuthorizedException when the pool allows only administrators
// to create users; InvalidParameterException for a bad username or
// attribute (Field names it); InvalidPasswordException;
// UsernameExistsException or AliasExistsException when the username or
// email is taken (unless ConcealExisting). When the code mail cannot be
// delivered the user exists nonetheless: SignUp returns the result
// together with a CodeDeliveryFailureException, and
// ResendConfirmationCode can try again.
//
// Triggers: pre sign-up (PreSignUp_SignUp) runs before anything is
// stored; its failure fails the sign-up, and its answer may confirm the
// user (autoConfirmUser) and verify the email address (autoVerifyEmail)
// or phone number (autoVerifyPhone). An auto-confirmed user then runs
// post confirmation (PostConfirmation_ConfirmSignUp), whose failure is
// returned with the result: the user exists, confirmed. The code mail
// goes through custom message (CustomMessage_SignUp), whose failure is
// returned the same way.
func (s *Service) SignUp(ctx context.Context, p pool.Pool, in SignUpInput) (SignUpResult, error) {
	if p.AllowAdminCreateUserOnly {
		return SignUpResult{}, notAuthorized("SignUp is not permitted for this user pool.")
	}
	for _, a := range []string{pool.AttrEmailVerified, "phone_number_verified"} {
		if _, ok := in.Attributes[a]; ok {
			return SignUpResult{}, invalidParam(a, "Cannot set "+a+" at sign-up; it is verified with a code.")
		}
	}
	now := s.now()
	u, err := s.newUser(p, in.Username, in.Attributes, now)
	if err != nil {
		return SignUpResult{}, err
	}
	if err := s.refuseProviderUsername(ctx, p, u); err != nil {
		return SignUpResult{}, err
	}
	if err := p.CheckPassword(in.Password); err != nil {
		return SignUpResult{}, fromPolicy("password", err)
	}
	if !p.AutoConfirmSignUp && p.VerifiesEmail() && u.Email() == "" {
		return SignUpResult{}, invalidParam(pool.AttrEmail, "An email address is required: the confirmation code is sent to it.")
	}
	triggerConfirms, err := s.preSignUp(ctx, p, trigger.SourcePreSignUp, &u)
	if err != nil {
		return SignUpResult{}, err
	}
	autoConfirm := p.AutoConfirmSignUp || triggerConfirms
	sendsCode := !autoConfirm && p.VerifiesEmail()
	if _, ok := u.Attributes[attrLocale]; !ok && in.Lang != "" && len(in.Lang) <= 35 {
		if tag, err := language.Parse(in.Lang); err == nil {
			u.Attributes[attrLocale] = tag.String()
		}
	}
	np, err := s.preparePassword(ctx, u, in.Password)
	if err != nil {
		return SignUpResult{}, fmt.Errorf("account: sign up: %w", err)
	}
	np.set(&u, now)
	u.Status = pool.StatusUnconfirmed
	switch {
	case p.AutoConfirmSignUp:
		u.Status = pool.StatusConfirmed
		if u.Email() != "" {
			u.Attributes[pool.AttrEmailVerified] = "true"
		}
	case triggerConfirms:
		// The pre sign-up answer confirms; its autoVerifyEmail alone
		// verifies the address, as in Cognito.
		u.Status = pool.StatusConfirmed
	}
	var code string
	if sendsCode {
		code = newCode()
		if err := s.issueCode(&u, pool.CodeSignUp, code, now, s.signUpTTL); err != nil {
			return SignUpResult{}, err
		}
	}
	res := SignUpResult{User: scrub(u), Confirmed: autoConfirm}
	if err := s.createSignUp(ctx, p, u, now); err != nil {
		var ae *Error
		if !in.ConcealExisting || !errors.As(err, &ae) || (ae.Type != UsernameExistsException && ae.Type != AliasExistsException) {
			return SignUpResult{}, err
		}
		// Answer as a fresh, unconfirmed sign-up would, and tell the
		// owner of the address instead.
		s.notifyAttempt(ctx, p, u, now)
		res.Confirmed = false
		if sendsCode || autoConfirm && u.Email() != "" {
			res.Delivery = emailDelivery(u.Email())
		}
		return res, nil
	}
	if autoConfirm {
		return res, s.postConfirmation(ctx, p, trigger.SourcePostConfirmation, u)
	}
	if !sendsCode {
		return res, nil
	}
	d, err := s.sendCode(ctx, p, u, mail.SignUpCode, trigger.SourceCustomMessageSignUp, code, s.signUpTTL)
	if err != nil {
		return res, err
	}
	res.Delivery = d
	return res, nil
}

// createSignUp stores a new self-signed-up user. An unconfirmed account
// that holds the username or address and has not been touched for
// SignUpCodeTTL (so its code has expired) is deleted to make room.
func (s *Service) createSignUp(ctx context.Context, p pool.Pool, u pool.User, now time.Time) error {
	err := s.store.CreateUser(ctx, u)
	if !errors.Is(err, store.ErrAlreadyExists) {
		if err != nil {
			return fmt.Errorf("account: sign up: %w", err)
		}
		return nil
	}
	holders, err := s.holders(ctx, p, u)
	if err != nil {
		return err
	}
	stale := len(holders) > 0
	for _, h := range holders {
		stale = stale && h.Status == pool.StatusUnconfirmed && now.After(h.UpdatedAt.Add(s.signUpTTL))
	}
	if !stale {
		return s.existsError(ctx, p, u)
	}
	for _, h := range holders {
		if err := s.store.DeleteUser(ctx, p.ID, h.Sub); err != nil && !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("account: sign up: remove stale unconfirmed user: %w", err)
		}
		s.log.InfoContext(ctx, "account: replaced stale unconfirmed user", "pool", p.ID, "sub", h.Sub)
	}
	if err := s.store.CreateUser(ctx, u); err != nil {
		if errors.Is(err, store.ErrAlreadyExists) {
			return s.existsError(ctx, p, u)
		}
		return fmt.Errorf("account: sign up: %w", err)
	}
	return nil
}

// holders returns the users that hold u's username or email key.
func (s *Service) holders(ctx context.Context, p pool.Pool, u pool.User) ([]pool.User, error) {
	var out []pool.User
	h, err := s.store.GetUserByUsername(ctx, p.ID, u.UsernameKey)
	switch {
	case err == nil:
		out = append(out, h)
	case !errors.Is(err, store.ErrNotFound):
		return nil, fmt.Errorf("account: look up user: %w", err)
	}
	if u.EmailKey != "" {
		h, err := s.store.GetUserByEmail(ctx, p.ID, u.EmailKey)
		switch {
		case err == nil && (len(out) == 0 || out[0].Sub != h.Sub):
			out = append(out, h)
		case err != nil && !errors.Is(err, store.ErrNotFound):
			return nil, fmt.Errorf("account: look up user by email: %w", err)
		}
	}
	return out, nil
}

// existsError reports which of u's unique keys is taken, in Cognito's
// words.
func (s *Service) existsError(ctx context.Context, p pool.Pool, u pool.User) error {
	_, err := s.store.GetUserByUsername(ctx, p.ID, u.UsernameKey)
	switch {
	case err == nil:
		return newErr(UsernameExistsException, "User already exists")
	case !errors.Is(err, store.ErrNotFound):
		return fmt.Errorf("account: look up user: %w", err)
	}
	if u.EmailKey != "" && p.EmailIsUsername() {
		// The address is the username in these pools.
		return newErr(UsernameExistsException, "An account with the given email already exists.")
	}
	if u.EmailKey != "" {
		return newErr(AliasExistsException, "An account with the given email already exists.")
	}
	// Only the random sub can have collided; report it as a taken name.
	return newErr(UsernameExistsException, "User already exists")
}

// notifyAttempt tells the owners of the username and address u tried to
// take that someone tried to sign up with them. A notice counts against
// the owner's daily code cap (MaxCodesPerDay), past which none is sent,
// so that sign-ups cannot flood the owner's mailbox. Failures are logged
// only: the caller's answer must not depend on them.
func (s *Service) notifyAttempt(ctx context.Context, p pool.Pool, u pool.User, now time.Time) {
	holders, err := s.holders(ctx, p, u)
	if err != nil {
		s.log.ErrorContext(ctx, "account: sign-up attempt notice", "pool", p.ID, "error", err)
		return
	}
	for _, h := range holders {
		to := h.Email()
		if to == "" {
			continue
		}
		_, err := s.update(ctx, p, h.Sub, func(owner *pool.User) error {
			c, err := s.countCode(owner, now)
			if err != nil {
				return err
			}
			owner.Code = &c
			return nil
		})
		if TypeOf(err) == LimitExceededException {
			continue
		}
		if err != nil {
			s.log.ErrorContext(ctx, "account: sign-up attempt notice", "pool", p.ID, "sub", h.Sub, "error", err)
			continue
		}
		m, err := mail.Compose(mail.Content{
			Kind: mail.SignUpAttempt, To: to, From: p.EmailFrom,
			Lang: h.Attributes[attrLocale], PoolName: p.Name, Messages: p.Branding.Messages,
		})
		if err == nil {
			err = s.mailer.Send(ctx, m)
		}
		if err != nil {
			s.log.ErrorContext(ctx, "account: mail delivery failed", "pool", p.ID, "sub", h.Sub, "kind", string(mail.SignUpAttempt), "error", err)
		}
	}
}

// newUser shapes a user from a username and attributes by the pool's
// rules: for pools whose username is the email address, the username must
// be an address, becomes the email attribute, and the stored username is
// the sub; otherwise the username follows Cognito's username rule and, in
// pools with an email alias, may not itself look like an address.
func (s *Service) newUser(p pool.Pool, username string, attrs map[string]string, now time.Time) (pool.User, error) {
	a := make(map[string]string, len(attrs)+2)
	maps.Copy(a, attrs)
	u := pool.User{PoolID: p.ID, Sub: pool.NewSub(), Enabled: true, Attributes: a, CreatedAt: now, UpdatedAt: now}
	if p.EmailIsUsername() {
		if pool.ValidateEmail(username) != nil {
			return pool.User{}, invalidParam("username", "Username should be an email.")
		}
		if e, ok := a[pool.AttrEmail]; ok && pool.EmailKey(e) != pool.EmailKey(username) {
			return pool.User{}, invalidParam(pool.AttrEmail, "The email attribute must match the username.")
		}
		a[pool.AttrEmail] = username
		u.Username = u.Sub
	} else {
		if err := pool.ValidateUsername(username); err != nil {
			return pool.User{}, invalidParam("username", "Username must be 1-128 characters without spaces.")
		}
		if p.SignInWithEmail() && pool.ValidateEmail(username) == nil {
			return pool.User{}, invalidParam("username", "Username cannot be of email format, since user pool is configured for email alias.")
		}
		u.Username = username
	}
	if err := p.ValidateAttributes(a); err != nil {
		return pool.User{}, fromValidation(err)
	}
	u.UsernameKey = p.UsernameKey(u.Username)
	if p.SignInWithEmail() && a[pool.AttrEmail] != "" {
		u.EmailKey = pool.EmailKey(a[pool.AttrEmail])
	}
	return u, nil
}

// scrub removes secrets from a user returned to callers.
func scrub(u pool.User) pool.User {
	u.PasswordHash = ""
	u.SRPSalt, u.SRPVerifier = "", nil
	u.Code = nil
	u.MFA.EmailCode = nil
	return u
}

// ConfirmSignUp confirms an UNCONFIRMED user with the code mailed at
// sign-up (Cognito ConfirmSignUp) and marks the email address verified.
// It returns the confirmed user. The post confirmation trigger
// (PostConfirmation_ConfirmSignUp) runs after the confirmation is
// stored; its failure is returned with the user, who stays confirmed, as
// in Cognito.
//
// Errors: UserNotFoundException; NotAuthorizedException when the user is
// not UNCONFIRMED; CodeMismatchException for a wrong code;
// ExpiredCodeException when no valid code is pending;
// TooManyFailedAttemptsException when this wrong guess voided the code;
// LimitExceededException after MaxCodeMissesPerDay wrong codes in a day.
func (s *Service) ConfirmSignUp(ctx context.Context, p pool.Pool, username, code string) (pool.User, error) {
	if err := checkCodeInput(code); err != nil {
		return pool.User{}, err
	}
	u, err := s.Lookup(ctx, p, username)
	if err != nil {
		return pool.User{}, err
	}
	now := s.now()
	u, err = s.update(ctx, p, u.Sub, func(u *pool.User) error {
		if u.Status != pool.StatusUnconfirmed {
			return notAuthorized("User cannot be confirmed. Current status is " + u.Status)
		}
		if err := s.verifyCode(u, pool.CodeSignUp, code, now); err != nil {
			return err
		}
		u.Status = pool.StatusConfirmed
		if u.Email() != "" && p.VerifiesEmail() {
			u.Attributes[pool.AttrEmailVerified] = "true"
		}
		u.UpdatedAt = now
		return nil
	})
	if err != nil {
		return pool.User{}, err
	}
	return scrub(u), s.postConfirmation(ctx, p, trigger.SourcePostConfirmation, u)
}

// ResendConfirmationCode mails a new sign-up code to an UNCONFIRMED user
// (Cognito ResendConfirmationCode); the previous code stops working.
//
// Errors: UserNotFoundException; InvalidParameterException when the user
// is already confirmed or has no email address; LimitExceededException
// when a code was sent less than CodeInterval ago or MaxCodesPerDay codes
// were sent in the last day; CodeDeliveryFailureException when the
// mailer does not take the mail (see sendCode). An unknown user costs
// the work of a code, as in ForgotPassword.
func (s *Service) ResendConfirmationCode(ctx context.Context, p pool.Pool, username string) (*CodeDelivery, error) {
	u, err := s.Lookup(ctx, p, username)
	if err != nil {
		if TypeOf(err) == UserNotFoundException {
			s.decoyCode(ctx, p, mail.SignUpCode, s.signUpTTL)
		}
		return nil, err
	}
	now := s.now()
	code := newCode()
	u, err = s.update(ctx, p, u.Sub, func(u *pool.User) error {
		switch {
		case u.Status != pool.StatusUnconfirmed:
			return invalidParam("username", "User is already confirmed.")
		case u.Email() == "":
			return invalidParam(pool.AttrEmail, "The user has no email address to send a code to.")
		case s.throttled(u, pool.CodeSignUp, now):
			return newErr(LimitExceededException, msgLimitExceeded)
		}
		if err := s.issueCode(u, pool.CodeSignUp, code, now, s.signUpTTL); err != nil {
			return err
		}
		u.UpdatedAt = now
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.sendCode(ctx, p, u, mail.SignUpCode, trigger.SourceCustomMessageResendCode, code, s.signUpTTL)
}

// refuseProviderUsername refuses a local username that starts with
// "<ProviderName>_" for a provider of the pool (compared as the pool
// compares usernames): such names are those of the users the provider
// creates, "<ProviderName>_<subject>", and a local user holding one
// would lock the person with that subject out of the pool for good.
// Cognito documents no such rule; linkpool reserves the prefix.
func (s *Service) refuseProviderUsername(ctx context.Context, p pool.Pool, u pool.User) error {
	if p.EmailIsUsername() || !strings.Contains(u.Username, "_") {
		return nil
	}
	opts := store.ListOptions{}
	for {
		page, err := s.store.ListIdentityProviders(ctx, p.ID, opts)
		if err != nil {
			return fmt.Errorf("account: list identity providers: %w", err)
		}
		for _, idp := range page.Items {
			if strings.HasPrefix(u.UsernameKey, p.UsernameKey(idp.ProviderName+"_")) {
				return invalidParam("username", "Username cannot start with "+idp.ProviderName+"_: that prefix is reserved for the users of the identity provider "+idp.ProviderName+".")
			}
		}
		if page.Next == "" {
			return nil
		}
		opts.PageToken = page.Next
	}
}
