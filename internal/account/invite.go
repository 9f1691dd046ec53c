package account

import (
	"context"
	"fmt"
	"html"
	"strings"
	"time"

	"github.com/linkpool/linkpool/internal/audit"
	"github.com/linkpool/linkpool/internal/mail"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
	"github.com/linkpool/linkpool/internal/trigger"
)

// Message actions of AdminCreateUser (Cognito's MessageActionType).
const (
	// MessageSuppress creates the user without mailing an invitation.
	MessageSuppress = "SUPPRESS"
	// MessageResend mails the invitation of an existing user again,
	// with a new temporary password.
	MessageResend = "RESEND"
)

// msgNoEmail is Cognito's answer when EMAIL delivery is asked for a
// user without an address.
const msgNoEmail = "No email provided but desired delivery medium was Email"

// wantsInvitation reports whether AdminCreateUser mails an invitation to
// u: unless suppressed, to a user with an email address who got a
// temporary password. An explicit EMAIL medium (in.EmailDelivery) for a
// user without an address is Cognito's InvalidParameterException.
func wantsInvitation(in AdminCreateUserInput, u pool.User) (bool, error) {
	if in.MessageAction == MessageSuppress || in.Permanent {
		return false, nil
	}
	if u.Email() == "" {
		if in.EmailDelivery {
			return false, invalidParam("desiredDeliveryMediums", msgNoEmail)
		}
		return false, nil
	}
	return true, nil
}

// composeInvitation renders the invitation of u with the temporary
// password pw: the pool's InviteMessageTemplate where it has one, then
// the custom message trigger (CustomMessage_AdminCreateUser), which may
// replace both, else the localized mail. A failed trigger is returned
// and nothing should be stored or sent.
func (s *Service) composeInvitation(ctx context.Context, p pool.Pool, u pool.User, pw string) (mail.Message, error) {
	c := mail.Content{Kind: mail.Invitation, Code: pw, Username: u.Username, ValidFor: temporaryPasswordTTL(p)}
	if t := p.InviteMessage; t.EmailMessage != "" || t.EmailSubject != "" {
		c.Subject = t.EmailSubject
		switch msg := t.EmailMessage; {
		case msg == "":
		case looksLikeHTML(msg):
			c.HTMLMessage = strings.ReplaceAll(msg, usernamePlaceholder, html.EscapeString(u.Username))
		default:
			c.Message = strings.ReplaceAll(msg, usernamePlaceholder, u.Username)
		}
	}
	return s.composeMail(ctx, p, u, trigger.SourceCustomMessageAdminCreate, c)
}

// temporaryPasswordTTL is how long a temporary password of p is valid.
func temporaryPasswordTTL(p pool.Pool) time.Duration {
	days := p.PasswordPolicy.TemporaryPasswordValidityDays
	if days <= 0 {
		days = DefaultTemporaryPasswordDays
	}
	return time.Duration(days) * 24 * time.Hour
}

// resendInvitation is AdminCreateUser with MessageAction RESEND: the user
// must still have a temporary password (FORCE_CHANGE_PASSWORD). A user
// with an email address gets a new temporary password, in.
// TemporaryPassword or a generated one, valid for the pool's
// TemporaryPasswordValidityDays from now, and the invitation again; a
// user without an address only has the password replaced when one is
// given. The custom message trigger runs before anything changes, so
// its failure changes nothing.
//
// Errors: UserNotFoundException; UnsupportedUserStateException;
// InvalidParameterException; InvalidPasswordException;
// CodeDeliveryFailureException (the new password is set).
func (s *Service) resendInvitation(ctx context.Context, p pool.Pool, in AdminCreateUserInput) (res AdminCreateUserResult, err error) {
	var u pool.User
	defer func() {
		s.record(ctx, "AdminCreateUser", p.ID, u.Sub, []store.AuditChange{audit.Field("MessageAction", MessageResend), audit.Field("TemporaryPassword", nil)}, err)
	}()
	u, err = s.Lookup(ctx, p, in.Username)
	if err != nil {
		return AdminCreateUserResult{}, err
	}
	if u.Status != pool.StatusForceChangePassword {
		return AdminCreateUserResult{}, newErr(UnsupportedUserStateException, "Resend not possible. "+u.Username+" status is "+u.Status+".")
	}
	invite, err := wantsInvitation(AdminCreateUserInput{EmailDelivery: in.EmailDelivery}, u)
	if err != nil {
		return AdminCreateUserResult{}, err
	}
	pw := in.TemporaryPassword
	if pw == "" && !invite {
		return AdminCreateUserResult{User: scrub(u)}, nil
	}
	if pw == "" {
		pw = generatePassword(p.PasswordPolicy)
	}
	if err := p.CheckPassword(pw); err != nil {
		return AdminCreateUserResult{}, fromPolicy("temporary_password", err)
	}
	var m mail.Message
	if invite {
		if m, err = s.composeInvitation(ctx, p, u, pw); err != nil {
			return AdminCreateUserResult{}, err
		}
	}
	np, err := s.preparePassword(ctx, u, pw)
	if err != nil {
		return AdminCreateUserResult{}, fmt.Errorf("account: resend invitation: %w", err)
	}
	now := s.now()
	u, err = s.update(ctx, p, u.Sub, func(u *pool.User) error {
		if u.Status != pool.StatusForceChangePassword {
			return newErr(UnsupportedUserStateException, "Resend not possible. "+u.Username+" status is "+u.Status+".")
		}
		np.set(u, now)
		u.RecordSuccessfulLogin()
		u.UpdatedAt = now
		return nil
	})
	if err != nil {
		return AdminCreateUserResult{}, err
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
