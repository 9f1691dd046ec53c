package hostedui

import (
	"errors"
	"net/http"
	"unicode/utf8"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/pool"
)

// signupPage is GET /signup.
func (u *UI) signupPage(c *call) error {
	if err := c.authorizeRequest(); err != nil {
		return err
	}
	if !c.localSignIn() {
		return badRequest("error.no_local_sign_in")
	}
	if c.t.Pool.AllowAdminCreateUserOnly {
		return c.signUpDisabled()
	}
	return c.renderSignup(http.StatusOK, nil, nil, "")
}

func (c *call) signUpDisabled() error {
	v := c.view("page.signup", "/signup", "")
	v.Error = c.cat.T("error.signup_disabled")
	v.Back, v.BackLabel = v.Links["login"], "link.back_to_login"
	return c.render(http.StatusForbidden, "message", v)
}

func (c *call) renderSignup(status int, values, fields map[string]string, errKey string) error {
	v := c.form("page.signup", "/signup", "")
	for k, val := range values {
		v.Values[k] = val
	}
	v.setErrors(fields, errKey)
	v.Hints = c.passwordHints()
	return c.render(status, "signup", v)
}

// signupPost is POST /signup: fields username (unless the email address
// is the username), email and password. A taken username or address
// gets exactly the answer of a fresh sign-up, and the owner a mail
// (account.SignUpInput.ConcealExisting); so does a sign-in with the same
// name and password from this browser afterwards (loginPost). Pools that
// auto-confirm sign the user in and complete the authorization at once.
// A client without COGNITO takes no sign-up (nor the page).
func (u *UI) signupPost(c *call) error {
	if err := c.acceptPost(u.limits.SignUp); err != nil {
		return err
	}
	if !c.localSignIn() {
		return badRequest("error.no_local_sign_in")
	}
	if c.t.Pool.AllowAdminCreateUserOnly {
		return c.signUpDisabled()
	}
	f := c.r.PostForm
	username, email, password := f.Get("username"), f.Get("email"), f.Get("password")
	values := map[string]string{"username": username, "email": email}
	fields := map[string]string{}
	for name, val := range values {
		if utf8.RuneCountInString(val) > maxNameLen {
			fields[name] = c.cat.T("error.too_long")
			values[name] = ""
		}
	}
	if len(password) > maxPasswordLen {
		fields["password"] = c.cat.T("error.password_too_long")
	}
	if len(fields) > 0 {
		return c.renderSignup(http.StatusBadRequest, values, fields, "")
	}
	in := account.SignUpInput{Password: password, Lang: c.cat.Lang(), ConcealExisting: true, Attributes: map[string]string{}}
	confirmName := username
	if c.t.Pool.EmailIsUsername() {
		in.Username, confirmName = email, email
	} else {
		in.Username = username
		if email != "" {
			in.Attributes["email"] = email
		}
	}
	res, err := u.accounts.SignUp(c.r.Context(), c.t.Pool, in)
	deliveryFailed := false
	var ae *account.Error
	switch {
	case err == nil:
	case errors.As(err, &ae) && ae.Type == account.CodeDeliveryFailureException:
		deliveryFailed = true
	case errors.As(err, &ae) && ae.Type == account.InvalidPasswordException:
		fields["password"] = c.passwordMessage(err)
		return c.renderSignup(http.StatusBadRequest, values, fields, "")
	case errors.As(err, &ae) && ae.Type == account.InvalidParameterException:
		field, msg := c.signUpFieldError(ae, username, email)
		if field == "" {
			return c.renderSignup(http.StatusBadRequest, values, nil, "error.invalid_input")
		}
		fields[field] = msg
		return c.renderSignup(http.StatusBadRequest, values, fields, "")
	case errors.As(err, &ae) && ae.Type == account.NotAuthorizedException:
		return c.signUpDisabled()
	case account.IsTriggerFailure(err) && res.User.Sub == "":
		// Pre sign-up refused: nothing was stored.
		return c.renderSignup(http.StatusBadRequest, values, nil, "error.refused")
	case errors.As(err, &ae) && account.IsTriggerFailure(err):
		// The user exists (a custom message or post confirmation
		// failed): go on as after a failed delivery.
		deliveryFailed = true
	case errors.As(err, &ae):
		return c.renderSignup(http.StatusBadRequest, values, nil, "error.limit")
	default:
		return err
	}
	if res.Confirmed {
		return c.signInWith(res.User, pool.ProviderCognito, account.ByPassword)
	}
	c.setPending(u.accounts.SignUpTicket(c.t.Pool, res.User.Sub, in.Username, password))
	dest := ""
	if res.Delivery != nil {
		dest = res.Delivery.Destination
	}
	errKey := ""
	if deliveryFailed {
		errKey = "error.delivery_failed"
	}
	return c.renderConfirm(http.StatusOK, confirmName, dest, "", errKey)
}
