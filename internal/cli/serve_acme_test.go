package cli

import (
	"context"
	"crypto/tls"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/acme/acmetest"
	"github.com/linkpool/linkpool/internal/apptest"
)

func TestServeACMEFlagErrors(t *testing.T) {
	h := newAdminHarness(t)
	pub := []string{"--public-url", "https://auth.example.com", "--admin-addr", ""}
	h.fails(2, "--acme-staging needs --acme-email", "serve", "--acme-staging")
	h.fails(2, "--acme-http-addr needs --acme-email", "serve", "--acme-http-addr", ":8081")
	h.fails(2, "not an email address", append([]string{"serve", "--acme-email", "ops"}, pub...)...)
	h.fails(2, "exclude each other", append([]string{"serve", "--acme-email", "ops@example.com", "--tls-cert", "c.pem", "--tls-key", "k.pem"}, pub...)...)
	h.fails(2, "--acme-staging and --acme-directory exclude each other",
		append([]string{"serve", "--acme-email", "ops@example.com", "--acme-staging", "--acme-directory", "https://ca.example.com/dir"}, pub...)...)
	h.fails(2, "must be an https URL", append([]string{"serve", "--acme-email", "ops@example.com", "--acme-directory", "http://ca.example.com/dir"}, pub...)...)
	h.fails(2, "--acme-ca-file needs --acme-directory", append([]string{"serve", "--acme-email", "ops@example.com", "--acme-ca-file", "ca.pem"}, pub...)...)
	h.fails(2, "needs an https --public-url", "serve", "--acme-email", "ops@example.com", "--admin-addr", "")
	h.fails(2, "public DNS names", "serve", "--acme-email", "ops@example.com", "--public-url", "https://127.0.0.1", "--admin-addr", "")
	h.fails(2, "public DNS names", "serve", "--acme-email", "ops@example.com", "--public-url", "https://intranet", "--admin-addr", "")
	h.fails(2, "must differ", append([]string{"serve", "--acme-email", "ops@example.com", "--addr", ":8443", "--acme-http-addr", "0.0.0.0:8443"}, pub...)...)
	h.env["LINKPOOL_ACME_HTTP_ADDR"] = ":443"
	h.fails(2, "must differ", append([]string{"serve", "--acme-email", "ops@example.com"}, pub...)...)
}

// TestServeACME runs `linkpool serve --acme-email` against Pebble: the
// public host gets a certificate verified with Pebble's root, the plain
// listener redirects, the expiry is in /metrics, and a restart on the
// same data directory serves the stored certificate without a new order.
func TestServeACME(t *testing.T) {
	httpFront, tlsFront := acmetest.NewForwarder(t), acmetest.NewForwarder(t)
	ca := acmetest.Start(t, acmetest.Options{HTTPPort: httpFront.Port(), TLSPort: tlsFront.Port()})
	caFile := filepath.Join(t.TempDir(), "directory.pem")
	if err := os.WriteFile(caFile, ca.DirectoryCertPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	data := t.TempDir()
	httpAddr := apptest.FreeAddr(t)
	const host = "auth.example.test"
	// The CA reaches the listeners from the start: the certificate is
	// obtained while serve starts.
	start := func() (*server, string) {
		addr := apptest.FreeAddr(t)
		tlsFront.SetTarget(addr)
		httpFront.SetTarget(httpAddr)
		s := startServe(t, "https", map[string]string{"LINKPOOL_DATA": data}, "--addr", addr, "--public-url", "https://"+host,
			"--acme-email", "ops@example.com", "--acme-directory", ca.DirectoryURL, "--acme-ca-file", caFile, "--acme-http-addr", httpAddr)
		return s, addr
	}
	dialTo := func(addr string) func(ctx context.Context, network, _ string) (net.Conn, error) {
		return func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, addr)
		}
	}
	get := func(addr string) *big.Int {
		t.Helper()
		c := &http.Client{Timeout: time.Minute, Transport: &http.Transport{DialContext: dialTo(addr), TLSClientConfig: &tls.Config{RootCAs: ca.Roots}}}
		resp, err := c.Get("https://" + host + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("https healthz = %d", resp.StatusCode)
		}
		return resp.TLS.PeerCertificates[0].SerialNumber
	}

	s, addr := start()
	// The public host's certificate is obtained at start, before any
	// handshake.
	deadline := time.Now().Add(time.Minute)
	for !strings.Contains(s.stderr.String(), "certificate ready") {
		if time.Now().After(deadline) {
			t.Fatalf("no certificate at start:\n%s", s.stderr)
		}
		time.Sleep(20 * time.Millisecond)
	}
	serial := get(addr)
	if got := ca.Orders(); got != 1 {
		t.Fatalf("orders = %d, want 1", got)
	}
	plain := &http.Client{Timeout: time.Minute, Transport: &http.Transport{DialContext: dialTo(httpAddr)},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := plain.Get("http://" + host + "/healthz?probe=1")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusPermanentRedirect || resp.Header.Get("Location") != "https://"+host+"/healthz?probe=1" {
		t.Fatalf("plain listener: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, err = http.Get(s.admin + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(metrics), `linkpool_acme_certificate_expiry_seconds{host="`+host+`"}`) {
		t.Fatalf("no expiry metric for %s in /metrics", host)
	}
	checkAbsent(t, "stderr", s.stderr.String(), "PRIVATE KEY", "BEGIN CERTIFICATE")

	s.stop()
	_, addr = start()
	if got := get(addr); got.Cmp(serial) != 0 {
		t.Fatalf("after restart serial %v, want the stored %v", got, serial)
	}
	if got := ca.Orders(); got != 1 {
		t.Fatalf("orders after restart = %d, want still 1", got)
	}
}
