package loadtest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/linkpool/linkpool/internal/hostedform"
)

// Browser is one user's browser on the pool's hosted pages: it keeps
// cookies, follows redirects within the pool and stops at the redirect
// to the client, the way the Alexa app's web view hands the code back.
// The pages themselves are driven by internal/hostedform.
type Browser struct {
	t *Target
	b *hostedform.Browser
}

// Browser returns a new browser with an empty cookie jar. from, when
// set, is sent as X-Forwarded-For on every request.
func (t *Target) Browser(from string) *Browser {
	b := hostedform.New(t.transport(), func(from, next *url.URL) bool {
		return strings.HasPrefix(next.String(), t.RedirectURI) || next.Host != from.Host
	})
	if from != "" {
		b.Header = http.Header{"X-Forwarded-For": {from}}
	}
	return &Browser{t: t, b: b}
}

// Page is a response the browser got: a page, or the redirect to the
// client that ends a flow.
type Page = hostedform.Page

// PageError is a flow step that did not get the page it expected.
type PageError struct {
	Step    string
	Status  int
	Message string // the page's error message, if any
}

func (e *PageError) Error() string {
	if e.Message != "" {
		return fmt.Sprintf("%s: status %d: %s", e.Step, e.Status, e.Message)
	}
	return fmt.Sprintf("%s: status %d", e.Step, e.Status)
}

// Authorization is one authorization request in flight: its state and
// PKCE verifier (RFC 7636 §4.1).
type Authorization struct {
	State    string
	Verifier string
}

func newAuthorization() *Authorization {
	return &Authorization{State: random(16), Verifier: random(32)}
}

// query returns the authorization request's parameters (RFC 6749 §4.1.1,
// RFC 7636 §4.3 with S256).
func (a *Authorization) query(t *Target) url.Values {
	sum := sha256.Sum256([]byte(a.Verifier))
	return url.Values{
		"response_type":         {"code"},
		"client_id":             {t.ClientID},
		"redirect_uri":          {t.RedirectURI},
		"scope":                 {t.scope()},
		"state":                 {a.State},
		"code_challenge":        {base64.RawURLEncoding.EncodeToString(sum[:])},
		"code_challenge_method": {"S256"},
	}
}

// Code returns the authorization code of p, which must be the redirect
// to the client with this request's state (RFC 6749 §4.1.2).
func (a *Authorization) Code(t *Target, p *Page, step string) (string, error) {
	if p.Location == "" {
		return "", &PageError{Step: step, Status: p.Status, Message: p.Message()}
	}
	u, err := url.Parse(p.Location)
	if err != nil {
		return "", fmt.Errorf("%s: bad redirect: %w", step, err)
	}
	q := u.Query()
	if e := q.Get("error"); e != "" {
		return "", &PageError{Step: step, Status: p.Status, Message: "redirected with error " + e}
	}
	if q.Get("state") != a.State || q.Get("code") == "" {
		return "", &PageError{Step: step, Status: p.Status, Message: "redirect without code or with another state"}
	}
	return q.Get("code"), nil
}

// Authorize starts an authorization request and returns the sign-in page
// it leads to.
func (b *Browser) Authorize(ctx context.Context) (*Page, *Authorization, error) {
	a := newAuthorization()
	p, err := b.Get(ctx, b.t.Base+"/oauth2/authorize?"+a.query(b.t).Encode())
	if err != nil {
		return nil, nil, err
	}
	return p, a, nil
}

// OpenSignUp opens the sign-up page of a new authorization request.
func (b *Browser) OpenSignUp(ctx context.Context) (*Page, *Authorization, error) {
	a := newAuthorization()
	p, err := b.Get(ctx, b.t.Base+"/signup?"+a.query(b.t).Encode())
	if err != nil {
		return nil, nil, err
	}
	if !p.HasForm("signUpForm") {
		return nil, nil, &PageError{Step: "sign-up page", Status: p.Status, Message: p.Message()}
	}
	return p, a, nil
}

// SignIn signs in with a password through the hosted sign-in form and
// returns the authorization code and its PKCE verifier.
func (b *Browser) SignIn(ctx context.Context, username, password string) (code, verifier string, err error) {
	p, a, err := b.Authorize(ctx)
	if err != nil {
		return "", "", err
	}
	if p.Location != "" {
		// A session of this browser answered at once.
		code, err := a.Code(b.t, p, "authorize")
		return code, a.Verifier, err
	}
	if !p.HasForm("signInForm") {
		return "", "", &PageError{Step: "sign-in page", Status: p.Status, Message: p.Message()}
	}
	p, err = b.Submit(ctx, p, map[string]string{"username": username, "password": password})
	if err != nil {
		return "", "", err
	}
	code, err = a.Code(b.t, p, "sign-in")
	return code, a.Verifier, err
}

// SignUp fills the sign-up form. With a pool that confirms sign-ups
// itself the result is the redirect to the client (Authorization.Code
// reads it); otherwise it is the confirmation page, to be submitted with
// the mailed code.
func (b *Browser) SignUp(ctx context.Context, username, email, password string) (*Page, *Authorization, error) {
	p, a, err := b.OpenSignUp(ctx)
	if err != nil {
		return nil, nil, err
	}
	p, err = b.Submit(ctx, p, map[string]string{"username": username, "email": email, "password": password})
	if err != nil {
		return nil, nil, err
	}
	if p.Location == "" && !p.HasForm("confirmForm") {
		return nil, nil, &PageError{Step: "sign-up", Status: p.Status, Message: p.Message()}
	}
	return p, a, nil
}

// Get loads a page, following redirects within the pool.
func (b *Browser) Get(ctx context.Context, target string) (*Page, error) {
	return b.b.Get(ctx, target)
}

// Submit posts p's form as a browser does: the CSRF token and prefilled
// inputs of the page, fields on top, from the same origin.
func (b *Browser) Submit(ctx context.Context, p *Page, fields map[string]string) (*Page, error) {
	next, err := b.b.Submit(ctx, p, fields)
	if errors.Is(err, hostedform.ErrNoForm) {
		return nil, &PageError{Step: "form", Status: p.Status, Message: "no form on the page"}
	}
	return next, err
}

// random returns n random bytes in base64url.
func random(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}
