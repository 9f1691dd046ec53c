package loadtest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
)

// Browser is one user's browser on the pool's hosted pages: it keeps
// cookies, follows redirects within the pool and stops at the redirect
// to the client, the way the Alexa app's web view hands the code back.
type Browser struct {
	t    *Target
	c    *http.Client
	from string
}

// Browser returns a new browser with an empty cookie jar. from, when
// set, is sent as X-Forwarded-For on every request.
func (t *Target) Browser(from string) *Browser {
	jar, _ := cookiejar.New(nil) // never fails without options
	return &Browser{t: t, from: from, c: &http.Client{
		Transport: t.transport(),
		Jar:       jar,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}}
}

// Page is a response the browser got: a page, or the redirect to the
// client that ends a flow.
type Page struct {
	URL      *url.URL
	Status   int
	Location string // for redirects to the client
	Body     string
}

// Message returns the page's error message, if it shows one.
func (p *Page) Message() string {
	if m := errorPattern.FindStringSubmatch(p.Body); m != nil {
		return html.UnescapeString(m[1])
	}
	return ""
}

// HasForm reports whether the page has the form with the given id
// ("signInForm", "confirmForm", ...).
func (p *Page) HasForm(id string) bool {
	return strings.Contains(p.Body, `id="`+id+`"`)
}

var (
	formPattern  = regexp.MustCompile(`<form method="post" action="([^"]+)"`)
	csrfPattern  = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)
	inputPattern = regexp.MustCompile(`<input [^>]*name="([^"]+)"[^>]*value="([^"]*)"`)
	errorPattern = regexp.MustCompile(`id="errorMessage">([^<]*)<`)
)

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
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return nil, err
	}
	return b.do(req)
}

// Submit posts p's form as a browser does: the CSRF token and prefilled
// inputs of the page, fields on top, from the same origin.
func (b *Browser) Submit(ctx context.Context, p *Page, fields map[string]string) (*Page, error) {
	action := formPattern.FindStringSubmatch(p.Body)
	csrf := csrfPattern.FindStringSubmatch(p.Body)
	if action == nil || csrf == nil {
		return nil, &PageError{Step: "form", Status: p.Status, Message: "no form on the page"}
	}
	form := url.Values{}
	for _, m := range inputPattern.FindAllStringSubmatch(p.Body, -1) {
		form.Set(m[1], html.UnescapeString(m[2]))
	}
	form.Set("_csrf", html.UnescapeString(csrf[1]))
	for k, v := range fields {
		form.Set(k, v)
	}
	target, err := p.URL.Parse(html.UnescapeString(action[1]))
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target.String(), strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", target.Scheme+"://"+target.Host)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return b.do(req)
}

// do sends req and follows redirects that stay on the pool's pages; a
// redirect anywhere else (the client's redirect URI) ends the page.
func (b *Browser) do(req *http.Request) (*Page, error) {
	for range 10 {
		if b.from != "" {
			req.Header.Set("X-Forwarded-For", b.from)
		}
		resp, err := b.c.Do(req)
		if err != nil {
			return nil, err
		}
		body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		if err != nil {
			return nil, err
		}
		p := &Page{URL: req.URL, Status: resp.StatusCode, Body: string(body)}
		loc := resp.Header.Get("Location")
		if resp.StatusCode < 300 || resp.StatusCode > 399 || loc == "" {
			return p, nil
		}
		next, err := req.URL.Parse(loc)
		if err != nil {
			return nil, err
		}
		if strings.HasPrefix(next.String(), b.t.RedirectURI) || next.Host != req.URL.Host {
			p.Location = next.String()
			return p, nil
		}
		if req, err = http.NewRequestWithContext(req.Context(), http.MethodGet, next.String(), nil); err != nil {
			return nil, err
		}
	}
	return nil, fmt.Errorf("too many redirects from %s", req.URL.Path)
}

// random returns n random bytes in base64url.
func random(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}
