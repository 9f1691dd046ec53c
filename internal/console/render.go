package console

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"time"

	"github.com/linkpool/linkpool/internal/locales"
)

//go:embed templates/*.html
var templateFS embed.FS

// pageNames are the pages in templates/, each rendered inside
// layout.html; the files named _*.html hold parts several pages share.
var pageNames = []string{"dashboard", "pools", "pool", "users", "user", "audit", "message",
	"pool_new", "pool_created", "keys", "user_new", "pool_settings", "branding", "domains",
	"client", "client_new", "client_secret", "idps", "idp", "idp_new", "triggers", "groups", "group"}

type templates struct{ pages map[string]*template.Template }

func parseTemplates() (*templates, error) {
	t := &templates{pages: map[string]*template.Template{}}
	for _, name := range pageNames {
		p, err := template.New(name).Funcs(template.FuncMap{"inc": func(i int) int { return i + 1 }}).
			ParseFS(templateFS, "templates/layout.html", "templates/_*.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("console: parse %s: %w", name, err)
		}
		t.pages[name] = p
	}
	return t, nil
}

// view is what every page is rendered with.
type view struct {
	L     *locales.Catalog
	Nonce string
	// Op is the signed-in operator; nil on the pages shown without one.
	Op *operator
	// Title is the message key of the page's title; Nav the menu entry
	// it belongs to.
	Title string
	Nav   string
	Langs []langLink
	// Page is the page's own data.
	Page any
	// Frames lets the page frame the console's own pages (frame-src
	// 'self'): the branding page's preview.
	Frames bool
	// scripted says the page has copy targets (Copy), so it loads the
	// copy script under Nonce.
	scripted bool
}

// langLink is an entry of the language menu.
type langLink struct {
	Lang, Name, URL string
	Current         bool
}

// Date formats t in the view's language (the numeric date pattern of the
// hosted pages' catalog of the language), with the time of day in UTC.
func (v view) Date(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	day := t.UTC().Format(time.DateOnly)
	if c := locales.Exact(v.L.Lang()); c != nil {
		day = c.Date(t.UTC())
	}
	return day + " " + t.UTC().Format("15:04:05") + " UTC"
}

const langCookie = "lp_console_lang"

// catalog returns the request's language among the console's: the lang
// query parameter, the language cookie, then Accept-Language.
func (c *Console) catalog(r *http.Request) *locales.Catalog {
	var prefs []string
	prefs = append(prefs, r.URL.Query().Get("lang"))
	if ck, err := r.Cookie(langCookie); err == nil {
		prefs = append(prefs, ck.Value)
	}
	prefs = append(prefs, r.Header.Get("Accept-Language"))
	return locales.ConsoleMatch(prefs...)
}

// render writes a page with the console's security headers: a nonce
// content security policy that allows no script at all (on pages with
// copy targets, the copy script under the response's nonce), no framing, no
// caching, and the referrer for the console's own requests only (a
// no-referrer policy would make browsers post forms with "Origin: null",
// which the origin check refuses).
func (c *Console) render(w http.ResponseWriter, r *http.Request, status int, name string, v view) {
	v.L = c.catalog(r)
	if l := r.URL.Query().Get("lang"); l != "" && l == v.L.Lang() {
		http.SetCookie(w, &http.Cookie{Name: langCookie, Value: v.L.Lang(), Path: c.cookiePath(), MaxAge: 365 * 24 * 3600,
			HttpOnly: true, Secure: c.secure, SameSite: http.SameSiteLaxMode})
	}
	v.Nonce = randomToken()
	for _, cat := range locales.ConsoleAll() {
		q := r.URL.Query()
		q.Set("lang", cat.Lang())
		u := url.URL{Path: r.URL.Path, RawQuery: q.Encode()}
		v.Langs = append(v.Langs, langLink{Lang: cat.Lang(), Name: cat.T("console.lang.name"), URL: u.String(), Current: cat == v.L})
	}
	var buf bytes.Buffer
	if err := c.tmpl.pages[name].ExecuteTemplate(&buf, "layout", &v); err != nil {
		c.cfg.Log.ErrorContext(r.Context(), "console: render", "page", name, "error", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	public, _ := url.Parse(c.cfg.PublicURL)
	frames := ""
	if v.Frames {
		frames = "frame-src 'self'; "
	}
	script := ""
	if v.scripted {
		script = "script-src 'nonce-" + v.Nonce + "'; "
	}
	h.Set("Content-Security-Policy", "default-src 'none'; "+script+"style-src 'nonce-"+v.Nonce+"'; img-src 'self' data:; "+frames+
		"form-action 'self' "+public.Scheme+"://"+public.Host+"; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// message is the data of the message page.
type message struct {
	Key    string
	SignIn bool // offer to sign in (again)
	// Detail is a service's refusal (its Cognito error name and message),
	// shown as it is.
	Detail string
}

// errorPage renders a message page with status.
func (c *Console) errorPage(w http.ResponseWriter, r *http.Request, status int, key string) {
	c.render(w, r, status, "message", view{Title: "console.title.error", Page: message{Key: key, SignIn: status == http.StatusUnauthorized || status == http.StatusBadRequest}})
}

// forbidden refuses a request 403.
func (c *Console) forbidden(w http.ResponseWriter, r *http.Request, key string) {
	c.errorPage(w, r, http.StatusForbidden, key)
}

// failure answers an internal failure 500, logging its cause.
func (c *Console) failure(w http.ResponseWriter, r *http.Request, err error) {
	c.cfg.Log.ErrorContext(r.Context(), "console: request failed", "path", r.URL.Path, "error", err)
	c.errorPage(w, r, http.StatusInternalServerError, "console.error.internal")
}
