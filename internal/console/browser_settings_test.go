package console_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestSettingsInChromium: an administrator on a phone-sized Chromium
// changes a pool's password policy, previews a primary colour on the
// pool's sign-in page and saves it, then creates a prefix domain, reads
// what to do next, and deletes it once its name is typed; no page scrolls
// sideways.
func TestSettingsInChromium(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test: -short")
	}
	e := newEnv(t)
	e.operator(t, "root", false)
	p, _ := e.customer(t, "ann", "ann@example.com")
	ctx := context.Background()
	b := startTab(t, "en-US")
	e.signInTab(b, "root")

	b.Open(e.ConsoleURL + "/console/pools/" + p.ID)
	b.Do("change the minimum password length",
		chromedp.WaitVisible(chromedp.ID("settings-link")),
		chromedp.Click(chromedp.ID("settings-link")),
		chromedp.WaitVisible(chromedp.ID("min_length")),
	)
	b.fitsWidth("the pool settings")
	b.Do("save the settings",
		chromedp.SetValue(chromedp.ID("min_length"), "11"),
		chromedp.Click(chromedp.ID("save-settings")),
		chromedp.WaitVisible(chromedp.ID("done")),
	)
	if got, _ := e.Admin.DescribeUserPool(ctx, p.ID); got.PasswordPolicy.MinimumLength != 11 {
		t.Errorf("minimum length %d after the save, want 11", got.PasswordPolicy.MinimumLength)
	}

	b.Do("preview a primary colour",
		chromedp.Click(chromedp.ID("branding-link")),
		chromedp.WaitVisible(chromedp.ID("primary_color")),
		chromedp.SendKeys(chromedp.ID("primary_color"), "#0a7c59"),
		chromedp.Click(chromedp.ID("preview-branding")),
		chromedp.WaitVisible(chromedp.ID("preview-heading")),
		chromedp.WaitVisible(chromedp.ID("preview")),
	)
	// The framed preview loaded from the console's origin (a frame the
	// browser sandboxes runs in a process of its own, so its document is
	// read below at its address).
	preview := eval[string](b, `document.getElementById('preview').src`)
	loaded := false
	for range 50 {
		if loaded = eval[bool](b, `performance.getEntriesByName(document.getElementById('preview').src).some(e => e.responseStatus === 200)`); loaded {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !loaded {
		t.Error("the preview frame did not load")
	}
	eval[bool](b, `document.getElementById('preview').scrollIntoView(), true`)
	time.Sleep(500 * time.Millisecond) // a frame out of view is not painted
	b.fitsWidth("the branding preview")
	if got := eval[string](b, `document.getElementById('preview-heading').innerText`); !strings.Contains(got, "not saved yet") {
		t.Errorf("preview heading %q", got)
	}
	if got := eval[string](b, `document.getElementById('preview').getAttribute('sandbox')`); got != "" {
		t.Errorf("the preview's sandbox allows %q", got)
	}
	if got, _ := e.Admin.DescribeUserPool(ctx, p.ID); got.Branding.PrimaryColor != "" {
		t.Error("the preview saved the colour")
	}
	b.Do("save the branding",
		chromedp.Click(chromedp.ID("save-branding")),
		chromedp.WaitVisible(chromedp.ID("done")),
	)
	if got, _ := e.Admin.DescribeUserPool(ctx, p.ID); got.Branding.PrimaryColor != "#0a7c59" {
		t.Errorf("primary colour %q after the save", got.Branding.PrimaryColor)
	}
	saved := eval[string](b, `document.getElementById('preview').src`)
	// The framed documents, opened on their own: the proposed colour, then
	// the saved one, on the sign-in button.
	for _, u := range []string{preview, saved} {
		b.Open(u)
		b.Do("read the preview", chromedp.WaitVisible(chromedp.ID("signInSubmitButton")))
		if got := eval[string](b, `getComputedStyle(document.getElementById('signInSubmitButton')).backgroundColor`); got != "rgb(10, 124, 89)" {
			t.Errorf("the preview's button is %s, want rgb(10, 124, 89) (%s)", got, u)
		}
	}

	b.Open(e.ConsoleURL + "/console/pools/" + p.ID)
	b.Do("create a prefix domain",
		chromedp.WaitVisible(chromedp.ID("domains-link")),
		chromedp.Click(chromedp.ID("domains-link")),
		chromedp.WaitVisible(chromedp.ID("domain")),
		chromedp.Click(chromedp.ID("kind-prefix")),
		chromedp.SendKeys(chromedp.ID("domain"), "lamps"),
		chromedp.Click(chromedp.ID("create-domain")),
		chromedp.WaitVisible(chromedp.ID("created")),
	)
	b.fitsWidth("the domains")
	if got := eval[string](b, `document.getElementById('created').innerText`); !strings.Contains(got, "--auth-domain") {
		t.Errorf("next steps %q do not name --auth-domain", got)
	}
	if _, err := e.Admin.DescribeUserPoolDomain(ctx, "lamps"); err != nil {
		t.Fatalf("the domain: %v", err)
	}
	b.Do("delete the domain",
		chromedp.SendKeys(chromedp.ID("confirm-lamps"), "lamps"),
		chromedp.Click(chromedp.ID("delete-lamps")),
		chromedp.WaitVisible(chromedp.ID("deleted")),
	)
	b.fitsWidth("the domains after a delete")
	if _, err := e.Admin.DescribeUserPoolDomain(ctx, "lamps"); err == nil {
		t.Error("the domain is still there")
	}
}
