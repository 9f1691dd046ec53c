package acmetest

import (
	"crypto/x509"
	"encoding/pem"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/letsencrypt/pebble/v2/ca"
	"github.com/letsencrypt/pebble/v2/db"
	"github.com/letsencrypt/pebble/v2/va"
	"github.com/letsencrypt/pebble/v2/wfe"
)

// Options configures a CA.
type Options struct {
	// HTTPPort and TLSPort are where the CA's validation connects on
	// 127.0.0.1 for HTTP-01 and TLS-ALPN-01 challenges.
	HTTPPort, TLSPort int
	// Validity is the lifetime of issued certificates; 0 means Pebble's
	// default (90 days).
	Validity time.Duration
	// Log receives Pebble's log; nil discards it.
	Log io.Writer
}

// CA is a running Pebble.
type CA struct {
	// DirectoryURL is the ACME directory.
	DirectoryURL string
	// Client trusts the ACME server's own HTTPS certificate, which
	// DirectoryCertPEM holds.
	Client           *http.Client
	DirectoryCertPEM []byte
	// Roots holds the root the CA issues under, to verify served
	// certificates with.
	Roots *x509.CertPool

	orders atomic.Int64
	db     *db.MemoryStore
}

// Start runs a CA until the test ends. It sets Pebble's environment
// (no random validation delays, no injected bad nonces, no reuse of
// authorizations), so tests using it cannot run in parallel.
func Start(t *testing.T, opt Options) *CA {
	t.Helper()
	t.Setenv("PEBBLE_VA_NOSLEEP", "1")
	t.Setenv("PEBBLE_WFE_NONCEREJECT", "0")
	t.Setenv("PEBBLE_AUTHZREUSE", "0")
	w := opt.Log
	if w == nil {
		w = io.Discard
	}
	logger := log.New(w, "pebble ", log.LstdFlags)
	resolver := startDNS(t)
	store := db.NewMemoryStore()
	profiles := map[string]ca.Profile{"default": {Description: "test", ValidityPeriod: uint64(opt.Validity / time.Second)}}
	authority := ca.New(logger, store, "", "ecdsa", 0, 1, profiles)
	validator := va.New(logger, opt.HTTPPort, opt.TLSPort, false, resolver, store)
	front := wfe.New(logger, store, validator, authority, []string{"pebble.letsencrypt.org"}, false, false, 0, 0)

	c := &CA{Roots: x509.NewCertPool(), db: store}
	root := authority.GetRootCert(0)
	cert, err := x509.ParseCertificate(root.DER)
	if err != nil {
		t.Fatalf("Pebble root: %v", err)
	}
	c.Roots.AddCert(cert)
	h := front.Handler()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Path == "/order-plz" {
			c.orders.Add(1)
		}
		h.ServeHTTP(w, r)
	}))
	srv.StartTLS()
	t.Cleanup(srv.Close)
	c.DirectoryURL = srv.URL + wfe.DirectoryPath
	c.Client = srv.Client()
	c.DirectoryCertPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	return c
}

// Block makes the CA refuse orders for name and its subdomains from now
// on (Pebble's rejectedIdentifier).
func (c *CA) Block(t testing.TB, name string) {
	t.Helper()
	if err := c.db.AddBlockedDomain(name); err != nil {
		t.Fatal(err)
	}
}

// Orders is the number of new-order requests the CA has received.
func (c *CA) Orders() int64 { return c.orders.Load() }
