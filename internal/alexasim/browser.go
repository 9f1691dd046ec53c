package alexasim

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
)

// DefaultChromiumPath is the browser BrowserSignIn starts when
// BrowserOptions.ChromiumPath is empty (Debian's chromium package).
const DefaultChromiumPath = "/usr/bin/chromium"

// Browser defaults: an iPhone-sized phone, where the Alexa app shows the
// login page in its in-app browser ("Requirements for account linking":
// the page must work on mobile).
const (
	defaultBrowserWidth   = 390
	defaultBrowserHeight  = 844
	defaultBrowserLang    = "en-US"
	browserDeviceScale    = 2
	defaultBrowserTimeout = 2 * time.Minute
)

// BrowserOptions configure BrowserSignIn.
type BrowserOptions struct {
	// ScreenshotDir, when set, receives a PNG of every page visited, named
	// by step (01-login.png, 02-result.png). It is created if needed.
	ScreenshotDir string
	// Lang is the user's language: a BCP 47 tag ("zh-Hans") or a list of
	// them in order of preference ("zh-CN,zh"). Chromium sends it as
	// Accept-Language, adding the q-values itself, and gets the first tag
	// as --lang. Empty means en-US.
	Lang string
	// ChromiumPath is the browser executable; empty means
	// DefaultChromiumPath.
	ChromiumPath string
	// Width and Height are the viewport in CSS pixels; zero means 390×844,
	// a phone. The viewport emulates a touch-screen mobile device.
	Width, Height int
}

func (o BrowserOptions) withDefaults() BrowserOptions {
	o.Lang = languageList(o.Lang)
	if o.Lang == "" {
		o.Lang = defaultBrowserLang
	}
	if o.ChromiumPath == "" {
		o.ChromiumPath = DefaultChromiumPath
	}
	if o.Width <= 0 {
		o.Width = defaultBrowserWidth
	}
	if o.Height <= 0 {
		o.Height = defaultBrowserHeight
	}
	return o
}

// Errors of BrowserSignIn. The login page rules they enforce are from
// "Requirements for account linking for smart home and other skills": the
// page is shown in the Alexa app, which allows no pop-up windows and no
// JavaScript alerts or message boxes.
var (
	// ErrLoginDialog: the page opened alert, confirm, prompt or a
	// beforeunload dialog.
	ErrLoginDialog = errors.New("the login page opened a JavaScript dialog")
	// ErrLoginPopup: the page opened a new window or tab (window.open,
	// target=_blank).
	ErrLoginPopup = errors.New("the login page opened a new window")
	// ErrNoLoginForm: the page has no visible form with a password field
	// and a submit button.
	ErrNoLoginForm = errors.New("the page has no sign-in form with a password field")
	// ErrNoRedirect: after the form was submitted the browser stayed on the
	// authorization server, on a page that shows no error.
	ErrNoRedirect = errors.New("the sign-in did not redirect back to Alexa")
)

// LoginPageError is a sign-in the login page refused: it came back with
// an error shown on the page, as Amazon requires (no dialogs).
type LoginPageError struct {
	// Text is the visible error text of the page.
	Text string
}

func (e *LoginPageError) Error() string { return "the login page shows an error: " + e.Text }

// BrowserSignIn signs in on a login page the way a user does in the Alexa
// app: it starts headless Chromium with a fresh profile at a phone-sized
// viewport, opens authURL, types username and password into the visible
// fields of the form that has a password field, taps its submit button,
// and returns the URL the authorization server then redirects to (the
// Alexa redirect URL with code and state, or an error redirect, RFC 6749
// §4.1.2). Navigations are followed while they stay on authURL's origin;
// the first one that leaves it is intercepted and not loaded, so Amazon's
// pages are never requested.
//
// A JavaScript dialog fails with ErrLoginDialog and a new window with
// ErrLoginPopup; a login page that comes back with an inline error fails
// with *LoginPageError carrying the error text. Without a deadline on ctx
// the sign-in gives up after two minutes. Neither the password nor the
// query of a URL appears in an error.
func BrowserSignIn(ctx context.Context, authURL, username, password string, opts BrowserOptions) (*url.URL, error) {
	start, err := url.Parse(authURL)
	if err != nil || (start.Scheme != "http" && start.Scheme != "https") || start.Host == "" {
		return nil, fmt.Errorf("browser sign-in: the authorization URL must be an absolute http(s) URL")
	}
	opts = opts.withDefaults()
	if _, err := os.Stat(opts.ChromiumPath); err != nil {
		return nil, fmt.Errorf("browser sign-in: no Chromium at %s: %w", opts.ChromiumPath, err)
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, defaultBrowserTimeout)
		defer cancel()
	}
	// chromedp gives every browser a fresh temporary --user-data-dir and
	// removes it when the allocator is cancelled.
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, ChromiumFlags(opts)...)
	defer cancelAlloc()
	bctx, cancelTab := chromedp.NewContext(actx)
	defer cancelTab()

	s := &browserSession{origin: origin(start), opts: opts, changed: make(chan struct{}, 1)}
	// Close the tab first, so that protocol commands still in flight
	// return, then wait for them.
	defer s.wg.Wait()
	defer cancelTab()
	u, err := s.signIn(bctx, start.String(), username, password)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil && !errors.Is(err, ctxErr) {
			err = fmt.Errorf("%w (%w)", err, ctxErr)
		}
		return nil, fmt.Errorf("browser sign-in: %w", err)
	}
	return u, nil
}

