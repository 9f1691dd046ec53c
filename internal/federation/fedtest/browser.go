package fedtest

import (
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// Callback is what a provider sent the browser back to the redirect URI
// with: the query of a GET, or the fields of a form_post POST.
type Callback struct {
	Method string // GET or POST
	Params url.Values
}

// Authorize plays the browser from authURL (a provider's authorization
// request) to the client's redirect URI, the redirect_uri parameter of
// authURL: it follows redirects and reads a form_post page, without
// calling the redirect URI itself. hc nil => a fresh client.
func Authorize(t testing.TB, hc *http.Client, authURL string) Callback {
	t.Helper()
	au, err := url.Parse(authURL)
	if err != nil {
		t.Fatalf("fedtest: authorization URL: %v", err)
	}
	redirect := au.Query().Get("redirect_uri")
	if hc == nil {
		hc = &http.Client{}
	}
	c := *hc
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	next := authURL
	for range 10 {
		resp, err := c.Get(next)
		if err != nil {
			t.Fatalf("fedtest: authorization request: %v", err)
		}
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		switch {
		case resp.StatusCode >= 300 && resp.StatusCode < 400:
			loc, err := resp.Request.URL.Parse(resp.Header.Get("Location"))
			if err != nil {
				t.Fatalf("fedtest: bad Location: %v", err)
			}
			if strings.HasPrefix(loc.String(), redirect) {
				return Callback{Method: http.MethodGet, Params: loc.Query()}
			}
			next = loc.String()
		case resp.StatusCode == http.StatusOK:
			if cb, ok := formPostFields(body, redirect); ok {
				return cb
			}
			t.Fatalf("fedtest: the provider answered a page that is not a form_post to %s", redirect)
		default:
			t.Fatalf("fedtest: the provider answered HTTP %d: %.200s", resp.StatusCode, body)
		}
	}
	t.Fatalf("fedtest: too many redirects")
	return Callback{}
}

var (
	formAction  = regexp.MustCompile(`<form[^>]*action="([^"]*)"`)
	hiddenInput = regexp.MustCompile(`<input type="hidden" name="([^"]*)" value="([^"]*)">`)
)

// formPostFields reads an OAuth 2.0 form_post page aimed at redirect.
func formPostFields(body []byte, redirect string) (Callback, bool) {
	m := formAction.FindSubmatch(body)
	if m == nil || !strings.HasPrefix(html.UnescapeString(string(m[1])), redirect) {
		return Callback{}, false
	}
	cb := Callback{Method: http.MethodPost, Params: url.Values{}}
	for _, f := range hiddenInput.FindAllSubmatch(body, -1) {
		cb.Params.Add(html.UnescapeString(string(f[1])), html.UnescapeString(string(f[2])))
	}
	return cb, true
}
