package e2e_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/linkpool/linkpool/internal/apptest"
	"github.com/linkpool/linkpool/internal/pool"
)

// providerButtons is what the phone sees of the sign-in page's provider
// links.
type providerButtons struct {
	Labels      []string `json:"labels"`
	AllVisible  bool     `json:"allVisible"`
	AllFocus    bool     `json:"allFocus"`
	MinHeight   float64  `json:"minHeight"`
	Overflowing bool     `json:"overflowing"`
}

const providerButtonsJS = `(() => {
  const links = [...document.querySelectorAll('a.provider-button')];
  const out = {labels: [], allVisible: links.length > 0, allFocus: links.length > 0, minHeight: 1e9,
    overflowing: document.documentElement.scrollWidth > window.innerWidth};
  for (const a of links) {
    out.labels.push(a.innerText.trim());
    const r = a.getBoundingClientRect();
    const s = getComputedStyle(a);
    if (r.width <= 0 || r.height <= 0 || r.left < 0 || r.right > window.innerWidth || s.visibility === 'hidden' || s.display === 'none') out.allVisible = false;
    out.minHeight = Math.min(out.minHeight, r.height);
    a.focus();
    if (document.activeElement !== a) out.allFocus = false;
  }
  return out;
})()`

// TestProviderButtonsOnAPhone: the sign-in page of a client that lists
// Login with Amazon and a company's OIDC provider besides COGNITO, in
// Chromium at a phone viewport, in every language: one visible,
// focusable, finger-sized button per provider, in the client's order,
// above the form, with no horizontal overflow, and the page's labels and
// contrast as for every hosted page.
func TestProviderButtonsOnAPhone(t *testing.T) {
	if testing.Short() {
		t.Skip("browser end-to-end test: -short")
	}
	apptest.RequireChromium(t)
	l := newLab(t, labOptions{})
	ctx := context.Background()
	for _, idp := range []pool.IdentityProvider{
		{PoolID: l.setup.PoolID, ProviderName: pool.ProviderLoginWithAmazon, ProviderType: pool.ProviderLoginWithAmazon,
			ProviderDetails: map[string]string{pool.DetailClientID: "amzn1.application-oa2-client.x", pool.DetailClientSecret: "s3cret", pool.DetailAuthorizeScopes: "profile"}},
		{PoolID: l.setup.PoolID, ProviderName: "ContosoCorporateSingleSignOn", ProviderType: pool.ProviderOIDC,
			ProviderDetails: map[string]string{pool.DetailClientID: "linkpool", pool.DetailAuthorizeScopes: "openid email", pool.DetailOIDCIssuer: "https://login.contoso.example"}},
	} {
		if _, err := l.app.Admin.CreateIdentityProvider(ctx, idp); err != nil {
			t.Fatalf("create %s: %v", idp.ProviderName, err)
		}
	}
	l.cli("client", "update", "--client", l.setup.ClientID, "--identity-providers", "LoginWithAmazon,ContosoCorporateSingleSignOn,COGNITO")
	l.configSeen()
	browser := startChromium(t)
	redirect := l.setup.RedirectURLs[0]
	for _, lang := range languages {
		t.Run(lang.name, func(t *testing.T) {
			p := browser.newPhone(t, l.publicURL, lang, "providers")
			if left := p.open(l.authorizeURL(redirect, "st-"+randomID(20))); left != nil {
				t.Fatalf("the authorization request left the server for %s", redactURL(left.String()))
			}
			if !strings.HasSuffix(p.path(), "/login") {
				t.Fatalf("showed %s, want the sign-in page", p.path())
			}
			p.screenshot("login")
			p.checkA11y("login", lang.htmlLang)
			p.checkRendering("login", lang.htmlLang, lang.dir)
			got, err := chromedp.Run(p.ctx, chromedp.Evaluate[providerButtons](providerButtonsJS))
			if err != nil {
				t.Fatal(err)
			}
			want := []string{fmt.Sprintf(lang.continueWith, "Amazon"), fmt.Sprintf(lang.continueWith, "ContosoCorporateSingleSignOn")}
			if strings.Join(got.Labels, "|") != strings.Join(want, "|") {
				t.Errorf("buttons %q, want %q", got.Labels, want)
			}
			if !got.AllVisible || !got.AllFocus || got.MinHeight < 44 || got.Overflowing {
				t.Errorf("buttons: visible %v, focusable %v, min height %.0f px, page overflows %v", got.AllVisible, got.AllFocus, got.MinHeight, got.Overflowing)
			}
			if button := p.text("signInSubmitButton"); button != lang.signIn {
				t.Errorf("the local form must stay: sign-in button %q, want %q", button, lang.signIn)
			}
		})
	}
}
