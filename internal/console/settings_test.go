package console_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/linkpool/linkpool/internal/console"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
)

// settingsForm is the settings form as the page shows it for p.
func settingsForm(p pool.Pool, token string) url.Values {
	f := url.Values{"csrf": {token}, "name": {p.Name},
		"min_length": {strconv.Itoa(p.PasswordPolicy.MinimumLength)}, "temp_days": {strconv.Itoa(p.PasswordPolicy.TemporaryPasswordValidityDays)},
		"lockout_attempts": {strconv.Itoa(p.LockoutPolicy.MaxFailedAttempts)}, "lockout_base": {strconv.Itoa(p.LockoutPolicy.BaseLockoutSeconds)},
		"lockout_max": {strconv.Itoa(p.LockoutPolicy.MaxLockoutSeconds)}, "email_from": {p.EmailFrom},
		"invite_subject": {p.InviteMessage.EmailSubject}, "invite_message": {p.InviteMessage.EmailMessage},
		"cors": {strings.Join(p.CORSOrigins, "\n")}}
	for name, on := range map[string]bool{
		"self_signup": !p.AllowAdminCreateUserOnly, "auto_confirm": p.AutoConfirmSignUp,
		"verify_email":      slices.Contains(p.AutoVerifiedAttributes, pool.AttrEmail),
		"require_uppercase": p.PasswordPolicy.RequireUppercase, "require_lowercase": p.PasswordPolicy.RequireLowercase,
		"require_numbers": p.PasswordPolicy.RequireNumbers, "require_symbols": p.PasswordPolicy.RequireSymbols,
	} {
		if on {
			f.Set(name, "on")
		}
	}
	return f
}

// changedFields are the names of a record's changed fields.
func changedFields(r store.AuditRecord) string {
	var names []string
	for _, c := range r.Changed {
		names = append(names, c.Field)
	}
	return strings.Join(names, " ")
}

