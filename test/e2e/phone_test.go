package e2e_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"

	"github.com/linkpool/linkpool/internal/alexasim"
	"github.com/linkpool/linkpool/internal/apptest"
)

// chromiumPath is where Debian's chromium package installs the browser.
const chromiumPath = apptest.ChromiumPath

// The phone the hosted pages are tested on: an iPhone-sized viewport, as
// the Alexa app shows the login page in its in-app browser.
const (
	phoneWidth  = 390
	phoneHeight = 844
	phoneScale  = 2
)

// screenshotDir is where screenshots are kept as test artifacts:
// $LINKPOOL_ARTIFACTS_DIR/screenshots, else artifacts/screenshots at the
// repository root (gitignored).
func screenshotDir(t *testing.T) string {
	t.Helper()
	base := os.Getenv("LINKPOOL_ARTIFACTS_DIR")
	if base == "" {
		root, err := filepath.Abs(filepath.Join("..", ".."))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
			t.Fatalf("repository root not found from %s: %v", root, err)
		}
		base = filepath.Join(root, "artifacts")
	}
	dir := filepath.Join(base, "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// chromium is one headless Chromium shared by the phones of a test.
type chromium struct {
	ctx context.Context
}

func startChromium(t *testing.T) *chromium {
	t.Helper()
	apptest.RequireChromium(t)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		alexasim.ChromiumFlags(alexasim.BrowserOptions{ChromiumPath: chromiumPath, Width: phoneWidth, Height: phoneHeight})...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	return &chromium{ctx: ctx}
}

// phone is one user's browser: a tab in a browser context of its own
// (its own cookies), at a phone viewport, speaking lang. Navigations
// that leave the authorization server's origin are intercepted and not
// loaded (they go to Amazon); dialogs and new windows are recorded as
// faults, which fail the test when it ends.
type phone struct {
	t      *testing.T
	ctx    context.Context
	lang   string
	origin string
	shots  string
	prefix string

	tab       target.ID
	mainFrame cdp.FrameID
	wg        sync.WaitGroup

	mu      sync.Mutex
	loads   int
	left    *url.URL
	faults  []string
	changed chan struct{}
}

// newPhone opens a tab for a user of the server at origin, speaking
// lang. Screenshots are named <prefix>-<lang>-<page>.png.
func (c *chromium) newPhone(t *testing.T, origin string, lang language, prefix string) *phone {
	t.Helper()
	ctx, cancel := chromedp.NewContext(c.ctx, chromedp.WithNewBrowserContext())
	p := &phone{t: t, ctx: ctx, lang: lang.name, origin: origin, prefix: prefix, shots: screenshotDir(t), changed: make(chan struct{}, 1)}
	t.Cleanup(func() {
		cancel()
		p.wg.Wait()
		p.mu.Lock()
		defer p.mu.Unlock()
		if len(p.faults) > 0 {
			t.Errorf("the login pages must open no dialogs and no new windows (Alexa app rules), got: %s", strings.Join(p.faults, "; "))
		}
	})
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("open a tab: %v", err)
	}
	p.tab = chromedp.FromContext(ctx).Target.TargetID
	tree, err := chromedp.Call(ctx, page.GetFrameTree, cdp.Empty{})
	if err != nil {
		t.Fatal(err)
	}
	p.mainFrame = tree.FrameTree.Frame.ID
	if err := chromedp.Listen(ctx, p.onEvent); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.ListenBrowser(ctx, func(ev any) {
		if ev, ok := ev.(*target.EventTargetCreated); ok && ev.TargetInfo != nil && ev.TargetInfo.OpenerID == p.tab {
			p.fault("new target " + ev.TargetInfo.Type + " " + ev.TargetInfo.URL)
		}
	}); err != nil {
		t.Fatal(err)
	}
	version, err := chromedp.CallBrowser(ctx, browser.GetVersion, cdp.Empty{})
	if err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(ctx,
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			if _, err := cdp.Call(ctx, tg, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{
				{URLPattern: "*", ResourceType: network.ResourceTypeDocument},
			}}); err != nil {
				return err
			}
			_, err := cdp.Call(ctx, tg, emulation.SetUserAgentOverride, emulation.SetUserAgentOverrideParams{
				UserAgent: version.UserAgent, AcceptLanguage: lang.accept,
			})
			return err
		}),
		chromedp.EmulateViewport(phoneWidth, phoneHeight, chromedp.EmulateScale(phoneScale), chromedp.EmulateMobile, chromedp.EmulateTouch),
	)
	if err != nil {
		t.Fatalf("set up the phone: %v", err)
	}
	return p
}

