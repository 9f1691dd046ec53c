package app

import (
	"context"
	"crypto"
	"errors"
	"fmt"
	"github.com/linkpool/linkpool/internal/accesskey"
	"log/slog"
	"net/http"
	"runtime"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/admin"
	"github.com/linkpool/linkpool/internal/audit"
	"github.com/linkpool/linkpool/internal/cognitoapi"
	"github.com/linkpool/linkpool/internal/confcache"
	"github.com/linkpool/linkpool/internal/federation"
	"github.com/linkpool/linkpool/internal/federation/oidcflow"
	"github.com/linkpool/linkpool/internal/federation/samlflow"
	"github.com/linkpool/linkpool/internal/hostedui"
	"github.com/linkpool/linkpool/internal/mail"
	"github.com/linkpool/linkpool/internal/oauth"
	"github.com/linkpool/linkpool/internal/passkey"
	"github.com/linkpool/linkpool/internal/password"
	"github.com/linkpool/linkpool/internal/seal"
	"github.com/linkpool/linkpool/internal/server"
	"github.com/linkpool/linkpool/internal/smarthome/skillstore"
	"github.com/linkpool/linkpool/internal/store"
	"github.com/linkpool/linkpool/internal/token"
	"github.com/linkpool/linkpool/internal/trigger"
	"github.com/linkpool/linkpool/internal/web"
)

