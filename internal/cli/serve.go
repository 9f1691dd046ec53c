package cli

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os/signal"
	"runtime"
	"syscall"
	"time"

	"github.com/linkpool/linkpool/internal/app"
	"github.com/linkpool/linkpool/internal/mail"
	"github.com/linkpool/linkpool/internal/token"
	"github.com/linkpool/linkpool/internal/trigger"
	"github.com/linkpool/linkpool/internal/web"
)

type serveFlags struct {
	storage         storageFlags
	addr            string
	adminAddr       string
	publicURL       string
	authDomain      string
	tlsCert         string
	tlsKey          string
	trustedProxies  string
	smtpURL         string
	logLevel        string
	logFormat       string
	demo            bool
	hashConcurrency int
	memoryLimitMiB  int64
	tokenRate       float64
	ipv6Prefix      int
	uiRates         app.UIRates
	shutdownTimeout time.Duration
	gcInterval      time.Duration
	auditRetention  retention
	keyRefresh      time.Duration
	oauthTimeout    time.Duration
	triggerWorkers  int
	lambdaEndpoint  string
	otelEndpoint    string
	// The SmartLamp skill, mounted for one pool (or the demo pool).
	skillPool    string
	skillClients stringList
	skill        smartLampFlags
	acme         acmeFlags
	console      operatorConsoleFlags
}

func (f *serveFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.addr, "addr", ":8080", "address to listen on (:443 by default with --acme-email)")
	fs.StringVar(&f.adminAddr, "admin-addr", "127.0.0.1:9090", "address of the admin listener (/metrics, /healthz, /readyz, and the console at /console); empty disables it")
	fs.StringVar(&f.publicURL, "public-url", "http://localhost:8080", "base URL clients reach the server at; issuers are <public-url>/<poolId>")
	fs.StringVar(&f.authDomain, "auth-domain", "", "parent domain of pool prefix domains: prefix 'smartlamp' is served at smartlamp.<auth-domain>")
	fs.StringVar(&f.tlsCert, "tls-cert", "", "TLS certificate file (PEM); with --tls-key serves HTTPS")
	fs.StringVar(&f.tlsKey, "tls-key", "", "TLS private key file (PEM)")
	fs.StringVar(&f.trustedProxies, "trusted-proxies", "", "comma-separated IPs/CIDRs of reverse proxies whose X-Forwarded-For and X-Forwarded-Proto are trusted")
	fs.StringVar(&f.smtpURL, "smtp-url", "", "SMTP server for verification mails: smtp://user:pass@host:587?from=no-reply@example.com (smtps:// for implicit TLS); empty writes mails to the log (development)")
	fs.StringVar(&f.logLevel, "log-level", "info", "log level: debug, info, warn, error")
	fs.StringVar(&f.logFormat, "log-format", "json", "log format: json or text")
	fs.BoolVar(&f.demo, "demo", false, "create a demo pool, an Alexa-ready client and a demo user on first start, and print how to use them")
	fs.Float64Var(&f.tokenRate, "token-rate-limit", app.DefaultTokenRate, "token, revocation and userInfo requests per minute per client address (Alexa calls from few addresses: keep it high), and token requests beyond that per confidential client; 0 disables the limit")
	registerUIRates(fs, &f.uiRates)
	fs.IntVar(&f.ipv6Prefix, "rate-limit-ipv6-prefix", web.DefaultIPv6Prefix, "prefix length by which IPv6 clients share rate limits (1-128): a host or subscriber usually holds a whole /64; IPv4 clients are limited per address")
	fs.IntVar(&f.hashConcurrency, "hash-concurrency", runtime.GOMAXPROCS(0), "maximum password hashes computed at once (each takes 19 MiB); more wait for a free slot, as long as their request lasts")
	fs.Int64Var(&f.memoryLimitMiB, "memory-limit", 0, "soft memory limit of the Go runtime in MiB; 0 derives it from --hash-concurrency (64 MiB + 1.6 × 19 MiB per hash at once) and sets GOGC=70 unless GOGC is set, -1 sets none; GOMEMLIMIT in the environment wins")
	fs.DurationVar(&f.shutdownTimeout, "shutdown-timeout", 30*time.Second, "how long to let in-flight requests finish and queued mail be delivered on SIGTERM/SIGINT")
	fs.DurationVar(&f.gcInterval, "gc-interval", 10*time.Minute, "how often expired codes, tokens and sessions are deleted")
	f.auditRetention = retention(DefaultAuditRetention)
	fs.Var(&f.auditRetention, "audit-retention", "how long audit records of administrative changes are kept (400d, 8760h); the garbage collection of --gc-interval deletes older ones; 0 keeps them forever")
	fs.DurationVar(&f.keyRefresh, "key-refresh-interval", token.DefaultRefreshInterval, "how often the signing keys are re-read from the database (at most 1m): a rotation made by another instance is published and used here within this time")
	fs.StringVar(&f.skillPool, "skill-pool", "", "mount the SmartLamp skill (POST /alexa/smart-home, and /lamps with --lamps-client-id) for this pool's users; --demo mounts it for the demo pool")
	fs.Var(&f.skillClients, "skill-client-id", "with --skill-pool: accepted `client_id` of the skill's access tokens, the pool's Alexa app client (repeatable, required)")
	f.skill.register(fs)
	f.acme.register(fs)
	f.console.register(fs)
	registerOTel(fs, &f.otelEndpoint)
	fs.IntVar(&f.triggerWorkers, "trigger-workers", trigger.DefaultMaxConcurrent, "maximum trigger invocations (Lambda functions, webhooks) running at once over all pools; one more fails at once with UnexpectedLambdaException instead of waiting")
	fs.StringVar(&f.lambdaEndpoint, "lambda-endpoint", "", "endpoint of the Lambda Invoke API for Lambda triggers (a VPC endpoint, a Lambda-compatible server); empty uses the AWS endpoint of each function's region")
	fs.DurationVar(&f.oauthTimeout, "oauth-timeout", app.DefaultOAuthTimeout, "how long a request to an OAuth endpoint (authorize, token, revocation, userInfo, discovery, JWKS) may wait for the database before it is answered 503 temporarily_unavailable; keep it below Alexa's 4.5 s token limit")
}