// TestPoolSettingsAreSavedAndAudited: the settings page shows the pool's
// settings; saving the form unchanged changes nothing, a changed form
// goes through UpdateUserPool with one audit record naming the fields
// that changed, a refused one shows Cognito's error (400) and changes
// nothing; the sign-in factors go through SetSignInFactors, one record,
// and a refused combination changes nothing; the system pool keeps self
// sign-up off.
func TestPoolSettingsAreSavedAndAudited(t *testing.T) {
	e := newEnv(t)
	op := e.operator(t, "root", false)
	b := e.signedIn(t, "root")
	p, _ := e.customer(t, "ann", "ann@example.com")
	ctx := context.Background()
	path := "/console/pools/" + p.ID + "/settings"
	res, page := e.get(t, b, path)
	if res.StatusCode != http.StatusOK || !strings.Contains(page, `id="save-settings"`) || !strings.Contains(page, `id="save-mfa"`) {
		t.Fatalf("settings page: %d: %s", res.StatusCode, page)
	}
	if k := messageKey.FindString(page); k != "" {
		t.Errorf("the settings page shows the message key %q", k)
	}
	token := csrf(t, page)
	p, _ = e.Admin.DescribeUserPool(ctx, p.ID)

	// Unchanged: an update with nothing changed.
	n := len(e.allAudit(t))
	if res, body := e.post(t, b, path, e.ConsoleURL, settingsForm(p, token)); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save unchanged: %d: %s", res.StatusCode, body)
	}
	recs := e.lastRecords(t, n, op.Sub)
	if len(recs) != 1 || recs[0].Action != "UpdateUserPool" || changedFields(recs[0]) != "" {
		t.Errorf("unchanged save records %v, changed %q", actions(recs), changedFields(recs[0]))
	}

	f := settingsForm(p, token)
	f.Set("min_length", "12")
	f.Set("require_symbols", "on")
	f.Del("self_signup")
	f.Set("lockout_attempts", "3")
	f.Set("invite_subject", "Welcome to Lamps")
	n = len(e.allAudit(t))
	res, body := e.post(t, b, path, e.ConsoleURL, f)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != path+"?done=saved" {
		t.Fatalf("save: %d to %q: %s", res.StatusCode, res.Header.Get("Location"), body)
	}
	got, _ := e.Admin.DescribeUserPool(ctx, p.ID)
	if got.PasswordPolicy.MinimumLength != 12 || !got.PasswordPolicy.RequireSymbols || !got.AllowAdminCreateUserOnly ||
		got.LockoutPolicy.MaxFailedAttempts != 3 || got.InviteMessage.EmailSubject != "Welcome to Lamps" || got.Name != p.Name {
		t.Errorf("pool after save: %+v", got)
	}
	recs = e.lastRecords(t, n, op.Sub)
	if len(recs) != 1 || recs[0].Action != "UpdateUserPool" || recs[0].PoolID != p.ID {
		t.Fatalf("save records %v", actions(recs))
	}
	if c := changedFields(recs[0]); c != "PasswordPolicy LockoutPolicy AllowAdminCreateUserOnly InviteMessage" {
		t.Errorf("changed fields %q", c)
	}
	if _, page := e.get(t, b, path+"?done=saved"); !strings.Contains(page, `id="done"`) || !strings.Contains(page, `value="12"`) {
		t.Errorf("page after save: %s", page)
	}

	// Refused: Cognito's error, 400, the form as posted, nothing changed.
	for name, bad := range map[string]func(url.Values){
		"short passwords": func(f url.Values) { f.Set("min_length", "3") },
		"no number":       func(f url.Values) { f.Set("lockout_max", "soon") },
		"bad sender":      func(f url.Values) { f.Set("email_from", "not an address") },
	} {
		f := settingsForm(got, token)
		bad(f)
		n = len(e.allAudit(t))
		res, body := e.post(t, b, path, e.ConsoleURL, f)
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "InvalidParameterException") || !strings.Contains(body, `id="settings-error"`) {
			t.Errorf("%s: %d: %s", name, res.StatusCode, body)
		}
		if after, _ := e.Admin.DescribeUserPool(ctx, p.ID); !after.UpdatedAt.Equal(got.UpdatedAt) {
			t.Errorf("%s changed the pool", name)
		}
		for _, r := range e.allAudit(t)[:len(e.allAudit(t))-n] {
			if r.Result == "ok" {
				t.Errorf("%s recorded a change: %+v", name, r)
			}
		}
	}
	if _, body := e.post(t, b, path, e.ConsoleURL, func() url.Values { f := settingsForm(got, token); f.Set("email_from", "not an address"); return f }()); !strings.Contains(body, `value="not an address"`) {
		t.Error("a refused form does not show what was posted")
	}

	// Sign-in factors.
	mfa := path + "/mfa"
	n = len(e.allAudit(t))
	res, body = e.post(t, b, mfa, e.ConsoleURL, url.Values{"csrf": {token}, "mfa_mode": {"OPTIONAL"}, "mfa_totp": {"on"}, "mfa_email": {"on"}, "first_email": {"on"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != path+"?done=mfa_saved" {
		t.Fatalf("save factors: %d: %s", res.StatusCode, body)
	}
	got, _ = e.Admin.DescribeUserPool(ctx, p.ID)
	if got.MFA.MFAMode() != pool.MFAOptional || !got.MFA.SoftwareToken || !got.MFA.Email || !got.AllowsFirstFactor(pool.FirstFactorEmailOTP) {
		t.Errorf("pool after the factors: %+v %v", got.MFA, got.AllowedFirstAuthFactors)
	}
	recs = e.lastRecords(t, n, op.Sub)
	if len(recs) != 1 || recs[0].Action != "SetUserPoolMfaConfig" || changedFields(recs[0]) != "MFA AllowedFirstAuthFactors" {
		t.Errorf("factor records %v, changed %q", actions(recs), changedFields(recs[0]))
	}
	// EMAIL_OTP as a first factor without the email factor: refused.
	n = len(e.allAudit(t))
	res, body = e.post(t, b, mfa, e.ConsoleURL, url.Values{"csrf": {token}, "mfa_mode": {"OPTIONAL"}, "mfa_totp": {"on"}, "first_email": {"on"}})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "InvalidParameterException") || !strings.Contains(body, `id="mfa-error"`) {
		t.Errorf("email first factor without the email factor: %d: %s", res.StatusCode, body)
	}
	if after, _ := e.Admin.DescribeUserPool(ctx, p.ID); !after.MFA.Email || !after.UpdatedAt.Equal(got.UpdatedAt) {
		t.Error("the refused factors changed the pool")
	}
	for _, r := range e.allAudit(t)[:len(e.allAudit(t))-n] {
		if r.Result == "ok" {
			t.Errorf("refused factors recorded a change: %+v", r)
		}
	}

	// The system pool: self sign-up stays off, with a clear refusal.
	sys, _ := e.Admin.DescribeUserPool(ctx, console.SystemPoolID)
	sysPath := "/console/pools/" + console.SystemPoolID + "/settings"
	if _, page := e.get(t, b, sysPath); !strings.Contains(page, "Always off in the system pool") {
		t.Errorf("system pool settings page: %s", page)
	}
	f = settingsForm(sys, token)
	f.Set("self_signup", "on")
	n = len(e.allAudit(t))
	if res, body := e.post(t, b, sysPath, e.ConsoleURL, f); res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Self sign-up stays off in the system pool") {
		t.Errorf("self sign-up in the system pool: %d: %s", res.StatusCode, body)
	}
	if after, _ := e.Admin.DescribeUserPool(ctx, console.SystemPoolID); !after.AllowAdminCreateUserOnly || len(e.allAudit(t)) != n {
		t.Error("the system pool's self sign-up was turned on or recorded")
	}
	// Its other settings may change.
	f.Del("self_signup")
	f.Set("min_length", "14")
	if res, body := e.post(t, b, sysPath, e.ConsoleURL, f); res.StatusCode != http.StatusSeeOther {
		t.Errorf("system pool settings: %d: %s", res.StatusCode, body)
	}
	e.Log.NoSecrets(t, token)
}

