package alexasim

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// SignIn is how the user signs in on the login page in the Alexa app's
// web view: FormSignIn fills the form over HTTP, ManualSignIn lets a
// person do it in a real browser and paste the redirect, and SignInFunc
// adapts a function such as one driving headless Chromium.
type SignIn interface {
	// SignIn opens req.AuthURL, signs in and returns where the login page
	// finally redirected to, without fetching that URL (it is Amazon's).
	// Login-page problems are diagnoses in the result; the error is kept
	// for failures of the strategy itself (ctx cancelled, no input).
	SignIn(ctx context.Context, req SignInRequest) (*SignInResult, error)
}

// SignInRequest is what a sign-in strategy gets.
type SignInRequest struct {
	// AuthURL is the full authorization request.
	AuthURL string
	// RedirectURI is the Alexa redirect URL of the request; sign-in stops
	// when the login page redirects there (or to any other Alexa host).
	RedirectURI string
	// DomainList is the console's Domain List: hosts other than the
	// authorization URI's host the login page may load content from.
	DomainList []string
	// Transport carries the requests (nil: http.DefaultTransport).
	Transport http.RoundTripper
}

// SignInResult is the outcome of a sign-in.
type SignInResult struct {
	// Redirect is the final redirect target, nil when sign-in did not get
	// that far (see Diagnoses).
	Redirect  *url.URL
	Diagnoses Diagnoses
	// Pages describes each login page seen, for the checklist.
	Pages []PageReport
}

// PageReport describes one page of the sign-in flow.
type PageReport struct {
	URL    string `json:"url"` // without query
	Status int    `json:"status"`
	Title  string `json:"title,omitempty"`
	// Form is "password", "username" (first step of a two-step sign-in)
	// or "" when the page has no sign-in form.
	Form string `json:"form,omitempty"`
	// Providers names the identity providers the page links to
	// ("Continue with ..." buttons), in page order.
	Providers []string `json:"providers,omitempty"`
	// Viewport reports a <meta name="viewport"> with width=device-width.
	Viewport bool `json:"viewport"`
	// Popups lists inline script uses of alert(, confirm(, prompt( or
	// window.open.
	Popups []string `json:"popups,omitempty"`
	// ForeignResources are script, stylesheet, image and frame URLs from
	// hosts outside the authorization URI's host and the Domain List.
	ForeignResources []string `json:"foreign_resources,omitempty"`
	// ErrorText is visible error text (role=alert or an element whose id
	// or class mentions "error").
	ErrorText string `json:"error_text,omitempty"`
}

// SignInFunc adapts a function that signs in and returns the redirect
// target, for example
//
//	alexasim.SignInFunc(func(ctx context.Context, authURL string) (*url.URL, error) {
//		return alexasim.BrowserSignIn(ctx, authURL, user, pass, opts)
//	})
//
// Its errors become SIGN_IN_FAILED diagnoses.
type SignInFunc func(ctx context.Context, authURL string) (*url.URL, error)

// SignIn calls f.
func (f SignInFunc) SignIn(ctx context.Context, req SignInRequest) (*SignInResult, error) {
	u, err := f(ctx, req.AuthURL)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return &SignInResult{Diagnoses: Diagnoses{newDiagnosis(CodeSignInFailed, err.Error())}}, nil
	}
	return &SignInResult{Redirect: u}, nil
}

// ManualSignIn prints the authorization URL for a person, who opens it in
// a browser, signs in and pastes the URL the browser ends on (an Amazon
// page that fails to load outside the Alexa app is fine: only its address
// matters).
type ManualSignIn struct {
	In  io.Reader
	Out io.Writer
}

// SignIn prints the URL and reads one line.
func (m ManualSignIn) SignIn(ctx context.Context, req SignInRequest) (*SignInResult, error) {
	if m.In == nil || m.Out == nil {
		return nil, errors.New("alexasim: manual sign-in needs an input and an output")
	}
	fmt.Fprintf(m.Out, "Open this URL in a browser and sign in:\n\n  %s\n\nThen paste the address the browser was sent to (it starts with %s):\n", req.AuthURL, req.RedirectURI)
	lines := make(chan string, 1)
	errc := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(m.In)
		sc.Buffer(make([]byte, 64<<10), 64<<10)
		for sc.Scan() {
			if s := strings.TrimSpace(sc.Text()); s != "" {
				lines <- s
				return
			}
		}
		if err := sc.Err(); err != nil {
			errc <- err
			return
		}
		errc <- io.ErrUnexpectedEOF
	}()
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case err := <-errc:
		return nil, fmt.Errorf("alexasim: no redirect URL was pasted: %w", err)
	case line := <-lines:
		u, err := url.Parse(line)
		if err != nil || u.Scheme == "" || u.Host == "" {
			return &SignInResult{Diagnoses: Diagnoses{newDiagnosis(CodeSignInFailed, "the pasted text is not an absolute URL")}}, nil
		}
		return &SignInResult{Redirect: u}, nil
	}
}

// Browser signs in with headless Chromium through BrowserSignIn, which
// runs the page's scripts and so also catches dialogs and pop-up windows
// that form sign-in cannot see.
type Browser struct {
	Username, Password string
	Options            BrowserOptions
}

// SignIn runs BrowserSignIn and turns its errors into diagnoses: a page
// without a sign-in form is REDIRECT_URI_NOT_ACCEPTED, everything else
// SIGN_IN_FAILED.
func (b Browser) SignIn(ctx context.Context, req SignInRequest) (*SignInResult, error) {
	u, err := BrowserSignIn(ctx, req.AuthURL, b.Username, b.Password, b.Options)
	if err == nil {
		return &SignInResult{Redirect: u}, nil
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	var lpe *LoginPageError
	switch {
	case errors.As(err, &lpe):
		return &SignInResult{Diagnoses: Diagnoses{newDiagnosis(CodeSignInFailed, "sign-in failed: the login page came back"+errorSuffix(lpe.Text))}}, nil
	case errors.Is(err, ErrNoLoginForm):
		return &SignInResult{Diagnoses: Diagnoses{newDiagnosis(CodeRedirectURINotAccepted, fmt.Sprintf(
			"the authorization request with redirect_uri %s shows no sign-in form (%v); is this redirect URL registered?", req.RedirectURI, err))}}, nil
	}
	return &SignInResult{Diagnoses: Diagnoses{newDiagnosis(CodeSignInFailed, err.Error())}}, nil
}