// flagSet returns the flag set of `serve` writing into f.
func (f *serveFlags) flagSet(stderr io.Writer) *flag.FlagSet {
	fs := newFlagSet("serve", stderr)
	f.storage.register(fs)
	f.register(fs)
	return fs
}

func runServe(ctx context.Context, e *env, args []string) error {
	var f serveFlags
	fs := f.flagSet(e.stderr)
	if err := parse(fs, args, e.getenv); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected arguments %v", fs.Args())
	}
	if f.oauthTimeout <= 0 {
		return usagef("--oauth-timeout must be positive")
	}
	if f.triggerWorkers < 1 {
		return usagef("--trigger-workers must be at least 1")
	}
	if f.lambdaEndpoint != "" {
		if u, err := url.Parse(f.lambdaEndpoint); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			return usagef("--lambda-endpoint %q must be an absolute http(s) URL without query or fragment", f.lambdaEndpoint)
		}
	}
	if f.memoryLimitMiB < -1 {
		return usagef("--memory-limit must be a number of MiB, 0 (derived) or -1 (none)")
	}
	if _, err := (web.Proxies{}).WithIPv6Prefix(f.ipv6Prefix); err != nil {
		return usagef("--rate-limit-ipv6-prefix: %v", err)
	}
	if f.keyRefresh > token.MaxRefreshInterval {
		return fmt.Errorf("--key-refresh-interval %v: at most %v, so that a new signing key is served by every instance for %v before it signs", f.keyRefresh, token.MaxRefreshInterval, token.PublishFor)
	}
	if (f.tlsCert == "") != (f.tlsKey == "") {
		return usagef("--tls-cert and --tls-key go together")
	}
	if u, err := url.Parse(f.publicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return usagef("--public-url %q must be an absolute http(s) URL without query or fragment", f.publicURL)
	}
	if err := f.checkSkill(fs); err != nil {
		return err
	}
	if err := f.checkACME(fs); err != nil {
		return err
	}
	if err := f.console.check(); err != nil {
		return err
	}
	log, err := newLogger(e.stderr, f.logLevel, f.logFormat)
	if err != nil {
		return err
	}
	defer applyMemoryLimit(log, e.getenv, &f)()
	stopTracing, err := startTracing(ctx, log, f.otelEndpoint, "linkpool")
	if err != nil {
		return err
	}
	defer stopTracing()
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	var demo *demoState
	if f.demo {
		st, err := prepareDemo(ctx, &f.storage, f.publicURL, e)
		if err != nil {
			return fmt.Errorf("demo setup: %w", err)
		}
		demo = &st
	}
	a, err := buildApp(ctx, &f, log, e, demo)
	if err != nil {
		return err
	}
	defer a.Store.Close()
	if err := a.EnsureKeys(ctx); err != nil {
		return err
	}
	go a.CollectGarbage(ctx, f.gcInterval)

	srv := &http.Server{
		Addr:              f.addr,
		Handler:           a.Server.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	if f.tlsCert != "" {
		srv.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	errc := make(chan error, 4)
	var acmeHTTP *http.Server
	var obtainCert func()
	if f.acme.enabled() {
		if acmeHTTP, obtainCert, err = f.startACME(ctx, a, srv, log, errc); err != nil {
			return fmt.Errorf("automatic certificates: %w", err)
		}
	}
	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return err
	}
	if obtainCert != nil {
		go obtainCert()
	}
	go func() {
		var err error
		if f.tlsCert != "" || f.acme.enabled() {
			err = srv.ServeTLS(ln, f.tlsCert, f.tlsKey)
		} else {
			err = srv.Serve(ln)
		}
		if !errors.Is(err, http.ErrServerClosed) {
			errc <- err
		}
	}()
	admins, err := f.serveAdmin(ctx, a, log, errc)
	if err != nil {
		_ = srv.Close()
		return err
	}
	log.Info("linkpool serving", "addr", ln.Addr().String(), "public_url", f.publicURL, "tls", f.tlsCert != "" || f.acme.enabled())

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing in-flight requests and queued mail", "timeout", f.shutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), f.shutdownTimeout)
	defer cancel()
	for _, s := range admins {
		_ = s.Shutdown(sctx)
	}
	if acmeHTTP != nil {
		_ = acmeHTTP.Shutdown(sctx)
	}
	// The requests first, since they may queue mail; then the mail, in
	// what is left of the timeout.
	herr := srv.Shutdown(sctx)
	merr := a.Shutdown(sctx)
	if herr != nil {
		return fmt.Errorf("shutdown: %w", herr)
	}
	if merr != nil {
		return fmt.Errorf("shutdown: %w", merr)
	}
	log.Info("stopped")
	return nil
}

