package console_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/admin"
	"github.com/linkpool/linkpool/internal/federation/fedtest"
	"github.com/linkpool/linkpool/internal/pool"
)

// maxShot is the size above which a desktop screenshot keeps the
// viewport rather than the whole page.
const maxShot = 400 << 10

// openPage opens a console page in the tab and waits until it is loaded.
func (b *tab) openPage(url string) {
	b.T.Helper()
	b.Open(url)
	b.waitLoaded(url)
}

// waitLoaded waits until the tab shows url, loaded.
func (b *tab) waitLoaded(url string) {
	b.T.Helper()
	js := `location.href === ` + jsString(url) + ` && document.readyState === 'complete' && !!document.querySelector('main h1')`
	for end := time.Now().Add(20 * time.Second); !eval[bool](b, js); {
		if time.Now().After(end) {
			b.T.Fatalf("%s did not load; on %s: %s", url, eval[string](b, `location.href`), eval[string](b, `document.body ? document.body.innerText : ''`))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// until waits until js is true in the tab, through navigations.
func (b *tab) until(what, js string) {
	b.T.Helper()
	for end := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if ok, err := chromedp.Run(b.Ctx, chromedp.Evaluate[bool](js)); err == nil && ok {
			return
		}
		if time.Now().After(end) {
			b.T.Fatalf("%s: not shown; on %s", what, eval[string](b, `location.href`))
		}
	}
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// unlabelled lists the fields of the page (inputs, selects, text areas;
// hidden fields and submit buttons aside) that have neither a label nor
// an aria-label.
const unlabelled = `[...document.querySelectorAll('input,select,textarea')]
	.filter(el => el.type !== 'hidden' && el.type !== 'submit')
	.filter(el => !(el.labels && el.labels.length > 0) && !el.getAttribute('aria-label'))
	.map(el => el.id || el.name || el.outerHTML)`

// onDesktop checks the page the tab shows at a desktop's width: it does
// not scroll sideways, holds no catalog key, has one main heading (the
// page's title; heading, when given), and every field has a label; and it saves a
// screenshot as console-desktop-<name>.png (the viewport when the whole
// page would be over maxShot).
func (b *tab) onDesktop(name, heading string) {
	b.T.Helper()
	if !eval[bool](b, `document.documentElement.scrollWidth <= window.innerWidth`) {
		b.T.Errorf("%s scrolls sideways on a desktop: %v > %v", name,
			eval[float64](b, `document.documentElement.scrollWidth`), eval[float64](b, `window.innerWidth`))
	}
	if k := messageKey.FindString(eval[string](b, `document.documentElement.outerHTML`)); k != "" {
		b.T.Errorf("%s shows the catalog key %q", name, k)
	}
	h1 := eval[[]string](b, `[...document.querySelectorAll('h1')].map(h => h.closest('main') ? h.innerText.trim() : '(outside main) ' + h.innerText)`)
	if title := eval[string](b, `document.title`); len(h1) != 1 || h1[0] == "" || !strings.HasPrefix(title, h1[0]+" · ") || heading != "" && h1[0] != heading {
		b.T.Errorf("%s has the headings %q (title %q), want one main heading %q, the title's", name, h1, title, heading)
	}
	if fields := eval[[]string](b, unlabelled); len(fields) != 0 {
		b.T.Errorf("%s has fields without a label: %q", name, fields)
	}
	png, err := chromedp.Run(b.Ctx, chromedp.FullScreenshot(100))
	if err == nil && len(png) > maxShot {
		png, err = chromedp.Run(b.Ctx, chromedp.CaptureScreenshot())
	}
	if err != nil {
		b.T.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(screenshotDir(b.T), "console-desktop-"+name+".png"), png, 0o644); err != nil {
		b.T.Fatal(err)
	}
}

// TestEveryPageOnADesktop: an administrator on a desktop-sized Chromium
// (1280×900) visits every page of the console with an Alexa pool that
// has users (one with an authenticator app, a linked identity and a
// group; one invited), a group with members, an OpenID Connect provider
// (a real OP), a webhook trigger, a domain, rotated signing keys, a new
// client and the audit records of all of it, in English, then in
// Chinese. No page scrolls sideways or shows a catalog key, each has its
// heading and a label for every field, and each is kept as a screenshot.
func TestEveryPageOnADesktop(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test: -short")
	}
	e := newEnv(t)
	ctx := context.Background()
	e.operator(t, "root", false)
	ap, err := e.Admin.CreateAlexaPool(ctx, admin.AlexaPreset{VendorID: "M2ABCDEF", Name: "Lamp skill", Region: "us-east-1", Domain: "lamps"}, e.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	p, err := e.Admin.UpdateUserPool(ctx, ap.Pool.ID, func(p *pool.Pool) {
		p.MFA = pool.MFAConfig{Mode: pool.MFAOptional, SoftwareToken: true, Email: true}
	})
	if err != nil {
		t.Fatal(err)
	}
	ann := e.addUser(t, p, "ann", "ann@example.com")
	e.setUpTOTP(t, p, ann)
	bob := e.addUser(t, p, "bob", "bob@example.com")
	e.addUser(t, p, "dora", "dora@example.com")
	e.invited(t, p, "carol", "carol@example.com")
	if _, err := e.Admin.CreateGroup(ctx, pool.Group{PoolID: p.ID, Name: "household-admins", Description: "May add lamps for the household", Precedence: new(1)}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Admin.CreateGroup(ctx, pool.Group{PoolID: p.ID, Name: "guests"}); err != nil {
		t.Fatal(err)
	}
	for _, u := range []pool.User{ann, bob} {
		if _, err := e.Admin.AdminAddUserToGroup(ctx, p.ID, "household-admins", u.Username); err != nil {
			t.Fatal(err)
		}
	}
	op := fedtest.NewOP(t)
	if _, err := e.Admin.CreateIdentityProvider(ctx, pool.IdentityProvider{PoolID: p.ID, ProviderName: "Corp", ProviderType: pool.ProviderOIDC,
		ProviderDetails: map[string]string{pool.DetailClientID: "linkpool", pool.DetailClientSecret: "op-client-secret-for-the-console",
			pool.DetailAuthorizeScopes: "openid email profile", pool.DetailOIDCIssuer: op.Issuer()},
		AttributeMapping: pool.DefaultAttributeMapping(pool.ProviderOIDC), IdpIdentifiers: []string{"corp.example"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Accounts.AdminLinkProviderForUser(ctx, p, account.ProviderUser{ProviderName: "Cognito", ProviderAttributeValue: "ann"},
		account.ProviderUser{ProviderName: "Corp", ProviderAttributeName: pool.SubjectAttribute, ProviderAttributeValue: "corp-ann"}); err != nil {
		t.Fatal(err)
	}
	lc := p.LambdaConfig
	lc.SetTarget("PreSignUp", "https://hooks.example.com/linkpool/pre-sign-up", lc.PreTokenVersion())
	if _, err := e.Admin.SetLambdaConfig(ctx, p.ID, lc); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.Admin.RotateSigningKeys(ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	e.Sampler.Sample()
	b := startDesktopTab(t, "en-US")
	e.signInTab(b, "root")
	e.Clock.Advance(time.Minute)
	e.Sampler.Sample()

	base := e.ConsoleURL + "/console"
	pp := base + "/pools/" + p.ID
	pages := []struct{ name, path string }{
		{"dashboard", "/"},
		{"pools", "/pools"},
		{"new-pool-form", "/pools/new"},
		{"pool", "/pools/" + p.ID},
		{"pool-settings", "/pools/" + p.ID + "/settings"},
		{"domains", "/pools/" + p.ID + "/domains"},
		{"client", "/pools/" + p.ID + "/clients/" + ap.Client.ID},
		{"new-client-form", "/pools/" + p.ID + "/clients/new"},
		{"users", "/pools/" + p.ID + "/users"},
		{"new-user-form", "/pools/" + p.ID + "/users/new"},
		{"user", "/pools/" + p.ID + "/users/" + ann.Sub},
		{"groups", "/pools/" + p.ID + "/groups"},
		{"group", "/pools/" + p.ID + "/groups/household-admins"},
		{"identity-providers", "/pools/" + p.ID + "/idps"},
		{"new-identity-provider-form", "/pools/" + p.ID + "/idps/new"},
		{"identity-provider", "/pools/" + p.ID + "/idps/Corp"},
		{"triggers", "/pools/" + p.ID + "/triggers"},
		{"signing-keys", "/pools/" + p.ID + "/keys"},
		{"branding", "/pools/" + p.ID + "/branding"},
	}
	for _, pg := range pages {
		b.openPage(base + pg.path)
		b.onDesktop(pg.name, "")
	}

	// The secret of a new client, shown once.
	b.openPage(pp + "/clients/new")
	b.Do("create a client",
		chromedp.SendKeys(chromedp.ID("client-name-input"), "web"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById('secret').checked = true`),
		chromedp.SendKeys(chromedp.ID("callbacks"), "https://app.example.com/callback"),
		chromedp.Click(chromedp.ID("create-client")),
		chromedp.WaitVisible(chromedp.ID("client-secret")),
	)
	b.onDesktop("created-client", "")

	// The branding page with its preview.
	b.openPage(pp + "/branding")
	b.Do("preview a primary colour",
		chromedp.SendKeys(chromedp.ID("primary_color"), "#0a7c59"),
		chromedp.Click(chromedp.ID("preview-branding")),
	)
	b.until("the proposed preview", `document.readyState === 'complete' && !!document.getElementById('preview') && document.getElementById('preview-heading').innerText.includes('not saved yet')`)
	for range 50 {
		if eval[bool](b, `performance.getEntriesByName(document.getElementById('preview').src).some(e => e.responseStatus === 200)`) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	eval[bool](b, `document.getElementById('preview').scrollIntoView(), true`)
	time.Sleep(500 * time.Millisecond) // a frame out of view is not painted
	eval[bool](b, `window.scrollTo(0, 0), true`)
	b.onDesktop("branding-preview", "")

	b.openPage(base + "/audit")
	if n := eval[int](b, `document.querySelectorAll('#audit tbody tr').length`); n < 10 {
		t.Errorf("the audit log shows %d entries, want the setting up's and the client's", n)
	}
	b.onDesktop("audit-log", "Audit log")

	// In Chinese, whose lines break anywhere: the same checks.
	b.openPage(base + "/audit?lang=zh-CN")
	b.onDesktop("zh-CN-audit-log", "审计日志")
	for _, pg := range pages {
		b.openPage(base + pg.path)
		if lang := eval[string](b, `document.documentElement.lang`); lang != "zh-CN" {
			t.Errorf("%s in Chinese is in %q", pg.name, lang)
		}
		b.onDesktop("zh-CN-"+pg.name, "")
	}
}
