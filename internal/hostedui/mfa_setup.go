package hostedui

import (
	"net/http"
	"slices"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/pool"
)

// setupState opens the MFA cookie of a sign-in that must set up a factor
// (MFA_SETUP); a sign-in at another step is sent to /mfa (ok false).
func (c *call) setupState() (st mfaState, user pool.User, ok bool, err error) {
	st, user, err = c.signInState()
	if err != nil {
		return st, user, false, c.mfaRestart(err)
	}
	if st.Challenge != account.ChallengeMFASetup {
		c.redirect(http.StatusSeeOther, c.local("/mfa", nil))
		return st, user, false, nil
	}
	return st, user, true, nil
}

// mfaSetupPage is GET /mfa/setup: the choice of the factor to set up or,
// with one to offer or one chosen, its set-up: the authenticator app's
// QR code and key, or the code mailed to the user's address.
func (u *UI) mfaSetupPage(c *call) error {
	st, user, ok, err := c.setupState()
	if !ok {
		return err
	}
	if st.Setup == "" && len(st.Options) == 1 {
		return c.beginSetup(st, user, st.Options[0])
	}
	return c.renderMFAAt("/mfa/setup", st, user, http.StatusOK, "", "")
}

// mfaSetupPost is POST /mfa/setup: factor (begin that set-up), choose
// (back to the choice), resend (a new email code) or code (finish the
// set-up; the user is then signed in with the new factor).
func (u *UI) mfaSetupPost(c *call) error {
	if err := c.limit(u.limits.Login, ""); err != nil {
		return err
	}
	if err := c.parseForm(); err != nil {
		return err
	}
	st, user, ok, err := c.setupState()
	if !ok {
		return err
	}
	f := c.r.PostForm
	switch {
	case f.Get("factor") != "":
		return c.beginSetup(st, user, f.Get("factor"))
	case f.Get("choose") != "" && len(st.Options) > 1:
		st.Setup, st.Secret, st.Sent = "", "", ""
		if err := c.setMFA(st); err != nil {
			return err
		}
		return c.renderMFAAt("/mfa/setup", st, user, http.StatusOK, "", "")
	case st.Setup == "":
		return c.renderMFAAt("/mfa/setup", st, user, http.StatusBadRequest, "", "error.mfa_choose")
	case st.Setup == pool.FactorEmail && f.Get("resend") != "":
		return c.sendMFACode(st, user, "/mfa/setup")
	}
	code := normalizeCode(f.Get("code"))
	if code == "" || len(code) > maxCodeLen {
		return c.renderMFAAt("/mfa/setup", st, user, http.StatusBadRequest, c.cat.T("error.code_invalid"), "")
	}
	ctx := c.r.Context()
	var verified pool.User
	switch st.Setup {
	case pool.FactorSoftwareToken:
		verified, err = u.accounts.VerifySoftwareToken(ctx, c.t.Pool, user.Sub, code, "")
		if account.TypeOf(err) == account.EnableSoftwareTokenMFAException {
			return c.renderMFAAt("/mfa/setup", st, user, http.StatusBadRequest, c.cat.T("error.code_invalid"), "")
		}
	case pool.FactorEmail:
		verified, err = u.accounts.VerifyEmailOTP(ctx, c.t.Pool, user.Sub, code, pool.CodeEmailMFA)
		if err == nil {
			pref := account.MFAPreference{Email: &account.FactorSetting{Enabled: true, Preferred: verified.MFA.Preferred == ""}}
			verified, err = u.accounts.SetMFAPreference(ctx, c.t.Pool, user.Sub, pref)
		}
	default:
		return c.mfaRestart(errMFAState)
	}
	if err != nil {
		return c.mfaCodeFailed(st, user, "/mfa/setup", err)
	}
	return c.finishMFA(st, verified, st.Setup)
}

// beginSetup starts setting up factor, one of the step's options: a new
// authenticator secret (AssociateSoftwareToken), kept in the sealed
// cookie while its page is shown, or a code mailed to the user's
// address, which proves it before the factor is enabled.
func (c *call) beginSetup(st mfaState, user pool.User, factor string) error {
	if !slices.Contains(st.Options, factor) {
		return c.renderMFAAt("/mfa/setup", st, user, http.StatusBadRequest, "", "error.mfa_choose")
	}
	st.Setup, st.Secret, st.Sent = factor, "", ""
	if factor == pool.FactorEmail {
		return c.sendMFACode(st, user, "/mfa/setup")
	}
	secret, err := c.u.accounts.AssociateSoftwareToken(c.r.Context(), c.t.Pool, user.Sub)
	if err != nil {
		return err
	}
	st.Secret = secret
	if err := c.setMFA(st); err != nil {
		return err
	}
	return c.renderMFAAt("/mfa/setup", st, user, http.StatusOK, "", "")
}
