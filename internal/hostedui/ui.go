package hostedui

import (
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"time"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/federation"
	"github.com/linkpool/linkpool/internal/oauth"
	"github.com/linkpool/linkpool/internal/passkey"
	"github.com/linkpool/linkpool/internal/seal"
	"github.com/linkpool/linkpool/internal/store"
	"github.com/linkpool/linkpool/internal/web"
)

// DefaultSessionTTL is the lifetime of a hosted-UI session: Cognito's
// managed login keeps users signed in for one hour.
const DefaultSessionTTL = time.Hour

// Limits are the per-client-address rate limits of the forms; a nil
// limiter does not limit.
type Limits struct {
	// Login limits sign-in and new-password posts per address.
	Login *web.Limiter
	// LoginUser limits failed sign-ins per address and username: a
	// sign-in with the right password (including a temporary one) does
	// not count.
	LoginUser *web.Limiter
	// SignUp limits sign-up, confirmation and resend posts per address.
	SignUp *web.Limiter
	// ForgotPassword limits reset requests and reset posts per address.
	ForgotPassword *web.Limiter
}

// Config holds the dependencies and settings of the hosted pages.
type Config struct {
	Store    store.Store
	Accounts *account.Service
	// Box seals the MFA cookie of sign-ins waiting for a second factor.
	Box   *seal.Box
	OAuth *oauth.Service
	// Federation signs users in through the pools' identity providers;
	// nil offers only the pools' own sign-in.
	Federation *federation.Service
	// Passkeys serves the passkey pages and the passkey sign-in; nil
	// offers neither.
	Passkeys *passkey.Service
	// Log receives internal errors with the request id; nil discards.
	Log *slog.Logger
	// Now returns the current time; nil means time.Now.
	Now    func() time.Time
	Limits Limits
	// SessionTTL is how long a sign-in is remembered; zero means
	// DefaultSessionTTL.
	SessionTTL time.Duration
}

// UI serves the hosted pages of every pool.
type UI struct {
	store      store.Store
	box        *seal.Box
	accounts   *account.Service
	oauth      *oauth.Service
	fed        *federation.Service
	passkeys   *passkey.Service
	log        *slog.Logger
	now        func() time.Time
	limits     Limits
	sessionTTL time.Duration
	pages      map[string]*template.Template
	cop        *http.CrossOriginProtection
}

// New returns the hosted pages. It parses the templates once and checks
// that every message they use exists in every catalog.
func New(cfg Config) (*UI, error) {
	if cfg.Store == nil || cfg.Accounts == nil || cfg.OAuth == nil || cfg.Box == nil {
		return nil, fmt.Errorf("hostedui: Store, Accounts, OAuth and Box are required")
	}
	u := &UI{
		store: cfg.Store, box: cfg.Box, accounts: cfg.Accounts, oauth: cfg.OAuth, fed: cfg.Federation, passkeys: cfg.Passkeys, log: cfg.Log, now: cfg.Now,
		limits: cfg.Limits, sessionTTL: cfg.SessionTTL,
	}
	if u.log == nil {
		u.log = slog.New(slog.DiscardHandler)
	}
	if u.now == nil {
		u.now = time.Now
	}
	if u.sessionTTL <= 0 {
		u.sessionTTL = DefaultSessionTTL
	}
	pages, err := parsePages()
	if err != nil {
		return nil, err
	}
	u.pages = pages
	u.cop = http.NewCrossOriginProtection()
	u.cop.SetDenyHandler(u.handle(func(c *call) error { return forbidden() }))
	return u, nil
}

// Mount registers the hosted pages on mux, relative to the pool base.
// Every POST passes http.CrossOriginProtection before its handler.
func (u *UI) Mount(mux *http.ServeMux) {
	get := func(path string, h func(*call) error) { mux.Handle("GET "+path, u.handle(h)) }
	// form registers a form's page and its post at each of its paths.
	form := func(page, post func(*call) error, paths ...string) {
		for _, p := range paths {
			get(p, page)
			mux.Handle("POST "+p, u.cop.Handler(u.handle(post)))
		}
	}

	get("/oauth2/authorize", u.authorize)
	form(u.loginPage, u.loginPost, "/login")
	form(u.signupPage, u.signupPost, "/signup")
	form(u.confirmPage, u.confirmPost, "/confirm", "/confirmUser")
	form(u.resendPage, u.resendPost, "/resendcode")
	form(u.forgotPage, u.forgotPost, "/forgotPassword")
	form(u.resetPage, u.resetPost, "/confirmForgotPassword", "/confirmforgotPassword")
	form(u.changePage, u.changePost, "/changePassword")
	form(u.loginCodePage, u.loginCodePost, "/login/code")
	form(u.mfaPage, u.mfaPost, "/mfa")
	form(u.mfaSetupPage, u.mfaSetupPost, "/mfa/setup")
	form(u.mfaTOTPPage, u.mfaTOTPPost, "/mfa/totp")
	form(u.passkeysPage, u.passkeysPost, "/passkeys")
	form(u.passkeySignInPage, u.passkeySignInPost, "/passkeySignIn")
	// The callbacks of identity providers: no CSRF token and no
	// cross-origin check, since the provider's page sends them; the
	// sealed state cookie binds them to the browser.
	get("/oauth2/idpresponse", u.oidcCallback)
	mux.Handle("POST /oauth2/idpresponse", u.handle(u.oidcCallback))
	mux.Handle("POST /saml2/idpresponse", u.handle(u.samlCallback))
	get("/saml2/metadata", u.samlMetadata)
	get("/logout", u.logout)
	get("/error", u.errorPage)
	mux.HandleFunc("GET /static/style.css", u.styleCSS)
	mux.HandleFunc("GET /static/brand.css", u.brandCSS)
	mux.HandleFunc("GET /static/passkey.js", u.passkeyScript)
}
