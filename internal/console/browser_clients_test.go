package console_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"github.com/linkpool/linkpool/internal/admin"
)

// grantClipboard lets the console's pages read and write the clipboard
// without asking, so that the test can read what a copy button copied.
func (e *env) grantClipboard(b *tab) {
	b.T.Helper()
	for _, name := range []string{"clipboard-read", "clipboard-write"} {
		if _, err := chromedp.CallBrowser(b.Ctx, browser.SetPermission, browser.SetPermissionParams{
			Permission: &browser.PermissionDescriptor{Name: name}, Setting: browser.PermissionSettingGranted, Origin: e.ConsoleURL,
		}); err != nil {
			b.T.Fatalf("grant %s: %v", name, err)
		}
	}
}

// copied clicks the copy button that follows the element of selector,
// waits for the live region to say so, and returns the clipboard's text.
func (b *tab) copied(selector string) string {
	b.T.Helper()
	button := selector + " + button.copy"
	b.Do("copy "+selector,
		chromedp.WaitVisible(chromedp.CSS(button)),
		chromedp.Click(chromedp.CSS(button)),
		chromedp.Poll[chromedp.Void](`document.getElementById('copy-status').textContent.startsWith('Copied')`),
	)
	v, err := chromedp.Run(b.Ctx, chromedp.Evaluate[string](`navigator.clipboard.readText()`, chromedp.EvalAwaitPromise))
	if err != nil {
		b.T.Fatalf("read the clipboard: %v", err)
	}
	return v
}

