package cli

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/linkpool/linkpool/internal/acme"
	"github.com/linkpool/linkpool/internal/app"
)

// acmeFlags are serve's automatic-certificate flags.
type acmeFlags struct {
	email     string
	directory string
	staging   bool
	httpAddr  string
	caFile    string
}

func (f *acmeFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.email, "acme-email", "", "obtain and renew the HTTPS certificates of the public URL's host and every pool domain automatically (ACME, Let's Encrypt by default), with this contact address for the CA; excludes --tls-cert")
	fs.StringVar(&f.directory, "acme-directory", "", "with --acme-email: ACME directory URL of the certificate authority (default Let's Encrypt production, "+acme.LetsEncryptURL+")")
	fs.BoolVar(&f.staging, "acme-staging", false, "with --acme-email: use Let's Encrypt's staging CA (untrusted certificates, high rate limits) to try a setup first")
	fs.StringVar(&f.caFile, "acme-ca-file", "", "with --acme-directory: PEM file of the CA certificates the directory's own HTTPS certificate is verified with (a private ACME server); default the system's roots")
	fs.StringVar(&f.httpAddr, "acme-http-addr", ":80", "with --acme-email: plain HTTP listener answering HTTP-01 challenges and redirecting everything else to https; empty disables it (TLS-ALPN-01 on --addr only)")
}

func (f *acmeFlags) enabled() bool { return f.email != "" }

// checkACME validates the automatic-certificate flags against the others
// and, when they are on and --addr was not given, listens on :443.
func (f *serveFlags) checkACME(fs *flag.FlagSet) error {
	set := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	a := &f.acme
	if !a.enabled() {
		for _, name := range []string{"acme-directory", "acme-staging", "acme-http-addr", "acme-ca-file"} {
			if set[name] {
				return usagef("--%s needs --acme-email", name)
			}
		}
		return nil
	}
	if at := strings.LastIndex(a.email, "@"); at < 1 || at == len(a.email)-1 || strings.ContainsAny(a.email, " \t\r\n,<>") {
		return usagef("--acme-email %q is not an email address", a.email)
	}
	if f.tlsCert != "" || f.tlsKey != "" {
		return usagef("--acme-email and --tls-cert/--tls-key exclude each other: with --acme-email the certificates are obtained automatically")
	}
	if a.staging && a.directory != "" {
		return usagef("--acme-staging and --acme-directory exclude each other")
	}
	if a.caFile != "" && a.directory == "" {
		return usagef("--acme-ca-file needs --acme-directory: Let's Encrypt is verified with the system's roots")
	}
	if a.directory != "" {
		if u, err := url.Parse(a.directory); err != nil || u.Scheme != "https" || u.Host == "" {
			return usagef("--acme-directory %q must be an https URL", a.directory)
		}
	}
	u, err := url.Parse(f.publicURL)
	if err != nil || u.Scheme != "https" {
		return usagef("--acme-email needs an https --public-url: its host is the one the certificate is for (got %q)", f.publicURL)
	}
	host := u.Hostname()
	if _, err := netip.ParseAddr(host); err == nil || !strings.Contains(host, ".") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return usagef("--public-url host %q: automatic certificates are for public DNS names, not addresses or local names", host)
	}
	if !set["addr"] {
		f.addr = ":443"
	}
	if a.httpAddr != "" && sameListenAddr(a.httpAddr, f.addr) {
		return usagef("--acme-http-addr %q and --addr %q must differ: one is plain HTTP, the other TLS", a.httpAddr, f.addr)
	}
	return nil
}

// sameListenAddr reports whether two listen addresses name one port on
// overlapping interfaces.
func sameListenAddr(a, b string) bool {
	ha, pa, errA := net.SplitHostPort(a)
	hb, pb, errB := net.SplitHostPort(b)
	if errA != nil || errB != nil {
		return a == b
	}
	return pa == pb && (ha == hb || ha == "" || hb == "" || ha == "0.0.0.0" || hb == "0.0.0.0" || ha == "::" || hb == "::")
}

// directoryURL is the CA's directory the flags select.
func (f *acmeFlags) directoryURL() string {
	switch {
	case f.staging:
		return acme.LetsEncryptStagingURL
	case f.directory != "":
		return f.directory
	}
	return acme.LetsEncryptURL
}

// startACME builds the certificate manager of a, sets srv up to serve
// TLS with it, starts the HTTP-01 and redirect listener unless disabled,
// and watches renewals until ctx ends. The returned server, if any, is
// the plain listener's, to shut down with the others; obtain gets the
// public host's certificate, to run once the TLS listener is up (the CA
// may validate on it).
func (f *serveFlags) startACME(ctx context.Context, a *app.App, srv *http.Server, log *slog.Logger, errc chan<- error) (plain *http.Server, obtain func(), err error) {
	client, err := f.acme.httpClient()
	if err != nil {
		return nil, nil, err
	}
	m, err := acme.New(acme.Config{
		Store: a.Store, Box: a.Box, ServesHost: a.Server.ServesHost, PublicURL: f.publicURL,
		Email: f.acme.email, DirectoryURL: f.acme.directoryURL(), HTTPClient: client, Registry: a.Registry, Log: a.Log,
	})
	if err != nil {
		return nil, nil, err
	}
	srv.TLSConfig = m.TLSConfig()
	go m.WatchRenewals(ctx, time.Hour)
	obtain = func() {
		host := strings.ToLower(mustHost(f.publicURL))
		if notAfter, err := m.Obtain(host); err == nil {
			log.Info("certificate ready", "host", host, "not_after", notAfter.UTC())
		}
	}
	if u, _ := url.Parse(f.publicURL); u.Port() != "" && u.Port() != "443" {
		log.Warn("the CA validates on ports 443 and 80 of each host: make sure they reach this server", "public_url", f.publicURL)
	}
	if f.acme.httpAddr == "" {
		log.Info("automatic certificates", "directory", f.acme.directoryURL(), "challenges", "tls-alpn-01")
		return nil, obtain, nil
	}
	plain = &http.Server{
		Addr: f.acme.httpAddr, Handler: m.HTTPHandler(),
		ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second,
		IdleTimeout: 120 * time.Second, MaxHeaderBytes: 64 << 10,
		ErrorLog: srv.ErrorLog,
	}
	ln, err := net.Listen("tcp", f.acme.httpAddr)
	if err != nil {
		return nil, nil, err
	}
	go func() {
		if err := plain.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			errc <- err
		}
	}()
	log.Info("automatic certificates", "directory", f.acme.directoryURL(), "challenges", "tls-alpn-01 http-01", "http_addr", ln.Addr().String())
	return plain, obtain, nil
}

// httpClient is the client of the CA's requests: the default one, or one
// trusting --acme-ca-file.
func (f *acmeFlags) httpClient() (*http.Client, error) {
	if f.caFile == "" {
		return nil, nil
	}
	pemCerts, err := os.ReadFile(f.caFile)
	if err != nil {
		return nil, fmt.Errorf("--acme-ca-file: %w", err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(pemCerts) {
		return nil, fmt.Errorf("--acme-ca-file %s: no PEM certificate in it", f.caFile)
	}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.TLSClientConfig = &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
	return &http.Client{Transport: t}, nil
}

// mustHost is the host of a URL checked before.
func mustHost(raw string) string {
	u, _ := url.Parse(raw)
	return u.Hostname()
}