// ChromiumFlags are Chromium's command-line options for BrowserSignIn and
// for tests that drive the hosted pages themselves: headless, no sandbox
// (CI runs as root), nothing that talks to Google on its own, the
// language of o and its viewport. Zero fields of o take their defaults.
func ChromiumFlags(o BrowserOptions) []chromedp.ExecAllocatorOption {
	o = o.withDefaults()
	return []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(o.ChromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-features", "Translate,MediaRouter,OptimizationHints"),
		chromedp.Flag("metrics-recording-only", true),
		chromedp.Flag("password-store", "basic"),
		chromedp.Flag("force-color-profile", "srgb"),
		// Pop-ups must open so that they can be detected and reported.
		chromedp.Flag("disable-popup-blocking", true),
		chromedp.Flag("lang", strings.Split(o.Lang, ",")[0]),
		chromedp.Flag("accept-lang", o.Lang),
		chromedp.WindowSize(o.Width, o.Height),
	}
}

// languageList returns the tags of an Accept-Language-like list, comma
// separated and without q-values: Chromium appends its own, and a q-value
// given twice makes the header malformed (RFC 9110 §12.5.4).
func languageList(s string) string {
	var tags []string
	for part := range strings.SplitSeq(s, ",") {
		tag, _, _ := strings.Cut(part, ";")
		if tag = strings.TrimSpace(tag); tag != "" {
			tags = append(tags, tag)
		}
	}
	return strings.Join(tags, ",")
}

// browserSession is one sign-in. Events of the tab are recorded in the
// order the browser sends them (chromedp.Listen), so that a dialog or a
// pop-up opened while a page loads is seen before the load.
type browserSession struct {
	origin string
	opts   BrowserOptions
	shots  int

	wg        sync.WaitGroup
	mainFrame cdp.FrameID
	tab       target.ID

	mu       sync.Mutex
	loads    int
	redirect *url.URL
	fault    error
	changed  chan struct{}
}

func (s *browserSession) signIn(ctx context.Context, authURL, username, password string) (*url.URL, error) {
	if err := s.setUp(ctx); err != nil {
		return nil, err
	}
	loaded, err := s.await(ctx, func() error {
		res, err := chromedp.Call(ctx, page.Navigate, page.NavigateParams{URL: authURL})
		if err == nil && res.ErrorText != "" && !s.done() {
			err = fmt.Errorf("open %s: %s", redact(authURL), res.ErrorText)
		}
		return err
	})
	if err != nil || !loaded {
		return s.redirect, err
	}
	s.screenshot(ctx, "login")
	form, err := chromedp.Run(ctx, chromedp.Evaluate[string](markFormJS))
	if err != nil {
		return nil, fmt.Errorf("inspect the login page: %w", err)
	}
	if form == "" {
		return nil, fmt.Errorf("%w (%s)", ErrNoLoginForm, s.describe(ctx))
	}
	steps := []chromedp.Action[chromedp.Void]{}
	if form == "username" {
		steps = append(steps, chromedp.SendKeys(chromedp.CSS(`[data-alexasim="username"]`), username))
	}
	steps = append(steps, chromedp.SendKeys(chromedp.CSS(`[data-alexasim="password"]`), password))
	if err := chromedp.Do(ctx, steps...); err != nil {
		return nil, fmt.Errorf("fill in the login form: %w", s.faultOr(err))
	}
	loaded, err = s.await(ctx, func() error {
		return chromedp.Do(ctx, chromedp.Tap(chromedp.CSS(`[data-alexasim="submit"]`)))
	})
	if err != nil || !loaded {
		return s.redirect, err
	}
	s.screenshot(ctx, "result")
	text, err := chromedp.Run(ctx, chromedp.Evaluate[string](errorTextJS))
	if err != nil {
		return nil, fmt.Errorf("inspect the page after sign-in: %w", err)
	}
	if text != "" {
		return nil, &LoginPageError{Text: text}
	}
	return nil, fmt.Errorf("%w: the browser stopped on %s", ErrNoRedirect, s.describe(ctx))
}

