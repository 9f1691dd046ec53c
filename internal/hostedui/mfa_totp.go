package hostedui

import (
	"errors"
	"net/http"
	"slices"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
)

// The signed-in user's factors: /mfa/totp sets up a new authenticator
// app, which replaces the current one only once a code from it is
// verified, and changes the preferred factor. It needs the browser's
// session; without one it leads to the sign-in page.

// manageSession returns the browser's session and its user, or, without
// one, redirects to the sign-in page (ok false).
func (c *call) manageSession() (s store.Session, user pool.User, ok bool, err error) {
	s, user, ok, err = c.session()
	if err != nil || ok {
		return s, user, ok, err
	}
	c.redirect(http.StatusSeeOther, c.local("/login", nil))
	return s, user, false, nil
}

// manageState returns the authenticator set-up pending for session s,
// if any.
func (c *call) manageState(s store.Session) (mfaState, bool, error) {
	st, _, err := c.openMFA(mfaManage)
	if errors.Is(err, errMFAState) || err == nil && st.Session != s.ID {
		return mfaState{}, false, nil
	}
	if err != nil {
		return mfaState{}, false, err
	}
	return st, true, nil
}

// mfaTOTPPage is GET /mfa/totp.
func (u *UI) mfaTOTPPage(c *call) error {
	s, user, ok, err := c.manageSession()
	if !ok {
		return err
	}
	st, pending, err := c.manageState(s)
	if err != nil {
		return err
	}
	if !pending {
		st = mfaState{}
	}
	return c.renderManage(http.StatusOK, user, st, "", "", "")
}

// mfaTOTPPost is POST /mfa/totp: new (set up a new authenticator app),
// code (verify it: it becomes the user's device), cancel, or preferred
// (make an enabled factor the preferred one).
func (u *UI) mfaTOTPPost(c *call) error {
	if err := c.acceptPost(u.limits.Login); err != nil {
		return err
	}
	s, user, ok, err := c.manageSession()
	if !ok {
		return err
	}
	if c.t.Pool.MFA.MFAMode() == pool.MFAOff {
		return c.renderManage(http.StatusBadRequest, user, mfaState{}, "", "", "")
	}
	ctx := c.r.Context()
	f := c.r.PostForm
	st, pending, err := c.manageState(s)
	if err != nil {
		return err
	}
	switch {
	case f.Get("new") != "":
		if !c.offers(pool.FactorSoftwareToken) {
			return c.renderManage(http.StatusBadRequest, user, mfaState{}, "", "", "error.mfa_choose")
		}
		secret, err := u.accounts.AssociateSoftwareToken(ctx, c.t.Pool, user.Sub)
		if err != nil {
			return err
		}
		now := c.u.now()
		st = mfaState{
			ID: randomToken(16), Kind: mfaManage, Pool: c.t.Pool.ID, Sub: user.Sub, Session: s.ID,
			Setup: pool.FactorSoftwareToken, Secret: secret, AuthTime: now.UnixMicro(), Expires: now.Add(mfaTTL).UnixMicro(),
		}
		if err := c.setMFA(st); err != nil {
			return err
		}
		return c.renderManage(http.StatusOK, user, st, "", "", "")
	case f.Get("cancel") != "":
		c.clearMFA()
		return c.renderManage(http.StatusOK, user, mfaState{}, "", "", "")
	case f.Get("preferred") != "":
		pref, ok := c.preference(user, f.Get("preferred"))
		if !ok {
			return c.renderManage(http.StatusBadRequest, user, st, "", "", "error.mfa_choose")
		}
		user, err = u.accounts.SetMFAPreference(ctx, c.t.Pool, user.Sub, pref)
		if account.TypeOf(err) != "" {
			return c.renderManage(http.StatusBadRequest, user, st, "", "", "error.mfa_choose")
		}
		if err != nil {
			return err
		}
		return c.renderManage(http.StatusOK, user, st, "mfa.preferred_saved", "", "")
	}
	if !pending {
		return c.renderManage(http.StatusBadRequest, user, mfaState{}, "", "", "error.mfa_state_manage")
	}
	code := normalizeCode(f.Get("code"))
	if code == "" || len(code) > maxCodeLen {
		return c.renderManage(http.StatusBadRequest, user, st, "", c.cat.T("error.code_invalid"), "")
	}
	updated, err := u.accounts.VerifySoftwareToken(ctx, c.t.Pool, user.Sub, code, "")
	switch {
	case err == nil:
		c.clearMFA()
		return c.renderManage(http.StatusOK, updated, mfaState{}, "mfa.totp_replaced", "", "")
	case account.TypeOf(err) == "":
		return err
	case errors.Is(err, account.ErrLockedOut), account.TypeOf(err) == account.LimitExceededException:
		return c.renderManage(http.StatusBadRequest, user, st, "", "", "error.limit")
	}
	return c.renderManage(http.StatusBadRequest, user, st, "", c.cat.T("error.code_invalid"), "")
}

// offers reports whether the pool offers second factor f.
func (c *call) offers(f string) bool { return slices.Contains(c.t.Pool.MFA.Factors(), f) }

// preference is the SetMFAPreference request that makes factor, one the
// user has enabled, the preferred one, keeping the enabled factors.
func (c *call) preference(user pool.User, factor string) (account.MFAPreference, bool) {
	enabled := user.MFAFactors(c.t.Pool.MFA)
	found := false
	var pref account.MFAPreference
	for _, f := range enabled {
		set := &account.FactorSetting{Enabled: true, Preferred: f == factor}
		found = found || f == factor
		switch f {
		case pool.FactorSoftwareToken:
			pref.SoftwareToken = set
		case pool.FactorEmail:
			pref.Email = set
		}
	}
	return pref, found
}

// renderManage renders /mfa/totp for user: the enabled factors with
// buttons to prefer one, and either the button to set up a new
// authenticator app or, with st pending, its QR code, key and code
// prompt.
func (c *call) renderManage(status int, user pool.User, st mfaState, noticeKey, codeErr, errKey string) error {
	v := c.form("page.mfa_manage", "/mfa/totp", "")
	m := &mfaView{Mode: "manage", Preferred: user.MFA.Preferred}
	factors := user.MFAFactors(c.t.Pool.MFA)
	for _, f := range factors {
		switch f {
		case pool.FactorSoftwareToken:
			m.HasTOTP = true
		case pool.FactorEmail:
			m.HasEmail = true
		}
	}
	if len(factors) > 1 {
		m.Options = c.mfaOptions(factors)
	}
	if c.t.Pool.MFA.MFAMode() == pool.MFAOff {
		m.Mode = "off"
	}
	if st.Secret != "" {
		m.Mode, m.Factor, m.Digits = "manage_totp", pool.FactorSoftwareToken, totpCodeDigits
		m.Secret = groupSecret(st.Secret)
		qr, err := qrSVG(account.TOTPURI(c.t.Pool, user, st.Secret), c.cat.T("mfa.qr_label"))
		if err != nil {
			return err
		}
		m.QR = qr
	}
	m.Choose = c.offers(pool.FactorSoftwareToken)
	v.MFA = m
	if noticeKey != "" {
		v.Notice = c.cat.T(noticeKey)
	}
	if codeErr != "" {
		v.Fields["code"] = codeErr
	}
	v.setErrors(nil, errKey)
	return c.render(status, "mfa", v)
}
