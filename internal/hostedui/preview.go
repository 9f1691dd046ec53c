package hostedui

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"sync"

	"github.com/linkpool/linkpool/internal/locales"
	"github.com/linkpool/linkpool/internal/passkey"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/web"
)

// previewPages are the pages Preview renders, parsed once when first
// needed.
var previewPages = sync.OnceValues(parsePages)

// Preview renders pool p's sign-in page in language lang (the best match
// among the catalogs) as a browser that comes without an authorization
// request sees it, with p's branding and its own wording of messages:
// the operator console shows it to preview a pool's branding before it
// is saved. The built-in stylesheet and the branding's are inline, in
// style elements carrying nonce, so the page needs no request to the
// public listener; its form, links and language links lead nowhere
// ("#") and it has no CSRF token. The caller serves it with a content
// security policy that allows styles with nonce only.
func Preview(p pool.Pool, lang, nonce string) ([]byte, error) {
	pages, err := previewPages()
	if err != nil {
		return nil, err
	}
	cat, ok := locales.Find(lang)
	if !ok {
		cat = locales.Match(lang)
	}
	c := &call{
		r: &http.Request{Method: http.MethodGet, URL: &url.URL{Path: "/login"}}, t: web.Target{Pool: p},
		cat: cat.WithOverrides(p.Branding.MessageOverrides(cat.Lang())), carry: url.Values{},
	}
	v := c.view("page.login", "/login", "")
	v.InlineStyles = []template.CSS{template.CSS(styleCSS)}
	if hasBranding(p.Branding) {
		v.InlineStyles = append(v.InlineStyles, template.CSS(brandStyles(p.Branding))) // validated by pool.Pool.Validate
	}
	v.BrandURL, v.Nonce = "", nonce
	v.LocalSignIn = true
	if c.codeSignIn() {
		v.CodeSignIn = "#"
	}
	v.PasskeySignIn = passkey.Enabled(p)
	v.Action = "#"
	for k := range v.Links {
		v.Links[k] = "#"
	}
	for i := range v.LangLinks {
		v.LangLinks[i].URL = "#"
	}
	var buf bytes.Buffer
	if err := pages["login"].ExecuteTemplate(&buf, "layout", v); err != nil {
		return nil, fmt.Errorf("hostedui: render preview: %w", err)
	}
	return buf.Bytes(), nil
}