func buildApp(ctx context.Context, f *serveFlags, log *slog.Logger, e *env, demo *demoState) (*app.App, error) {
	proxies, err := web.ParseProxies(f.trustedProxies)
	if err != nil {
		return nil, usagef("--trusted-proxies: %v", err)
	}
	st, err := f.storage.openStore(ctx, log)
	if err != nil {
		return nil, err
	}
	box, err := f.storage.openBox(ctx, st, e.stderr)
	if err != nil {
		st.Close()
		return nil, err
	}
	var mailer mail.Sender
	if f.smtpURL != "" {
		m, err := mail.NewSMTP(f.smtpURL)
		if err != nil {
			st.Close()
			return nil, fmt.Errorf("--smtp-url: %w", err)
		}
		mailer = m
	}
	uiLimits := f.uiRates.Limits()
	a, err := app.New(app.Config{
		Store: st, Box: box, Log: log, PublicURL: f.publicURL, AuthDomain: f.authDomain,
		Proxies: proxies, Mailer: mailer, HashConcurrency: f.hashConcurrency,
		TokenRatePerMinute: tokenRate(f.tokenRate), RateLimitIPv6Prefix: f.ipv6Prefix,
		KeyRefreshInterval: f.keyRefresh, UILimits: &uiLimits, OAuthTimeout: f.oauthTimeout,
		Triggers:       trigger.Config{MaxConcurrent: f.triggerWorkers, LambdaEndpoint: f.lambdaEndpoint},
		AuditRetention: time.Duration(f.auditRetention),
	})
	if err != nil {
		st.Close()
		return nil, err
	}
	if demo != nil || f.skillPool != "" {
		so := demoOrPoolSkill(f, demo)
		if demo == nil {
			if err := checkSkillClients(ctx, a.Admin, so); err != nil {
				st.Close()
				return nil, err
			}
		}
		_, mount, err := a.MountSkill(f.publicURL, so)
		if err != nil {
			st.Close()
			return nil, fmt.Errorf("SmartLamp skill: %w", err)
		}
		a.Server.MountGlobal(mount)
		log.Info("SmartLamp skill mounted", "pool", so.PoolID, "lamps_page", so.LampsClientID != "", "change_reports", so.EventsEnabled())
	}
	if demo != nil {
		var secret string
		if demo.created() {
			c, err := a.Admin.DescribeUserPoolClient(ctx, demo.PoolID, demo.ClientID)
			if err != nil {
				st.Close()
				return nil, adminErr(err)
			}
			if secret, err = a.Admin.ClientSecret(c); err != nil {
				st.Close()
				return nil, err
			}
		}
		printDemo(e.stdout, *demo, a, f.publicURL, secret)
	}
	return a, nil
}

// tokenRate maps the flag (0 disables) to app.Config (negative disables).
func tokenRate(perMinute float64) float64 {
	if perMinute <= 0 {
		return -1
	}
	return perMinute
}