// TestSettingsPagesReadOnly: a read-only operator sees the settings,
// branding and domains pages without a button that changes anything, the
// settings' inputs disabled.
func TestSettingsPagesReadOnly(t *testing.T) {
	e := newEnv(t)
	p, _ := e.customer(t, "ann", "ann@example.com")
	if _, err := e.Admin.CreateUserPoolDomain(context.Background(), pool.Domain{Domain: "lamps", PoolID: p.ID}); err != nil {
		t.Fatal(err)
	}
	e.operator(t, "viewer", true)
	b := e.signedIn(t, "viewer")
	base := "/console/pools/" + p.ID
	for path, ids := range map[string][]string{
		base + "/settings": {`id="save-settings"`, `id="save-mfa"`},
		base + "/branding": {`id="save-branding"`, `id="preview-branding"`},
		base + "/domains":  {`id="create-domain"`, `id="delete-lamps"`, `id="new-domain"`},
	} {
		res, page := e.get(t, b, path)
		if res.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %d", path, res.StatusCode)
		}
		for _, id := range ids {
			if strings.Contains(page, id) {
				t.Errorf("the read-only operator is offered %s on %s", id, path)
			}
		}
		if path != base+"/domains" && (!strings.Contains(page, "<fieldset disabled>") || strings.Contains(page, "<fieldset>")) {
			t.Errorf("%s: the inputs are not all disabled", path)
		}
	}
	if _, page := e.get(t, b, base+"/settings"); !strings.Contains(page, `id="read-only-note"`) {
		t.Error("the settings page does not say it is read-only")
	}
}