// onEvent runs in chromedp's event loop: it records and leaves protocol
// commands to goroutines.
func (p *phone) onEvent(ev any) {
	switch ev := ev.(type) {
	case *fetch.EventRequestPaused:
		leave := false
		if ev.FrameID == p.mainFrame && ev.Request != nil {
			if u, err := url.Parse(ev.Request.URL); err == nil && originOf(u) != p.origin {
				leave = true
				p.mu.Lock()
				if p.left == nil {
					p.left = u
				}
				p.mu.Unlock()
				p.notify()
			}
		}
		p.wg.Go(func() {
			if leave {
				_, _ = chromedp.Call(p.ctx, fetch.FailRequest, fetch.FailRequestParams{RequestID: ev.RequestID, ErrorReason: network.ErrorReasonAborted})
				return
			}
			_, _ = chromedp.Call(p.ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: ev.RequestID})
		})
	case *page.EventJavascriptDialogOpening:
		p.fault(fmt.Sprintf("JavaScript %s dialog %q", ev.Type, ev.Message))
		p.wg.Go(func() {
			_, _ = chromedp.Call(p.ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
		})
	case *page.EventWindowOpen:
		p.fault("window.open of " + ev.URL)
	case *page.EventLoadEventFired:
		p.mu.Lock()
		p.loads++
		p.mu.Unlock()
		p.notify()
	}
}

func (p *phone) notify() {
	select {
	case p.changed <- struct{}{}:
	default:
	}
}

func (p *phone) fault(s string) {
	p.mu.Lock()
	p.faults = append(p.faults, s)
	p.mu.Unlock()
	p.notify()
}

func originOf(u *url.URL) string {
	return strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Host)
}

// step runs trigger and waits until a new page of the server has loaded
// (nil) or the browser was sent out of the server (the URL). A dialog or
// new window fails the test at once.
func (p *phone) step(what string, trigger func() error) *url.URL {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	p.mu.Lock()
	before, faults := p.loads, len(p.faults)
	p.mu.Unlock()
	if err := trigger(); err != nil {
		p.mu.Lock()
		left := p.left
		p.mu.Unlock()
		if left == nil {
			p.t.Fatalf("%s: %v", what, err)
		}
	}
	for {
		p.mu.Lock()
		loads, left, nf := p.loads, p.left, len(p.faults)
		var fault string
		if nf > faults {
			fault = p.faults[nf-1]
		}
		p.left = nil
		p.mu.Unlock()
		switch {
		case fault != "":
			p.t.Fatalf("%s: the page opened %s", what, fault)
		case left != nil:
			return left
		case loads > before:
			return nil
		}
		select {
		case <-p.changed:
		case <-ctx.Done():
			p.t.Fatalf("%s: no page loaded: %v", what, ctx.Err())
		}
	}
}

// open navigates to rawURL.
func (p *phone) open(rawURL string) *url.URL {
	p.t.Helper()
	return p.step("open "+redactURL(rawURL), func() error {
		res, err := chromedp.Call(p.ctx, page.Navigate, page.NavigateParams{URL: rawURL})
		if err == nil && res.ErrorText != "" {
			err = fmt.Errorf("%s", res.ErrorText)
		}
		return err
	})
}

// tap taps the element with the given id, like a finger.
func (p *phone) tap(id string) *url.URL {
	p.t.Helper()
	return p.step("tap #"+id, func() error {
		return chromedp.Do(p.ctx, chromedp.Tap(chromedp.ID(id)))
	})
}

// fill types text into the field with the given id, key by key.
func (p *phone) fill(id, text string) {
	p.t.Helper()
	if err := chromedp.Do(p.ctx, chromedp.SendKeys(chromedp.ID(id), text)); err != nil {
		p.t.Fatalf("type into #%s: %v", id, err)
	}
}

// text returns the visible text of the element with the given id, "" if
// there is none.
func (p *phone) text(id string) string {
	p.t.Helper()
	s, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](fmt.Sprintf(
		`(() => { const el = document.getElementById(%q); return el ? el.innerText.trim() : ''; })()`, id)))
	if err != nil {
		p.t.Fatalf("read #%s: %v", id, err)
	}
	return s
}

// path is the path of the current page.
func (p *phone) path() string {
	p.t.Helper()
	loc, err := chromedp.Run(p.ctx, chromedp.Location())
	if err != nil {
		p.t.Fatal(err)
	}
	u, err := url.Parse(loc)
	if err != nil {
		p.t.Fatal(err)
	}
	return u.Path
}

// screenshot saves the whole page as <prefix>-<lang>-<name>.png.
func (p *phone) screenshot(name string) {
	p.t.Helper()
	png, err := chromedp.Run(p.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		p.t.Fatalf("screenshot %s: %v", name, err)
	}
	file := filepath.Join(p.shots, fmt.Sprintf("%s-%s-%s.png", p.prefix, p.lang, name))
	if err := os.WriteFile(file, png, 0o644); err != nil {
		p.t.Fatal(err)
	}
}

// redactURL drops the query of a URL for messages.
func redactURL(raw string) string {
	if i := strings.IndexByte(raw, '?'); i >= 0 {
		return raw[:i]
	}
	return raw
}
