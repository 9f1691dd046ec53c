package console

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/linkpool/linkpool/internal/admin"
	"github.com/linkpool/linkpool/internal/audit"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/seal"
	"github.com/linkpool/linkpool/internal/store"
)

// Config holds the console's dependencies and settings.
type Config struct {
	// Admin is the administrative service every page reads and changes
	// through; its Accounts run the user actions.
	Admin *admin.Service
	// Store is read for the signed-in operator (by sub) and the store's
	// health.
	Store store.Store
	// Audit reads the audit log.
	Audit *audit.Recorder
	// SignInPreview renders a pool's hosted sign-in page with its
	// branding, for the branding page's preview: hostedui.Preview, which
	// `serve` passes in (the console, an adapter over the services as the
	// hosted pages are, does not import them).
	SignInPreview func(p pool.Pool, lang, nonce string) ([]byte, error)
	// Box seals the console's cookies with a key derived from the master
	// key.
	Box *seal.Box
	Log *slog.Logger
	// PublicURL is the server's public URL: the system pool's issuer is
	// PublicURL/SystemPoolID, where the browser signs in.
	PublicURL string
	// AuthDomain is the parent domain of pool prefix domains (for the
	// Alexa console values).
	AuthDomain string
	// URL is the console's own base URL (scheme://host[:port], no path),
	// as the operators' browsers reach it: the system pool sends them
	// back to URL + CallbackPath, and posted forms must come from its
	// origin.
	URL string
	// HTTPClient makes the token and key-set requests to the public
	// listener; nil means a client with a 10-second timeout.
	HTTPClient *http.Client
	// Mail reports the mail outbox's backlog for the dashboard; nil means
	// the server sends no mail.
	Mail interface{ Pending() int }
	// MailToLog says that mail goes to the log, not a relay (development).
	MailToLog bool
	// Sampler holds the server's counters of the last day for the
	// dashboard's charts (dashboard_metrics.go); nil shows none.
	Sampler *Sampler
	// SessionTTL is how long a console sign-in lasts; 0 means
	// DefaultSessionTTL.
	SessionTTL time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// DefaultSessionTTL is how long a console sign-in lasts by default.
const DefaultSessionTTL = 8 * time.Hour

// Console is the operator console's HTTP handler.
type Console struct {
	cfg    Config
	origin string // scheme://host[:port] of cfg.URL
	secure bool   // cfg.URL is https
	issuer string
	oauth  *oauth2.Config
	now    func() time.Time
	mux    *http.ServeMux
	tmpl   *templates

	verifierOnce sync.Once
	verifier     *oidc.IDTokenVerifier
}

// New returns the console for cfg.
func New(cfg Config) (*Console, error) {
	if cfg.Admin == nil || cfg.Store == nil || cfg.Audit == nil || cfg.Box == nil || cfg.SignInPreview == nil {
		return nil, errors.New("console: New needs Admin, Store, Audit, Box and SignInPreview")
	}
	u, err := url.Parse(cfg.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return nil, fmt.Errorf("console URL %q must be an absolute http(s) URL without path, query or user", cfg.URL)
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = DefaultSessionTTL
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	c := &Console{
		cfg: cfg, origin: u.Scheme + "://" + u.Host, secure: u.Scheme == "https", now: now,
		issuer: strings.TrimRight(cfg.PublicURL, "/") + "/" + SystemPoolID,
	}
	c.cfg.URL = c.origin
	c.oauth = &oauth2.Config{
		ClientID: SystemClientID,
		Endpoint: oauth2.Endpoint{
			AuthURL: c.issuer + "/oauth2/authorize", TokenURL: c.issuer + "/oauth2/token",
			AuthStyle: oauth2.AuthStyleInParams,
		},
		RedirectURL: c.origin + CallbackPath,
		Scopes:      []string{oidc.ScopeOpenID},
	}
	if c.tmpl, err = parseTemplates(); err != nil {
		return nil, err
	}
	c.routes()
	return c, nil
}

// Ensure creates or corrects the system pool, its groups and the
// console's app client (EnsureSystemPool, EnsureSystemClient).
func (c *Console) Ensure(ctx context.Context) error {
	if _, err := EnsureSystemPool(ctx, c.cfg.Admin, c.now()); err != nil {
		return err
	}
	_, err := EnsureSystemClient(ctx, c.cfg.Admin, c.origin, c.now())
	return err
}

// Handler serves the console's paths, /console and everything under
// /console/.
func (c *Console) Handler() http.Handler { return c.mux }

// Mount registers the console on mux.
func (c *Console) Mount(mux *http.ServeMux) {
	mux.Handle("/console", c.mux)
	mux.Handle("/console/", c.mux)
}

// idTokenVerifier returns the verifier of the system pool's ID tokens,
// whose key set it fetches from the public listener when first needed.
func (c *Console) idTokenVerifier() *oidc.IDTokenVerifier {
	c.verifierOnce.Do(func() {
		ctx := oidc.ClientContext(context.Background(), c.cfg.HTTPClient)
		keys := oidc.NewRemoteKeySet(ctx, c.issuer+"/.well-known/jwks.json")
		c.verifier = oidc.NewVerifier(c.issuer, keys, &oidc.Config{
			ClientID: SystemClientID, SupportedSigningAlgs: []string{oidc.RS256, oidc.ES256}, Now: c.now,
		})
	})
	return c.verifier
}
