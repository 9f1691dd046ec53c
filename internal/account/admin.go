package account

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"maps"
	"math/big"
	"time"

	"github.com/linkpool/linkpool/internal/audit"
	"github.com/linkpool/linkpool/internal/mail"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
	"github.com/linkpool/linkpool/internal/trigger"
)

// AdminCreateUserInput is an administrator creating a user (Cognito
// AdminCreateUser).
type AdminCreateUserInput struct {
	// Username as in SignUpInput: the email address for pools whose
	// username is the email.
	Username string
	// TemporaryPassword is the initial password; empty means a random one
	// that satisfies the pool's policy is generated and returned.
	TemporaryPassword string
	Attributes        map[string]string
	// EmailVerified marks the email address verified.
	EmailVerified bool
	// Permanent makes the password permanent and the user CONFIRMED at
	// once, instead of FORCE_CHANGE_PASSWORD; no invitation is mailed.
	Permanent bool
	// MessageAction is "" to mail the invitation (when the user has an
	// email address), MessageSuppress to mail none, or MessageResend to
	// mail it again to an existing user with a new temporary password.
	MessageAction string
	// EmailDelivery reports that the caller asked for the invitation by
	// email (DesiredDeliveryMediums EMAIL): a user without an address is
	// then refused instead of created without an invitation.
	EmailDelivery bool
}

// AdminCreateUserResult is the created user and the password it was given.
type AdminCreateUserResult struct {
	User pool.User
	// TemporaryPassword is the password set, generated or given; shown
	// once, never stored in the clear.
	TemporaryPassword string
	// Invitation is where the invitation was mailed; nil when none was.
	Invitation *CodeDelivery
}

// AdminCreateUser creates a user without a sign-up (Cognito
// AdminCreateUser). It works even when the pool forbids self sign-up. The
// user is FORCE_CHANGE_PASSWORD, and must choose a new password at the
// first sign-in, within TemporaryPasswordValidityDays, unless Permanent.
//
// The pre sign-up trigger (PreSignUp_AdminCreateUser) runs before the
// user is stored; its failure fails the call and stores nothing.
//
// Unless in.MessageAction suppresses it, a user with an email address
// is mailed an invitation with the username and the temporary password,
// in the user's language (see composeInvitation); the custom message
// trigger (CustomMessage_AdminCreateUser) runs before the user is
// stored, so its failure stores nothing either. MessageResend mails the
// invitation of an existing user again (resendInvitation).
//
// Errors: InvalidParameterException; InvalidPasswordException;
// UsernameExistsException; AliasExistsException;
// CodeDeliveryFailureException when the mailer does not take the
// invitation (the user is created, as in Cognito); for MessageResend
// UserNotFoundException and UnsupportedUserStateException.
func (s *Service) AdminCreateUser(ctx context.Context, p pool.Pool, in AdminCreateUserInput) (res AdminCreateUserResult, err error) {
	if in.MessageAction == MessageResend {
		return s.resendInvitation(ctx, p, in)
	}
	defer func() {
		changed := attrFields(in.Attributes)
		changed = append(changed, audit.Field("TemporaryPassword", nil), audit.Field("Permanent", in.Permanent))
		if in.EmailVerified {
			changed = append(changed, audit.Field(pool.AttrEmailVerified, "true"))
		}
		s.record(ctx, "AdminCreateUser", p.ID, res.User.Sub, changed, err)
	}()
	now := s.now()
	attrs := maps.Clone(in.Attributes)
	if in.EmailVerified {
		if attrs[pool.AttrEmail] == "" && !p.EmailIsUsername() {
			return AdminCreateUserResult{}, invalidParam(pool.AttrEmail, "Cannot mark the email verified without an email address.")
		}
		if attrs == nil {
			attrs = map[string]string{}
		}
		attrs[pool.AttrEmailVerified] = "true"
	}
	u, err := s.newUser(p, in.Username, attrs, now)
	if err != nil {
		return AdminCreateUserResult{}, err
	}
	if err := s.refuseProviderUsername(ctx, p, u); err != nil {
		return AdminCreateUserResult{}, err
	}
	invite, err := wantsInvitation(in, u)
	if err != nil {
		return AdminCreateUserResult{}, err
	}
	pw := in.TemporaryPassword
	if pw == "" {
		pw = generatePassword(p.PasswordPolicy)
	}
	if err := p.CheckPassword(pw); err != nil {
		return AdminCreateUserResult{}, fromPolicy("temporary_password", err)
	}
	// The pre sign-up answer may verify the address or phone number;
	// autoConfirmUser does not apply to administrators' users.
	if _, err := s.preSignUp(ctx, p, trigger.SourcePreSignUpAdminCreate, &u); err != nil {
		return AdminCreateUserResult{}, err
	}
	np, err := s.preparePassword(ctx, u, pw)
	if err != nil {
		return AdminCreateUserResult{}, fmt.Errorf("account: admin create user: %w", err)
	}
	np.set(&u, now)
	u.Status = pool.StatusForceChangePassword
	if in.Permanent {
		u.Status = pool.StatusConfirmed
	}
	// The invitation, and its trigger, before the user is stored: a
	// failed trigger creates nobody.
	var m mail.Message
	if invite {
		if m, err = s.composeInvitation(ctx, p, u, pw); err != nil {
			return AdminCreateUserResult{}, err
		}
	}
	if err := s.store.CreateUser(ctx, u); err != nil {
		if errors.Is(err, store.ErrAlreadyExists) {
			e := s.existsError(ctx, p, u)
			if TypeOf(e) == UsernameExistsException {
				e = newErr(UsernameExistsException, "User account already exists")
			}
			return AdminCreateUserResult{}, e
		}
		return AdminCreateUserResult{}, fmt.Errorf("account: admin create user: %w", err)
	}
	res = AdminCreateUserResult{User: scrub(u), TemporaryPassword: pw}
	if invite {
		// A mail the mailer refused leaves the user as stored: the
		// result names the user for the audit record, and the caller
		// gets the error.
		if res.Invitation, err = s.deliver(ctx, p, u, mail.Invitation, m); err != nil {
			return res, err
		}
	}
	return res, nil
}

