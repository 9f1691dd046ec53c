package hostedui

import (
	"errors"
	"html/template"
	"net/http"
	"slices"
	"strings"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/pool"
)

// The second-factor pages. signInWith sends a sign-in that proved its
// first factor here, with the MFA cookie, when account.NextStep asks for
// more: /mfa prompts for the code of SOFTWARE_TOKEN_MFA or EMAIL_OTP, or
// lets the user choose (SELECT_MFA_TYPE); /mfa/setup walks a user
// without a factor through setting one up (MFA_SETUP). Only the right
// code opens the session, with the factor as its SecondFactor, and
// completes the authorization request the sign-in began with.

// maxCodeLen bounds codes taken from the forms.
const maxCodeLen = 64

// The lengths of the codes the pages ask for, as internal/account checks
// them: an authenticator app's, and a code sent by email.
const (
	totpCodeDigits  = 6
	emailCodeDigits = 8
)

// mfaView is the data of the multi-factor pages.
type mfaView struct {
	// Mode is "code", "select", "setup_choose", "setup_totp",
	// "setup_email" or "manage".
	Mode string
	// Factor is the factor whose code the page asks for.
	Factor string
	// Digits is the length of that code.
	Digits int
	// Options are the factors to choose from, with their labels.
	Options []mfaOption
	// Resend shows the button that mails a new code.
	Resend bool
	// Choose shows the button that goes back to the choice of factors.
	Choose bool
	// QR is the authenticator app's set-up URI as an inline SVG; Secret
	// its key in groups of four.
	QR     template.HTML
	Secret string
	// The signed-in user's factors (manage).
	HasTOTP, HasEmail bool
	Preferred         string
}

// mfaOption is a factor offered on a page.
type mfaOption struct {
	Value, Label string
}

// factorLabel names a factor in the page's language.
func (c *call) factorLabel(f string) string {
	switch f {
	case pool.FactorSoftwareToken:
		return c.cat.T("mfa.factor_totp")
	case pool.FactorEmail:
		return c.cat.T("mfa.factor_email")
	}
	return f
}

func (c *call) mfaOptions(factors []string) []mfaOption {
	out := make([]mfaOption, 0, len(factors))
	for _, f := range factors {
		out = append(out, mfaOption{Value: f, Label: c.factorLabel(f)})
	}
	return out
}

// signInState opens the MFA cookie of a pending sign-in and restores the
// authorization request it carries. A state that is not (or no longer)
// valid is errMFAState; the caller restarts the sign-in (mfaRestart).
func (c *call) signInState() (mfaState, pool.User, error) {
	st, u, err := c.openMFA(mfaSignIn)
	if err != nil {
		return mfaState{}, pool.User{}, err
	}
	if st.Query != nil {
		req, err := c.u.oauth.ParseAuthorize(c.r.Context(), c.t.Pool, st.Query)
		if err != nil {
			return mfaState{}, pool.User{}, err
		}
		c.setAuth(req)
		lang := c.carry["lang"]
		c.carry = carried(st.Query)
		if lang != nil {
			c.carry["lang"] = lang
		}
	}
	return st, u, nil
}

// mfaRestart answers a request whose MFA state is gone: the cookie is
// cleared and the sign-in page asks to sign in again. Other errors are
// returned as they are.
func (c *call) mfaRestart(err error) error {
	if !errors.Is(err, errMFAState) {
		return err
	}
	c.clearMFA()
	if err := c.authorizeRequest(); err != nil {
		return err
	}
	return c.renderLogin(http.StatusBadRequest, "", "error.mfa_state")
}

// mfaPage is GET /mfa: the code prompt of the sign-in's factor (an email
// code is mailed on arrival, once), or the choice among its factors.
func (u *UI) mfaPage(c *call) error {
	st, user, err := c.signInState()
	if err != nil {
		return c.mfaRestart(err)
	}
	switch st.Challenge {
	case account.ChallengeMFASetup:
		c.redirect(http.StatusSeeOther, c.local("/mfa/setup", nil))
		return nil
	case pool.FactorEmail:
		if st.Sent == "" {
			return c.sendMFACode(st, user, "/mfa")
		}
	}
	return c.renderMFA(st, user, http.StatusOK, "", "")
}

// sendMFACode mails the email factor's code for the sign-in st and shows
// its prompt; page is the page that prompts. A refused send (a cap) is
// the page's error.
func (c *call) sendMFACode(st mfaState, user pool.User, page string) error {
	dest, err := c.u.accounts.SendEmailOTP(c.r.Context(), c.t.Pool, user.Sub, pool.CodeEmailMFA)
	if err != nil {
		key, ok := sendMessage(err)
		if !ok {
			return err
		}
		if err := c.setMFA(st); err != nil {
			return err
		}
		return c.renderMFAAt(page, st, user, http.StatusBadRequest, "", key)
	}
	st.Sent = dest
	if err := c.setMFA(st); err != nil {
		return err
	}
	return c.renderMFAAt(page, st, user, http.StatusOK, "", "")
}

// sendMessage explains a code that could not be sent; ok is false for
// internal errors.
func sendMessage(err error) (key string, ok bool) {
	switch account.TypeOf(err) {
	case "":
		return "", false
	case account.LimitExceededException:
		return "error.limit", true
	case account.CodeDeliveryFailureException:
		return "error.delivery_failed", true
	}
	return "error.mfa_send", true
}

