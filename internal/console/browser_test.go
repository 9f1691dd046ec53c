package console_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/linkpool/linkpool/internal/admin"
	"github.com/linkpool/linkpool/internal/alexasim"
	"github.com/linkpool/linkpool/internal/apptest"
)

// tab is a Chromium tab of a phone's width.
type tab struct{ *apptest.Tab }

// startTab starts Chromium with one tab of a phone's width in lang.
func startTab(t *testing.T, lang string) *tab {
	t.Helper()
	return &tab{apptest.StartTab(t, alexasim.BrowserOptions{Width: 390, Height: 844, Lang: lang})}
}

// startDesktopTab starts Chromium with one tab of a desktop's width
// (1280×900) in lang.
func startDesktopTab(t *testing.T, lang string) *tab {
	t.Helper()
	return &tab{apptest.StartTab(t, alexasim.BrowserOptions{Width: 1280, Height: 900, Lang: lang})}
}

// eval evaluates a JavaScript expression in the page.
func eval[T any](b *tab, js string) T {
	b.T.Helper()
	return apptest.Eval[T](b.Tab, js)
}

// screenshotDir is where the screenshots of the console's pages go:
// $LINKPOOL_ARTIFACTS_DIR/screenshots, else artifacts/screenshots at the
// repository root (gitignored), as for the hosted pages' (test/e2e).
func screenshotDir(t *testing.T) string {
	t.Helper()
	base := os.Getenv("LINKPOOL_ARTIFACTS_DIR")
	if base == "" {
		root, err := filepath.Abs(filepath.Join("..", ".."))
		if err != nil {
			t.Fatal(err)
		}
		base = filepath.Join(root, "artifacts")
	}
	dir := filepath.Join(base, "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// shoot saves a screenshot of the whole page as console-<name>.png.
func (b *tab) shoot(name string) {
	b.T.Helper()
	png, err := chromedp.Run(b.Ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.T.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(screenshotDir(b.T), "console-"+name+".png"), png, 0o644); err != nil {
		b.T.Fatal(err)
	}
}

// fitsWidth fails the test when the page scrolls sideways on the phone,
// and keeps a screenshot of it.
func (b *tab) fitsWidth(page string) {
	b.T.Helper()
	b.shoot(strings.ReplaceAll(strings.TrimPrefix(page, "the "), " ", "-"))
	if !eval[bool](b, `document.documentElement.scrollWidth <= window.innerWidth`) {
		b.T.Errorf("%s scrolls sideways on a phone: %v > %v", page,
			eval[float64](b, `document.documentElement.scrollWidth`), eval[float64](b, `window.innerWidth`))
	}
}

// TestConsoleInChromium: an operator signs in through the system pool's
// hosted page on a phone-sized Chromium, reads a pool's Alexa console
// values, finds a user with a ListUsers filter, disables them, and reads
// the change in the audit log, then switches to Chinese and signs out;
// no page holds a script or scrolls sideways.
func TestConsoleInChromium(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test: -short")
	}
	e := newEnv(t)
	p, ann := e.customer(t, "ann", "ann@example.com")
	for _, name := range []string{"anna", "bob"} {
		e.addUser(t, p, name, name+"@example.com")
	}
	alexa, _ := e.Client(t, p, "alexa", admin.AlexaRedirectURLs("M2ABCDEF"))
	op := e.operator(t, "root", false)
	b := startTab(t, "en-US")
	e.Sampler.Sample()

	b.Open(e.ConsoleURL + "/console/")
	b.Do("sign in at the system pool",
		chromedp.WaitVisible(chromedp.ID("signInFormUsername")),
		chromedp.SendKeys(chromedp.ID("signInFormUsername"), "root"),
		chromedp.SendKeys(chromedp.ID("signInFormPassword"), operatorPassword),
		chromedp.Click(chromedp.ID("signInSubmitButton")),
		chromedp.WaitVisible(chromedp.ID("count-pools")),
	)
	if got := b.Text("count-pools"); got != "2" {
		t.Errorf("dashboard counts %s pools, want 2 (the system pool and the customers')", got)
	}
	if got := b.Text("health-store"); got != "OK" {
		t.Errorf("store health %q", got)
	}
	if got := b.Text("operator"); !strings.Contains(got, "root") {
		t.Errorf("operator shown as %q", got)
	}
	// The sign-in was a code issued and exchanged: the next sample
	// charts it.
	e.Clock.Advance(time.Minute)
	e.Sampler.Sample()
	b.Open(e.ConsoleURL + "/console/")
	b.Do("see the charts", chromedp.WaitVisible(chromedp.CSS(`svg#chart-links`)))
	if got := eval[int](b, `document.querySelectorAll('svg.chart rect.bar').length`); got != 12*2+12+12*2 {
		t.Errorf("%d bars on the dashboard, want 60 (12 five-minute bars of 5 series)", got)
	}
	b.fitsWidth("the dashboard")

	b.Do("open the pool",
		chromedp.Click(chromedp.CSS(`nav a[href="/console/pools"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#pools a[href="/console/pools/`+p.ID+`"]`)),
		chromedp.Click(chromedp.CSS(`#pools a[href="/console/pools/`+p.ID+`"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.alexa-auth-uri`)),
	)
	values := eval[[]string](b, `['.alexa-auth-uri', '.alexa-token-uri', '.alexa-client-id'].map(s => document.querySelector(s).innerText)`)
	if want := []string{e.URL + "/" + p.ID + "/oauth2/authorize", e.URL + "/" + p.ID + "/oauth2/token", alexa.ID}; !slices.Equal(values, want) {
		t.Errorf("Alexa console values %q, want %q", values, want)
	}
	b.fitsWidth("the pool page")

	b.Do("open the users",
		chromedp.Click(chromedp.ID("users-link")),
		chromedp.WaitVisible(chromedp.ID("filter")),
	)
	b.Do("filter the users",
		chromedp.WaitVisible(chromedp.ID("filter")),
		chromedp.SendKeys(chromedp.ID("filter"), `email = "ann@example.com"`),
		// The unfiltered page lists ann too: mark it, so that only the
		// filtered page's link is waited for.
		chromedp.Evaluate[chromedp.Void](`document.body.dataset.unfiltered = "1"`),
		chromedp.Click(chromedp.ID("search")),
		chromedp.WaitVisible(chromedp.CSS(`body:not([data-unfiltered]) #users a[href$="`+ann.Sub+`"]`)),
	)
	rows := eval[[]string](b, `[...document.querySelectorAll('#users tbody tr')].map(r => r.innerText)`)
	if len(rows) != 1 || !strings.Contains(rows[0], "ann@example.com") {
		t.Fatalf("filtered rows %q, want ann alone", rows)
	}
	if label := eval[string](b, `document.querySelector('label[for=filter]').innerText`); label == "" {
		t.Error("the filter has no label")
	}
	b.fitsWidth("the users page")

	b.Do("open the user",
		chromedp.Click(chromedp.CSS(`#users a[href$="`+ann.Sub+`"]`)),
		chromedp.WaitVisible(chromedp.ID("disable")),
	)
	b.Do("disable the user",
		chromedp.Click(chromedp.ID("disable")),
		chromedp.WaitVisible(chromedp.ID("done")),
	)
	if got := b.Text("enabled"); got != "No" {
		t.Errorf("enabled shows %q after disabling, want No", got)
	}
	b.fitsWidth("the user page")
	u, err := e.DB.GetUser(context.Background(), p.ID, ann.Sub)
	if err != nil || u.Enabled {
		t.Fatalf("ann after disable: enabled %v, %v", u.Enabled, err)
	}

	b.Do("open the audit log",
		chromedp.Click(chromedp.CSS(`nav a[href="/console/audit"]`)),
		chromedp.WaitVisible(chromedp.ID("audit")),
	)
	first := eval[[]string](b, `[...document.querySelectorAll('#audit tbody tr:first-child td')].map(td => td.innerText.trim())`)
	if len(first) != 6 || first[1] != "console/"+op.Sub+" (root)" || first[2] != "AdminDisableUser" || !strings.Contains(first[3], p.ID) || first[5] != "ok" {
		t.Errorf("newest audit entry %q, want AdminDisableUser by console/%s (root) on %s, ok", first, op.Sub, p.ID)
	}
	b.fitsWidth("the audit log")
	if n := eval[int](b, `document.scripts.length`); n != 0 {
		t.Errorf("the page has %d scripts", n)
	}

	// In Chinese, chosen in the footer's language menu.
	b.Do("switch to Chinese",
		chromedp.Click(chromedp.CSS(`footer a[lang="zh-CN"]`)),
		chromedp.WaitVisible(chromedp.ID("audit")),
	)
	if got := eval[string](b, `document.documentElement.lang + ' ' + document.querySelector('h1').innerText`); got != "zh-CN 审计日志" {
		t.Errorf("Chinese page: %q", got)
	}
	b.fitsWidth("the audit log in Chinese")

	b.Do("sign out",
		chromedp.Click(chromedp.ID("signout")),
		chromedp.WaitVisible(chromedp.ID("signin")),
	)
	if got := b.Text("message"); got != "您已退出控制台。" {
		t.Errorf("signed-out page says %q", got)
	}
}
