package hostedui

import (
	"errors"
	"net/http"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/pool"
)

// passkeySignInPage is GET /passkeySignIn: the sign-in with a passkey
// (any discoverable passkey of the pool), offered by the sign-in page
// when the pool allows it. The page links back to the other ways to
// sign in, which it shows at once where the browser has no WebAuthn or
// the ceremony fails.
func (u *UI) passkeySignInPage(c *call) error {
	if err := c.authorizeRequest(); err != nil {
		return err
	}
	if !c.localSignIn() {
		return badRequest("error.no_local_sign_in")
	}
	if !c.passkeysEnabled() {
		return passkeysUnavailable()
	}
	return c.renderPasskeySignIn(http.StatusOK, "")
}

func (c *call) renderPasskeySignIn(status int, errKey string) error {
	rp, err := c.relyingParty()
	if err != nil {
		return err
	}
	options, state, err := c.u.passkeys.BeginSignIn(c.r.Context(), c.t.Pool, nil, rp)
	if account.TypeOf(err) != "" {
		return passkeysUnavailable()
	}
	if err != nil {
		return err
	}
	v := c.form("page.passkey_sign_in", "/passkeySignIn", "")
	v.Passkey = &passkeyView{Options: string(options), State: state}
	v.setErrors(nil, errKey)
	c.scripted(v)
	return c.render(status, "passkey", v)
}

// passkeySignInPost is POST /passkeySignIn: the ceremony's state and the
// browser's answer (credential). A passkey that proves its user finishes
// the sign-in as any first factor does (signInWith); any refusal shows
// the page again with one message, which tells nothing about accounts,
// except the account-state messages a password would get too.
func (u *UI) passkeySignInPost(c *call) error {
	if err := c.acceptPost(u.limits.Login); err != nil {
		return err
	}
	if !c.localSignIn() {
		return badRequest("error.no_local_sign_in")
	}
	if !c.passkeysEnabled() {
		return passkeysUnavailable()
	}
	form := c.r.PostForm
	state, cred := form.Get("state"), form.Get("credential")
	if state == "" || cred == "" || len(cred) > maxCredentialLen {
		return c.renderPasskeySignIn(http.StatusBadRequest, "passkey.failed")
	}
	rp, err := c.relyingParty()
	if err != nil {
		return err
	}
	user, verified, err := u.passkeys.FinishSignIn(c.r.Context(), c.t.Pool, rp, state, []byte(cred))
	if err != nil {
		if account.TypeOf(err) == "" {
			return err
		}
		key := "passkey.failed"
		switch {
		case errors.Is(err, account.ErrDisabled):
			key = "error.disabled"
		case account.TypeOf(err) == account.PasswordResetRequiredException:
			key = "error.reset_required"
		}
		return c.renderPasskeySignIn(http.StatusBadRequest, key)
	}
	// The user is known only now, from the passkey: pre authentication
	// runs before the sign-in goes on.
	if err := u.accounts.PreAuthentication(c.r.Context(), c.t.Pool, user); err != nil {
		if account.IsTriggerFailure(err) {
			return c.renderPasskeySignIn(http.StatusBadRequest, "error.refused")
		}
		return err
	}
	first := account.ByPasskey
	if verified {
		first = account.ByPasskeyVerified
	}
	return c.signInWith(user, pool.ProviderCognito, first)
}