// setUp starts the browser and prepares the tab: event recording, request
// interception for documents, the phone viewport and the language.
func (s *browserSession) setUp(ctx context.Context) error {
	if err := chromedp.Do(ctx); err != nil {
		return fmt.Errorf("start Chromium: %w", err)
	}
	s.tab = chromedp.FromContext(ctx).Target.TargetID
	tree, err := chromedp.Call(ctx, page.GetFrameTree, cdp.Empty{})
	if err != nil {
		return fmt.Errorf("start Chromium: %w", err)
	}
	s.mainFrame = tree.FrameTree.Frame.ID
	if err := chromedp.Listen(ctx, func(ev any) { s.onEvent(ctx, ev) }); err != nil {
		return err
	}
	if err := chromedp.ListenBrowser(ctx, func(ev any) {
		if ev, ok := ev.(*target.EventTargetCreated); ok && ev.TargetInfo != nil &&
			ev.TargetInfo.OpenerID == s.tab && ev.TargetInfo.Type == "page" {
			s.fail(fmt.Errorf("%w (%s)", ErrLoginPopup, redact(ev.TargetInfo.URL)))
		}
	}); err != nil {
		return err
	}
	version, err := chromedp.CallBrowser(ctx, browser.GetVersion, cdp.Empty{})
	if err != nil {
		return fmt.Errorf("start Chromium: %w", err)
	}
	return chromedp.Do(ctx,
		chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			if _, err := cdp.Call(ctx, t, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{
				{URLPattern: "*", ResourceType: network.ResourceTypeDocument},
			}}); err != nil {
				return err
			}
			_, err := cdp.Call(ctx, t, emulation.SetUserAgentOverride, emulation.SetUserAgentOverrideParams{
				UserAgent: version.UserAgent, AcceptLanguage: s.opts.Lang,
			})
			return err
		}),
		chromedp.EmulateViewport(int64(s.opts.Width), int64(s.opts.Height),
			chromedp.EmulateScale(browserDeviceScale), chromedp.EmulateMobile, chromedp.EmulatePortrait,
			func(_ *emulation.SetDeviceMetricsOverrideParams, p *emulation.SetTouchEmulationEnabledParams) {
				p.Enabled, p.MaxTouchPoints = true, 5
			}),
	)
}

// onEvent records an event of the tab. It runs in chromedp's event loop,
// so protocol commands go to goroutines.
func (s *browserSession) onEvent(ctx context.Context, ev any) {
	switch ev := ev.(type) {
	case *fetch.EventRequestPaused:
		leave := ev.FrameID == s.mainFrame && ev.Request != nil && !s.sameOrigin(ev.Request.URL)
		if leave {
			if u, err := url.Parse(ev.Request.URL); err == nil {
				s.leave(u)
			} else {
				s.fail(fmt.Errorf("the login page redirected to an invalid URL"))
			}
		}
		s.command(func() error {
			if leave {
				_, err := chromedp.Call(ctx, fetch.FailRequest, fetch.FailRequestParams{RequestID: ev.RequestID, ErrorReason: network.ErrorReasonAborted})
				return err
			}
			_, err := chromedp.Call(ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: ev.RequestID})
			return err
		})
	case *page.EventJavascriptDialogOpening:
		s.fail(fmt.Errorf("%w (%s %q)", ErrLoginDialog, ev.Type, ev.Message))
		s.command(func() error {
			_, err := chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
			return err
		})
	case *page.EventWindowOpen:
		s.fail(fmt.Errorf("%w (%s)", ErrLoginPopup, redact(ev.URL)))
	case *page.EventLoadEventFired:
		s.mu.Lock()
		s.loads++
		s.mu.Unlock()
		s.notify()
	}
}

func (s *browserSession) command(f func() error) {
	s.wg.Go(func() { _ = f() })
}

func (s *browserSession) notify() {
	select {
	case s.changed <- struct{}{}:
	default:
	}
}

// fail records the first fault.
func (s *browserSession) fail(err error) {
	s.mu.Lock()
	if s.fault == nil && s.redirect == nil {
		s.fault = err
	}
	s.mu.Unlock()
	s.notify()
}

// leave records the first navigation out of the authorization server.
func (s *browserSession) leave(u *url.URL) {
	s.mu.Lock()
	if s.fault == nil && s.redirect == nil {
		s.redirect = u
	}
	s.mu.Unlock()
	s.notify()
}

