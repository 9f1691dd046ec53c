package console_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/linkpool/linkpool/internal/admin"
)

// signInTab signs username in to the console in the tab, through the
// system pool's hosted sign-in page.
func (e *env) signInTab(b *tab, username string) {
	b.T.Helper()
	b.Open(e.ConsoleURL + "/console/")
	b.Do("sign in at the system pool",
		chromedp.WaitVisible(chromedp.ID("signInFormUsername")),
		chromedp.SendKeys(chromedp.ID("signInFormUsername"), username),
		chromedp.SendKeys(chromedp.ID("signInFormPassword"), operatorPassword),
		chromedp.Click(chromedp.ID("signInSubmitButton")),
		chromedp.WaitVisible(chromedp.ID("count-pools")),
	)
}

// TestConsoleWritesInChromium: an administrator on a phone-sized
// Chromium creates an Alexa pool from the preset and reads back the
// Alexa console's values with the client secret, creates a user (the
// invitation is mailed), finds them with a filter, disables them,
// rotates the pool's signing keys and reads the audit entries of all of
// it; no page scrolls sideways.
func TestConsoleWritesInChromium(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test: -short")
	}
	e := newEnv(t)
	op := e.operator(t, "root", false)
	b := startTab(t, "en-US")
	e.signInTab(b, "root")

	b.Do("open the preset",
		chromedp.Click(chromedp.CSS(`nav a[href="/console/pools"]`)),
		chromedp.WaitVisible(chromedp.ID("new-pool-link")),
		chromedp.Click(chromedp.ID("new-pool-link")),
		chromedp.WaitVisible(chromedp.ID("vendor_id")),
	)
	b.fitsWidth("the new pool form")
	b.Do("create an Alexa pool",
		chromedp.SendKeys(chromedp.ID("vendor_id"), "M2ABCDEF"),
		chromedp.Clear(chromedp.ID("name")),
		chromedp.SendKeys(chromedp.ID("name"), "Lamp"),
		chromedp.Click(chromedp.ID("create-pool")),
		chromedp.WaitVisible(chromedp.ID("alexa-values")),
	)
	values := eval[[]string](b, `['.alexa-auth-uri', '.alexa-token-uri', '.alexa-client-id', '#client-secret'].map(s => document.querySelector(s).innerText)`)
	poolID := strings.TrimPrefix(eval[string](b, `document.getElementById('pool-link').getAttribute('href')`), "/console/pools/")
	p, err := e.Admin.DescribeUserPool(context.Background(), poolID)
	if err != nil {
		t.Fatalf("the created pool %q: %v", poolID, err)
	}
	clients, _, err := e.Admin.ListUserPoolClients(context.Background(), p.ID, 60, "")
	if err != nil || len(clients) != 1 {
		t.Fatalf("clients of the created pool: %+v, %v", clients, err)
	}
	secret, err := e.Admin.ClientSecret(clients[0])
	if err != nil {
		t.Fatal(err)
	}
	want := []string{e.URL + "/" + p.ID + "/oauth2/authorize", e.URL + "/" + p.ID + "/oauth2/token", clients[0].ID, secret}
	if len(values) != 4 || values[0] != want[0] || values[1] != want[1] || values[2] != want[2] || values[3] != want[3] {
		t.Errorf("Alexa console values %q, want %q", values, want)
	}
	redirects := eval[string](b, `document.getElementById('alexa-values').innerText`)
	for _, u := range admin.AlexaRedirectURLs("M2ABCDEF") {
		if !strings.Contains(redirects, u) {
			t.Errorf("the created page lacks the redirect URL %s", u)
		}
	}
	b.fitsWidth("the created pool")

	b.Do("open the pool and create a user",
		chromedp.Click(chromedp.ID("pool-link")),
		chromedp.WaitVisible(chromedp.ID("users-link")),
		chromedp.Click(chromedp.ID("users-link")),
		chromedp.WaitVisible(chromedp.ID("new-user-link")),
		chromedp.Click(chromedp.ID("new-user-link")),
		chromedp.WaitVisible(chromedp.ID("new-email")),
		chromedp.SendKeys(chromedp.ID("new-username"), "carol"),
		chromedp.SendKeys(chromedp.ID("new-email"), "carol@example.com"),
		chromedp.Click(chromedp.ID("create-user")),
		chromedp.WaitVisible(chromedp.ID("done")),
	)
	if got := b.Text("username"); got != "carol" {
		t.Errorf("created user page shows %q", got)
	}
	if n := e.Mail.Count("carol@example.com"); n != 1 {
		t.Errorf("%d invitations mailed, want 1", n)
	}
	b.fitsWidth("the created user")

	b.Do("find the user with a filter",
		chromedp.Click(chromedp.ID("back")),
		chromedp.WaitVisible(chromedp.ID("filter")),
		chromedp.SendKeys(chromedp.ID("filter"), `email = "carol@example.com"`),
		chromedp.Click(chromedp.ID("search")),
		chromedp.WaitVisible(chromedp.CSS(`#users tbody a`)),
	)
	rows := eval[[]string](b, `[...document.querySelectorAll('#users tbody tr')].map(r => r.innerText)`)
	if len(rows) != 1 || !strings.Contains(rows[0], "carol@example.com") {
		t.Fatalf("filtered rows %q, want carol alone", rows)
	}
	b.Do("disable the user",
		chromedp.Click(chromedp.CSS(`#users tbody a`)),
		chromedp.WaitVisible(chromedp.ID("disable")),
		chromedp.Click(chromedp.ID("disable")),
		chromedp.WaitVisible(chromedp.ID("enable")),
	)
	if got := b.Text("enabled"); got != "No" {
		t.Errorf("enabled shows %q after disabling", got)
	}
	if got := b.Text("factors"); got != "None" {
		t.Errorf("MFA factors shown as %q", got)
	}

	b.Open(e.ConsoleURL + "/console/pools/" + p.ID)
	b.Do("rotate the signing keys",
		chromedp.WaitVisible(chromedp.ID("keys-link")),
		chromedp.Click(chromedp.ID("keys-link")),
		chromedp.WaitVisible(chromedp.ID("rotate")),
		chromedp.Click(chromedp.ID("rotate")),
		chromedp.WaitVisible(chromedp.ID("done")),
	)
	states := eval[[]string](b, `[...document.querySelectorAll('#keys tbody tr')].map(r => r.dataset.state)`)
	if strings.Count(strings.Join(states, " "), "retired") != 2 || strings.Count(strings.Join(states, " "), "next") != 2 {
		t.Errorf("key states after the rotation %q, want two retired and two next among them", states)
	}
	b.fitsWidth("the signing keys")

	b.Do("read the audit log",
		chromedp.Click(chromedp.CSS(`nav a[href="/console/audit"]`)),
		chromedp.WaitVisible(chromedp.ID("audit")),
	)
	got := eval[[]string](b, `[...document.querySelectorAll('#audit tbody tr')].slice(0, 6).map(r => [...r.querySelectorAll('td')].slice(1, 3).map(td => td.innerText.trim()).join(' '))`)
	actor := "console/" + op.Sub + " (root)"
	wantRows := []string{actor + " RotateSigningKeys", actor + " AdminDisableUser", actor + " AdminCreateUser", actor + " CreateUserPoolClient", actor + " CreateUserPool"}
	if len(got) < len(wantRows) || strings.Join(got[:len(wantRows)], "\n") != strings.Join(wantRows, "\n") {
		t.Errorf("newest audit entries:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantRows, "\n"))
	}
	b.fitsWidth("the audit log after changes")
	if strings.Contains(eval[string](b, `document.body.innerText`), secret) {
		t.Error("the audit log shows the client secret")
	}
}
