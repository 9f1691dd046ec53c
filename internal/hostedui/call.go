package hostedui

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/locales"
	"github.com/linkpool/linkpool/internal/oauth"
	"github.com/linkpool/linkpool/internal/web"
)

// call is one request to a hosted page.
type call struct {
	u   *UI
	w   http.ResponseWriter
	r   *http.Request
	t   web.Target
	cat *locales.Catalog
	// auth is the authorization request the page carries; nil when the
	// page was opened without one.
	auth *oauth.AuthorizeRequest
	// carry is the query every link and form of the page keeps: the
	// authorization parameters and lang.
	carry url.Values
	csrf  string
}

// carriedParams are the query parameters a page passes on: those of
// /oauth2/authorize (Cognito "Authorize endpoint") and lang.
var carriedParams = []string{
	"response_type", "client_id", "redirect_uri", "state", "scope", "nonce",
	"code_challenge", "code_challenge_method", "identity_provider", "idp_identifier", "lang",
}

func carried(q url.Values) url.Values {
	out := url.Values{}
	for _, k := range carriedParams {
		if v, ok := q[k]; ok {
			out[k] = v
		}
	}
	return out
}

// handle adapts a page handler: it resolves the pool target, the language
// and the carried query, sets the security headers, and renders whatever
// error the handler returns.
func (u *UI) handle(h func(*call) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t, ok := web.TargetFrom(r.Context())
		if !ok {
			u.log.ErrorContext(r.Context(), "hostedui: request without a pool target", "path", r.URL.Path)
			http.Error(w, "Internal error.", http.StatusInternalServerError)
			return
		}
		c := &call{u: u, w: w, r: r, t: t, carry: carried(r.URL.Query())}
		c.cat = c.language()
		c.cat = c.cat.WithOverrides(t.Pool.Branding.MessageOverrides(c.cat.Lang()))
		securityHeaders(w.Header(), "", "")
		if err := h(c); err != nil {
			c.fail(err)
		}
	})
}

// pageError is a dead end shown as a message page: a status, a title and
// a message from the catalogs.
type pageError struct {
	status  int
	title   string
	message string
	args    []any
}

func (e *pageError) Error() string { return fmt.Sprintf("%d %s", e.status, e.message) }

func forbidden() *pageError {
	return &pageError{status: http.StatusForbidden, title: "page.forbidden", message: "error.forbidden"}
}

func rateLimited() *pageError {
	return &pageError{status: http.StatusTooManyRequests, title: "page.rate_limited", message: "error.rate_limited"}
}

func badRequest(message string, args ...any) *pageError {
	return &pageError{status: http.StatusBadRequest, title: "page.error", message: message, args: args}
}

// fail renders an error a handler returned. Authorization errors that may
// be redirected go to the client (RFC 6749 §4.1.2.1); those that may not
// go to Cognito's /error page. Anything unexpected is logged with the
// request id and shown as a generic page carrying that id, never with
// details.
func (c *call) fail(err error) {
	var pe *pageError
	var oe *oauth.Error
	switch {
	case errors.As(err, &pe):
		if pe.status == http.StatusTooManyRequests {
			c.w.Header().Set("Retry-After", "60")
		}
		v := c.view(pe.title, "", "")
		v.Error = c.cat.T(pe.message, pe.args...)
		if pe.status == http.StatusForbidden || pe.status == http.StatusTooManyRequests {
			v.Back, v.BackLabel = template.URL(c.local(c.r.URL.Path, nil)), "link.try_again"
		}
		c.renderOrPlain(pe.status, "message", v)
		return
	case errors.As(err, &oe) && oe.Status < http.StatusInternalServerError:
		if oe.Redirect != "" {
			c.redirect(http.StatusFound, oe.Redirect)
			return
		}
		q := url.Values{"error": {oe.Code}}
		if id := c.r.URL.Query().Get("client_id"); id != "" && len(id) <= 128 {
			q.Set("client_id", id)
		}
		if lang := c.carry.Get("lang"); lang != "" {
			q.Set("lang", lang)
		}
		c.redirect(http.StatusFound, c.t.BasePath+"/error?"+q.Encode())
		return
	}
	status := http.StatusInternalServerError
	if errors.As(err, &oe) {
		status = oe.Status
	}
	if web.Gone(c.r, c.u.log, "hosted page", err) {
		return
	}
	id := web.RequestID(c.r.Context())
	c.u.log.ErrorContext(c.r.Context(), "hostedui: internal error", "path", c.r.URL.Path, "error", err)
	if status == http.StatusServiceUnavailable {
		c.w.Header().Set("Retry-After", "1")
	}
	v := c.view("page.error", "", "")
	v.Error = c.cat.T("error.internal")
	if id != "" {
		v.Detail = c.cat.T("error.request_id", "id", id)
	}
	c.renderOrPlain(status, "message", v)
}

// render writes a page. The template runs into a buffer first, so a
// failing template never produces half a page.
func (c *call) render(status int, page string, v *view) error {
	t, ok := c.u.pages[page]
	if !ok {
		return fmt.Errorf("hostedui: no page %q", page)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		return fmt.Errorf("hostedui: render %s: %w", page, err)
	}
	h := c.w.Header()
	securityHeaders(h, c.formOrigin(), v.Nonce)
	h.Set("Content-Type", "text/html; charset=utf-8")
	c.w.WriteHeader(status)
	_, _ = c.w.Write(buf.Bytes())
	return nil
}

// renderOrPlain renders an error page and falls back to plain text if
// even that fails.
func (c *call) renderOrPlain(status int, page string, v *view) {
	if err := c.render(status, page, v); err != nil {
		c.u.log.ErrorContext(c.r.Context(), "hostedui: render error page", "error", err)
		http.Error(c.w, "Internal error.", http.StatusInternalServerError)
	}
}

// redirect answers with a redirect to loc.
func (c *call) redirect(status int, loc string) {
	h := c.w.Header()
	h.Set("Location", loc)
	c.w.WriteHeader(status)
}

// local returns the path of a hosted page under the pool base with the
// carried query and extra parameters.
func (c *call) local(page string, extra url.Values) string {
	q := url.Values{}
	for k, v := range c.carry {
		q[k] = v
	}
	for k, v := range extra {
		q[k] = v
	}
	if len(q) == 0 {
		return c.t.BasePath + page
	}
	return c.t.BasePath + page + "?" + q.Encode()
}

// secure reports whether the pool was reached over https, which makes
// every cookie Secure.
func (c *call) secure() bool { return strings.HasPrefix(c.t.Base, "https://") }

// cookiePath scopes pool cookies to the pool base.
func (c *call) cookiePath() string {
	if c.t.BasePath == "" {
		return "/"
	}
	return c.t.BasePath
}

// authorizeRequest parses the authorization request the page carries.
// Without response_type and redirect_uri the page was opened on its own
// (Cognito's confirmation links carry client_id alone) and c.auth stays
// nil; an invalid request is an *oauth.Error for fail.
func (c *call) authorizeRequest() error {
	q := c.r.URL.Query()
	if q.Get("redirect_uri") == "" && q.Get("response_type") == "" {
		return nil
	}
	req, err := c.u.oauth.ParseAuthorize(c.r.Context(), c.t.Pool, q)
	if err != nil {
		return err
	}
	c.setAuth(req)
	return nil
}

// setAuth records the authorization request of the page, and its app
// client as the caller the pool's triggers see (callerContext.clientId).
func (c *call) setAuth(req *oauth.AuthorizeRequest) {
	c.auth = req
	c.r = c.r.WithContext(account.WithCaller(c.r.Context(), account.Caller{ClientID: req.Client.ID}))
}
