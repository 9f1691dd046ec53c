package smarthome

import (
	"context"
	"crypto/cipher"
	"crypto/rand"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/linkpool/linkpool/internal/locales"
	"github.com/linkpool/linkpool/internal/smarthome/lamp"
	"github.com/linkpool/linkpool/internal/smarthome/skillstore"
	"github.com/linkpool/linkpool/internal/store"
)

//go:embed web
var webFS embed.FS

// LampsConfig configures the /lamps page. The page is an ordinary OpenID
// Connect relying party of the pool (authorization code flow with PKCE).
type LampsConfig struct {
	// Skill provides the lamps and sends ChangeReports for toggles.
	Skill *Skill
	// Issuer is the pool's issuer; its discovery document is read at the
	// first sign-in.
	Issuer string
	// ClientID and ClientSecret are the page's app client in the pool;
	// ClientSecret is empty for a public client.
	ClientID     string
	ClientSecret string
	// RedirectURL is the registered callback, <origin>/lamps/callback. Its
	// scheme decides whether cookies are Secure.
	RedirectURL string
	// Scopes default to openid.
	Scopes []string
	// LogoutURL, if set, is where sign-out sends the browser after the
	// session cookie is cleared, for example the pool's /logout with
	// client_id and logout_uri, so the hosted UI session ends too.
	LogoutURL string
	// CookieKey is the 32-byte AES-256-GCM key sealing the cookies and,
	// through a key derived from it, the issuer's tokens kept with each
	// session. Every instance sharing the store needs the same key. When
	// nil a random key is used and sessions end with the process.
	CookieKey []byte
	// SessionTTL defaults to 12 hours.
	SessionTTL time.Duration
	// CheckUser, if set, decides on every request whether the session's
	// user still stands. A skill co-located with its pool asks the pool's
	// own data (user enabled, not signed out everywhere since the sign-in,
	// grant not revoked). An error wrapping ErrSignedOut ends the session;
	// any other error answers 503 and keeps it. When nil, the page asks
	// the issuer at most every RecheckInterval, by redeeming the refresh
	// token of the sign-in (or, without one, calling userInfo with its
	// access token).
	CheckUser func(ctx context.Context, u SessionUser) error
	// RecheckInterval defaults to DefaultRecheckInterval.
	RecheckInterval time.Duration
	// HTTPClient reaches the pool (default: 10s timeout).
	HTTPClient *http.Client
	Logger     *slog.Logger
	Now        func() time.Time
}

// page serves /lamps.
type page struct {
	cfg     LampsConfig
	skill   *Skill
	cookies *cookieBox
	tokens  cipher.AEAD // seals the issuer's tokens in the store
	csrfKey []byte      // keys the form tokens (page_csrf.go)
	tmpl    map[string]*template.Template
	log     *slog.Logger
	now     func() time.Time
	csp     string

	mu       sync.Mutex // guards the lazily discovered provider
	provider *oidc.Provider
	verifier *oidc.IDTokenVerifier
	oauth    *oauth2.Config
}

// NewLampsPage returns the handler of /lamps (the page), /lamps/callback
// (OIDC redirect), /lamps/toggle (POST), /lamps/logout (POST) and
// /lamps/static/. Browser routes get a CSP without inline script or style,
// frame-ancestors 'none', nosniff and no-referrer; state-changing POSTs
// must carry their session's CSRF token (page_csrf.go) and are also guarded
// by http.CrossOriginProtection and SameSite cookies. Sessions are
// records in the skill's store (page_session.go): sign-out deletes the
// record, and every request checks that the user still stands.
func NewLampsPage(cfg LampsConfig) (http.Handler, error) {
	if cfg.Skill == nil {
		return nil, errors.New("smarthome: LampsConfig.Skill is required")
	}
	if cfg.Issuer == "" || cfg.ClientID == "" {
		return nil, errors.New("smarthome: LampsConfig.Issuer and ClientID are required")
	}
	ru, err := url.Parse(cfg.RedirectURL)
	if err != nil || (ru.Scheme != "https" && ru.Scheme != "http") || ru.Host == "" || ru.Path != "/lamps/callback" {
		return nil, errors.New("smarthome: LampsConfig.RedirectURL must be an absolute http(s) URL ending in /lamps/callback")
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = 12 * time.Hour
	}
	if cfg.RecheckInterval <= 0 {
		cfg.RecheckInterval = DefaultRecheckInterval
	}
	if len(cfg.Scopes) == 0 {
		cfg.Scopes = []string{oidc.ScopeOpenID}
	}
	formAction := "'self'"
	if cfg.LogoutURL != "" {
		lu, err := url.Parse(cfg.LogoutURL)
		if err != nil || (lu.Scheme != "https" && lu.Scheme != "http") || lu.Host == "" {
			return nil, errors.New("smarthome: LampsConfig.LogoutURL must be an absolute http(s) URL")
		}
		formAction += " " + lu.Scheme + "://" + lu.Host
	}
	key := cfg.CookieKey
	if key == nil {
		key = make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return nil, err
		}
	}
	cookies, err := newCookieBox(key, ru.Scheme == "https", cfg.Now)
	if err != nil {
		return nil, err
	}
	tokens, err := newTokenAEAD(key)
	if err != nil {
		return nil, err
	}
	csrfKey, err := newCSRFKey(key)
	if err != nil {
		return nil, err
	}
	p := &page{
		cfg: cfg, skill: cfg.Skill, cookies: cookies, tokens: tokens, csrfKey: csrfKey, log: cfg.Logger, now: cfg.Now,
		tmpl: map[string]*template.Template{},
		csp: "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
			"form-action " + formAction + "; base-uri 'none'; frame-ancestors 'none'",
	}
	for _, name := range []string{"lamps", "message"} {
		t, err := template.ParseFS(webFS, "web/layout.html", "web/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("smarthome: templates: %w", err)
		}
		p.tmpl[name] = t
	}
	static, err := fs.Sub(webFS, "web/static")
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /lamps", p.serveLamps)
	mux.HandleFunc("GET /lamps/callback", p.serveCallback)
	mux.HandleFunc("POST /lamps/toggle", p.serveToggle)
	mux.HandleFunc("POST /lamps/logout", p.serveLogout)
	mux.Handle("GET /lamps/static/", http.StripPrefix("/lamps/static/", staticFiles(static)))
	return p.headers(http.NewCrossOriginProtection().Handler(mux)), nil
}