// Config is everything the server is built from.
type Config struct {
	Store skillstore.Database
	Box   *seal.Box
	Log   *slog.Logger
	// PublicURL and AuthDomain: see server.Config.
	PublicURL  string
	AuthDomain string
	Proxies    web.Proxies
	// Mailer sends verification and reset codes; nil means the
	// development sender that writes them to the log. The app delivers
	// through it from an outbox (mail.Outbox) kept in Store, after the
	// request that sent the mail has been answered; Shutdown drains the
	// outbox.
	Mailer mail.Sender
	// NoMail builds an App that sends no mail: it has no outbox, so it
	// neither stores mail nor claims the mail other instances stored
	// (which it would otherwise deliver through its own Mailer). Flows
	// that mail fail with CodeDeliveryFailureException. For commands
	// that run an App briefly beside the servers.
	NoMail bool
	// HashConcurrency bounds concurrent password hashes; 0 means
	// GOMAXPROCS.
	HashConcurrency int
	// PasswordParams defaults to password.DefaultParams.
	PasswordParams *password.Params
	// TokenRatePerMinute and TokenBurst bound token, revocation and
	// userInfo requests per client address, and token requests beyond
	// that per authenticated confidential client. 0 means DefaultTokenRate
	// with a burst of a sixth of it; a negative rate disables the limit.
	// Alexa refreshes every linked user's token from a few Amazon
	// addresses, so the default is high.
	TokenRatePerMinute float64
	TokenBurst         int
	// RateLimitIPv6Prefix is the prefix length by which IPv6 clients
	// share every per-address limit (web.Proxies.WithIPv6Prefix); 0 means
	// web.DefaultIPv6Prefix. IPv4 clients are limited per address.
	RateLimitIPv6Prefix int
	// UILimits bounds hosted-page posts per client address; nil means
	// DefaultUILimits.
	UILimits *hostedui.Limits
	// Global registers extra top-level routes (the SmartLamp skill).
	Global []func(*http.ServeMux)
	// KeyRefreshInterval is how long an instance uses its cached signing
	// keys before re-reading them, which bounds how long a rotation made
	// by another instance takes to be published and used here. 0 means
	// token.DefaultRefreshInterval.
	KeyRefreshInterval time.Duration
	// GenerateKey makes the private keys of new signing keys
	// (token.KeysOptions.GenerateKey); nil means fresh keys from
	// crypto/rand. Tests pass internal/apptest's pre-generated keys.
	GenerateKey func(alg string) (crypto.Signer, error)
	// OAuthTimeout bounds how long a request to an OAuth endpoint waits
	// for the store before it is answered 503 temporarily_unavailable; 0
	// means DefaultOAuthTimeout (see server.Config.OAuthTimeout).
	OAuthTimeout time.Duration
	// APIAuthenticate verifies the AWS Signature Version 4 of Cognito
	// JSON API requests (cognitoapi.Config.Authenticate); nil means the
	// access keys issued by `linkpool access-key create` (AccessKeys).
	APIAuthenticate func(r *http.Request, body []byte) (cognitoapi.Principal, error)
	// ConfigPollInterval is how often the configuration version is read
	// (internal/confcache): how long a change to pools, clients or domains
	// made by the CLI or another instance takes to be served here. 0
	// means confcache.DefaultPollInterval.
	ConfigPollInterval time.Duration
	// FederationClient makes the calls to identity providers (token,
	// user-info, key-set, discovery and SAML metadata requests); nil
	// means the protocol packages' own clients, each call bounded by
	// upstream.CallTimeout. Tests pass a client without proxy for their
	// loopback providers.
	FederationClient *http.Client
	// Triggers configures the invoker of the pools' triggers: the worker
	// budget, the Lambda endpoint (see trigger.Config). Its Box, Logger
	// and Metrics are the app's.
	Triggers trigger.Config
	// AuditRetention is how long audit records are kept: CollectGarbage
	// purges older ones. 0 keeps them forever.
	AuditRetention time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// App is the assembled server.
type App struct {
	Log      *slog.Logger
	Store    skillstore.Database
	Box      *seal.Box
	Keys     *token.Keys
	Hasher   *password.Hasher
	Accounts *account.Service
	// Admin is the administrative service on pools, clients, domains
	// and groups.
	Admin *admin.Service
	OAuth *oauth.Service
	// Federation signs users in through the pools' identity providers.
	Federation *federation.Service
	// Passkeys registers passkeys and signs users in with them.
	Passkeys *passkey.Service
	UI       *hostedui.UI
	// API serves the Cognito JSON API at POST /.
	API *cognitoapi.API
	// AccessKeys verifies the signatures of the JSON API's requests.
	AccessKeys *accesskey.Service
	Server     *server.Server
	Registry   *prometheus.Registry
	// Config caches the pools, domains and clients requests read; its
	// poller runs until Shutdown.
	Config *confcache.Cache
	// Mail stores the mail of every flow for delivery; Flush waits for
	// its delivery. It is nil with Config.NoMail.
	Mail *mail.Outbox
	// Triggers invokes the pools' triggers (Lambda functions, webhooks)
	// within one worker budget for the whole server.
	Triggers *trigger.Invoker
	// Audit records the administrative changes of every surface.
	Audit *audit.Recorder
	// auditRetention is Config.AuditRetention.
	auditRetention time.Duration
	// now is Config.Now, or time.Now.
	now func() time.Time
}

// New assembles the server. Its mail outbox runs until Shutdown.
func New(cfg Config) (*App, error) {
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	log = slog.New(web.ContextHandler(log.Handler()))
	mailer := cfg.Mailer
	if mailer == nil {
		mailer = mail.NewLog(log)
	}
	conc := cfg.HashConcurrency
	if conc <= 0 {
		conc = runtime.GOMAXPROCS(0)
	}
	params := password.DefaultParams
	if cfg.PasswordParams != nil {
		params = *cfg.PasswordParams
	}
	rate, burst := cfg.TokenRatePerMinute, cfg.TokenBurst
	if rate == 0 {
		rate = DefaultTokenRate
	}
	if burst == 0 {
		burst = int(rate / 6)
	}
	var tokenLimiter *web.Limiter
	if rate > 0 {
		tokenLimiter = web.NewLimiter(rate, burst)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	// A store with metrics of its own (SQLite's group commit) reports them.
	if c, ok := cfg.Store.(prometheus.Collector); ok {
		reg.MustRegister(c)
	}
	a := &App{Log: log, Store: cfg.Store, Box: cfg.Box, Registry: reg, auditRetention: cfg.AuditRetention, now: cfg.Now}
	a.Audit = audit.New(audit.Config{Store: cfg.Store, Log: log, Metrics: reg, Now: cfg.Now})
	if a.now == nil {
		a.now = time.Now
	}
	a.Config = confcache.New(confcache.Config{Store: cfg.Store, Log: log, PollInterval: cfg.ConfigPollInterval})
	reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "linkpool_config_version",
		Help: "The database's configuration version as this instance last read it (-1 before the first read); a settings change is served once it reaches the version the change wrote.",
	}, func() float64 { return float64(a.Config.Version()) }))
	a.Keys = token.NewKeys(cfg.Store, cfg.Box, token.KeysOptions{Now: cfg.Now, RefreshInterval: cfg.KeyRefreshInterval, GenerateKey: cfg.GenerateKey})
	a.Hasher = password.NewHasher(params, conc)
	reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "linkpool_password_hashes_in_flight", Help: "Password hashes being computed.",
	}, func() float64 { return float64(a.Hasher.InFlight()) }))
	// Mail goes out after the answer, so that how long a request takes
	// does not tell whether it mailed anyone, nor depend on the relay;
	// it is stored first, so that it survives a crash of the instance.
	var sender mail.Sender = noMail{}
	if !cfg.NoMail {
		a.Mail = mail.NewOutbox(mailer, cfg.Store, cfg.Box, mail.OutboxOptions{Log: log, Metrics: reg})
		sender = a.Mail
	}
	ok := false
	defer func() {
		if !ok {
			_ = a.Shutdown(context.Background()) // nothing was sent yet
		}
	}()
	tcfg := cfg.Triggers
	tcfg.Box, tcfg.Logger, tcfg.Metrics = cfg.Box, log, reg
	if tcfg.Now == nil {
		tcfg.Now = cfg.Now
	}
	triggers, err := trigger.New(tcfg)
	if err != nil {
		return nil, fmt.Errorf("triggers: %w", err)
	}
	a.Triggers = triggers
	a.Accounts = account.New(account.Config{Store: cfg.Store, Hasher: a.Hasher, Mailer: sender, CodeKey: cfg.Box.DeriveKey(account.CodeKeyPurpose), Box: cfg.Box, Log: log, Now: cfg.Now, Triggers: triggers, Audit: a.Audit, Metrics: reg})
	a.OAuth = oauth.New(oauth.Config{
		Store: cfg.Store, Keys: a.Keys, Box: cfg.Box, Log: log, Now: cfg.Now,
		TokenLimiter: tokenLimiter, Metrics: reg, Cache: a.Config, Triggers: triggers,
	})
	limits := DefaultUILimits()
	if cfg.UILimits != nil {
		limits = *cfg.UILimits
	}
	a.Admin = admin.New(admin.Config{Store: cfg.Store, Box: cfg.Box, Keys: a.Keys, Accounts: a.Accounts, Audit: a.Audit, Now: cfg.Now})
	fed, err := federation.New(federation.Config{
		Store: cfg.Store, Box: cfg.Box, Accounts: a.Accounts, Admin: a.Admin, Log: log, Now: cfg.Now,
		OIDC: oidcflow.New(cfg.FederationClient), SAML: samlflow.New(cfg.FederationClient),
	})
	if err != nil {
		return nil, fmt.Errorf("federation: %w", err)
	}
	a.Federation = fed
	a.Passkeys = passkey.New(passkey.Config{Store: cfg.Store, Box: cfg.Box, Log: log, Now: cfg.Now, Audit: a.Audit})
	ui, err := hostedui.New(hostedui.Config{Store: cfg.Store, Box: cfg.Box, Accounts: a.Accounts, OAuth: a.OAuth, Federation: fed,
		Passkeys: a.Passkeys, Log: log, Now: cfg.Now, Limits: limits})
	if err != nil {
		return nil, fmt.Errorf("hosted UI: %w", err)
	}
	a.UI = ui
	a.AccessKeys = accesskey.New(accesskey.Config{Store: cfg.Store, Box: cfg.Box, Log: log, Now: cfg.Now, Audit: a.Audit})
	authenticate := cfg.APIAuthenticate
	if authenticate == nil {
		authenticate = func(r *http.Request, body []byte) (cognitoapi.Principal, error) {
			k, err := a.AccessKeys.Authenticate(r, body)
			if err != nil {
				return nil, err
			}
			return k, nil
		}
	}
	a.API = cognitoapi.New(cognitoapi.Config{
		Store: cfg.Store, Accounts: a.Accounts, Admin: a.Admin, Passkeys: a.Passkeys, Log: log, Authenticate: authenticate,
		SignUpLimit: limits.SignUp, ForgotPasswordLimit: limits.ForgotPassword,
		SignInLimit: limits.Login, SignInUserLimit: limits.LoginUser,
		OAuth: a.OAuth, Issuer: func(poolID string) string { return a.Server.Issuer(poolID) },
		Box: cfg.Box, Now: cfg.Now, Cache: a.Config, Triggers: triggers,
	})
	proxies := cfg.Proxies
	if cfg.RateLimitIPv6Prefix != 0 {
		if proxies, err = proxies.WithIPv6Prefix(cfg.RateLimitIPv6Prefix); err != nil {
			return nil, err
		}
	}
	a.Server, err = server.New(server.Config{
		PublicURL: cfg.PublicURL, AuthDomain: cfg.AuthDomain, Store: cfg.Store, Cache: a.Config, Log: log, Proxies: proxies,
		OAuthTimeout: cfg.OAuthTimeout, Mount: []func(*http.ServeMux){a.OAuth.Mount, a.UI.Mount},
		Global:   cfg.Global,
		API:      a.API,
		Registry: reg,
	})
	if err != nil {
		return nil, err
	}
	ok = true
	return a, nil
}

