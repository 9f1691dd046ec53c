package console_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/pool"
)

// waitDone waits until the tab shows the user page after the change
// done (its ?done= parameter), as the previous page may show a notice
// too.
func (b *tab) waitDone(done string) {
	b.T.Helper()
	js := `new URLSearchParams(location.search).get('done') === '` + done + `' && document.readyState === 'complete' && !!document.getElementById('done')`
	for end := time.Now().Add(20 * time.Second); !eval[bool](b, js); {
		if time.Now().After(end) {
			b.T.Fatalf("no page with done=%s; on %s: %s", done, eval[string](b, `location.href`), eval[string](b, `document.body.innerText`))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestUserManagementInChromium: on a phone-sized Chromium an
// administrator resets the MFA of a user with an authenticator app
// (typing the username), turns on email codes, adds the user to a group
// and removes them, unlinks an identity, and resends the invitation of a
// user who has not signed in yet (the mail arrives); no page scrolls
// sideways.
func TestUserManagementInChromium(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test: -short")
	}
	e := newEnv(t)
	ctx := context.Background()
	p, ann := e.mfaPool(t, "ann", "ann@example.com")
	e.setUpTOTP(t, p, ann)
	e.idp(t, p, "Corp")
	if _, err := e.Accounts.AdminLinkProviderForUser(ctx, p, account.ProviderUser{ProviderName: "Cognito", ProviderAttributeValue: "ann"},
		account.ProviderUser{ProviderName: "Corp", ProviderAttributeName: pool.SubjectAttribute, ProviderAttributeValue: "corp-ann"}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"family", "guests"} {
		if _, err := e.Admin.CreateGroup(ctx, pool.Group{PoolID: p.ID, Name: name}); err != nil {
			t.Fatal(err)
		}
	}
	carol := e.invited(t, p, "carol", "carol@example.com")
	e.operator(t, "root", false)
	b := startTab(t, "en-US")
	e.signInTab(b, "root")

	user := e.ConsoleURL + "/console/pools/" + p.ID + "/users/" + ann.Sub
	b.Open(user)
	b.Do("open the user", chromedp.WaitVisible(chromedp.ID("reset-mfa")))
	if got := b.Text("factors"); !strings.Contains(got, pool.FactorSoftwareToken) {
		t.Errorf("factors before the reset: %q", got)
	}
	if got := b.Text("identities"); !strings.Contains(got, "Corp") || !strings.Contains(got, "corp-ann") {
		t.Errorf("identities: %q", got)
	}
	b.fitsWidth("the user with MFA identities and groups")

	b.Do("reset the MFA",
		chromedp.SendKeys(chromedp.ID("confirm-mfa"), "ann"),
		chromedp.Click(chromedp.ID("reset-mfa")),
	)
	b.waitDone("mfa_reset")
	if got := b.Text("factors"); got != "None" {
		t.Errorf("factors after the reset: %q", got)
	}
	if got, err := e.DB.GetUser(ctx, p.ID, ann.Sub); err != nil || got.MFA.TOTP != nil {
		t.Errorf("ann's authenticator app after the reset: %+v, %v", got.MFA.TOTP, err)
	}

	b.Do("turn on email codes",
		chromedp.WaitVisible(chromedp.CSS(`form[data-factor="EMAIL_OTP"] button[value="on"]`)),
		chromedp.Click(chromedp.CSS(`form[data-factor="EMAIL_OTP"] button[value="on"]`)),
	)
	b.waitDone("mfa_set")
	if got := b.Text("factors"); got != pool.FactorEmail {
		t.Errorf("factors after turning on email codes: %q", got)
	}

	b.Do("add to a group",
		chromedp.SetValue(chromedp.ID("add-group-name"), "guests"),
		chromedp.Click(chromedp.ID("add-group")),
	)
	b.waitDone("group_added")
	if got := b.Text("member-groups"); !strings.Contains(got, "guests") || strings.Contains(got, "family") {
		t.Errorf("groups after the add: %q", got)
	}
	b.fitsWidth("the user in a group")
	b.Do("remove from the group", chromedp.Click(chromedp.CSS(`button[data-group="guests"]`)))
	b.waitDone("group_removed")
	if got := b.Text("member-groups"); strings.Contains(got, "guests") {
		t.Errorf("groups after the removal: %q", got)
	}

	b.Do("unlink the identity", chromedp.Click(chromedp.CSS(`#identities button.unlink`)))
	b.waitDone("unlinked")
	if got := b.Text("no-identities"); got != "None" {
		t.Errorf("identities after the unlink: %q", got)
	}

	b.Open(e.ConsoleURL + "/console/pools/" + p.ID + "/users/" + carol.Sub)
	b.Do("resend the invitation",
		chromedp.WaitVisible(chromedp.ID("resend-invitation")),
		chromedp.Click(chromedp.ID("resend-invitation")),
	)
	b.waitDone("resent")
	if n := e.Mail.Count("carol@example.com"); n != 2 {
		t.Errorf("%d invitations mailed to carol, want 2", n)
	}
	if pw := e.lastTemporaryPassword(t, "carol@example.com"); strings.Contains(eval[string](b, `document.documentElement.outerHTML`), pw) {
		t.Error("the page shows the new temporary password")
	}
	b.fitsWidth("the invited user after the resend")
}
