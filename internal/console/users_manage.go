package console

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/admin"
	"github.com/linkpool/linkpool/internal/pool"
)

// userManageRoutes registers the user page's changes of second factors,
// linked identities, invitations and group membership. Every one is for
// administrators only.
func (c *Console) userManageRoutes(m *http.ServeMux) {
	m.Handle("POST /console/pools/{pool}/users/{sub}/reset-mfa", c.authorized(true, c.resetMFA))
	m.Handle("POST /console/pools/{pool}/users/{sub}/mfa-preference", c.authorized(true, c.setMFAPreference))
	m.Handle("POST /console/pools/{pool}/users/{sub}/unlink", c.authorized(true, c.unlinkIdentity))
	m.Handle("POST /console/pools/{pool}/users/{sub}/resend-invitation", c.authorized(true, c.resendInvitation))
	m.Handle("POST /console/pools/{pool}/users/{sub}/groups/add", c.authorized(true, c.addToGroup(true)))
	m.Handle("POST /console/pools/{pool}/users/{sub}/groups/remove", c.authorized(true, c.addToGroup(false)))
}

// identityView is a provider identity linked to a user, as the user page
// lists it.
type identityView struct {
	ProviderName, ProviderType, UserID string
	Linked                             time.Time
	// Primary: a sign-in through the provider created the user, so
	// AdminDisableProviderForUser disables the user instead of
	// unlinking.
	Primary bool
}

// userManageData is what the user page needs to change second factors,
// identities, the invitation and groups.
type userManageData struct {
	Identities []identityView
	// OtherGroups are the pool's groups the user is not in.
	OtherGroups []pool.Group
	// Invited: the user still has a temporary password
	// (FORCE_CHANGE_PASSWORD), so the invitation can be sent again.
	Invited bool
	// HasMFA: the user has something ResetMFA removes (a device, set up
	// or pending, an enabled or preferred factor, a passkey or a pending
	// passkey registration).
	HasMFA bool
	// Factors are the second factors the pool offers, with the user's
	// settings.
	Factors []factorView
}

// factorView is one second factor the pool offers and the user's
// setting of it.
type factorView struct {
	Name               string
	Enabled, Preferred bool
	// Possible: the user can turn it on (an authenticator app set up, an
	// email address).
	Possible bool
}

// userDone are the messages of the changes of this file, by the done
// parameter of the user page.
var userDone = map[string]string{
	"mfa_reset":        "console.user.mfa_reset_done",
	"mfa_set":          "console.user.mfa_set_done",
	"unlinked":         "console.user.unlinked_done",
	"resent":           "console.user.resent_done",
	"resent_unmailed":  "console.user.resent_unmailed_done",
	"group_added":      "console.user.group_added_done",
	"group_removed":    "console.user.group_removed_done",
	"provider_disable": "console.user.provider_disabled_done",
}

// userManagement reads what the user page shows to change u: its linked
// identities and, for administrators, the pool's groups u is not in
// (member of groups); passkeys is how many passkeys u has.
func (c *Console) userManagement(r *http.Request, op operator, p pool.Pool, u pool.User, groups []pool.Group, passkeys int) (userManageData, error) {
	m := u.MFA
	d := userManageData{Invited: u.Status == pool.StatusForceChangePassword,
		HasMFA: m.TOTP != nil || m.PendingTOTP != nil || m.SoftwareTokenEnabled || m.EmailEnabled || m.Preferred != "" ||
			m.WebAuthnRegistration != nil || passkeys > 0}
	for _, f := range p.MFA.Factors() {
		possible := m.TOTP != nil
		if f == pool.FactorEmail {
			possible = u.Email() != ""
		}
		d.Factors = append(d.Factors, factorView{Name: f, Enabled: slices.Contains(m.EnabledFactors(), f), Preferred: m.Preferred == f, Possible: possible})
	}
	for _, id := range u.Identities {
		d.Identities = append(d.Identities, identityView{ProviderName: id.ProviderName, ProviderType: id.ProviderType,
			UserID: id.UserID, Linked: time.UnixMilli(id.CreatedAt), Primary: id.Primary == "true"})
	}
	if !op.CanWrite() {
		return d, nil
	}
	all, err := allPages(func(next string) ([]pool.Group, string, error) {
		return c.cfg.Admin.ListGroups(r.Context(), p.ID, admin.MaxPageSize, next)
	})
	if err != nil {
		return d, err
	}
	for _, g := range all {
		if !slices.ContainsFunc(groups, func(m pool.Group) bool { return m.Name == g.Name }) {
			d.OtherGroups = append(d.OtherGroups, g)
		}
	}
	return d, nil
}

// resetMFA is the account service's ResetMFA (`linkpool user mfa reset`)
// once the operator has typed the username: the authenticator app, the
// enabled and preferred factors, a pending email code and every passkey
// are removed. An operator cannot reset their own.
func (c *Console) resetMFA(w http.ResponseWriter, r *http.Request, op operator) {
	p, u, ok := c.findUser(w, r)
	if !ok {
		return
	}
	if r.PostFormValue("confirm") != u.Username {
		c.errorPage(w, r, http.StatusBadRequest, "console.error.confirm_mfa")
		return
	}
	if p.ID == SystemPoolID && u.Sub == op.Sub {
		c.errorPage(w, r, http.StatusBadRequest, "console.error.reset_mfa_self")
		return
	}
	if _, err := c.cfg.Admin.Accounts().ResetMFA(r.Context(), p, u.Sub); err != nil {
		c.fail(w, r, err)
		return
	}
	http.Redirect(w, r, userURL(p.ID, u.Sub)+"?done=mfa_reset", http.StatusSeeOther)
}