// AdminSetUserPassword sets a user's password (Cognito
// AdminSetUserPassword). Permanent makes the user CONFIRMED; otherwise the
// password is temporary and the user FORCE_CHANGE_PASSWORD. It also ends
// a lockout. A user an identity provider created (EXTERNAL_PROVIDER) has
// no password here and gets InvalidParameterException.
func (s *Service) AdminSetUserPassword(ctx context.Context, p pool.Pool, username, password string, permanent bool) (err error) {
	var u pool.User
	defer func() {
		s.record(ctx, "AdminSetUserPassword", p.ID, u.Sub, []store.AuditChange{audit.Field("Password", nil), audit.Field("Permanent", permanent)}, err)
	}()
	if err := p.CheckPassword(password); err != nil {
		return fromPolicy("password", err)
	}
	u, err = s.Lookup(ctx, p, username)
	if err != nil {
		return err
	}
	if IsFederated(u) {
		return invalidParam("password", "Password cannot be set for a user of an external identity provider.")
	}
	np, err := s.preparePassword(ctx, u, password)
	if err != nil {
		return fmt.Errorf("account: admin set password: %w", err)
	}
	now := s.now()
	_, err = s.update(ctx, p, u.Sub, func(u *pool.User) error {
		np.set(u, now)
		u.Status = pool.StatusForceChangePassword
		if permanent {
			u.Status = pool.StatusConfirmed
		}
		u.RecordSuccessfulLogin()
		u.UpdatedAt = now
		return nil
	})
	return err
}

