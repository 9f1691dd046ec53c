package hostedui

import (
	"net/http"
	"slices"
	"strings"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/pool"
)

// Passwordless sign-in with a code by email (Cognito's choice-based
// sign-in with EMAIL_OTP): offered on the sign-in page when the pool
// allows it as a first factor (account.FirstFactors) and the client
// takes the pool's own sign-in. The user gives a username or address,
// the code mailed to the account's address signs them in. Whether the
// account exists, has an address or was sent a code, the page that asks
// for the code is the same.

// codeSignIn reports whether the page offers the sign-in with a code.
func (c *call) codeSignIn() bool {
	return c.localSignIn() && slices.Contains(account.FirstFactors(c.t.Pool), pool.FirstFactorEmailOTP)
}

// loginCodePage is GET /login/code: the username form.
func (u *UI) loginCodePage(c *call) error {
	if err := c.authorizeRequest(); err != nil {
		return err
	}
	if !c.codeSignIn() {
		return &pageError{status: http.StatusNotFound, title: "page.error", message: "error.not_found"}
	}
	return c.renderLoginCode(http.StatusOK, "", false, "", "")
}

// loginCodePost is POST /login/code: username alone mails a code (or
// resend with username mails another); username and code sign in.
func (u *UI) loginCodePost(c *call) error {
	if err := c.acceptPost(u.limits.Login); err != nil {
		return err
	}
	if !c.codeSignIn() {
		return &pageError{status: http.StatusNotFound, title: "page.error", message: "error.not_found"}
	}
	f := c.r.PostForm
	username := f.Get("username")
	if username == "" || len(username) > maxNameLen {
		return c.renderLoginCode(http.StatusBadRequest, "", false, "", "error.required")
	}
	if f.Get("code") == "" || f.Get("resend") != "" {
		if err := c.limit(u.limits.ForgotPassword, ""); err != nil {
			return err
		}
		// Every verdict (unknown user, no address, a cap) is the same
		// page: only the account's owner learns more, from the mailbox.
		if _, err := u.accounts.SendSignInCode(c.r.Context(), c.t.Pool, username); err != nil && account.TypeOf(err) == "" {
			return err
		}
		return c.renderLoginCode(http.StatusOK, username, true, "", "")
	}
	userKey := strings.ToLower(username)
	if err := c.limit(u.limits.LoginUser, userKey); err != nil {
		return err
	}
	code := normalizeCode(f.Get("code"))
	ctx := c.r.Context()
	user, err := u.accounts.Lookup(ctx, c.t.Pool, username)
	if err == nil && len(code) <= maxCodeLen {
		user, err = u.accounts.VerifyEmailOTP(ctx, c.t.Pool, user.Sub, code, pool.CodeEmailSignIn)
	} else if err == nil {
		err = &account.Error{Type: account.CodeMismatchException}
	}
	if err != nil {
		msg, ok := c.codeMessage(err)
		if !ok {
			return err
		}
		return c.renderLoginCode(http.StatusBadRequest, username, true, msg, "")
	}
	if err := account.SignInState(c.t.Pool, user, c.u.now()); err != nil {
		key, ok := signInMessage(err)
		if !ok {
			return err
		}
		return c.renderLoginCode(http.StatusBadRequest, username, true, "", key)
	}
	c.refund(u.limits.LoginUser, userKey)
	return c.signInWith(user, pool.ProviderCognito, account.ByEmailOTP)
}

// renderLoginCode renders /login/code: the username form, or, once a
// code went out (sent), the code form for username.
func (c *call) renderLoginCode(status int, username string, sent bool, codeErr, errKey string) error {
	v := c.form("page.login_code", "/login/code", "")
	v.Values["username"] = username
	v.HideUsername = sent
	if sent {
		v.MFA = &mfaView{Mode: "code", Factor: pool.FactorEmail, Digits: emailCodeDigits, Resend: true}
		v.Notice = c.cat.T("login_code.sent")
	}
	if codeErr != "" {
		v.Fields["code"] = codeErr
	}
	v.setErrors(nil, errKey)
	return c.render(status, "logincode", v)
}
