package hostedui

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/pool"
)

func (c *call) renderConfirm(status int, username, destination, codeErr, errKey string) error {
	v := c.form("page.confirm", "/confirm", username)
	v.HideUsername = username != ""
	v.Destination = destination
	if codeErr != "" {
		v.Fields["code"] = codeErr
	}
	v.setErrors(nil, errKey)
	return c.render(status, "confirm", v)
}

// queryName returns a username carried in the query, if it is short
// enough to be one.
func (c *call) queryName() string {
	if n := c.r.URL.Query().Get("username"); len(n) <= maxNameLen {
		return n
	}
	return ""
}

// confirmPage is GET /confirm and /confirmUser. Cognito's confirmation
// links name the user and the code in user_name and confirmation_code;
// they fill the form, but only the user's post confirms, so a mail
// scanner that follows the link confirms nothing.
func (u *UI) confirmPage(c *call) error {
	if err := c.authorizeRequest(); err != nil {
		return err
	}
	q := c.r.URL.Query()
	name := c.queryName()
	if n := q.Get("user_name"); name == "" && len(n) <= maxNameLen {
		name = n
	}
	v := c.form("page.confirm", "/confirm", name)
	v.HideUsername = name != ""
	if code := q.Get("confirmation_code"); len(code) <= 64 {
		v.Values["code"] = code
	}
	return c.render(http.StatusOK, "confirm", v)
}

// confirmPost is POST /confirm: fields username and code. When the same
// browser signed the account up and an authorization is pending, the user
// is signed in and sent to the client, as in Cognito, when the client
// takes the pool's own sign-in (COGNITO); otherwise the sign-in page says
// the account is confirmed.
func (u *UI) confirmPost(c *call) error {
	if err := c.acceptPost(u.limits.SignUp); err != nil {
		return err
	}
	username, code := c.r.PostForm.Get("username"), c.r.PostForm.Get("code")
	if username == "" || len(username) > maxNameLen {
		return c.renderConfirm(http.StatusBadRequest, "", "", "", "error.required")
	}
	user, err := u.accounts.ConfirmSignUp(c.r.Context(), c.t.Pool, username, code)
	if err != nil {
		msg, ok := c.codeMessage(err)
		if !ok {
			return err
		}
		return c.renderConfirm(http.StatusBadRequest, username, "", msg, "")
	}
	if c.pendingFor(user.Sub) && c.auth != nil && c.localSignIn() {
		return c.signInWith(user, pool.ProviderCognito, account.ByPassword)
	}
	c.redirect(http.StatusSeeOther, c.local("/login", url.Values{"notice": {"confirmed"}}))
	return nil
}

// resendAndConfirm answers the sign-in of an unconfirmed user who gave
// the right password (notConfirmed is the UserNotConfirmedException): a
// new code is mailed, the browser remembers the sign-up for the automatic
// sign-in after confirmation, and the confirmation page is shown. For a
// concealed sign-up (account.ErrSignUpNotStored) the page and the cookie
// are the same and no account is acted on. The page does not name the
// address, which a concealed sign-up could not do.
func (c *call) resendAndConfirm(username, password string, notConfirmed error) error {
	ctx := c.r.Context()
	ticket := c.pendingTicket()
	if !errors.Is(notConfirmed, account.ErrSignUpNotStored) {
		if _, err := c.u.accounts.ResendConfirmationCode(ctx, c.t.Pool, username); err != nil && account.TypeOf(err) == "" {
			return err
		}
		user, err := c.u.accounts.Lookup(ctx, c.t.Pool, username)
		switch {
		case err == nil:
			ticket = c.u.accounts.SignUpTicket(c.t.Pool, user.Sub, username, password)
		case account.TypeOf(err) == "":
			return err
		}
	}
	if ticket != "" {
		c.setPending(ticket)
	}
	return c.renderConfirm(http.StatusOK, username, "", "", "")
}

// resendPage is GET /resendcode.
func (u *UI) resendPage(c *call) error {
	if err := c.authorizeRequest(); err != nil {
		return err
	}
	return c.renderName(resendForm, http.StatusOK, c.queryName(), "")
}

// resendPost is POST /resendcode: field username. Whatever the account's
// state, or whether it exists, the answer is the same confirmation page.
func (u *UI) resendPost(c *call) error {
	if err := c.acceptPost(u.limits.SignUp); err != nil {
		return err
	}
	username := c.r.PostForm.Get("username")
	if username == "" || len(username) > maxNameLen {
		return c.renderName(resendForm, http.StatusBadRequest, "", "error.required")
	}
	if _, err := u.accounts.ResendConfirmationCode(c.r.Context(), c.t.Pool, username); err != nil && account.TypeOf(err) == "" {
		return err
	}
	v := c.form("page.confirm", "/confirm", username)
	v.HideUsername = true
	v.Notice = c.cat.T("resend.sent")
	return c.render(http.StatusOK, "confirm", v)
}