// TestClientsInChromium: an administrator on a phone-sized Chromium
// creates an Alexa app client with a secret, reads the secret on the
// answer and copies it with its copy button (a labelled button, a live
// region saying it was copied), finds the client's page without the
// secret, copies the Alexa console's client ID there, edits the client,
// rotates the secret (the old one is refused at the token endpoint from
// then on, the new one is accepted), and deletes the client; no page
// scrolls sideways.
func TestClientsInChromium(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test: -short")
	}
	e := newEnv(t)
	e.operator(t, "root", false)
	p, _ := e.customer(t, "ann", "ann@example.com")
	b := startTab(t, "en-US")
	e.signInTab(b, "root")
	e.grantClipboard(b)

	b.Open(e.ConsoleURL + "/console/pools/" + p.ID)
	b.Do("open the new client form",
		chromedp.WaitVisible(chromedp.ID("new-client-link")),
		chromedp.Click(chromedp.ID("new-client-link")),
		chromedp.WaitVisible(chromedp.ID("vendor_id")),
	)
	if eval[bool](b, `!!document.querySelector('script')`) {
		t.Error("the new client form loads a script")
	}
	b.fitsWidth("the new client form")
	b.Do("create an Alexa client",
		chromedp.SendKeys(chromedp.ID("client-name-input"), "skill"),
		chromedp.SendKeys(chromedp.ID("vendor_id"), "M2ABCDEF"),
		chromedp.Click(chromedp.ID("create-client")),
		chromedp.WaitVisible(chromedp.ID("client-secret")),
	)
	secret := b.Text("client-secret")
	clientID := b.Text("client-id")
	ctx := context.Background()
	c, err := e.Admin.DescribeUserPoolClient(ctx, p.ID, clientID)
	if err != nil {
		t.Fatal(err)
	}
	if stored, err := e.Admin.ClientSecret(c); err != nil || stored != secret || secret == "" {
		t.Fatalf("the page shows the secret %q, the client has %q (%v)", secret, stored, err)
	}
	if label := eval[string](b, `document.querySelector('#client-secret + button.copy').getAttribute('aria-label')`); label != "Copy Client secret" {
		t.Errorf("the secret's copy button is labelled %q", label)
	}
	if got := b.copied("#client-secret"); got != secret {
		t.Errorf("the copy button copied %q, want the secret", got)
	}
	if role := eval[string](b, `document.getElementById('copy-status').getAttribute('role')`); role != "status" {
		t.Errorf("the copy status has the role %q", role)
	}
	b.fitsWidth("the created client")

	b.Do("open the client's page",
		chromedp.Click(chromedp.ID("client-link")),
		chromedp.WaitVisible(chromedp.ID("edit-client")),
	)
	if strings.Contains(eval[string](b, `document.body.innerText`), secret) {
		t.Error("the client page shows the secret")
	}
	if got := b.copied(".alexa-client-id"); got != clientID {
		t.Errorf("the Alexa client ID's copy button copied %q, want %q", got, clientID)
	}
	want := []string{e.URL + "/" + p.ID + "/oauth2/authorize", e.URL + "/" + p.ID + "/oauth2/token"}
	if got := eval[[]string](b, `['.alexa-auth-uri', '.alexa-token-uri'].map(s => document.querySelector(s).innerText)`); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("Alexa console values %q, want %q", got, want)
	}
	for _, u := range admin.AlexaRedirectURLs("M2ABCDEF") {
		if !strings.Contains(b.Text("client-callbacks"), u) {
			t.Errorf("the client page lacks the callback URL %s", u)
		}
	}
	b.fitsWidth("the client page")

	b.Do("edit the client",
		chromedp.Clear(chromedp.ID("access")),
		chromedp.SendKeys(chromedp.ID("access"), "30"),
		chromedp.SetValue(chromedp.CSS(`select[name="access_unit"]`), "minutes"),
		chromedp.SendKeys(chromedp.ID("logouts"), "https://skill.example.com/bye"),
		chromedp.Click(chromedp.ID("save-client")),
		chromedp.WaitVisible(chromedp.ID("done")),
	)
	if got := b.Text("client-access"); got != "30 minutes" {
		t.Errorf("access token validity shown as %q", got)
	}
	if c, err = e.Admin.DescribeUserPoolClient(ctx, p.ID, clientID); err != nil || c.AccessTokenValidity != 30 || c.TokenValidityUnits.AccessToken != "minutes" ||
		len(c.LogoutURLs) != 1 || c.LogoutURLs[0] != "https://skill.example.com/bye" || len(c.CallbackURLs) != 3 {
		t.Errorf("edited client %+v, %v", c, err)
	}

	b.Do("rotate the secret",
		chromedp.SendKeys(chromedp.ID("confirm-rotate"), "skill"),
		chromedp.Click(chromedp.ID("rotate-secret")),
		chromedp.WaitVisible(chromedp.ID("client-secret")),
	)
	rotated := b.Text("client-secret")
	if rotated == secret || rotated == "" {
		t.Fatalf("the rotated secret %q", rotated)
	}
	if status, oauthErr := e.tokenStatus(t, p.ID, clientID, secret); status != http.StatusUnauthorized || oauthErr != "invalid_client" {
		t.Errorf("the old secret after the rotation: %d %s, want 401 invalid_client", status, oauthErr)
	}
	if status, oauthErr := e.tokenStatus(t, p.ID, clientID, rotated); status != http.StatusBadRequest || oauthErr != "invalid_grant" {
		t.Errorf("the new secret: %d %s, want 400 invalid_grant", status, oauthErr)
	}
	if got := b.copied("#client-secret"); got != rotated {
		t.Errorf("the copy button copied %q, want the new secret", got)
	}
	b.fitsWidth("the rotated secret")

	b.Do("delete the client",
		chromedp.Click(chromedp.ID("client-link")),
		chromedp.WaitVisible(chromedp.ID("confirm-delete")),
		chromedp.SendKeys(chromedp.ID("confirm-delete"), clientID),
		chromedp.Click(chromedp.ID("delete-client")),
		chromedp.WaitVisible(chromedp.ID("users-link")),
	)
	if _, err := e.Admin.DescribeUserPoolClient(ctx, p.ID, clientID); err == nil {
		t.Error("the client is still there")
	}
	e.Log.NoSecrets(t, secret, rotated)
}