// Shutdown delivers the mail sent through this instance, waiting until ctx
// ends at most; what is left stays in the store for another instance or a
// restart (see mail.Outbox.Close). Call it after the HTTP server has stopped taking
// requests.
func (a *App) Shutdown(ctx context.Context) error {
	if a.Config != nil {
		a.Config.Close()
	}
	if a.Mail == nil {
		return nil
	}
	return a.Mail.Close(ctx)
}

// errNoMail refuses the mail of an App built with Config.NoMail.
var errNoMail = errors.New("app: this command sends no mail")

// noMail is the Sender of an App built with Config.NoMail.
type noMail struct{}

func (noMail) Send(context.Context, mail.Message) error { return errNoMail }

// DefaultTokenRate is the default per-address limit of token, revocation
// and userInfo requests per minute.
const DefaultTokenRate = 12000

// DefaultOAuthTimeout is the default Config.OAuthTimeout.
const DefaultOAuthTimeout = server.DefaultOAuthTimeout

// DefaultUILimits are the rate limits of the hosted pages at
// DefaultUIRates.
func DefaultUILimits() hostedui.Limits {
	return DefaultUIRates.Limits()
}

// EnsureKeys creates signing keys for every pool that has none and checks
// that every pool's keys open with the master key.
func (a *App) EnsureKeys(ctx context.Context) error {
	opts := store.ListOptions{Limit: store.MaxPageSize}
	for {
		page, err := a.Store.ListPools(ctx, opts)
		if err != nil {
			return fmt.Errorf("list pools: %w", err)
		}
		for _, p := range page.Items {
			if err := a.Keys.Ensure(ctx, p.ID, p.SigningAlgorithm); err != nil {
				return fmt.Errorf("signing keys of %s: %w", p.ID, err)
			}
			// Unseal the keys now, so a wrong master key stops the start
			// instead of failing the first token request.
			if _, err := a.Keys.Sign(ctx, p.ID, store.UseAccess, map[string]any{"probe": true}); err != nil {
				return fmt.Errorf("signing keys of %s (is this the right master key?): %w", p.ID, err)
			}
		}
		if page.Next == "" {
			return nil
		}
		opts.PageToken = page.Next
	}
}

// CollectGarbage deletes expired codes, tokens, sessions and lamp
// sessions, audit records older than Config.AuditRetention and the
// console's counter history older than store.MetricRetention, every
// interval until ctx ends (store.CollectGarbage).
func (a *App) CollectGarbage(ctx context.Context, every time.Duration) {
	store.CollectGarbage(ctx, a.Store, a.Log, every, skillstore.LampSessionSweep(a.Store), a.Audit.Sweep(a.auditRetention),
		store.MetricSweep(a.Store))
}