// AdminConfirmSignUp confirms an UNCONFIRMED user without a code (Cognito
// AdminConfirmSignUp). As in Cognito, the email address stays unverified.
// The post confirmation trigger (PostConfirmation_ConfirmSignUp) runs
// after the confirmation is stored; its failure is returned and the user
// stays confirmed.
func (s *Service) AdminConfirmSignUp(ctx context.Context, p pool.Pool, username string) (err error) {
	var u pool.User
	defer func() {
		s.record(ctx, "AdminConfirmSignUp", p.ID, u.Sub, []store.AuditChange{audit.Field("Status", pool.StatusConfirmed)}, err)
	}()
	u, err = s.Lookup(ctx, p, username)
	if err != nil {
		return err
	}
	now := s.now()
	u, err = s.update(ctx, p, u.Sub, func(u *pool.User) error {
		if u.Status != pool.StatusUnconfirmed {
			return notAuthorized("User cannot be confirmed. Current status is " + u.Status)
		}
		u.Status = pool.StatusConfirmed
		clearCode(u)
		u.UpdatedAt = now
		return nil
	})
	if err != nil {
		return err
	}
	return s.postConfirmation(ctx, p, trigger.SourcePostConfirmation, u)
}

// AdminDisableUser disables a user (Cognito AdminDisableUser): sign-in
// fails with "User is disabled." and, as in Cognito, the user's tokens and
// sessions are revoked (see GlobalSignOut).
func (s *Service) AdminDisableUser(ctx context.Context, p pool.Pool, username string) (err error) {
	var sub string
	defer func() {
		s.record(ctx, "AdminDisableUser", p.ID, sub, []store.AuditChange{audit.Field("Enabled", false)}, err)
	}()
	sub, err = s.signOut(ctx, p, username, func(u *pool.User) { u.Enabled = false })
	return err
}

// AdminEnableUser enables a disabled user (Cognito AdminEnableUser).
func (s *Service) AdminEnableUser(ctx context.Context, p pool.Pool, username string) (err error) {
	var u pool.User
	defer func() {
		s.record(ctx, "AdminEnableUser", p.ID, u.Sub, []store.AuditChange{audit.Field("Enabled", true)}, err)
	}()
	u, err = s.Lookup(ctx, p, username)
	if err != nil {
		return err
	}
	now := s.now()
	_, err = s.update(ctx, p, u.Sub, func(u *pool.User) error {
		u.Enabled = true
		u.UpdatedAt = now
		return nil
	})
	return err
}

// AdminDeleteUser deletes a user with its group memberships, sessions and
// refresh tokens (Cognito AdminDeleteUser).
func (s *Service) AdminDeleteUser(ctx context.Context, p pool.Pool, username string) (err error) {
	var u pool.User
	defer func() { s.record(ctx, "AdminDeleteUser", p.ID, u.Sub, nil, err) }()
	u, err = s.Lookup(ctx, p, username)
	if err != nil {
		return err
	}
	if err := s.store.DeleteUser(ctx, p.ID, u.Sub); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return userNotFound()
		}
		return fmt.Errorf("account: delete user: %w", err)
	}
	return nil
}

// AdminUpdateUserAttributes sets attributes of a user (Cognito
// AdminUpdateUserAttributes). An empty value removes the attribute. A new
// email address is unverified unless attrs also sets email_verified, and
// becomes the user's sign-in address where the pool allows one.
//
// Errors: UserNotFoundException; InvalidParameterException;
// AliasExistsException when another user has the new address.
func (s *Service) AdminUpdateUserAttributes(ctx context.Context, p pool.Pool, username string, attrs map[string]string) error {
	return s.adminUpdateAttributes(ctx, "AdminUpdateUserAttributes", p, username, attrs)
}

// adminUpdateAttributes is AdminUpdateUserAttributes, recorded as action.
func (s *Service) adminUpdateAttributes(ctx context.Context, action string, p pool.Pool, username string, attrs map[string]string) (err error) {
	var u pool.User
	defer func() { s.record(ctx, action, p.ID, u.Sub, attrFields(attrs), err) }()
	if len(attrs) == 0 {
		return invalidParam("attributes", "No attributes to update.")
	}
	u, err = s.Lookup(ctx, p, username)
	if err != nil {
		return err
	}
	now := s.now()
	_, err = s.update(ctx, p, u.Sub, func(u *pool.User) error {
		return applyAttributes(p, u, attrs, now)
	})
	return aliasExists(err)
}

