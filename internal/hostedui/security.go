package hostedui

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/linkpool/linkpool/internal/locales"
	"github.com/linkpool/linkpool/internal/web"
)

// securityHeaders sets the headers of every hosted-UI response. The
// Content-Security-Policy allows no script at all, styles and images
// from the pool only (logos also from https: and data:), and forms
// posting to the pool and, when formOrigin is set, to the client's
// redirect origin: browsers apply form-action to the redirect that
// follows a form post, and a successful sign-in redirects there. The
// passkey pages alone run a script, the static passkey.js: their
// responses pass the per-response nonce its script tag carries, and the
// policy allows script with that nonce and nothing else.
// Referrer-Policy no-referrer keeps codes and state out of Referer
// headers; no-store keeps pages with tokens out of caches.
func securityHeaders(h http.Header, formOrigin, nonce string) {
	formAction := "'self'"
	if formOrigin != "" {
		formAction += " " + formOrigin
	}
	script := ""
	if nonce != "" {
		script = "; script-src 'nonce-" + nonce + "'"
	}
	h.Set("Content-Security-Policy", "default-src 'none'"+script+"; style-src 'self'; img-src 'self' https: data:; form-action "+formAction+"; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
}

var (
	schemePattern = regexp.MustCompile(`^[a-z][a-z0-9+.-]*$`)
	hostPattern   = regexp.MustCompile(`^[A-Za-z0-9.-]+(:[0-9]+)?$|^\[[0-9A-Fa-f:.]+\](:[0-9]+)?$`)
)

// formOrigin returns the CSP source of the client's redirect URI: its
// origin for http and https, its scheme for app schemes ("myapp:").
// Anything that does not parse cleanly yields "", which keeps
// form-action at 'self'.
func (c *call) formOrigin() string {
	if c.auth == nil {
		return ""
	}
	u, err := url.Parse(c.auth.RedirectURI)
	if err != nil {
		return ""
	}
	scheme := strings.ToLower(u.Scheme)
	if !schemePattern.MatchString(scheme) {
		return ""
	}
	if scheme != "http" && scheme != "https" {
		return scheme + ":"
	}
	if !hostPattern.MatchString(u.Host) {
		return ""
	}
	return scheme + "://" + strings.ToLower(u.Host)
}

// CSRF protection: a double-submit token. The token is a random value in
// a cookie (SameSite=Strict, HttpOnly; a __Host- cookie over https, which
// no subdomain can set) and in a hidden field of every form; a post must
// carry both, equal. This complements http.CrossOriginProtection, which
// lets requests without Sec-Fetch-Site or Origin through.
const (
	csrfField      = "_csrf"
	csrfCookie     = "lp_csrf"
	csrfHostCookie = "__Host-lp_csrf"
	csrfTokenLen   = 43 // 32 bytes, base64url without padding
)

var tokenPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)

func (c *call) csrfCookieName() string {
	if c.secure() {
		return csrfHostCookie
	}
	return csrfCookie
}

// csrfToken returns the page's token, reusing the browser's cookie or
// setting a new one.
func (c *call) csrfToken() string {
	if c.csrf != "" {
		return c.csrf
	}
	if ck, err := c.r.Cookie(c.csrfCookieName()); err == nil && tokenPattern.MatchString(ck.Value) {
		c.csrf = ck.Value
		return c.csrf
	}
	c.csrf = randomToken(32)
	http.SetCookie(c.w, &http.Cookie{
		Name: c.csrfCookieName(), Value: c.csrf, Path: "/",
		HttpOnly: true, Secure: c.secure(), SameSite: http.SameSiteStrictMode,
	})
	return c.csrf
}

// checkCSRF compares the form's token with the cookie in constant time.
func (c *call) checkCSRF() error {
	ck, err := c.r.Cookie(c.csrfCookieName())
	got := c.r.PostForm.Get(csrfField)
	if err != nil || !tokenPattern.MatchString(ck.Value) || len(got) != csrfTokenLen {
		return forbidden()
	}
	if subtle.ConstantTimeCompare([]byte(ck.Value), []byte(got)) != 1 {
		return forbidden()
	}
	c.csrf = ck.Value
	return nil
}

// maxFormBytes bounds a form post; the largest legitimate one (sign-up
// with a long state carried in the URL, not the body) is far smaller.
const maxFormBytes = 16 << 10

// parseForm reads a bounded form body and checks its CSRF token.
func (c *call) parseForm() error {
	c.r.Body = http.MaxBytesReader(c.w, c.r.Body, maxFormBytes)
	if err := c.r.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return &pageError{status: http.StatusRequestEntityTooLarge, title: "page.error", message: "error.too_large"}
		}
		return badRequest("error.invalid_input")
	}
	return c.checkCSRF()
}

// limit applies a rate limiter to the client (web.ClientKey) and key.
func (c *call) limit(l *web.Limiter, key string) error {
	if l == nil {
		return nil
	}
	if !l.Allow(web.ClientKey(c.r.Context()) + "|" + key) {
		return rateLimited()
	}
	return nil
}

// refund gives back the event that limit took for the client and key.
func (c *call) refund(l *web.Limiter, key string) {
	l.Refund(web.ClientKey(c.r.Context()) + "|" + key)
}

// acceptPost starts every form post: the rate limit of the client
// address, the form with its CSRF check, and the authorization request
// the page carries.
func (c *call) acceptPost(l *web.Limiter) error {
	if err := c.limit(l, ""); err != nil {
		return err
	}
	if err := c.parseForm(); err != nil {
		return err
	}
	return c.authorizeRequest()
}

func randomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Language: the lang query parameter, remembered in a cookie as Cognito's
// managed login does, then the cookie, then Accept-Language.
const langCookie = "lp_lang"

func (c *call) language() *locales.Catalog {
	if q := c.r.URL.Query().Get("lang"); q != "" {
		if cat, ok := locales.Find(q); ok {
			http.SetCookie(c.w, &http.Cookie{
				Name: langCookie, Value: cat.Lang(), Path: c.cookiePath(), MaxAge: 365 * 24 * 3600,
				HttpOnly: true, Secure: c.secure(), SameSite: http.SameSiteLaxMode,
			})
			return cat
		}
	}
	if ck, err := c.r.Cookie(langCookie); err == nil {
		if cat, ok := locales.Find(ck.Value); ok {
			return cat
		}
	}
	return locales.Match(c.r.Header.Get("Accept-Language"))
}