// mfaPost is POST /mfa: factor (the choice on SELECT_MFA_TYPE), resend
// (a new email code) or code. The right code opens the session and
// completes the authorization; a wrong one is the field's error, and
// counts towards the user's lockout.
func (u *UI) mfaPost(c *call) error {
	if err := c.limit(u.limits.Login, ""); err != nil {
		return err
	}
	if err := c.parseForm(); err != nil {
		return err
	}
	st, user, err := c.signInState()
	if err != nil {
		return c.mfaRestart(err)
	}
	f := c.r.PostForm
	switch {
	case st.Challenge == account.ChallengeSelectMFAType:
		factor := f.Get("factor")
		if !slices.Contains(st.Options, factor) {
			return c.renderMFA(st, user, http.StatusBadRequest, "", "error.mfa_choose")
		}
		st.Challenge, st.Options = factor, nil
		if err := c.setMFA(st); err != nil {
			return err
		}
		c.redirect(http.StatusSeeOther, c.local("/mfa", nil))
		return nil
	case st.Challenge == account.ChallengeMFASetup:
		c.redirect(http.StatusSeeOther, c.local("/mfa/setup", nil))
		return nil
	case st.Challenge == pool.FactorEmail && f.Get("resend") != "":
		return c.sendMFACode(st, user, "/mfa")
	}
	code := normalizeCode(f.Get("code"))
	if code == "" || len(code) > maxCodeLen {
		return c.renderMFA(st, user, http.StatusBadRequest, c.cat.T("error.code_invalid"), "")
	}
	ctx := c.r.Context()
	var verified pool.User
	switch st.Challenge {
	case pool.FactorSoftwareToken:
		verified, err = u.accounts.VerifyTOTP(ctx, c.t.Pool, user.Sub, code)
	case pool.FactorEmail:
		verified, err = u.accounts.VerifyEmailOTP(ctx, c.t.Pool, user.Sub, code, pool.CodeEmailMFA)
	default:
		return c.mfaRestart(errMFAState)
	}
	if err != nil {
		return c.mfaCodeFailed(st, user, "/mfa", err)
	}
	return c.finishMFA(st, verified, st.Challenge)
}

// mfaCodeFailed answers a refused code on page: a locked-out user is
// told so, any other verdict is the code field's error; a factor that
// no longer exists restarts the sign-in.
func (c *call) mfaCodeFailed(st mfaState, user pool.User, page string, err error) error {
	switch {
	case account.TypeOf(err) == "":
		return err
	case account.TypeOf(err) == account.SoftwareTokenMFANotFoundException:
		return c.mfaRestart(errMFAState)
	case errors.Is(err, account.ErrLockedOut), account.TypeOf(err) == account.LimitExceededException:
		return c.renderMFAAt(page, st, user, http.StatusBadRequest, "", "error.limit")
	}
	return c.renderMFAAt(page, st, user, http.StatusBadRequest, c.cat.T("error.code_invalid"), "")
}

// finishMFA ends a sign-in whose second factor (or its set-up) is done:
// the state is spent, the cookie cleared, and the session opened with
// second.
func (c *call) finishMFA(st mfaState, user pool.User, second string) error {
	if err := c.consumeMFA(st); err != nil {
		return c.mfaRestart(err)
	}
	c.clearMFA()
	return c.signIn(user, st.Provider, second)
}

// normalizeCode drops the spaces and dashes people type into codes.
func normalizeCode(s string) string {
	if len(s) > maxCodeLen {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '\t' {
			return -1
		}
		return r
	}, s)
}

func (c *call) renderMFA(st mfaState, user pool.User, status int, codeErr, errKey string) error {
	return c.renderMFAAt("/mfa", st, user, status, codeErr, errKey)
}

// renderMFAAt renders the page of the sign-in's step at page (/mfa or
// /mfa/setup).
func (c *call) renderMFAAt(page string, st mfaState, user pool.User, status int, codeErr, errKey string) error {
	v := c.form("page.mfa", page, "")
	m := &mfaView{}
	switch {
	case st.Challenge == account.ChallengeSelectMFAType:
		m.Mode, m.Options = "select", c.mfaOptions(st.Options)
	case st.Challenge == account.ChallengeMFASetup && st.Setup == "":
		v.Title = "page.mfa_setup"
		m.Mode, m.Options = "setup_choose", c.mfaOptions(st.Options)
	case st.Challenge == account.ChallengeMFASetup && st.Setup == pool.FactorSoftwareToken:
		v.Title = "page.mfa_setup"
		m.Mode, m.Factor, m.Digits = "setup_totp", pool.FactorSoftwareToken, totpCodeDigits
		m.Secret = groupSecret(st.Secret)
		m.Choose = len(st.Options) > 1
		qr, err := qrSVG(account.TOTPURI(c.t.Pool, user, st.Secret), c.cat.T("mfa.qr_label"))
		if err != nil {
			return err
		}
		m.QR = qr
	case st.Challenge == account.ChallengeMFASetup:
		v.Title = "page.mfa_setup"
		m.Mode, m.Factor, m.Digits, m.Resend = "setup_email", pool.FactorEmail, emailCodeDigits, true
		m.Choose = len(st.Options) > 1
		v.Destination = st.Sent
	case st.Challenge == pool.FactorEmail:
		m.Mode, m.Factor, m.Digits, m.Resend = "code", pool.FactorEmail, emailCodeDigits, true
		v.Destination = st.Sent
	default:
		m.Mode, m.Factor, m.Digits = "code", pool.FactorSoftwareToken, totpCodeDigits
	}
	v.MFA = m
	if codeErr != "" {
		v.Fields["code"] = codeErr
	}
	v.setErrors(nil, errKey)
	return c.render(status, "mfa", v)
}

// groupSecret writes a Base32 key in groups of four characters, the way
// authenticator apps ask for it to be typed.
func groupSecret(s string) string {
	var b strings.Builder
	for i, r := range s {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}
