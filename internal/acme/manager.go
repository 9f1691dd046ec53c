package acme

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	xacme "golang.org/x/crypto/acme"
	"golang.org/x/crypto/acme/autocert"

	"github.com/linkpool/linkpool/internal/seal"
	"github.com/linkpool/linkpool/internal/store"
)

// LetsEncryptURL is the directory of Let's Encrypt's production CA, the
// default Config.DirectoryURL.
const LetsEncryptURL = autocert.DefaultACMEDirectory

// LetsEncryptStagingURL is the directory of Let's Encrypt's staging CA:
// untrusted certificates under far higher rate limits, for a first try.
const LetsEncryptStagingURL = "https://acme-staging-v02.api.letsencrypt.org/directory"

// ErrUnknownHost refuses a certificate for a name the server does not
// answer for.
var ErrUnknownHost = errors.New("acme: not a host this server answers for")

// Config configures a Manager.
type Config struct {
	// Store keeps the account key and the certificates, sealed with Box.
	Store store.Store
	Box   *seal.Box
	// ServesHost tells whether the server answers for a host name
	// (server.Server.ServesHost); only those get certificates.
	ServesHost func(ctx context.Context, host string) (bool, error)
	// PublicURL is the server's https base URL; the HTTP listener
	// redirects to its port (none for 443).
	PublicURL string
	// Email is the ACME account's contact, told of expiring certificates
	// and policy changes by the CA.
	Email string
	// DirectoryURL is the CA's ACME directory; empty means LetsEncryptURL.
	DirectoryURL string
	// HTTPClient makes the requests to the CA; nil means
	// http.DefaultClient.
	HTTPClient *http.Client
	// RenewBefore is how long before expiry a certificate is renewed; 0
	// means autocert's default, the lesser of 30 days and a third of the
	// certificate's lifetime.
	RenewBefore time.Duration
	// Registry receives the metrics; nil means none are exported.
	Registry prometheus.Registerer
	Log      *slog.Logger
}

// Manager obtains, stores and renews certificates. It is safe for
// concurrent use.
type Manager struct {
	ac         *autocert.Manager
	servesHost func(ctx context.Context, host string) (bool, error)
	httpsPort  string // ":port" of the public URL, empty for 443
	log        *slog.Logger
	metrics    *metrics
}

// New returns a Manager. Nothing is requested from the CA before the
// first TLS handshake for a known host, or Obtain. The CA's terms of
// service are accepted on the operator's behalf.
func New(cfg Config) (*Manager, error) {
	if cfg.Store == nil || cfg.Box == nil || cfg.ServesHost == nil {
		return nil, errors.New("acme: Store, Box and ServesHost are required")
	}
	u, err := url.Parse(cfg.PublicURL)
	if err != nil || u.Scheme != "https" || u.Hostname() == "" {
		return nil, fmt.Errorf("acme: public URL %q must be an absolute https URL", cfg.PublicURL)
	}
	if cfg.Email == "" || strings.ContainsAny(cfg.Email, " \t\r\n") || !strings.Contains(cfg.Email, "@") {
		return nil, errors.New("acme: a contact email address is required")
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.DirectoryURL == "" {
		cfg.DirectoryURL = LetsEncryptURL
	}
	m := &Manager{servesHost: cfg.ServesHost, log: cfg.Log}
	if p := u.Port(); p != "" && p != "443" {
		m.httpsPort = ":" + p
	}
	m.metrics = newMetrics(cfg.RenewBefore)
	if cfg.Registry != nil {
		if err := cfg.Registry.Register(m.metrics); err != nil {
			return nil, fmt.Errorf("acme: metrics: %w", err)
		}
	}
	client := cfg.HTTPClient
	if client == nil {
		client = http.DefaultClient
	}
	wrapped := *client
	next := client.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	wrapped.Transport = &caErrors{next: next, log: cfg.Log, counter: m.metrics.caErrors}
	cache := NewCache(cfg.Store, cfg.Box, cfg.DirectoryURL, cfg.Log)
	cache.seen, cache.gone = m.metrics.seen, m.metrics.gone
	m.ac = &autocert.Manager{
		Prompt:      autocert.AcceptTOS,
		Cache:       cache,
		HostPolicy:  m.hostPolicy,
		RenewBefore: cfg.RenewBefore,
		Email:       cfg.Email,
		Client: &xacme.Client{
			DirectoryURL: cfg.DirectoryURL,
			HTTPClient:   &wrapped,
			UserAgent:    "linkpool",
		},
	}
	return m, nil
}

// hostPolicy admits the hosts the server answers for, with or without a
// port (the Host of an HTTP-01 request has one).
func (m *Manager) hostPolicy(ctx context.Context, host string) error {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	ok, err := m.servesHost(ctx, host)
	if err != nil {
		return fmt.Errorf("acme: looking up host: %w", err)
	}
	if !ok {
		return ErrUnknownHost
	}
	return nil
}

// TLSConfig is the TLS listener's configuration: certificates obtained
// on demand, TLS-ALPN-01 challenges answered, TLS 1.2 at least.
func (m *Manager) TLSConfig() *tls.Config {
	c := m.ac.TLSConfig()
	c.MinVersion = tls.VersionTLS12
	c.GetCertificate = m.getCertificate
	return c
}

// getCertificate is autocert's, logging and counting the failures for
// known hosts; a refused or malformed name is only logged at debug level,
// since any client can send one.
func (m *Manager) getCertificate(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
	cert, err := m.ac.GetCertificate(hello)
	if err == nil {
		return cert, nil
	}
	name := strings.ToLower(strings.TrimSuffix(hello.ServerName, "."))
	known := false
	if name != "" && !errors.Is(err, ErrUnknownHost) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		known, _ = m.servesHost(ctx, name)
		cancel()
	}
	if !known {
		m.log.Debug("TLS handshake refused: no certificate for this name", "host", name)
		return nil, err
	}
	m.metrics.failures.Inc()
	m.log.Warn("could not obtain a certificate", "host", name, "error", err)
	return nil, err
}

// Obtain gets the certificate of host now, as the first TLS handshake
// naming it would (from the database, or else from the CA), so that a
// setup mistake shows in the log at start rather than at the first
// request. Failures are logged and counted as a handshake's.
func (m *Manager) Obtain(host string) (notAfter time.Time, err error) {
	cert, err := m.getCertificate(&tls.ClientHelloInfo{
		ServerName:        host,
		CipherSuites:      []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256},
		SignatureSchemes:  []tls.SignatureScheme{tls.ECDSAWithP256AndSHA256},
		SupportedCurves:   []tls.CurveID{tls.CurveP256},
		SupportedVersions: []uint16{tls.VersionTLS13, tls.VersionTLS12},
	})
	if err != nil {
		return time.Time{}, err
	}
	if cert.Leaf == nil {
		return time.Time{}, errors.New("acme: certificate without a parsed leaf")
	}
	return cert.Leaf.NotAfter, nil
}
