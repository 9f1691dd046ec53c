package console

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/pool"
)

// settingsRoutes registers the pages of a pool's settings, branding
// (branding.go) and domains (domains.go): each page is for every
// operator, each post for administrators only.
func (c *Console) settingsRoutes(m *http.ServeMux) {
	m.Handle("GET /console/pools/{pool}/settings", c.authorized(false, c.poolSettings))
	m.Handle("POST /console/pools/{pool}/settings", c.authorized(true, c.savePoolSettings))
	m.Handle("POST /console/pools/{pool}/settings/mfa", c.authorized(true, c.saveSignInSettings))
	m.Handle("GET /console/pools/{pool}/branding", c.authorized(false, c.branding))
	m.Handle("POST /console/pools/{pool}/branding", c.authorized(true, c.postBranding))
	m.Handle("GET /console/pools/{pool}/branding/preview", c.authorized(false, c.brandingPreview))
	m.Handle("GET /console/pools/{pool}/domains", c.authorized(false, c.domains))
	m.Handle("POST /console/pools/{pool}/domains", c.authorized(true, c.createDomain))
	m.Handle("POST /console/pools/{pool}/domains/{domain}/delete", c.authorized(true, c.deleteDomain))
}

// settingsData is the settings page: the pool's settings of `linkpool
// pool update` the console changes, and its sign-in factors (`pool mfa
// set`), each a form of its own.
type settingsData struct {
	Pool   pool.Pool
	System bool
	CSRF   string
	// VerifyEmail: email is among the pool's AutoVerifiedAttributes.
	VerifyEmail bool
	// CORS is the pool's CORSOrigins, one a line.
	CORS string
	// FirstEmail and FirstPasskey: EMAIL_OTP and WEB_AUTHN are among the
	// first factors.
	FirstEmail, FirstPasskey bool
	// Error and MFAError are the service's refusal of the last post of
	// the settings and of the sign-in form; Done the message key of the
	// change just made.
	Error, MFAError string
	Done            string
}

func newSettingsData(p pool.Pool, op operator) settingsData {
	return settingsData{
		Pool: p, System: p.ID == SystemPoolID, CSRF: op.CSRF,
		VerifyEmail: slices.Contains(p.AutoVerifiedAttributes, pool.AttrEmail), CORS: strings.Join(p.CORSOrigins, "\n"),
		FirstEmail: p.AllowsFirstFactor(pool.FirstFactorEmailOTP), FirstPasskey: p.AllowsFirstFactor(pool.FirstFactorWebAuthn),
	}
}

func (c *Console) renderSettings(w http.ResponseWriter, r *http.Request, op operator, status int, d settingsData) {
	c.render(w, r, status, "pool_settings", view{Op: &op, Title: "console.title.pool_settings", Nav: "pools", Page: d})
}

func (c *Console) poolSettings(w http.ResponseWriter, r *http.Request, op operator) {
	p, ok := c.findPool(w, r)
	if !ok {
		return
	}
	d := newSettingsData(p, op)
	switch r.URL.Query().Get("done") {
	case "saved":
		d.Done = "console.settings.saved"
	case "mfa_saved":
		d.Done = "console.settings.mfa_saved"
	}
	c.renderSettings(w, r, op, http.StatusOK, d)
}

// formInt reads a number of a form; anything else is -1, which every
// setting of the form refuses (pool.Pool.Validate).
func formInt(f url.Values, name string) int {
	n, err := strconv.Atoi(strings.TrimSpace(f.Get(name)))
	if err != nil {
		return -1
	}
	return n
}

// settingsEdit is the change of the settings form: the fields of
// `linkpool pool update` it shows, every one set from the form.
func settingsEdit(f url.Values) func(*pool.Pool) {
	on := func(name string) bool { return f.Get(name) == "on" }
	return func(p *pool.Pool) {
		p.Name = strings.TrimSpace(f.Get("name"))
		p.AllowAdminCreateUserOnly = !on("self_signup")
		p.AutoConfirmSignUp = on("auto_confirm")
		verified := slices.DeleteFunc(slices.Clone(p.AutoVerifiedAttributes), func(a string) bool { return a == pool.AttrEmail })
		if on("verify_email") {
			verified = append([]string{pool.AttrEmail}, verified...)
		}
		if len(verified) == 0 && len(p.AutoVerifiedAttributes) == 0 {
			verified = p.AutoVerifiedAttributes // nil and empty are one setting
		}
		p.AutoVerifiedAttributes = verified
		pp := &p.PasswordPolicy
		pp.MinimumLength = formInt(f, "min_length")
		pp.RequireUppercase, pp.RequireLowercase = on("require_uppercase"), on("require_lowercase")
		pp.RequireNumbers, pp.RequireSymbols = on("require_numbers"), on("require_symbols")
		pp.TemporaryPasswordValidityDays = formInt(f, "temp_days")
		lp := &p.LockoutPolicy
		lp.MaxFailedAttempts = formInt(f, "lockout_attempts")
		lp.BaseLockoutSeconds = formInt(f, "lockout_base")
		lp.MaxLockoutSeconds = formInt(f, "lockout_max")
		p.EmailFrom = strings.TrimSpace(f.Get("email_from"))
		p.InviteMessage.EmailSubject = strings.TrimSpace(f.Get("invite_subject"))
		p.InviteMessage.EmailMessage = strings.TrimSpace(f.Get("invite_message"))
		var origins []string
		for _, o := range strings.Fields(f.Get("cors")) {
			if n, ok := pool.Origin(o); ok {
				o = n
			}
			origins = append(origins, o)
		}
		if len(origins) > 0 || len(p.CORSOrigins) > 0 {
			p.CORSOrigins = origins
		}
	}
}

