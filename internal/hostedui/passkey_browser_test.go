package hostedui_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"

	"github.com/linkpool/linkpool/internal/alexasim"
	"github.com/linkpool/linkpool/internal/apptest"
)

// tab is a Chromium tab that records the client redirect it is sent to
// (and does not load it).
type tab struct {
	*apptest.Tab
	mu       sync.Mutex
	redirect string
}

// waitRedirect waits until the tab is sent to the client.
func (b *tab) waitRedirect() string {
	b.T.Helper()
	for range 400 {
		b.mu.Lock()
		r := b.redirect
		b.mu.Unlock()
		if r != "" {
			return r
		}
		time.Sleep(50 * time.Millisecond)
	}
	body, _ := chromedp.Run(b.Ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ''`))
	b.T.Fatalf("not sent to the client; page: %s", body)
	return ""
}

// startTab starts Chromium with one tab, closed when the test ends.
func startTab(t *testing.T, path string) *tab {
	t.Helper()
	return &tab{Tab: apptest.StartTab(t, alexasim.BrowserOptions{ChromiumPath: path, Width: 800, Height: 900})}
}

// visible reports whether the element with id is shown.
func (b *tab) visible(id string) bool {
	b.T.Helper()
	v, err := chromedp.Run(b.Ctx, chromedp.Evaluate[bool](fmt.Sprintf(
		`(() => { const el = document.getElementById(%q); return !!el && el.getClientRects().length > 0; })()`, id)))
	if err != nil {
		b.T.Fatalf("read #%s: %v", id, err)
	}
	return v
}

// TestPasskeyFallbackInChromium: a browser without WebAuthn sees the
// passkey page's message instead of its button, and a ceremony that
// fails in the browser (an authenticator that holds no passkey for the
// site) shows the failure; both keep the way back to the other sign-in
// choices, and neither leaves the page.
func TestPasskeyFallbackInChromium(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test: -short")
	}
	path := apptest.RequireChromium(t)
	e := newEnv(t, options{localhost: true, editPool: allowPasskeys})
	signIn := e.base + "/passkeySignIn?" + e.authQuery(alexaRedirects[0]).Encode()

	t.Run("no WebAuthn", func(t *testing.T) {
		b := startTab(t, path)
		if _, err := chromedp.Call(b.Ctx, cdppage.AddScriptToEvaluateOnNewDocument, cdppage.AddScriptToEvaluateOnNewDocumentParams{
			Source: "delete window.PublicKeyCredential;",
		}); err != nil {
			t.Fatal(err)
		}
		b.Open(signIn)
		b.Do("wait for the message", chromedp.WaitVisible(chromedp.ID("passkeyUnsupported")))
		if b.visible("passkeySignInButton") || !b.visible("otherSignInLink") {
			t.Error("without WebAuthn the page shows the passkey button or hides the other choices")
		}
		if msg := b.Text("passkeyUnsupported"); msg != "This browser cannot use passkeys. Sign in another way." {
			t.Errorf("message %q", msg)
		}
	})
	t.Run("ceremony fails", func(t *testing.T) {
		b := startTab(t, path)
		if _, err := chromedp.Call(b.Ctx, webauthn.Enable, webauthn.EnableParams{}); err != nil {
			t.Fatal(err)
		}
		if _, err := chromedp.Call(b.Ctx, webauthn.AddVirtualAuthenticator, webauthn.AddVirtualAuthenticatorParams{Options: &webauthn.VirtualAuthenticatorOptions{
			Protocol: webauthn.AuthenticatorProtocolCtap2, Ctap2version: webauthn.Ctap2versionCtap21,
			Transport: webauthn.AuthenticatorTransportInternal, HasResidentKey: true, HasUserVerification: true,
			IsUserVerified: true, AutomaticPresenceSimulation: true,
		}}); err != nil {
			t.Fatal(err)
		}
		b.Open(signIn)
		b.Do("try the passkey",
			chromedp.WaitVisible(chromedp.ID("passkeySignInButton")),
			chromedp.Click(chromedp.ID("passkeySignInButton")),
			chromedp.WaitVisible(chromedp.ID("passkeyFailed")),
		)
		if !b.visible("otherSignInLink") || !b.visible("passkeySignInButton") {
			t.Error("after a failed ceremony the page hides the other choices or the retry")
		}
		loc, err := chromedp.Run(b.Ctx, chromedp.Location())
		if err != nil || !strings.Contains(loc, "/passkeySignIn") {
			t.Errorf("the page moved to %q", loc)
		}
	})
}

// TestPasskeyInChromium registers a passkey on /passkeys in Chromium
// with its virtual authenticator (CTAP2, resident keys, user
// verification), then, signed out, signs in with it from the sign-in
// page of an authorization request to the client's redirect with a
// code: the pages' script, its nonce CSP and the server's ceremonies
// together, in a real browser.
func TestPasskeyInChromium(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test: -short")
	}
	path := apptest.RequireChromium(t)
	e := newEnv(t, options{localhost: true, editPool: allowPasskeys})
	u := e.createUser(t, "pia", "pia@example.com", goodPW)

	b := startTab(t, path)
	ctx := b.Ctx
	if err := chromedp.Listen(ctx, func(ev any) {
		if ev, ok := ev.(*fetch.EventRequestPaused); ok {
			b.mu.Lock()
			if b.redirect == "" {
				b.redirect = ev.Request.URL
			}
			b.mu.Unlock()
			go func() {
				_, _ = chromedp.Call(ctx, fetch.FailRequest, fetch.FailRequestParams{RequestID: ev.RequestID, ErrorReason: network.ErrorReasonAborted})
			}()
		}
	}); err != nil {
		t.Fatal(err)
	}
	// The client's redirect is paused (and failed), every other request
	// goes through.
	if _, err := chromedp.Call(ctx, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{{URLPattern: alexaRedirects[0] + "*"}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, webauthn.Enable, webauthn.EnableParams{}); err != nil {
		t.Fatalf("WebAuthn.enable: %v", err)
	}
	added, err := chromedp.Call(ctx, webauthn.AddVirtualAuthenticator, webauthn.AddVirtualAuthenticatorParams{Options: &webauthn.VirtualAuthenticatorOptions{
		Protocol: webauthn.AuthenticatorProtocolCtap2, Ctap2version: webauthn.Ctap2versionCtap21,
		Transport: webauthn.AuthenticatorTransportInternal, HasResidentKey: true, HasUserVerification: true,
		IsUserVerified: true, AutomaticPresenceSimulation: true,
	}})
	if err != nil {
		t.Fatalf("add a virtual authenticator: %v", err)
	}

	// Sign in with the password, then add a passkey.
	b.Open(e.base + "/login")
	b.Do("sign in with the password",
		chromedp.SendKeys(chromedp.ID("signInFormUsername"), "pia"),
		chromedp.SendKeys(chromedp.ID("signInFormPassword"), goodPW),
		chromedp.Click(chromedp.ID("signInSubmitButton")),
		chromedp.WaitVisible(chromedp.ID("backLink")),
		chromedp.Click(chromedp.ID("backLink")),
		chromedp.WaitVisible(chromedp.ID("addPasskeyButton")),
	)
	b.Do("add a passkey",
		chromedp.SendKeys(chromedp.ID("passkeyName"), "Test laptop"),
		chromedp.Click(chromedp.ID("addPasskeyButton")),
		chromedp.WaitVisible(chromedp.ID("passkeyList")),
	)
	if notice := b.Text("noticeMessage"); notice != "Your passkey was added." {
		t.Errorf("notice %q", notice)
	}
	creds, err := e.passkeys.List(context.Background(), e.pool, u.Sub)
	if err != nil || len(creds) != 1 || creds[0].Name != "Test laptop" || creds[0].RelyingPartyID != "localhost" || !creds[0].UserVerified {
		t.Fatalf("stored passkeys %+v, %v", creds, err)
	}
	held, err := chromedp.Call(ctx, webauthn.GetCredentials, webauthn.GetCredentialsParams(added))
	if err != nil || len(held.Credentials) != 1 || !held.Credentials[0].IsResidentCredential || string(held.Credentials[0].UserHandle) != u.Sub {
		t.Fatalf("the authenticator holds %+v, %v", held, err)
	}

	// Signed out, sign in with the passkey from the authorization's page.
	if _, err := chromedp.Call(ctx, network.ClearBrowserCookies, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	b.Open(e.base + "/oauth2/authorize?" + e.authQuery(alexaRedirects[0]).Encode())
	b.Do("open the passkey sign-in",
		chromedp.WaitVisible(chromedp.ID("passkeySignInLink")),
		chromedp.Click(chromedp.ID("passkeySignInLink")),
		chromedp.WaitVisible(chromedp.ID("passkeySignInButton")),
		chromedp.Click(chromedp.ID("passkeySignInButton")),
	)
	got := b.waitRedirect()
	ru, err := url.Parse(got)
	if err != nil || !strings.HasPrefix(got, alexaRedirects[0]+"?") || ru.Query().Get("code") == "" || ru.Query().Get("state") != "alexa-state-42" {
		t.Fatalf("redirected to %q, want the client's redirect with a code", got)
	}
	creds, _ = e.passkeys.List(context.Background(), e.pool, u.Sub)
	if creds[0].LastUsedAt.IsZero() {
		t.Error("the passkey's use was not recorded")
	}
}
