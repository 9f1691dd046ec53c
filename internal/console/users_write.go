package console

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/pool"
)

// newUserData is the form that creates a user.
type newUserData struct {
	Pool            pool.Pool
	CSRF            string
	Username, Email string
	// EmailIsUsername: the pool's usernames are email addresses, so the
	// form asks for the address alone.
	EmailIsUsername bool
	Error           string
}

func (c *Console) newUserForm(w http.ResponseWriter, r *http.Request, op operator) {
	p, ok := c.findPool(w, r)
	if !ok {
		return
	}
	c.render(w, r, http.StatusOK, "user_new", view{Op: &op, Title: "console.title.user_new", Nav: "pools",
		Page: newUserData{Pool: p, CSRF: op.CSRF, EmailIsUsername: p.EmailIsUsername()}})
}

// createUser creates a user with the account service's AdminCreateUser,
// as the JSON API's AdminCreateUser with DesiredDeliveryMediums EMAIL:
// a generated temporary password mailed in the invitation (never shown
// here), the user FORCE_CHANGE_PASSWORD.
func (c *Console) createUser(w http.ResponseWriter, r *http.Request, op operator) {
	p, ok := c.findPool(w, r)
	if !ok {
		return
	}
	d := newUserData{Pool: p, CSRF: op.CSRF, EmailIsUsername: p.EmailIsUsername(),
		Username: strings.TrimSpace(r.PostFormValue("username")), Email: strings.TrimSpace(r.PostFormValue("email"))}
	in := account.AdminCreateUserInput{Username: d.Username, EmailDelivery: true}
	if d.EmailIsUsername {
		in.Username = d.Email
	}
	if d.Email != "" {
		in.Attributes = map[string]string{pool.AttrEmail: d.Email}
	}
	res, err := c.cfg.Admin.Accounts().AdminCreateUser(r.Context(), p, in)
	var ae *account.Error
	if asAccountError(err, &ae) && ae.Type != account.CodeDeliveryFailureException {
		d.Error = ae.Type + ": " + ae.Message
		c.render(w, r, http.StatusBadRequest, "user_new", view{Op: &op, Title: "console.title.user_new", Nav: "pools", Page: d})
		return
	}
	if err != nil && res.User.Sub == "" {
		c.failure(w, r, err)
		return
	}
	done := "created"
	if err != nil {
		// Created, as in Cognito, but the mailer did not take the
		// invitation.
		done = "created_unmailed"
	}
	http.Redirect(w, r, userURL(p.ID, res.User.Sub)+"?done="+done, http.StatusSeeOther)
}

// userAction runs one of the account service's administrative actions
// on the user of the request, then shows the user with done (or, for
// done "", the pool's users). selfKey, when set, refuses the action on
// the signed-in operator's own account with that message; confirm
// requires the posted confirm field to be the username.
func (c *Console) userAction(w http.ResponseWriter, r *http.Request, op operator, selfKey string, confirm bool,
	run func(*account.Service, pool.Pool, string) error, done string) {
	p, u, ok := c.findUser(w, r)
	if !ok {
		return
	}
	if confirm && r.PostFormValue("confirm") != u.Username {
		c.errorPage(w, r, http.StatusBadRequest, "console.error.confirm_user")
		return
	}
	if selfKey != "" && p.ID == SystemPoolID && u.Sub == op.Sub {
		c.errorPage(w, r, http.StatusBadRequest, selfKey)
		return
	}
	if err := run(c.cfg.Admin.Accounts(), p, u.Username); err != nil {
		c.fail(w, r, err)
		return
	}
	if done == "" {
		http.Redirect(w, r, "/console/pools/"+url.PathEscape(p.ID)+"/users", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, userURL(p.ID, u.Sub)+"?done="+done, http.StatusSeeOther)
}

// resetPassword is AdminResetUserPassword: the user must choose a new
// password with the code mailed to their verified address.
func (c *Console) resetPassword(w http.ResponseWriter, r *http.Request, op operator) {
	c.userAction(w, r, op, "console.error.reset_self", false, func(a *account.Service, p pool.Pool, username string) error {
		return a.AdminResetUserPassword(r.Context(), p, username)
	}, "reset")
}

// signOutUser is AdminUserGlobalSignOut: every token and hosted-UI
// session of the user ends.
func (c *Console) signOutUser(w http.ResponseWriter, r *http.Request, op operator) {
	c.userAction(w, r, op, "", false, func(a *account.Service, p pool.Pool, username string) error {
		return a.GlobalSignOut(r.Context(), p, username)
	}, "signed_out")
}

// deleteUser is AdminDeleteUser, once the operator has typed the
// username; an operator cannot delete their own account.
func (c *Console) deleteUser(w http.ResponseWriter, r *http.Request, op operator) {
	c.userAction(w, r, op, "console.error.delete_self", true, func(a *account.Service, p pool.Pool, username string) error {
		return a.AdminDeleteUser(r.Context(), p, username)
	}, "")
}

// factorsData is a user's second factors and passkeys, read-only.
type factorsData struct {
	// Factors are the enabled MFA factors (Cognito's UserMFASettingList);
	// Preferred the preferred one.
	Factors   []string
	Preferred string
	Passkeys  []pool.WebAuthnCredential
}

// factors reads a user's second factors and passkeys.
func (c *Console) factors(r *http.Request, u pool.User) (factorsData, error) {
	creds, err := c.cfg.Store.ListWebAuthnCredentials(r.Context(), u.PoolID, u.Sub)
	if err != nil {
		return factorsData{}, err
	}
	return factorsData{Factors: u.MFA.EnabledFactors(), Preferred: u.MFA.Preferred, Passkeys: creds}, nil
}
