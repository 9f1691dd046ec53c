package hostedui

import (
	"html/template"
	"net/http"
	"strings"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/pool"
)

// maxPasswordLen bounds passwords taken from forms: Cognito passwords
// have at most 256 characters, at most 1024 bytes of UTF-8.
const maxPasswordLen = 1024

// loginPage is GET /login (Cognito "Login endpoint").
func (u *UI) loginPage(c *call) error {
	if err := c.authorizeRequest(); err != nil {
		return err
	}
	return c.renderLogin(http.StatusOK, "", "")
}

func (c *call) renderLogin(status int, username, errKey string) error {
	v := c.form("page.login", "/login", "")
	v.Values["username"] = username
	v.setErrors(nil, errKey)
	providers, err := c.providerButtons()
	if err != nil {
		return err
	}
	v.Providers = providers
	v.LocalSignIn = c.localSignIn()
	if c.codeSignIn() {
		v.CodeSignIn = template.URL(c.local("/login/code", nil))
	}
	if !v.LocalSignIn {
		v.SignUpAllowed = false
	}
	v.PasskeySignIn = v.LocalSignIn && c.passkeysEnabled() && c.passkeyOrigin()
	return c.render(status, "login", v)
}

// localSignIn reports whether the page's client signs users in with the
// pool's own form (COGNITO in SupportedIdentityProviders); without an
// authorization request, the form is shown.
func (c *call) localSignIn() bool { return c.auth == nil || c.auth.Client.SupportsCognito() }

// loginPost is POST /login: fields username and password. Success opens
// a session and completes the authorization. An unknown user, a wrong
// password and a locked-out user get the same page; an unconfirmed user
// with the right password gets a new code and the confirmation page, and
// so does the browser that just signed up a taken name, with that name
// and password (account.Service.AuthenticateSignedUp); a
// user with an administrator's temporary password gets the new-password
// page.
func (u *UI) loginPost(c *call) error {
	if err := c.acceptPost(u.limits.Login); err != nil {
		return err
	}
	if !c.localSignIn() {
		return badRequest("error.no_local_sign_in")
	}
	username, password := c.r.PostForm.Get("username"), c.r.PostForm.Get("password")
	if len(username) > maxNameLen || len(password) > maxPasswordLen {
		return c.renderLogin(http.StatusBadRequest, "", "error.incorrect")
	}
	if username == "" || password == "" {
		return c.renderLogin(http.StatusBadRequest, username, "error.incorrect")
	}
	// The limit per address and username counts failures only: the
	// attempt takes an event before the password is checked, which bounds
	// concurrent guesses, and a right password gives it back.
	userKey := strings.ToLower(username)
	if err := c.limit(u.limits.LoginUser, userKey); err != nil {
		return err
	}
	user, err := u.accounts.AuthenticateSignedUp(c.r.Context(), c.t.Pool, c.pendingTicket(), username, password)
	switch account.TypeOf(err) {
	case "":
		if err != nil {
			return err
		}
		c.refund(u.limits.LoginUser, userKey)
		return c.signInWith(user, pool.ProviderCognito, account.ByPassword)
	case account.UserNotConfirmedException:
		return c.resendAndConfirm(username, password, err)
	case account.NewPasswordRequired:
		c.refund(u.limits.LoginUser, userKey)
		return c.renderChange(http.StatusOK, username, nil, "")
	}
	key, ok := signInMessage(err)
	if !ok {
		return err
	}
	return c.renderLogin(http.StatusBadRequest, username, key)
}