// applyAttributes sets attrs on u (an empty value removes the attribute)
// and checks the result against the pool. A new email address is
// unverified unless attrs also sets email_verified, and becomes the
// user's sign-in address where the pool allows one.
func applyAttributes(p pool.Pool, u *pool.User, attrs map[string]string, now time.Time) error {
	merged := maps.Clone(u.Attributes)
	if merged == nil {
		merged = map[string]string{}
	}
	oldEmail := merged[pool.AttrEmail]
	for k, v := range attrs {
		if v == "" {
			delete(merged, k)
		} else {
			merged[k] = v
		}
	}
	if _, ok := attrs[pool.AttrEmailVerified]; !ok && merged[pool.AttrEmail] != oldEmail {
		merged[pool.AttrEmailVerified] = "false"
	}
	if err := p.ValidateAttributes(merged); err != nil {
		return fromValidation(err)
	}
	u.Attributes = merged
	u.EmailKey = ""
	if p.SignInWithEmail() && merged[pool.AttrEmail] != "" {
		u.EmailKey = pool.EmailKey(merged[pool.AttrEmail])
	}
	u.UpdatedAt = now
	return nil
}

// aliasExists renders the store's refusal of a taken sign-in address as
// Cognito's AliasExistsException.
func aliasExists(err error) error {
	if errors.Is(err, store.ErrAlreadyExists) {
		return newErr(AliasExistsException, "An account with the given email already exists.")
	}
	return err
}

// GlobalSignOut signs a user out everywhere (Cognito GlobalSignOut and
// AdminUserGlobalSignOut): tokens issued before now stop being accepted
// (TokensValidAfter), every refresh token is revoked, and, beyond
// Cognito, the user's hosted-UI sessions end too, so the next
// authorization asks for the password again.
func (s *Service) GlobalSignOut(ctx context.Context, p pool.Pool, username string) (err error) {
	var sub string
	defer func() { s.recordAdmin(ctx, "AdminUserGlobalSignOut", p.ID, sub, nil, err) }()
	sub, err = s.signOut(ctx, p, username, nil)
	return err
}

// signOut revokes the user's tokens and sessions, applying change to
// the user first, and returns the user's sub ("" when not found).
func (s *Service) signOut(ctx context.Context, p pool.Pool, username string, change func(*pool.User)) (string, error) {
	u, err := s.Lookup(ctx, p, username)
	if err != nil {
		return "", err
	}
	now := s.now()
	if _, err := s.update(ctx, p, u.Sub, func(u *pool.User) error {
		u.TokensValidAfter = now
		if change != nil {
			change(u)
			u.UpdatedAt = now
		}
		return nil
	}); err != nil {
		return u.Sub, err
	}
	if _, err := s.store.RevokeRefreshTokens(ctx, store.RevokeFilter{PoolID: p.ID, Sub: u.Sub}, now); err != nil {
		return u.Sub, fmt.Errorf("account: revoke refresh tokens: %w", err)
	}
	if err := s.store.DeleteUserSessions(ctx, p.ID, u.Sub); err != nil {
		return u.Sub, fmt.Errorf("account: delete sessions: %w", err)
	}
	return u.Sub, nil
}

// Characters of generated passwords: no look-alikes (0/O, 1/l/I).
const (
	genUpper  = "ABCDEFGHJKLMNPQRSTUVWXYZ"
	genLower  = "abcdefghijkmnopqrstuvwxyz"
	genDigit  = "23456789"
	genSymbol = "!#%+-=?@^_~"
)

// generatePassword returns a random password that satisfies policy: at
// least 16 characters with one of each required class.
func generatePassword(policy pool.PasswordPolicy) string {
	n := max(16, policy.MinimumLength)
	all := genUpper + genLower + genDigit + genSymbol
	b := []byte{pick(genUpper), pick(genLower), pick(genDigit), pick(genSymbol)}
	for len(b) < n {
		b = append(b, pick(all))
	}
	for i := len(b) - 1; i > 0; i-- { // Fisher-Yates with crypto/rand
		j := randInt(i + 1)
		b[i], b[j] = b[j], b[i]
	}
	return string(b)
}

func pick(set string) byte { return set[randInt(len(set))] }

func randInt(n int) int {
	v, err := rand.Int(rand.Reader, big.NewInt(int64(n)))
	if err != nil {
		panic("account: crypto/rand failed: " + err.Error()) // never happens (Go 1.24+)
	}
	return int(v.Int64())
}
