package hostedui

import (
	"net/http"
	"strings"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/pool"
)

func (c *call) renderChange(status int, username string, fields map[string]string, errKey string) error {
	return c.renderPassword(changeForm, status, username, "", fields, errKey)
}

// changePage is GET /changePassword.
func (u *UI) changePage(c *call) error {
	if err := c.authorizeRequest(); err != nil {
		return err
	}
	return c.renderChange(http.StatusOK, c.queryName(), nil, "")
}

// changePost is POST /changePassword: fields username, current_password
// (the temporary password), password and confirm_password. It answers
// Cognito's NEW_PASSWORD_REQUIRED challenge for users an administrator
// created; success signs the user in. It shares the sign-in limits, since
// it checks a password.
func (u *UI) changePost(c *call) error {
	if err := c.acceptPost(u.limits.Login); err != nil {
		return err
	}
	if !c.localSignIn() {
		return badRequest("error.no_local_sign_in")
	}
	f := c.r.PostForm
	username, current, password := f.Get("username"), f.Get("current_password"), f.Get("password")
	if username == "" || len(username) > maxNameLen || current == "" || len(current) > maxPasswordLen {
		return c.renderChange(http.StatusBadRequest, "", nil, "error.incorrect")
	}
	if err := c.limit(u.limits.LoginUser, strings.ToLower(username)); err != nil {
		return err
	}
	if fields := c.newPasswordErrors(f); fields != nil {
		return c.renderChange(http.StatusBadRequest, username, fields, "")
	}
	user, err := u.accounts.CompleteNewPassword(c.r.Context(), c.t.Pool, username, current, password)
	if err == nil {
		return c.signInWith(user, pool.ProviderCognito, account.ByPassword)
	}
	if account.TypeOf(err) == account.InvalidPasswordException {
		return c.renderChange(http.StatusBadRequest, username, map[string]string{"password": c.passwordMessage(err)}, "")
	}
	key, ok := signInMessage(err)
	if !ok {
		return err
	}
	return c.renderChange(http.StatusBadRequest, username, nil, key)
}