// setMFAPreference turns one second factor of the user on or off, or
// makes it the preferred one, with the account service's
// SetMFAPreference (AdminSetUserMFAPreference): "on" keeps the factor's
// preference as it is, "off" also ends it. The service refuses a factor
// the pool does not offer or the user cannot use.
func (c *Console) setMFAPreference(w http.ResponseWriter, r *http.Request, _ operator) {
	p, u, ok := c.findUser(w, r)
	if !ok {
		return
	}
	factor := r.PostFormValue("factor")
	var set account.FactorSetting
	switch r.PostFormValue("setting") {
	case "on":
		set = account.FactorSetting{Enabled: true, Preferred: u.MFA.Preferred == factor}
	case "off":
	case "preferred":
		set = account.FactorSetting{Enabled: true, Preferred: true}
	default:
		c.errorPage(w, r, http.StatusBadRequest, "console.error.bad_factor")
		return
	}
	var pref account.MFAPreference
	switch factor {
	case pool.FactorSoftwareToken:
		pref.SoftwareToken = &set
	case pool.FactorEmail:
		pref.Email = &set
	default:
		c.errorPage(w, r, http.StatusBadRequest, "console.error.bad_factor")
		return
	}
	if _, err := c.cfg.Admin.Accounts().SetMFAPreference(r.Context(), p, u.Sub, pref); err != nil {
		c.fail(w, r, err)
		return
	}
	http.Redirect(w, r, userURL(p.ID, u.Sub)+"?done=mfa_set", http.StatusSeeOther)
}

// unlinkIdentity is the account service's AdminDisableProviderForUser
// for one of the user's own identities (provider and subject posted): a
// linked identity is unlinked, and the user a provider created (its
// primary identity) is disabled and signed out everywhere. An identity
// the user does not have is refused (404), so that the post cannot act
// on another user; an operator cannot disable their own account so.
func (c *Console) unlinkIdentity(w http.ResponseWriter, r *http.Request, op operator) {
	p, u, ok := c.findUser(w, r)
	if !ok {
		return
	}
	provider, subject := r.PostFormValue("provider"), r.PostFormValue("subject")
	i := slices.IndexFunc(u.Identities, func(id pool.Identity) bool { return id.ProviderName == provider && id.UserID == subject })
	if i < 0 {
		c.errorPage(w, r, http.StatusNotFound, "console.error.no_identity")
		return
	}
	primary := u.Identities[i].Primary == "true"
	if primary && p.ID == SystemPoolID && u.Sub == op.Sub {
		c.errorPage(w, r, http.StatusBadRequest, "console.error.disable_self")
		return
	}
	err := c.cfg.Admin.Accounts().AdminDisableProviderForUser(r.Context(), p, account.ProviderUser{
		ProviderName: provider, ProviderAttributeName: pool.SubjectAttribute, ProviderAttributeValue: subject})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	done := "unlinked"
	if primary {
		done = "provider_disable"
	}
	http.Redirect(w, r, userURL(p.ID, u.Sub)+"?done="+done, http.StatusSeeOther)
}

// resendInvitation is AdminCreateUser with MessageAction RESEND and
// DesiredDeliveryMediums EMAIL, as the JSON API: a user who still has a
// temporary password gets a new one in a new invitation; it is never
// shown here. Any other user is refused with Cognito's
// UnsupportedUserStateException.
func (c *Console) resendInvitation(w http.ResponseWriter, r *http.Request, _ operator) {
	p, u, ok := c.findUser(w, r)
	if !ok {
		return
	}
	_, err := c.cfg.Admin.Accounts().AdminCreateUser(r.Context(), p, account.AdminCreateUserInput{
		Username: u.Username, MessageAction: account.MessageResend, EmailDelivery: true})
	done := "resent"
	if account.TypeOf(err) == account.CodeDeliveryFailureException {
		// The new temporary password is set, but the mailer did not
		// take the invitation.
		done, err = "resent_unmailed", nil
	}
	if err != nil {
		c.fail(w, r, err)
		return
	}
	http.Redirect(w, r, userURL(p.ID, u.Sub)+"?done="+done, http.StatusSeeOther)
}

// addToGroup adds the user to the posted group with the admin service's
// AdminAddUserToGroup, or removes them (AdminRemoveUserFromGroup). An
// operator cannot remove themselves from the system pool's admin group,
// which would take the console from them.
func (c *Console) addToGroup(add bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, op operator) {
		p, u, ok := c.findUser(w, r)
		if !ok {
			return
		}
		group := strings.TrimSpace(r.PostFormValue("group"))
		run, done := c.cfg.Admin.AdminAddUserToGroup, "group_added"
		if !add {
			if p.ID == SystemPoolID && u.Sub == op.Sub && group == GroupAdmin {
				c.errorPage(w, r, http.StatusBadRequest, "console.error.remove_admin_self")
				return
			}
			run, done = c.cfg.Admin.AdminRemoveUserFromGroup, "group_removed"
		}
		if _, err := run(r.Context(), p.ID, group, u.Username); err != nil {
			c.fail(w, r, err)
			return
		}
		http.Redirect(w, r, userURL(p.ID, u.Sub)+"?done="+done, http.StatusSeeOther)
	}
}
