package console_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/linkpool/linkpool/internal/admin"
	"github.com/linkpool/linkpool/internal/alexasim"
	"github.com/linkpool/linkpool/internal/apptest"
)

// tab is a Chromium tab of a test.
type tab struct {
	t   *testing.T
	ctx context.Context
}

// startTab starts Chromium with one tab of a phone's width, closed when
// the test ends.
func startTab(t *testing.T, lang string) *tab {
	t.Helper()
	path := apptest.RequireChromium(t)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		alexasim.ChromiumFlags(alexasim.BrowserOptions{ChromiumPath: path, Width: 390, Height: 844, Lang: lang})...)
	cctx, cancel := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(cctx, 2*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	return &tab{t: t, ctx: ctx}
}

func (b *tab) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		body, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ''`))
		b.t.Fatalf("%s: %v\npage: %s", what, err, body)
	}
}

func (b *tab) open(rawURL string) {
	b.t.Helper()
	res, err := chromedp.Call(b.ctx, cdppage.Navigate, cdppage.NavigateParams{URL: rawURL})
	if err == nil && res.ErrorText != "" {
		err = fmt.Errorf("%s", res.ErrorText)
	}
	if err != nil {
		b.t.Fatalf("open %s: %v", rawURL, err)
	}
}

// eval evaluates a JavaScript expression in the page.
func eval[T any](b *tab, js string) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](js))
	if err != nil {
		b.t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

// text returns the text of the element with id.
func (b *tab) text(id string) string {
	b.t.Helper()
	return eval[string](b, fmt.Sprintf(`(() => { const el = document.getElementById(%q); return el ? el.innerText.trim() : ''; })()`, id))
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
	b.t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(screenshotDir(b.t), "console-"+name+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// fitsWidth fails the test when the page scrolls sideways on the phone,
// and keeps a screenshot of it.
func (b *tab) fitsWidth(page string) {
	b.t.Helper()
	b.shoot(strings.ReplaceAll(strings.TrimPrefix(page, "the "), " ", "-"))
	if !eval[bool](b, `document.documentElement.scrollWidth <= window.innerWidth`) {
		b.t.Errorf("%s scrolls sideways on a phone: %v > %v", page,
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

	b.open(e.ConsoleURL + "/console/")
	b.do("sign in at the system pool",
		chromedp.WaitVisible(chromedp.ID("signInFormUsername")),
		chromedp.SendKeys(chromedp.ID("signInFormUsername"), "root"),
		chromedp.SendKeys(chromedp.ID("signInFormPassword"), operatorPassword),
		chromedp.Click(chromedp.ID("signInSubmitButton")),
		chromedp.WaitVisible(chromedp.ID("count-pools")),
	)
	if got := b.text("count-pools"); got != "2" {
		t.Errorf("dashboard counts %s pools, want 2 (the system pool and the customers')", got)
	}
	if got := b.text("health-store"); got != "OK" {
		t.Errorf("store health %q", got)
	}
	if got := b.text("operator"); !strings.Contains(got, "root") {
		t.Errorf("operator shown as %q", got)
	}
	// The sign-in was a code issued and exchanged: the next sample
	// charts it.
	e.Clock.Advance(time.Minute)
	e.Sampler.Sample()
	b.open(e.ConsoleURL + "/console/")
	b.do("see the charts", chromedp.WaitVisible(chromedp.CSS(`svg#chart-links`)))
	if got := eval[int](b, `document.querySelectorAll('svg.chart rect.bar').length`); got != 12*2+12+12*2 {
		t.Errorf("%d bars on the dashboard, want 60 (12 five-minute bars of 5 series)", got)
	}
	b.fitsWidth("the dashboard")

	b.do("open the pool",
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

	b.do("open the users",
		chromedp.Click(chromedp.ID("users-link")),
		chromedp.WaitVisible(chromedp.ID("filter")),
	)
	b.do("filter the users",
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

	b.do("open the user",
		chromedp.Click(chromedp.CSS(`#users a[href$="`+ann.Sub+`"]`)),
		chromedp.WaitVisible(chromedp.ID("disable")),
	)
	b.do("disable the user",
		chromedp.Click(chromedp.ID("disable")),
		chromedp.WaitVisible(chromedp.ID("done")),
	)
	if got := b.text("enabled"); got != "No" {
		t.Errorf("enabled shows %q after disabling, want No", got)
	}
	b.fitsWidth("the user page")
	u, err := e.DB.GetUser(context.Background(), p.ID, ann.Sub)
	if err != nil || u.Enabled {
		t.Fatalf("ann after disable: enabled %v, %v", u.Enabled, err)
	}

	b.do("open the audit log",
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
	b.do("switch to Chinese",
		chromedp.Click(chromedp.CSS(`footer a[lang="zh-CN"]`)),
		chromedp.WaitVisible(chromedp.ID("audit")),
	)
	if got := eval[string](b, `document.documentElement.lang + ' ' + document.querySelector('h1').innerText`); got != "zh-CN 审计日志" {
		t.Errorf("Chinese page: %q", got)
	}
	b.fitsWidth("the audit log in Chinese")

	b.do("sign out",
		chromedp.Click(chromedp.ID("signout")),
		chromedp.WaitVisible(chromedp.ID("signin")),
	)
	if got := b.text("message"); got != "您已退出控制台。" {
		t.Errorf("signed-out page says %q", got)
	}
}