func (s *browserSession) done() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fault != nil || s.redirect != nil
}

func (s *browserSession) faultOr(err error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fault != nil {
		return s.fault
	}
	return err
}

// await runs trigger and waits until the browser leaves the authorization
// server (redirect set, loaded false), a fault is recorded (error), or a
// new page of the authorization server has loaded (loaded true).
func (s *browserSession) await(ctx context.Context, trigger func() error) (loaded bool, err error) {
	s.mu.Lock()
	before := s.loads
	s.mu.Unlock()
	if err := trigger(); err != nil && !s.done() {
		return false, err
	}
	for {
		s.mu.Lock()
		fault, redirect, loads := s.fault, s.redirect, s.loads
		s.mu.Unlock()
		switch {
		case fault != nil:
			return false, fault
		case redirect != nil:
			return false, nil
		case loads > before:
			return true, nil
		}
		select {
		case <-s.changed:
		case <-ctx.Done():
			return false, fmt.Errorf("waiting for the login page: %w", ctx.Err())
		}
	}
}

func (s *browserSession) sameOrigin(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && origin(u) == s.origin
}

// origin is scheme://host:port with the default port made explicit (RFC
// 6454 §4).
func origin(u *url.URL) string {
	port := u.Port()
	if port == "" {
		switch strings.ToLower(u.Scheme) {
		case "https":
			port = "443"
		case "http":
			port = "80"
		}
	}
	return strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Hostname()) + ":" + port
}

// redact drops the query and fragment of a URL, which may carry codes.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "an invalid URL"
	}
	u.RawQuery, u.Fragment, u.User = "", "", nil
	return u.String()
}

// describe names the current page by title and path, for error messages.
func (s *browserSession) describe(ctx context.Context) string {
	title, _ := chromedp.Run(ctx, chromedp.Title())
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	return fmt.Sprintf("%q at %s", title, redact(loc))
}

// screenshot saves the viewport as <dir>/<NN>-<step>.png. A failing
// screenshot never fails the sign-in.
func (s *browserSession) screenshot(ctx context.Context, step string) {
	if s.opts.ScreenshotDir == "" {
		return
	}
	s.shots++
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		return
	}
	if err := os.MkdirAll(s.opts.ScreenshotDir, 0o755); err != nil {
		return
	}
	_ = os.WriteFile(filepath.Join(s.opts.ScreenshotDir, fmt.Sprintf("%02d-%s.png", s.shots, step)), png, 0o644)
}

// markFormJS finds the first visible password field in a form, the
// visible text field before it (the username) and the form's submit
// button, marks them with data-alexasim, and returns "username" or
// "password" (no username field), or "" when there is no such form.
const markFormJS = `(() => {
  const visible = el => {
    const s = getComputedStyle(el);
    if (s.display === 'none' || s.visibility === 'hidden' || el.disabled) return false;
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  };
  for (const el of document.querySelectorAll('[data-alexasim]')) el.removeAttribute('data-alexasim');
  const pw = [...document.querySelectorAll('form input[type=password]')].find(visible);
  if (!pw) return '';
  const fields = [...pw.form.elements];
  const submit = fields.find(el => (el.tagName === 'BUTTON' || el.tagName === 'INPUT') &&
    (el.type === 'submit' || el.type === 'image') && visible(el));
  if (!submit) return '';
  const user = fields.slice(0, fields.indexOf(pw)).reverse().find(el => el.tagName === 'INPUT' &&
    ['text', 'email', 'tel'].includes(el.type) && visible(el));
  pw.setAttribute('data-alexasim', 'password');
  submit.setAttribute('data-alexasim', 'submit');
  if (!user) return 'password';
  user.setAttribute('data-alexasim', 'username');
  return 'username';
})()`

// errorTextJS returns the visible text of the page's error messages:
// alerts, live regions and the usual error classes and ids.
const errorTextJS = `(() => {
  const visible = el => {
    const s = getComputedStyle(el);
    if (s.display === 'none' || s.visibility === 'hidden') return false;
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  };
  const sel = '[role=alert], [aria-live=assertive], .error, .field-error, .error-message, .errorMessage, ' +
    '[class*="errorMessage"], [id*="rrorMessage"], .alert-danger';
  const taken = [];
  for (const el of document.querySelectorAll(sel)) {
    if (!visible(el) || taken.some(t => t.contains(el))) continue;
    const text = el.innerText.trim().replace(/\s+/g, ' ');
    if (text) taken.push(el);
  }
  return taken.map(el => el.innerText.trim().replace(/\s+/g, ' ')).join(' ');
})()`
