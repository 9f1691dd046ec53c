package console_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/console"
	"github.com/linkpool/linkpool/internal/pool"
)

// mfaPool creates a pool that offers authenticator apps and email codes
// as optional second factors, with a confirmed user.
func (e *env) mfaPool(t testing.TB, username, email string) (pool.Pool, pool.User) {
	t.Helper()
	p := e.Pool(t, "us-east-1", "Factors", func(p *pool.Pool) {
		p.AliasAttributes = []string{pool.AttrEmail}
		p.MFA = pool.MFAConfig{Mode: pool.MFAOptional, SoftwareToken: true, Email: true}
	})
	return p, e.addUser(t, p, username, email)
}

// setUpTOTP gives the user an authenticator app with the account
// service, as the hosted set-up page does, and returns the user.
func (e *env) setUpTOTP(t testing.TB, p pool.Pool, u pool.User) pool.User {
	t.Helper()
	ctx := context.Background()
	secret, err := e.Accounts.AssociateSoftwareToken(ctx, p, u.Sub)
	if err != nil {
		t.Fatal(err)
	}
	code, err := totp.GenerateCodeCustom(secret, e.Clock.Now(), totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	u, err = e.Accounts.VerifySoftwareToken(ctx, p, u.Sub, code, "phone")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(u.MFA.EnabledFactors(), pool.FactorSoftwareToken) {
		t.Fatalf("factors after the set-up: %v", u.MFA.EnabledFactors())
	}
	return u
}

// invited creates a user with a mailed invitation (FORCE_CHANGE_PASSWORD).
func (e *env) invited(t testing.TB, p pool.Pool, username, email string) pool.User {
	t.Helper()
	res, err := e.Accounts.AdminCreateUser(context.Background(), p, account.AdminCreateUserInput{
		Username: username, Attributes: map[string]string{pool.AttrEmail: email}, EmailDelivery: true})
	if err != nil {
		t.Fatal(err)
	}
	return res.User
}

// idp stores an OIDC identity provider of p named name.
func (e *env) idp(t testing.TB, p pool.Pool, name string) pool.IdentityProvider {
	t.Helper()
	idp := pool.IdentityProvider{PoolID: p.ID, ProviderName: name, ProviderType: pool.ProviderOIDC,
		ProviderDetails: map[string]string{pool.DetailClientID: "c", pool.DetailAuthorizeScopes: "openid",
			pool.DetailOIDCIssuer: "https://idp.example.com"},
		AttributeMapping: pool.DefaultAttributeMapping(pool.ProviderOIDC),
		CreatedAt:        e.Clock.Now(), UpdatedAt: e.Clock.Now()}
	if err := e.DB.CreateIdentityProvider(context.Background(), idp); err != nil {
		t.Fatal(err)
	}
	return idp
}

// federated stores the user a first sign-in through idp as subject
// creates: its identity is primary.
func (e *env) federated(t testing.TB, p pool.Pool, idp pool.IdentityProvider, subject string) pool.User {
	t.Helper()
	name := pool.FederatedUsername(idp.ProviderName, subject)
	u := pool.User{PoolID: p.ID, Sub: pool.NewSub(), Username: name, UsernameKey: p.UsernameKey(name),
		Attributes: map[string]string{}, Status: pool.StatusExternalProvider, Enabled: true,
		Identities: []pool.Identity{pool.NewIdentity(idp, subject, true, e.Clock.Now())},
		CreatedAt:  e.Clock.Now(), UpdatedAt: e.Clock.Now()}
	if err := e.DB.CreateUser(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	return u
}

// temporaryPassword is the temporary password of an invitation's text.
var temporaryPassword = regexp.MustCompile(`Temporary password:\s*(\S+)`)

// lastTemporaryPassword returns the temporary password of the last
// invitation mailed to to.
func (e *env) lastTemporaryPassword(t testing.TB, to string) string {
	t.Helper()
	ms := e.Mail.Messages()
	for i := len(ms) - 1; i >= 0; i-- {
		if m := temporaryPassword.FindStringSubmatch(ms[i].Text); ms[i].To == to && m != nil {
			return m[1]
		}
	}
	t.Fatalf("no invitation mailed to %s", to)
	return ""
}

// TestResetMFAIsConfirmedAndAudited: resetting a user's MFA needs the
// username typed (another name removes nothing and records nothing);
// then ResetMFA removes the authenticator app and the enabled factors
// with exactly one audit record by the console operator, and the page
// no longer offers a reset. An operator cannot reset their own.
func TestResetMFAIsConfirmedAndAudited(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	p, u := e.mfaPool(t, "ann", "ann@example.com")
	e.setUpTOTP(t, p, u)
	op := e.operator(t, "root", false)
	b := e.signedIn(t, "root")
	user := "/console/pools/" + p.ID + "/users/" + u.Sub
	_, page := e.get(t, b, user)
	if !strings.Contains(page, `id="reset-mfa"`) || !strings.Contains(page, pool.FactorSoftwareToken) {
		t.Errorf("user page with an authenticator app: %s", page)
	}
	token := csrf(t, page)

	n := len(e.allAudit(t))
	if res, body := e.post(t, b, user+"/reset-mfa", e.ConsoleURL, url.Values{"csrf": {token}, "confirm": {"Ann"}}); res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "no factor was removed") {
		t.Errorf("reset with a wrong name: %d: %s", res.StatusCode, body)
	}
	if got, _ := e.DB.GetUser(ctx, p.ID, u.Sub); got.MFA.TOTP == nil {
		t.Error("a refused reset removed the authenticator app")
	}
	if got := e.allAudit(t); len(got) != n {
		t.Errorf("a refused reset wrote %v", actions(got[:len(got)-n]))
	}

	res, body := e.post(t, b, user+"/reset-mfa", e.ConsoleURL, url.Values{"csrf": {token}, "confirm": {"ann"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != user+"?done=mfa_reset" {
		t.Fatalf("reset MFA: %d to %q: %s", res.StatusCode, res.Header.Get("Location"), body)
	}
	got, err := e.DB.GetUser(ctx, p.ID, u.Sub)
	if err != nil || got.MFA.TOTP != nil || got.MFA.PendingTOTP != nil || len(got.MFA.EnabledFactors()) != 0 || got.MFA.Preferred != "" {
		t.Errorf("user after the reset: %+v, %v", got.MFA, err)
	}
	if got := actions(e.lastRecords(t, n, op.Sub)); strings.Join(got, " ") != "AdminResetUserMFA" {
		t.Errorf("reset records %q, want AdminResetUserMFA", got)
	}
	if _, page := e.get(t, b, user+"?done=mfa_reset"); !strings.Contains(page, `id="done"`) || !strings.Contains(page, "passkey of the user is removed") || strings.Contains(page, `id="reset-mfa"`) {
		t.Errorf("user page after the reset: %s", page)
	}

	self := "/console/pools/" + console.SystemPoolID + "/users/" + op.Sub
	if _, page := e.get(t, b, self); strings.Contains(page, `id="reset-mfa"`) {
		t.Error("the operator's own page offers to reset their MFA")
	}
	n = len(e.allAudit(t))
	if res, body := e.post(t, b, self+"/reset-mfa", e.ConsoleURL, url.Values{"csrf": {token}, "confirm": {"root"}}); res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "your own second factors") {
		t.Errorf("reset one's own MFA: %d: %s", res.StatusCode, body)
	}
	if got := e.allAudit(t); len(got) != n {
		t.Errorf("a refused reset of oneself wrote %v", actions(got[:len(got)-n]))
	}
}

// TestMFAPreference: an administrator turns single second factors of a
// user on and off and makes one preferred (AdminSetUserMFAPreference),
// one audit record each; a factor the user cannot use is refused with
// Cognito's InvalidParameterException, an unknown one with 400, and
// nothing changes.
func TestMFAPreference(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	p, ann := e.mfaPool(t, "ann", "ann@example.com")
	ann = e.setUpTOTP(t, p, ann)
	bob := e.addUser(t, p, "bob", "bob@example.com")
	op := e.operator(t, "root", false)
	b := e.signedIn(t, "root")
	user := "/console/pools/" + p.ID + "/users/" + ann.Sub
	_, page := e.get(t, b, user)
	settings := between(page, `<ul id="factor-settings"`, "</ul>")
	for _, want := range []string{`value="off"`, `Turn on EMAIL_OTP`} {
		if !strings.Contains(settings, want) {
			t.Errorf("factor settings lack %s: %s", want, settings)
		}
	}
	token := csrf(t, page)
	mfa := func() pool.UserMFA {
		u, err := e.DB.GetUser(ctx, p.ID, ann.Sub)
		if err != nil {
			t.Fatal(err)
		}
		return u.MFA
	}
	for _, c := range []struct {
		factor, setting string
		factors         []string
		preferred       string
	}{
		{pool.FactorEmail, "on", []string{pool.FactorSoftwareToken, pool.FactorEmail}, pool.FactorSoftwareToken},
		{pool.FactorEmail, "preferred", []string{pool.FactorSoftwareToken, pool.FactorEmail}, pool.FactorEmail},
		{pool.FactorEmail, "on", []string{pool.FactorSoftwareToken, pool.FactorEmail}, pool.FactorEmail},
		{pool.FactorSoftwareToken, "off", []string{pool.FactorEmail}, pool.FactorEmail},
		{pool.FactorEmail, "off", nil, ""},
	} {
		n := len(e.allAudit(t))
		res, body := e.post(t, b, user+"/mfa-preference", e.ConsoleURL, url.Values{"csrf": {token}, "factor": {c.factor}, "setting": {c.setting}})
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != user+"?done=mfa_set" {
			t.Fatalf("%s %s: %d: %s", c.factor, c.setting, res.StatusCode, body)
		}
		if m := mfa(); !slices.Equal(m.EnabledFactors(), c.factors) || m.Preferred != c.preferred {
			t.Errorf("after %s %s: factors %v, preferred %q; want %v, %q", c.factor, c.setting, m.EnabledFactors(), m.Preferred, c.factors, c.preferred)
		}
		if got := actions(e.lastRecords(t, n, op.Sub)); strings.Join(got, " ") != "AdminSetUserMFAPreference" {
			t.Errorf("%s %s records %q", c.factor, c.setting, got)
		}
	}
	if _, page := e.get(t, b, user+"?done=mfa_set"); !strings.Contains(page, `id="done"`) || !strings.Contains(page, "Turn on SOFTWARE_TOKEN_MFA") {
		t.Errorf("user page after the changes: %s", page)
	}

	// bob has no authenticator app: no button, and a post is refused.
	if _, page := e.get(t, b, "/console/pools/"+p.ID+"/users/"+bob.Sub); strings.Contains(page, "Turn on SOFTWARE_TOKEN_MFA") {
		t.Error("bob is offered an authenticator app he has not set up")
	}
	n := len(e.allAudit(t))
	bobURL := "/console/pools/" + p.ID + "/users/" + bob.Sub + "/mfa-preference"
	if res, body := e.post(t, b, bobURL, e.ConsoleURL, url.Values{"csrf": {token}, "factor": {pool.FactorSoftwareToken}, "setting": {"on"}}); res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "InvalidParameterException") {
		t.Errorf("turn on an authenticator app bob has not set up: %d: %s", res.StatusCode, body)
	}
	for _, form := range []url.Values{{"factor": {"SMS_MFA"}, "setting": {"on"}}, {"factor": {pool.FactorEmail}, "setting": {"maybe"}}} {
		form.Set("csrf", token)
		if res, body := e.post(t, b, bobURL, e.ConsoleURL, form); res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "not a second factor") {
			t.Errorf("post %v: %d: %s", form, res.StatusCode, body)
		}
	}
	if got, err := e.DB.GetUser(ctx, p.ID, bob.Sub); err != nil || len(got.MFA.EnabledFactors()) != 0 {
		t.Errorf("bob after the refused posts: %v, %v", got.MFA.EnabledFactors(), err)
	}
	if got := e.allAudit(t); len(got) > n+1 || len(got) == n+1 && got[0].Result == "ok" {
		t.Errorf("refused posts recorded %+v", got[:len(got)-n])
	}
}

// TestResendInvitation: a FORCE_CHANGE_PASSWORD user is offered the
// resend; it mails a new invitation with a new temporary password (the
// old one stops working), which neither the page, the audit record nor
// the log holds, with exactly one record by the console operator. A
// confirmed user is refused with Cognito's UnsupportedUserStateException
// (400) and nothing changes.
func TestResendInvitation(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	p, ann := e.customer(t, "ann", "ann@example.com")
	carol := e.invited(t, p, "carol", "carol@example.com")
	first := e.lastTemporaryPassword(t, "carol@example.com")
	op := e.operator(t, "root", false)
	b := e.signedIn(t, "root")
	user := "/console/pools/" + p.ID + "/users/" + carol.Sub
	_, page := e.get(t, b, user)
	if !strings.Contains(page, `id="resend-invitation"`) {
		t.Errorf("the invited user's page lacks the resend button: %s", page)
	}
	if _, page := e.get(t, b, "/console/pools/"+p.ID+"/users/"+ann.Sub); strings.Contains(page, `id="resend-invitation"`) {
		t.Error("a confirmed user's page offers to resend the invitation")
	}
	token := csrf(t, page)

	n := len(e.allAudit(t))
	res, body := e.post(t, b, user+"/resend-invitation", e.ConsoleURL, url.Values{"csrf": {token}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != user+"?done=resent" {
		t.Fatalf("resend: %d to %q: %s", res.StatusCode, res.Header.Get("Location"), body)
	}
	if n := e.Mail.Count("carol@example.com"); n != 2 {
		t.Errorf("%d invitations mailed to carol, want 2", n)
	}
	second := e.lastTemporaryPassword(t, "carol@example.com")
	if second == first {
		t.Error("the resent invitation has the same temporary password")
	}
	recs := e.lastRecords(t, n, op.Sub, first, second)
	if got := actions(recs); strings.Join(got, " ") != "AdminCreateUser" {
		t.Fatalf("resend records %q, want AdminCreateUser", got)
	}
	for _, c := range recs[0].Changed {
		if c.Field == "TemporaryPassword" && !c.Withheld {
			t.Errorf("the record holds the temporary password: %+v", c)
		}
	}
	_, page = e.get(t, b, user+"?done=resent")
	if !strings.Contains(page, `id="done"`) || strings.Contains(page, second) {
		t.Errorf("user page after the resend: %s", page)
	}
	if _, err := e.Accounts.Authenticate(ctx, p, "carol", first); account.TypeOf(err) != account.NotAuthorizedException {
		t.Errorf("sign-in with the first temporary password: %v, want NotAuthorizedException", err)
	}
	if _, err := e.Accounts.Authenticate(ctx, p, "carol", second); account.TypeOf(err) == account.NotAuthorizedException {
		t.Errorf("sign-in with the new temporary password: %v", err)
	}

	n = len(e.allAudit(t))
	confirmed := "/console/pools/" + p.ID + "/users/" + ann.Sub
	res, body = e.post(t, b, confirmed+"/resend-invitation", e.ConsoleURL, url.Values{"csrf": {token}})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "UnsupportedUserStateException") {
		t.Errorf("resend to a confirmed user: %d: %s", res.StatusCode, body)
	}
	if got, err := e.DB.GetUser(ctx, p.ID, ann.Sub); err != nil || got.Status != pool.StatusConfirmed || !got.UpdatedAt.Equal(ann.UpdatedAt) {
		t.Errorf("ann after the refused resend: %s, %v", got.Status, err)
	}
	if n := e.Mail.Count("ann@example.com"); n != 0 {
		t.Errorf("%d mails to ann after the refused resend", n)
	}
	if got := e.allAudit(t); len(got) != n+1 || got[0].Result == "ok" {
		t.Errorf("refused resend records %+v", got[:len(got)-n])
	}
	e.Log.NoSecrets(t, first, second)
}

// TestGroupMembership: an administrator adds a user to one of the
// pool's groups (offered in a select of the groups the user is not in)
// and removes them, each with exactly one audit record; an unknown group
// is Cognito's ResourceNotFoundException. On the system pool an operator
// cannot remove themselves from the admin group.
func TestGroupMembership(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	p, u := e.customer(t, "ann", "ann@example.com")
	for _, name := range []string{"family", "guests"} {
		if _, err := e.Admin.CreateGroup(ctx, pool.Group{PoolID: p.ID, Name: name}); err != nil {
			t.Fatal(err)
		}
	}
	op := e.operator(t, "root", false)
	other := e.operator(t, "other", false)
	b := e.signedIn(t, "root")
	user := "/console/pools/" + p.ID + "/users/" + u.Sub
	_, page := e.get(t, b, user)
	if !strings.Contains(page, `<option value="family">`) || !strings.Contains(page, `<option value="guests">`) {
		t.Errorf("the add form does not offer both groups: %s", page)
	}
	token := csrf(t, page)
	member := func() []string {
		gs, err := e.Admin.AdminListGroupsForUser(ctx, p.ID, "ann")
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, g := range gs {
			names = append(names, g.Name)
		}
		return names
	}

	n := len(e.allAudit(t))
	res, body := e.post(t, b, user+"/groups/add", e.ConsoleURL, url.Values{"csrf": {token}, "group": {"family"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != user+"?done=group_added" {
		t.Fatalf("add to group: %d: %s", res.StatusCode, body)
	}
	if got := member(); strings.Join(got, " ") != "family" {
		t.Errorf("groups after the add: %q", got)
	}
	if got := actions(e.lastRecords(t, n, op.Sub)); strings.Join(got, " ") != "AdminAddUserToGroup" {
		t.Errorf("add records %q", got)
	}
	_, page = e.get(t, b, user+"?done=group_added")
	if strings.Contains(page, `<option value="family">`) || !strings.Contains(page, `data-group="family"`) || !strings.Contains(page, `id="done"`) {
		t.Errorf("user page after the add: %s", page)
	}

	n = len(e.allAudit(t))
	if res, body := e.post(t, b, user+"/groups/add", e.ConsoleURL, url.Values{"csrf": {token}, "group": {"nobody"}}); res.StatusCode != http.StatusNotFound || !strings.Contains(body, "ResourceNotFoundException") {
		t.Errorf("add to an unknown group: %d: %s", res.StatusCode, body)
	}
	if got := e.allAudit(t); len(got) != n+1 || got[0].Result == "ok" {
		t.Errorf("refused add records %+v", got[:len(got)-n])
	}

	n = len(e.allAudit(t))
	res, body = e.post(t, b, user+"/groups/remove", e.ConsoleURL, url.Values{"csrf": {token}, "group": {"family"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != user+"?done=group_removed" {
		t.Fatalf("remove from group: %d: %s", res.StatusCode, body)
	}
	if got := member(); len(got) != 0 {
		t.Errorf("groups after the removal: %q", got)
	}
	if got := actions(e.lastRecords(t, n, op.Sub)); strings.Join(got, " ") != "AdminRemoveUserFromGroup" {
		t.Errorf("remove records %q", got)
	}

	// The operator's own admin membership stays; another operator's can go.
	n = len(e.allAudit(t))
	self := "/console/pools/" + console.SystemPoolID + "/users/" + op.Sub
	if res, body := e.post(t, b, self+"/groups/remove", e.ConsoleURL, url.Values{"csrf": {token}, "group": {console.GroupAdmin}}); res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "remove yourself from the admin group") {
		t.Errorf("removing oneself from admin: %d: %s", res.StatusCode, body)
	}
	if got := e.allAudit(t); len(got) != n {
		t.Errorf("a refused removal of oneself wrote %v", actions(got[:len(got)-n]))
	}
	if res, _ := e.get(t, b, "/console/"); res.StatusCode != http.StatusOK {
		t.Errorf("the console after the refused removal: %d", res.StatusCode)
	}
	otherPage := "/console/pools/" + console.SystemPoolID + "/users/" + other.Sub
	if res, body := e.post(t, b, otherPage+"/groups/remove", e.ConsoleURL, url.Values{"csrf": {token}, "group": {console.GroupAdmin}}); res.StatusCode != http.StatusSeeOther {
		t.Errorf("removing another operator from admin: %d: %s", res.StatusCode, body)
	}
	if gs, err := e.Admin.AdminListGroupsForUser(ctx, console.SystemPoolID, "other"); err != nil || len(gs) != 0 {
		t.Errorf("the other operator's groups: %+v, %v", gs, err)
	}
}

// TestUnlinkIdentity: the user page lists the linked identities; an
// administrator unlinks one (AdminDisableProviderForUser, one audit
// record): the user keeps their account and loses the identity. For the
// identity that created a user, the same action disables the user and
// signs them out everywhere. An identity the user does not have is
// refused (404) and changes nothing.
func TestUnlinkIdentity(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	p, u := e.customer(t, "ann", "ann@example.com")
	corp := e.idp(t, p, "Corp")
	if _, err := e.Accounts.AdminLinkProviderForUser(ctx, p, account.ProviderUser{ProviderName: "Cognito", ProviderAttributeValue: "ann"},
		account.ProviderUser{ProviderName: "Corp", ProviderAttributeName: pool.SubjectAttribute, ProviderAttributeValue: "corp-ann"}); err != nil {
		t.Fatal(err)
	}
	fed := e.federated(t, p, corp, "corp-bob")
	op := e.operator(t, "root", false)
	e.operator(t, "viewer", true)
	b := e.signedIn(t, "root")
	user := "/console/pools/" + p.ID + "/users/" + u.Sub
	_, page := e.get(t, b, user)
	rows := between(page, `<table id="identities"`, "</table>")
	if !strings.Contains(rows, "Corp") || !strings.Contains(rows, "corp-ann") || strings.Count(rows, `class="secondary unlink"`) != 1 {
		t.Errorf("identities of ann: %s", rows)
	}
	token := csrf(t, page)

	_, viewerPage := e.get(t, e.signedIn(t, "viewer"), user)
	if !strings.Contains(viewerPage, "corp-ann") || strings.Contains(viewerPage, "/unlink") {
		t.Errorf("the read-only operator's page: identities listed %v, unlink offered %v",
			strings.Contains(viewerPage, "corp-ann"), strings.Contains(viewerPage, "/unlink"))
	}

	n := len(e.allAudit(t))
	// bob's identity, posted on ann's page, is not ann's.
	if res, body := e.post(t, b, user+"/unlink", e.ConsoleURL, url.Values{"csrf": {token}, "provider": {"Corp"}, "subject": {"corp-bob"}}); res.StatusCode != http.StatusNotFound || !strings.Contains(body, "no such linked identity") {
		t.Errorf("unlink another user's identity: %d: %s", res.StatusCode, body)
	}
	if got, _ := e.DB.GetUser(ctx, p.ID, fed.Sub); !got.Enabled {
		t.Error("the refused unlink disabled bob")
	}
	if got := e.allAudit(t); len(got) != n {
		t.Errorf("a refused unlink wrote %v", actions(got[:len(got)-n]))
	}

	res, body := e.post(t, b, user+"/unlink", e.ConsoleURL, url.Values{"csrf": {token}, "provider": {"Corp"}, "subject": {"corp-ann"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != user+"?done=unlinked" {
		t.Fatalf("unlink: %d: %s", res.StatusCode, body)
	}
	got, err := e.DB.GetUser(ctx, p.ID, u.Sub)
	if err != nil || len(got.Identities) != 0 || !got.Enabled {
		t.Errorf("ann after the unlink: identities %+v, enabled %v, %v", got.Identities, got.Enabled, err)
	}
	if got := actions(e.lastRecords(t, n, op.Sub)); strings.Join(got, " ") != "AdminDisableProviderForUser" {
		t.Errorf("unlink records %q", got)
	}
	if _, page := e.get(t, b, user+"?done=unlinked"); !strings.Contains(page, `id="no-identities"`) || !strings.Contains(page, `id="done"`) {
		t.Errorf("ann's page after the unlink: %s", page)
	}

	bob := "/console/pools/" + p.ID + "/users/" + fed.Sub
	_, page = e.get(t, b, bob)
	if strings.Count(between(page, `<table id="identities"`, "</table>"), `class="danger unlink"`) != 1 {
		t.Errorf("bob's primary identity is not offered as a disable: %s", page)
	}
	n = len(e.allAudit(t))
	res, body = e.post(t, b, bob+"/unlink", e.ConsoleURL, url.Values{"csrf": {token}, "provider": {"Corp"}, "subject": {"corp-bob"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != bob+"?done=provider_disable" {
		t.Fatalf("disable bob through his provider: %d: %s", res.StatusCode, body)
	}
	got, err = e.DB.GetUser(ctx, p.ID, fed.Sub)
	if err != nil || got.Enabled || len(got.Identities) != 1 || got.TokensValidAfter.IsZero() {
		t.Errorf("bob after the disable: enabled %v, identities %d, tokens valid after %v, %v", got.Enabled, len(got.Identities), got.TokensValidAfter, err)
	}
	if got := actions(e.lastRecords(t, n, op.Sub)); strings.Join(got, " ") != "AdminDisableProviderForUser" {
		t.Errorf("disable records %q", got)
	}
}
