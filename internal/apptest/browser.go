package apptest

import (
	"context"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"github.com/linkpool/linkpool/internal/hostedform"
)

// Browser returns a cookie-keeping HTTP client that follows redirects
// within the server and stops at the relying party's: a redirect to a
// URL that starts with stopAt is answered to the caller, not followed.
func Browser(stopAt string) *http.Client {
	jar, _ := cookiejar.New(nil) // never fails without options
	return &http.Client{
		Jar: jar,
		CheckRedirect: func(req *http.Request, _ []*http.Request) error {
			if strings.HasPrefix(req.URL.String(), stopAt) {
				return http.ErrUseLastResponse
			}
			return nil
		},
	}
}

// SignIn opens authURL with c (which follows the redirects it is meant
// to, as Browser's do) and, unless a session of c answers at
// once, submits the hosted sign-in form with its CSRF token (the one
// implementation, internal/hostedform, that the load tester uses too).
// It returns the page it ends on: the redirect to the relying party
// (Page.Location), or the form again with its error.
func SignIn(t testing.TB, c *http.Client, authURL, username, password string) *hostedform.Page {
	t.Helper()
	// c follows the redirects it should; one it answers ends the page.
	b := &hostedform.Browser{HTTP: c, Stop: func(_, _ *url.URL) bool { return true }}
	ctx := context.Background()
	p, err := b.Get(ctx, authURL)
	if err != nil {
		t.Fatal(err)
	}
	if p.Location != "" {
		return p // silent re-authorization
	}
	if p.Status != http.StatusOK {
		t.Fatalf("login page: %d %s", p.Status, p.Body)
	}
	next, err := b.Submit(ctx, p, map[string]string{"username": username, "password": password})
	if err != nil {
		t.Fatalf("login page: %v: %s", err, p.Body)
	}
	return next
}

// Redirect parses the redirect that ended p, failing the test when p
// did not end with one.
func Redirect(t testing.TB, p *hostedform.Page) *url.URL {
	t.Helper()
	if p.Location == "" {
		t.Fatalf("login post: %d %s", p.Status, p.Body)
	}
	u, err := url.Parse(p.Location)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