// headers sets the browser security headers on every response.
func (p *page) headers(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", p.csp)
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "no-referrer")
		if !strings.HasPrefix(r.URL.Path, "/lamps/static/") {
			hd.Set("Cache-Control", "no-store")
			p.rememberLanguage(w, r)
		}
		h.ServeHTTP(w, r)
	})
}

// lampView is a lamp as the page shows it.
type lampView struct {
	ID, Name, Swatch, ColourText string
	On, Reachable                bool
	Brightness                   int
}

func viewOf(cat *locales.Catalog, l skillstore.Lamp) lampView {
	v := lampView{ID: l.ID, Name: l.Name, On: l.On, Reachable: l.Reachable, Brightness: l.Brightness, Swatch: lamp.Swatch(l)}
	if l.ColorMode == lamp.ModeColor {
		v.ColourText = cat.T("lamps.colour", "hue", int(math.Round(l.Hue)))
	} else {
		// Kelvin as written on bulbs, without digit grouping.
		v.ColourText = cat.T("lamps.white", "kelvin", strconv.Itoa(l.Kelvin))
	}
	return v
}

func (p *page) serveLamps(w http.ResponseWriter, r *http.Request) {
	s, err := p.session(w, r)
	if errors.Is(err, errNoSession) {
		p.startLogin(w, r)
		return
	}
	if err != nil {
		p.unavailable(w, r, err)
		return
	}
	lamps, err := p.skill.store.ListLamps(r.Context(), s.Sub)
	if err != nil {
		p.log.ErrorContext(r.Context(), "smarthome: listing lamps for the page failed", "error", err.Error())
		p.message(w, r, http.StatusInternalServerError, session{}, "page.error", "error.internal", "link.try_again")
		return
	}
	cat := language(r)
	views := make([]lampView, len(lamps))
	for i, l := range lamps {
		views[i] = viewOf(cat, l)
	}
	p.render(w, http.StatusOK, "lamps", map[string]any{
		"L": cat, "Title": cat.T("lamps.title"), "User": s.Name, "SignedInAs": signedInAs(cat, s.Name),
		"CSRF": p.csrfToken(s.ID), "Lamps": views,
	})
}

func (p *page) serveToggle(w http.ResponseWriter, r *http.Request) {
	s, err := p.session(w, r)
	if errors.Is(err, errNoSession) {
		p.message(w, r, http.StatusUnauthorized, session{}, "lamps.signed_out_title", "lamps.session_ended", "login.submit")
		return
	}
	if err != nil {
		p.unavailable(w, r, err)
		return
	}
	if err := parseForm(w, r); err != nil {
		p.message(w, r, http.StatusBadRequest, s, "page.error", "error.invalid_input", "lamps.back")
		return
	}
	if err := p.checkCSRF(r, s.ID); err != nil {
		p.forbidden(w, r, s)
		return
	}
	id := r.PostForm.Get("lamp")
	if id == "" {
		p.message(w, r, http.StatusBadRequest, s, "page.error", "error.invalid_input", "lamps.back")
		return
	}
	if _, err := p.skill.Toggle(r.Context(), s.Sub, id, lamp.ByApp); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			p.message(w, r, http.StatusNotFound, s, "lamps.no_lamp_title", "lamps.not_found", "lamps.back")
			return
		}
		p.log.ErrorContext(r.Context(), "smarthome: toggling a lamp failed", "error", err.Error())
		p.message(w, r, http.StatusInternalServerError, s, "page.error", "error.internal", "lamps.back")
		return
	}
	http.Redirect(w, r, "/lamps", http.StatusSeeOther)
}

