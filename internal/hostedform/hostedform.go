// Package hostedform is a client for the hosted pages as a browser uses
// them: it keeps cookies, follows redirects within the pages, reads a
// page's form with its CSRF token and prefilled inputs, and submits it
// from the same origin. The load tester (internal/loadtest) drives the
// pages with it, and the tests do through internal/apptest.
package hostedform

import (
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
)

// Page is a response the browser got: a page, or a redirect that ends
// a flow (to the client's redirect URI).
type Page struct {
	URL      *url.URL
	Status   int
	Location string // for redirects that end the page
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

// ErrNoForm is Submit's error for a page without a form and CSRF token.
var ErrNoForm = errors.New("hostedform: no form on the page")

// Browser is one browser on the hosted pages.
type Browser struct {
	// HTTP sends the requests and keeps the cookies. When it follows
	// redirects itself, Stop is applied to what it returns.
	HTTP *http.Client
	// Stop reports whether a redirect from a page at from to next ends
	// the page (Page.Location) instead of being followed; nil means a
	// redirect to another host does.
	Stop func(from, next *url.URL) bool
	// Header is sent with every request (X-Forwarded-For, say).
	Header http.Header
}

// New returns a browser with an empty cookie jar whose requests go
// through transport (nil: http.DefaultTransport).
func New(transport http.RoundTripper, stop func(from, next *url.URL) bool) *Browser {
	jar, _ := cookiejar.New(nil) // never fails without options
	return &Browser{Stop: stop, HTTP: &http.Client{
		Transport: transport,
		Jar:       jar,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}}
}

// Get loads a page, following redirects within the pages.
func (b *Browser) Get(ctx context.Context, target string) (*Page, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return nil, err
	}
	return b.do(req)
}

// Submit posts p's form as a browser does: the CSRF token and prefilled
// inputs of the page, fields on top, from the same origin. A page
// without a form is ErrNoForm.
func (b *Browser) Submit(ctx context.Context, p *Page, fields map[string]string) (*Page, error) {
	action := formPattern.FindStringSubmatch(p.Body)
	csrf := csrfPattern.FindStringSubmatch(p.Body)
	if action == nil || csrf == nil {
		return nil, ErrNoForm
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

// do sends req and follows redirects that Stop does not end.
func (b *Browser) do(req *http.Request) (*Page, error) {
	for range 10 {
		for k, v := range b.Header {
			req.Header[k] = v
		}
		resp, err := b.HTTP.Do(req)
		if err != nil {
			return nil, err
		}
		body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		if err != nil {
			return nil, err
		}
		// The page is where the client ended up (it may have followed
		// redirects itself).
		p := &Page{URL: resp.Request.URL, Status: resp.StatusCode, Body: string(body)}
		loc := resp.Header.Get("Location")
		if resp.StatusCode < 300 || resp.StatusCode > 399 || loc == "" {
			return p, nil
		}
		next, err := p.URL.Parse(loc)
		if err != nil {
			return nil, err
		}
		if b.stop(p.URL, next) {
			p.Location = next.String()
			return p, nil
		}
		if req, err = http.NewRequestWithContext(req.Context(), http.MethodGet, next.String(), nil); err != nil {
			return nil, err
		}
	}
	return nil, fmt.Errorf("too many redirects from %s", req.URL.Path)
}

func (b *Browser) stop(from, next *url.URL) bool {
	if b.Stop != nil {
		return b.Stop(from, next)
	}
	return next.Host != from.Host
}
