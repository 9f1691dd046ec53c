package hostedui

import (
	"errors"
	"strings"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/pool"
)

// passwordMessage explains a password the pool's policy rejected.
func (c *call) passwordMessage(err error) string {
	var pe *pool.PasswordPolicyError
	if !errors.As(err, &pe) {
		return c.cat.T("error.invalid_input")
	}
	switch pe.Rule {
	case "length":
		return c.cat.T("error.password_length", "n", c.t.Pool.PasswordPolicy.MinimumLength)
	case "uppercase":
		return c.cat.T("error.password_uppercase")
	case "lowercase":
		return c.cat.T("error.password_lowercase")
	case "numbers":
		return c.cat.T("error.password_numbers")
	case "symbols":
		return c.cat.T("error.password_symbols")
	}
	return c.cat.T("error.password_too_long")
}

// codeMessage explains a failed code check. Every verdict (wrong code,
// expired or voided code, no code pending, unknown, confirmed or disabled
// user, too many attempts) gets the same message, so the code pages
// reveal nothing about which accounts exist or what state they are in.
// ok is false for internal errors.
func (c *call) codeMessage(err error) (msg string, ok bool) {
	if account.TypeOf(err) == "" {
		return "", false
	}
	return c.cat.T("error.code_invalid"), true
}

// signInMessage explains a failed sign-in or password change. Unknown
// users and locked-out users get exactly the wrong-password message
// (account.Conceal); the account's state is told only to someone who
// gave its password. ok is false for internal errors.
func signInMessage(err error) (key string, ok bool) {
	err = account.Conceal(err)
	switch {
	case account.TypeOf(err) == "":
		return "", false
	case errors.Is(err, account.ErrDisabled):
		return "error.disabled", true
	case errors.Is(err, account.ErrTemporaryPasswordExpired):
		return "error.temp_expired", true
	case account.TypeOf(err) == account.PasswordResetRequiredException:
		return "error.reset_required", true
	case account.IsTriggerFailure(err):
		return "error.refused", true
	}
	return "error.incorrect", true
}

// signUpFieldError places a rejected sign-up input next to its field.
func (c *call) signUpFieldError(ae *account.Error, username, email string) (field, msg string) {
	p := c.t.Pool
	switch ae.Field {
	case "username":
		if p.EmailIsUsername() {
			return "email", c.cat.T(emailKey(email))
		}
		if p.SignInWithEmail() && strings.Contains(username, "@") {
			return "username", c.cat.T("error.username_email_format")
		}
		return "username", c.cat.T("error.username_invalid")
	case pool.AttrEmail:
		return "email", c.cat.T(emailKey(email))
	}
	return "", c.cat.T("error.invalid_input")
}

func emailKey(email string) string {
	if email == "" {
		return "error.email_required"
	}
	return "error.email_invalid"
}