func (p *page) serveLogout(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(w, r); err != nil {
		p.message(w, r, http.StatusBadRequest, session{}, "page.error", "error.invalid_input", "lamps.back")
		return
	}
	// Without a session cookie there is nothing to forge; ref is then
	// zero and only the cookie is cleared.
	ref, err := getCookie[sessionRef](p.cookies, r, sessionCookie)
	if err == nil && p.checkCSRF(r, ref.ID) != nil {
		p.forbidden(w, r, session{})
		return
	}
	if err := p.endSession(r.Context(), ref.ID); err != nil {
		p.log.ErrorContext(r.Context(), "smarthome: ending a lamps session failed", "error", err.Error())
		p.message(w, r, http.StatusServiceUnavailable, session{}, "page.error", "error.internal", "lamps.back")
		return
	}
	p.cookies.clear(w, sessionCookie)
	if p.cfg.LogoutURL != "" {
		http.Redirect(w, r, p.cfg.LogoutURL, http.StatusSeeOther)
		return
	}
	p.message(w, r, http.StatusOK, session{}, "lamps.signed_out_title", "lamps.signed_out", "login.submit")
}

// unavailable answers 503 when the session could not be checked (the
// store or the issuer failing); the session stays.
func (p *page) unavailable(w http.ResponseWriter, r *http.Request, err error) {
	p.log.WarnContext(r.Context(), "smarthome: checking the lamps session failed", "error", err.Error())
	p.message(w, r, http.StatusServiceUnavailable, session{}, "page.error", "error.internal", "link.try_again")
}

// staticFiles serves the files of fsys, and 404 for directories rather
// than a listing.
func staticFiles(fsys fs.FS) http.Handler {
	files := http.FileServerFS(fsys)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
		if fi, err := fs.Stat(fsys, name); name == "" || err != nil || fi.IsDir() {
			http.NotFound(w, r)
			return
		}
		files.ServeHTTP(w, r)
	})
}

// forbidden answers a post without its session's CSRF token; nothing
// changes.
func (p *page) forbidden(w http.ResponseWriter, r *http.Request, s session) {
	p.message(w, r, http.StatusForbidden, s, "page.forbidden", "error.forbidden", "lamps.back")
}

// message renders a short page in the browser's language; heading, text
// and link are catalog keys. s is the signed-in session, if any, whose
// name and sign-out form the page shows.
func (p *page) message(w http.ResponseWriter, r *http.Request, status int, s session, heading, text, link string) {
	cat := language(r)
	data := map[string]any{"L": cat, "Title": cat.T(heading), "User": s.Name, "Heading": cat.T(heading), "Text": cat.T(text), "Link": cat.T(link)}
	if s.ID != "" {
		data["CSRF"] = p.csrfToken(s.ID)
	}
	p.render(w, status, "message", data)
}

func (p *page) render(w http.ResponseWriter, status int, name string, data any) {
	var b strings.Builder
	if err := p.tmpl[name].ExecuteTemplate(&b, name+".html", data); err != nil {
		p.log.Error("smarthome: rendering the page failed", "template", name, "error", err.Error())
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(b.String()))
}

// client returns the OIDC provider, its ID token verifier and the OAuth
// configuration, discovering the provider at first use (OpenID Connect
// Discovery 1.0 §4) and retrying on later requests if that failed.
func (p *page) client(ctx context.Context) (*oidc.IDTokenVerifier, *oauth2.Config, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.provider == nil {
		pctx, cancel := context.WithTimeout(oidc.ClientContext(ctx, p.cfg.HTTPClient), 10*time.Second)
		defer cancel()
		prov, err := oidc.NewProvider(pctx, p.cfg.Issuer)
		if err != nil {
			return nil, nil, fmt.Errorf("OIDC discovery: %w", err)
		}
		p.provider = prov
		p.verifier = prov.VerifierContext(oidc.ClientContext(context.Background(), p.cfg.HTTPClient),
			&oidc.Config{ClientID: p.cfg.ClientID, Now: p.now})
		p.oauth = &oauth2.Config{
			ClientID: p.cfg.ClientID, ClientSecret: p.cfg.ClientSecret,
			Endpoint: prov.Endpoint(), RedirectURL: p.cfg.RedirectURL, Scopes: p.cfg.Scopes,
		}
	}
	return p.verifier, p.oauth, nil
}
