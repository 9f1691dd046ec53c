package console_test

import (
	"context"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/linkpool/linkpool/internal/federation/fedtest"
	"github.com/linkpool/linkpool/internal/pool"
)

// TestFederationPagesInChromium: an administrator on a phone-sized
// Chromium creates an OpenID Connect provider pointing at a real OpenID
// provider (fedtest's zitadel OP), registers the redirect URI the page
// shows there, and a user then signs in through it; the provider's page
// never shows the client secret. The administrator sets a webhook
// trigger and reads the new signing secret once, creates a group and
// sees its page. No page scrolls sideways.
func TestFederationPagesInChromium(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test: -short")
	}
	e := newEnv(t)
	p, _ := e.customer(t, "ann", "ann@example.com")
	e.operator(t, "root", false)
	op := fedtest.NewOP(t)
	const secret = "op-client-secret-for-the-console"
	b := startTab(t, "en-US")
	e.signInTab(b, "root")

	b.Open(e.ConsoleURL + "/console/pools/" + p.ID)
	b.Do("open the identity providers",
		chromedp.WaitVisible(chromedp.ID("idps-link")),
		chromedp.Click(chromedp.ID("idps-link")),
		chromedp.WaitVisible(chromedp.ID("new-idp-link")),
	)
	b.fitsWidth("the identity providers")
	b.Do("create an OpenID Connect provider",
		chromedp.Click(chromedp.ID("new-idp-link")),
		chromedp.WaitVisible(chromedp.ID("oidc-issuer")),
		chromedp.SendKeys(chromedp.ID("idp-name"), "Corp"),
		chromedp.SendKeys(chromedp.ID("oidc-issuer"), op.Issuer()),
		chromedp.SendKeys(chromedp.ID("client-id"), "linkpool"),
		chromedp.SendKeys(chromedp.ID("client-secret"), secret),
		chromedp.SendKeys(chromedp.ID("identifiers"), "corp.example"),
	)
	b.fitsWidth("the new identity provider form")
	b.Do("submit the provider",
		chromedp.Click(chromedp.ID("create-idp")),
		chromedp.WaitVisible(chromedp.ID("done")),
	)
	if got := b.Text("idp-type"); got != pool.ProviderOIDC {
		t.Errorf("provider type shown as %q", got)
	}
	redirectURI := b.Text("redirect-uri")
	if want := e.URL + "/" + p.ID + "/oauth2/idpresponse"; redirectURI != want {
		t.Errorf("redirect URI shown as %q, want %q", redirectURI, want)
	}
	if got := b.Text("saml-entity-id"); got != "urn:amazon:cognito:sp:"+p.ID {
		t.Errorf("SAML entity id shown as %q", got)
	}
	text := eval[string](b, `document.body.innerText`)
	if strings.Contains(text, secret) || !strings.Contains(text, "set (not shown)") {
		t.Errorf("the provider page shows the client secret or not that it is set")
	}
	if v := eval[string](b, `document.getElementById('client-secret').value`); v != "" {
		t.Error("the edit form holds the client secret")
	}
	b.fitsWidth("the identity provider")

	// The provider works: a user signs in at the OP through it.
	op.AddClient("linkpool", secret, redirectURI)
	const callback = "https://app.example/cb"
	e.Client(t, p, "web", []string{callback}, func(c *pool.Client) {
		c.SupportedIdentityProviders = []string{pool.ProviderCognito, "Corp"}
	})
	clients, _, err := e.Admin.ListUserPoolClients(context.Background(), p.ID, 60, "")
	if err != nil || len(clients) != 1 {
		t.Fatalf("clients %+v, %v", clients, err)
	}
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, CheckRedirect: func(r *http.Request, _ []*http.Request) error {
		if strings.HasPrefix(r.URL.String(), callback) {
			return http.ErrUseLastResponse
		}
		return nil
	}}
	q := url.Values{"client_id": {clients[0].ID}, "redirect_uri": {callback}, "response_type": {"code"}, "scope": {"openid"},
		"state": {"app-state"}, "identity_provider": {"Corp"}}
	res, err := hc.Get(e.URL + "/" + p.ID + "/oauth2/authorize?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	readBody(t, res)
	back := mustParse(t, res.Header.Get("Location"))
	if res.StatusCode != http.StatusFound && res.StatusCode != http.StatusSeeOther || back.Query().Get("code") == "" || back.Query().Get("state") != "app-state" {
		t.Fatalf("sign-in through the provider ended %d at %q", res.StatusCode, back)
	}
	if _, err := e.Accounts.Lookup(context.Background(), p, pool.FederatedUsername("Corp", fedtest.DefaultUser.Subject)); err != nil {
		t.Errorf("the federated user: %v", err)
	}

	b.Open(e.ConsoleURL + "/console/pools/" + p.ID)
	b.Do("set a webhook trigger",
		chromedp.WaitVisible(chromedp.ID("triggers-link")),
		chromedp.Click(chromedp.ID("triggers-link")),
		chromedp.WaitVisible(chromedp.ID("t-PreSignUp")),
		chromedp.SendKeys(chromedp.ID("t-PreSignUp"), "https://hooks.example.com/linkpool/pre-sign-up"),
		chromedp.Click(chromedp.ID("save-triggers")),
		chromedp.WaitVisible(chromedp.ID("trigger-secret")),
	)
	want, err := e.Admin.TriggerSecret(context.Background(), p.ID)
	if err != nil || b.Text("trigger-secret") != want {
		t.Errorf("the page shows the secret %q, the pool's is %q (%v)", b.Text("trigger-secret"), want, err)
	}
	if got := eval[string](b, `document.querySelector('dd[data-trigger="PreSignUp"] code').innerText`); got != "https://hooks.example.com/linkpool/pre-sign-up" {
		t.Errorf("PreSignUp shown as %q", got)
	}
	b.fitsWidth("the triggers with a new secret")
	b.Open(e.ConsoleURL + "/console/pools/" + p.ID + "/triggers")
	b.Do("open the triggers again", chromedp.WaitVisible(chromedp.ID("secret-state")))
	if strings.Contains(eval[string](b, `document.body.innerText`), want) {
		t.Error("the triggers page shows the secret again")
	}

	b.Open(e.ConsoleURL + "/console/pools/" + p.ID)
	b.Do("create a group",
		chromedp.WaitVisible(chromedp.ID("groups-link")),
		chromedp.Click(chromedp.ID("groups-link")),
		chromedp.WaitVisible(chromedp.ID("group-name")),
		chromedp.SendKeys(chromedp.ID("group-name"), "household-admins"),
		chromedp.SendKeys(chromedp.ID("group-description-input"), "May add lamps for the household"),
		chromedp.SendKeys(chromedp.ID("group-precedence-input"), "1"),
	)
	b.fitsWidth("the groups")
	b.Do("submit the group",
		chromedp.Click(chromedp.ID("create-group")),
		chromedp.WaitVisible(chromedp.ID("done")),
	)
	if got := b.Text("group-name-value") + " / " + b.Text("group-description") + " / " + b.Text("group-precedence"); got != "household-admins / May add lamps for the household / 1" {
		t.Errorf("the group page shows %q", got)
	}
	b.fitsWidth("the group")
	if n := eval[int](b, `document.scripts.length`); n != 0 {
		t.Errorf("the page has %d scripts", n)
	}
}
