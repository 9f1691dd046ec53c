package apptest

import (
	"context"
	"fmt"
	"testing"
	"time"

	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/linkpool/linkpool/internal/alexasim"
)

// Tab is one tab of a headless Chromium that a test drives: the browser
// starts with StartTab and closes when the test ends. Each step that
// fails ends the test with the text of the page it was on.
type Tab struct {
	T   *testing.T
	Ctx context.Context
}

// StartTab starts Chromium (opts.ChromiumPath, else RequireChromium's)
// with one tab of the window opts sets, for at most two minutes.
func StartTab(t *testing.T, opts alexasim.BrowserOptions) *Tab {
	t.Helper()
	if opts.ChromiumPath == "" {
		opts.ChromiumPath = RequireChromium(t)
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), alexasim.ChromiumFlags(opts)...)
	cctx, cancel := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(cctx, 2*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	return &Tab{T: t, Ctx: ctx}
}

// Do runs steps, named what in a failure.
func (b *Tab) Do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.T.Helper()
	if err := chromedp.Do(b.Ctx, steps...); err != nil {
		body, _ := chromedp.Run(b.Ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ''`))
		b.T.Fatalf("%s: %v\npage: %s", what, err, body)
	}
}

// Open navigates to rawURL.
func (b *Tab) Open(rawURL string) {
	b.T.Helper()
	res, err := chromedp.Call(b.Ctx, cdppage.Navigate, cdppage.NavigateParams{URL: rawURL})
	if err == nil && res.ErrorText != "" {
		err = fmt.Errorf("%s", res.ErrorText)
	}
	if err != nil {
		b.T.Fatalf("open %s: %v", rawURL, err)
	}
}

// Eval evaluates a JavaScript expression in b's page.
func Eval[T any](b *Tab, js string) T {
	b.T.Helper()
	v, err := chromedp.Run(b.Ctx, chromedp.Evaluate[T](js))
	if err != nil {
		b.T.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

// Text returns the shown text of the element with id, "" without one.
func (b *Tab) Text(id string) string {
	b.T.Helper()
	return Eval[string](b, fmt.Sprintf(`(() => { const el = document.getElementById(%q); return el ? el.innerText.trim() : ''; })()`, id))
}
