package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/linkpool/linkpool/internal/app"
	"github.com/linkpool/linkpool/internal/console"
	"github.com/linkpool/linkpool/internal/hostedui"
)

// operatorConsoleFlags configure the operator console (internal/console).
type operatorConsoleFlags struct {
	enabled bool
	addr    string
	url     string
}

func (f *operatorConsoleFlags) register(fs *flag.FlagSet) {
	fs.BoolVar(&f.enabled, "console", true, "serve the operator console at /console on the admin listener (or --console-addr), with its system pool for the operators' sign-in; never on the public listener")
	fs.StringVar(&f.addr, "console-addr", "", "address of a listener of the console's own instead of the admin listener's")
	fs.StringVar(&f.url, "console-url", "", "base URL operators open the console at (https://console.example.com, no path); the system pool sends them back to <console-url>/console/callback, so every instance must have the same; default http://127.0.0.1:<port> of the console's listener when it listens on loopback or all addresses; without it a console on another address is not served")
}

// check validates the flags before anything starts.
func (f *operatorConsoleFlags) check() error {
	if f.url == "" {
		return nil
	}
	u, err := url.Parse(f.url)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return usagef("--console-url %q must be an absolute http(s) URL without path, query or user", f.url)
	}
	return nil
}

// errNoConsoleURL: the console's URL is neither given nor derivable.
var errNoConsoleURL = errors.New("no --console-url")

// consoleURL returns --console-url, or the loopback URL of the console's
// listener ln when it listens on a loopback or unspecified address.
func (f *operatorConsoleFlags) consoleURL(ln net.Listener) (string, error) {
	if f.url != "" {
		return f.url, nil
	}
	host, port, err := net.SplitHostPort(ln.Addr().String())
	if err != nil {
		return "", err
	}
	ip := net.ParseIP(host)
	if ip == nil || !(ip.IsLoopback() || ip.IsUnspecified()) {
		return "", errNoConsoleURL
	}
	return "http://" + net.JoinHostPort("127.0.0.1", port), nil
}

// startConsole builds the console on the listener ln, ensures the system
// pool, its groups and the console's app client, and returns the
// console. Without a URL for it (a listener on another address than
// loopback or unspecified, and no --console-url) it serves no console,
// warning why, and returns nil: a deployment that keeps its admin
// listener on a private address starts as it did before the console.
func (f *serveFlags) startConsole(ctx context.Context, a *app.App, ln net.Listener, log *slog.Logger) (*console.Console, error) {
	u, err := f.console.consoleURL(ln)
	if errors.Is(err, errNoConsoleURL) {
		log.Warn("console not served: it listens on an address other than loopback; give the URL operators open it at with --console-url", "addr", ln.Addr().String())
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	cfg := console.Config{
		Admin: a.Admin, Store: a.Store, Audit: a.Audit, Box: a.Box, Log: log, SignInPreview: hostedui.Preview,
		PublicURL: f.publicURL, AuthDomain: f.authDomain, URL: u, MailToLog: f.smtpURL == "",
	}
	if a.Mail != nil {
		cfg.Mail = a.Mail
	}
	// The dashboard's charts: this instance's counters, sampled every
	// minute for as long as the server runs, their increases kept in the
	// store beside every other instance's under a random id of this
	// process (store.MetricSweep on the garbage collection tick drops
	// them after a day).
	cfg.Sampler = console.NewStoreSampler(a.Registry, a.Store, console.NewInstanceID(), nil, log)
	c, err := console.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("console: %w", err)
	}
	if err := c.Ensure(ctx); err != nil {
		return nil, fmt.Errorf("console: %w", adminErr(err))
	}
	go cfg.Sampler.Run(ctx)
	log.Info("console started", "url", u+"/console/", "system_pool", console.SystemPoolID)
	return c, nil
}

// serveAdmin serves the admin handler and, when enabled, the console on
// the admin listener or a listener of its own, sending the servers'
// failures to errc. It returns the servers to shut down.
func (f *serveFlags) serveAdmin(ctx context.Context, a *app.App, log *slog.Logger, errc chan<- error) ([]*http.Server, error) {
	var servers []*http.Server
	serve := func(h http.Handler, ln net.Listener) {
		s := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second}
		servers = append(servers, s)
		go func() {
			if err := s.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
				errc <- err
			}
		}()
	}
	var aln, cln net.Listener
	fail := func(err error) ([]*http.Server, error) {
		for _, ln := range []net.Listener{aln, cln} {
			if ln != nil {
				_ = ln.Close()
			}
		}
		return nil, err
	}
	var err error
	if f.adminAddr != "" {
		if aln, err = net.Listen("tcp", f.adminAddr); err != nil {
			return fail(fmt.Errorf("admin listener: %w", err))
		}
	}
	if f.console.enabled && f.console.addr != "" {
		if cln, err = net.Listen("tcp", f.console.addr); err != nil {
			return fail(fmt.Errorf("console listener: %w", err))
		}
	}
	adminHandler := a.Server.AdminHandler()
	switch {
	case !f.console.enabled:
	case cln != nil:
		c, err := f.startConsole(ctx, a, cln, log)
		if err != nil {
			return fail(err)
		}
		if c == nil {
			_ = cln.Close()
			break
		}
		mux := http.NewServeMux()
		c.Mount(mux)
		serve(mux, cln)
		log.Info("console listener started", "addr", cln.Addr().String())
	case aln != nil:
		c, err := f.startConsole(ctx, a, aln, log)
		if err != nil {
			return fail(err)
		}
		if c != nil {
			mux := http.NewServeMux()
			mux.Handle("/", adminHandler)
			c.Mount(mux)
			adminHandler = mux
		}
	default:
		log.Warn("console not served: no admin listener (--admin-addr) and no --console-addr")
	}
	if aln != nil {
		serve(adminHandler, aln)
		log.Info("admin listener started", "addr", aln.Addr().String())
	}
	return servers, nil
}