// savePoolSettings changes the pool's settings with the admin service's
// UpdateUserPool, the code of `linkpool pool update`: one audit record
// with the fields that changed. A refusal shows Cognito's error with the
// form as posted, 400, and changes nothing. The system pool keeps self
// sign-up off: anyone could otherwise make an account in the pool the
// operators sign in to.
func (c *Console) savePoolSettings(w http.ResponseWriter, r *http.Request, op operator) {
	p, ok := c.findPool(w, r)
	if !ok {
		return
	}
	edit := settingsEdit(r.PostForm)
	proposed := p
	proposed.AutoVerifiedAttributes = slices.Clone(p.AutoVerifiedAttributes)
	edit(&proposed)
	d := newSettingsData(proposed, op)
	if p.ID == SystemPoolID && !proposed.AllowAdminCreateUserOnly {
		d.Error = c.catalog(r).T("console.error.system_signup")
		c.renderSettings(w, r, op, http.StatusBadRequest, d)
		return
	}
	_, err := c.cfg.Admin.UpdateUserPool(r.Context(), p.ID, edit)
	var ae *account.Error
	if asAccountError(err, &ae) && ae.Type != account.ResourceNotFoundException {
		d.Error = ae.Type + ": " + ae.Message
		c.renderSettings(w, r, op, http.StatusBadRequest, d)
		return
	}
	if err != nil {
		c.fail(w, r, err)
		return
	}
	http.Redirect(w, r, settingsURL(p.ID)+"?done=saved", http.StatusSeeOther)
}

// saveSignInSettings sets the pool's MFA mode, its second factors and
// the first factors of its sign-in with the admin service's
// SetSignInFactors (`linkpool pool mfa set`), which checks them together:
// one audit record, SetUserPoolMfaConfig. The email factor's mail and
// the passkeys' settings stay as they are.
func (c *Console) saveSignInSettings(w http.ResponseWriter, r *http.Request, op operator) {
	p, ok := c.findPool(w, r)
	if !ok {
		return
	}
	f := r.PostForm
	cfg := p.MFA
	cfg.Mode = f.Get("mfa_mode")
	cfg.SoftwareToken, cfg.Email = f.Get("mfa_totp") == "on", f.Get("mfa_email") == "on"
	first := []string{pool.FirstFactorPassword}
	if f.Get("first_email") == "on" {
		first = append(first, pool.FirstFactorEmailOTP)
	}
	if f.Get("first_passkey") == "on" {
		first = append(first, pool.FirstFactorWebAuthn)
	}
	if len(first) == 1 && len(p.AllowedFirstAuthFactors) == 0 {
		first = nil // PASSWORD alone, as the pool has it already
	}
	_, err := c.cfg.Admin.SetSignInFactors(r.Context(), p.ID, cfg, first)
	var ae *account.Error
	if asAccountError(err, &ae) && ae.Type != account.ResourceNotFoundException {
		d := newSettingsData(p, op)
		d.Pool.MFA = cfg
		d.FirstEmail, d.FirstPasskey = f.Get("first_email") == "on", f.Get("first_passkey") == "on"
		d.MFAError = ae.Type + ": " + ae.Message
		c.renderSettings(w, r, op, http.StatusBadRequest, d)
		return
	}
	if err != nil {
		c.fail(w, r, err)
		return
	}
	http.Redirect(w, r, settingsURL(p.ID)+"?done=mfa_saved", http.StatusSeeOther)
}

// settingsURL is the console path of a pool's settings page.
func settingsURL(poolID string) string {
	return "/console/pools/" + url.PathEscape(poolID) + "/settings"
}
