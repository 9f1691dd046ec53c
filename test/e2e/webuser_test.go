package e2e_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"

	"golang.org/x/net/html"
)

// webUser is a person with a plain HTTP browser: a cookie jar, redirects
// followed while they stay on the server, forms posted the way a browser
// posts them (with Origin and Sec-Fetch-Site). A redirect off the server
// (to Alexa) is not followed; it is returned.
type webUser struct {
	origin string
	lang   string
	client *http.Client
}

func newWebUser(origin, lang string) *webUser {
	jar, _ := cookiejar.New(nil)
	w := &webUser{origin: origin, lang: lang}
	w.client = &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if originOf(req.URL) != w.origin {
			return http.ErrUseLastResponse
		}
		if len(via) > 10 {
			return errors.New("too many redirects")
		}
		return nil
	}}
	return w
}

// webPage is a page of the server as the user sees it.
type webPage struct {
	url    *url.URL
	status int
	doc    *html.Node
}

// get opens rawURL. It returns the page the redirects end on, or the URL
// of a redirect off the server.
func (w *webUser) get(ctx context.Context, rawURL string) (*webPage, *url.URL, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, nil, err
	}
	return w.do(req)
}

func (w *webUser) do(req *http.Request) (*webPage, *url.URL, error) {
	if w.lang != "" {
		req.Header.Set("Accept-Language", w.lang)
	}
	resp, err := w.client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return nil, nil, err
	}
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		loc, err := resp.Request.URL.Parse(resp.Header.Get("Location"))
		if err != nil {
			return nil, nil, fmt.Errorf("redirect to an invalid URL: %w", err)
		}
		return nil, loc, nil
	}
	doc, err := html.Parse(bytes.NewReader(body))
	if err != nil {
		return nil, nil, err
	}
	return &webPage{url: resp.Request.URL, status: resp.StatusCode, doc: doc}, nil, nil
}

// follow opens the link with the given id.
func (w *webUser) follow(ctx context.Context, p *webPage, id string) (*webPage, *url.URL, error) {
	a := p.byID(id)
	if a == nil {
		return nil, nil, fmt.Errorf("no #%s on %s", id, p.url.Path)
	}
	target, err := p.url.Parse(attr(a, "href"))
	if err != nil {
		return nil, nil, err
	}
	return w.get(ctx, target.String())
}

// submit fills the form with the given id (keeping its hidden and
// prefilled fields) and posts it.
func (w *webUser) submit(ctx context.Context, p *webPage, id string, fields map[string]string) (*webPage, *url.URL, error) {
	form := p.byID(id)
	if form == nil {
		return nil, nil, fmt.Errorf("no form #%s on %s (page %q)", id, p.url.Path, p.text("h1"))
	}
	values := url.Values{}
	walk(form, func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "input" && attr(n, "name") != "" {
			values.Set(attr(n, "name"), attr(n, "value"))
		}
	})
	for k, v := range fields {
		values.Set(k, v)
	}
	action, err := p.url.Parse(attr(form, "action"))
	if err != nil {
		return nil, nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, action.String(), strings.NewReader(values.Encode()))
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", w.origin)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return w.do(req)
}

// byID returns the element with the id.
func (p *webPage) byID(id string) *html.Node {
	var found *html.Node
	walk(p.doc, func(n *html.Node) {
		if found == nil && n.Type == html.ElementNode && attr(n, "id") == id {
			found = n
		}
	})
	return found
}

// all returns the elements with the tag and, if class is set, the class.
func (p *webPage) all(tag, class string) []*html.Node {
	var out []*html.Node
	walk(p.doc, func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == tag && (class == "" || hasClass(n, class)) {
			out = append(out, n)
		}
	})
	return out
}

// text returns the text of the first element with the tag.
func (p *webPage) text(tag string) string {
	if ns := p.all(tag, ""); len(ns) > 0 {
		return textOf(ns[0])
	}
	return ""
}

func walk(n *html.Node, f func(*html.Node)) {
	f(n)
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walk(c, f)
	}
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasClass(n *html.Node, class string) bool {
	for c := range strings.FieldsSeq(attr(n, "class")) {
		if c == class {
			return true
		}
	}
	return false
}

// textOf is the whitespace-normalised text of n.
func textOf(n *html.Node) string {
	var b strings.Builder
	walk(n, func(c *html.Node) {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
			b.WriteByte(' ')
		}
	})
	return strings.Join(strings.Fields(b.String()), " ")
}

// find returns the first element under n with the tag and class.
func find(n *html.Node, tag, class string) *html.Node {
	var found *html.Node
	walk(n, func(c *html.Node) {
		if found == nil && c.Type == html.ElementNode && c.Data == tag && (class == "" || hasClass(c, class)) {
			found = c
		}
	})
	return found
}
