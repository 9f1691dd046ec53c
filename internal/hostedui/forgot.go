package hostedui

import (
	"net/http"
	"net/url"

	"github.com/linkpool/linkpool/internal/account"
)

// forgotPage is GET /forgotPassword.
func (u *UI) forgotPage(c *call) error {
	if err := c.authorizeRequest(); err != nil {
		return err
	}
	return c.renderName(forgotForm, http.StatusOK, c.queryName(), "")
}

// forgotPost is POST /forgotPassword: field username. The answer is
// always the reset page saying that a code went out if the account
// exists: unknown users, users without a verified address and throttled
// requests are indistinguishable from a sent code.
func (u *UI) forgotPost(c *call) error {
	if err := c.acceptPost(u.limits.ForgotPassword); err != nil {
		return err
	}
	username := c.r.PostForm.Get("username")
	if username == "" || len(username) > maxNameLen {
		return c.renderName(forgotForm, http.StatusBadRequest, "", "error.required")
	}
	if _, err := u.accounts.ForgotPassword(c.r.Context(), c.t.Pool, username); err != nil && account.TypeOf(err) == "" {
		return err
	}
	return c.renderReset(http.StatusOK, username, "reset.sent", nil, "")
}

func (c *call) renderReset(status int, username, noticeKey string, fields map[string]string, errKey string) error {
	return c.renderPassword(resetForm, status, username, noticeKey, fields, errKey)
}

// resetPage is GET /confirmForgotPassword (also /confirmforgotPassword,
// the spelling Cognito uses).
func (u *UI) resetPage(c *call) error {
	if err := c.authorizeRequest(); err != nil {
		return err
	}
	return c.renderReset(http.StatusOK, c.queryName(), "", nil, "")
}

// resetPost is POST /confirmForgotPassword: fields username, code,
// password and confirm_password. Success leads to the sign-in page with
// a notice.
func (u *UI) resetPost(c *call) error {
	if err := c.acceptPost(u.limits.ForgotPassword); err != nil {
		return err
	}
	f := c.r.PostForm
	username, code, password := f.Get("username"), f.Get("code"), f.Get("password")
	if username == "" || len(username) > maxNameLen {
		return c.renderReset(http.StatusBadRequest, "", "", nil, "error.required")
	}
	if fields := c.newPasswordErrors(f); fields != nil {
		return c.renderReset(http.StatusBadRequest, username, "", fields, "")
	}
	err := u.accounts.ConfirmForgotPassword(c.r.Context(), c.t.Pool, username, code, password)
	switch account.TypeOf(err) {
	case "":
		if err != nil {
			return err
		}
		c.redirect(http.StatusSeeOther, c.local("/login", url.Values{"notice": {"password_reset"}}))
		return nil
	case account.InvalidPasswordException:
		return c.renderReset(http.StatusBadRequest, username, "", map[string]string{"password": c.passwordMessage(err)}, "")
	}
	msg, _ := c.codeMessage(err)
	return c.renderReset(http.StatusBadRequest, username, "", map[string]string{"code": msg}, "")
}
