package account

import (
	"context"
	"slices"
	"strings"

	"github.com/linkpool/linkpool/internal/mail"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/trigger"
)

// msgUnauthorizedAttribute is Cognito's refusal of an attribute the app
// client may not write.
const msgUnauthorizedAttribute = "A client attempted to write unauthorized attribute"

// UpdateUserAttributes sets attributes of a signed-in user through app
// client cl (Cognito UpdateUserAttributes, authorized by the user's access
// token). An empty value removes the attribute.
//
// The user may write the attributes the client's WriteAttributes list
// (every attribute when it lists none), except email_verified and
// phone_number_verified, which only a client that lists them may write:
// others are refused with NotAuthorizedException "A client attempted to
// write unauthorized attribute". An immutable custom attribute is
// refused with InvalidParameterException "user.<name>: Attribute cannot
// be updated.". A new email address is unverified at once (linkpool has
// no setting that keeps the previous address active until the new one is
// verified); when the pool verifies email addresses (AutoVerifiedAttributes)
// a verification code is mailed to it and its delivery returned. The code
// counts against the user's daily cap of codes; past it, nothing changes
// (LimitExceededException).
//
// Errors: InvalidParameterException; NotAuthorizedException;
// AliasExistsException when another user signs in with the new address;
// LimitExceededException; CodeDeliveryFailureException (the attributes
// are changed then, as the mail is sent after the change is stored).
func (s *Service) UpdateUserAttributes(ctx context.Context, p pool.Pool, cl pool.Client, sub string, attrs map[string]string) (*CodeDelivery, error) {
	if len(attrs) == 0 {
		return nil, invalidParam("attributes", "No attributes to update.")
	}
	for name := range attrs {
		if err := checkSelfWritable(p, cl, name); err != nil {
			return nil, err
		}
	}
	return s.updateSelfAttributes(ctx, p, sub, attrs)
}

// DeleteUserAttributes removes attributes of a signed-in user through app
// client cl (Cognito DeleteUserAttributes), with the rules of
// UpdateUserAttributes. Removing the email address also removes its
// verification.
//
// Errors: InvalidParameterException; NotAuthorizedException.
func (s *Service) DeleteUserAttributes(ctx context.Context, p pool.Pool, cl pool.Client, sub string, names []string) error {
	if len(names) == 0 {
		return invalidParam("attributes", "No attributes to delete.")
	}
	attrs := make(map[string]string, len(names))
	for _, n := range names {
		if err := checkSelfWritable(p, cl, n); err != nil {
			return err
		}
		attrs[n] = ""
	}
	_, err := s.updateSelfAttributes(ctx, p, sub, attrs)
	return err
}

// checkSelfWritable refuses an attribute a user may not write through cl.
func checkSelfWritable(p pool.Pool, cl pool.Client, name string) error {
	if name == "" || name == "sub" {
		return invalidParam(name, "Cannot modify attribute "+name+".")
	}
	if sa, ok := p.CustomAttribute(name); ok && strings.HasPrefix(name, "custom:") && !sa.Mutable {
		return invalidParam(name, "user."+name+": Attribute cannot be updated.")
	}
	verified := name == pool.AttrEmailVerified || name == "phone_number_verified"
	listed := slices.Contains(cl.WriteAttributes, name)
	if (verified && !listed) || (len(cl.WriteAttributes) > 0 && !listed) {
		return notAuthorized(msgUnauthorizedAttribute)
	}
	return nil
}

// updateSelfAttributes applies attrs to the user and, for a new email
// address in a pool that verifies addresses, issues and mails a code.
func (s *Service) updateSelfAttributes(ctx context.Context, p pool.Pool, sub string, attrs map[string]string) (*CodeDelivery, error) {
	if v, ok := attrs[pool.AttrEmail]; ok && v == "" {
		attrs[pool.AttrEmailVerified] = ""
	}
	now := s.now()
	code := newCode()
	sent := false
	u, err := s.update(ctx, p, sub, func(u *pool.User) error {
		sent = false
		old := u.Email()
		if err := applyAttributes(p, u, attrs, now); err != nil {
			return err
		}
		if addr := u.Email(); addr != "" && addr != old && p.VerifiesEmail() {
			if err := s.issueCode(u, verifyPurpose(addr), code, now, s.signUpTTL); err != nil {
				return err
			}
			sent = true
		}
		return nil
	})
	if err != nil {
		return nil, aliasExists(err)
	}
	if !sent {
		return nil, nil
	}
	return s.sendCode(ctx, p, u, mail.VerifyCode, trigger.SourceCustomMessageUpdateAttr, code, s.signUpTTL)
}

// verifyPurpose is the code purpose that verifies addr: a code mailed to
// one address does not verify another that replaced it.
func verifyPurpose(addr string) string {
	return pool.CodeVerifyEmail + ":" + strings.ToLower(addr)
}
