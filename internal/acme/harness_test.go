package acme_test

import (
	"context"
	"crypto/tls"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/acme"
	"github.com/linkpool/linkpool/internal/acme/acmetest"
	"github.com/linkpool/linkpool/internal/app"
	"github.com/linkpool/linkpool/internal/apptest"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/seal"
	"github.com/linkpool/linkpool/internal/smarthome/skillstore"
)

// The names of the test deployment: the public host and the prefix
// domain of a pool; the test DNS resolves every name to 127.0.0.1.
const (
	publicHost = "auth.example.test"
	authDomain = "example.test"
	poolHost   = "smartlamp.example.test"
	customHost = "login.lamps.test"
)

// rig is a Pebble CA with the stable challenge ports its validation
// connects to, in front of whichever instance runs.
type rig struct {
	ca        *acmetest.CA
	httpFront *acmetest.Forwarder
	tlsFront  *acmetest.Forwarder
	// noTLSALPN leaves the CA's TLS-ALPN-01 connections unanswered.
	noTLSALPN bool
}

func newRig(t *testing.T, validity time.Duration) *rig {
	t.Helper()
	r := &rig{httpFront: acmetest.NewForwarder(t), tlsFront: acmetest.NewForwarder(t)}
	r.ca = acmetest.Start(t, acmetest.Options{HTTPPort: r.httpFront.Port(), TLSPort: r.tlsFront.Port(), Validity: validity})
	return r
}

// instance is one linkpool server with automatic certificates: the app's
// handler on a TLS listener, the ACME handler on a plain one.
type instance struct {
	app      *app.App
	acme     *acme.Manager
	log      *apptest.Log
	tlsAddr  string
	httpAddr string
	stop     func()
}

// start runs an instance on st and points the challenge ports at it.
func (r *rig) start(t *testing.T, st skillstore.Database, box *seal.Box) *instance {
	t.Helper()
	in := &instance{log: &apptest.Log{}}
	a, err := app.New(app.Config{Store: st, Box: box, Log: in.log.Logger(), PublicURL: "https://" + publicHost,
		AuthDomain: authDomain, NoMail: true, GenerateKey: apptest.KeyGenerator(), ConfigPollInterval: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	in.app = a
	in.acme, err = acme.New(acme.Config{
		Store: st, Box: box, ServesHost: a.Server.ServesHost, PublicURL: "https://" + publicHost,
		Email: "ops@example.com", DirectoryURL: r.ca.DirectoryURL, HTTPClient: r.ca.Client,
		Registry: a.Registry, Log: a.Log,
	})
	if err != nil {
		t.Fatal(err)
	}
	tln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	in.tlsAddr, in.httpAddr = tln.Addr().String(), hln.Addr().String()
	quiet := log.New(io.Discard, "", 0) // refused handshakes are expected
	tsrv := &http.Server{Handler: a.Server.Handler(), TLSConfig: in.acme.TLSConfig(), ReadHeaderTimeout: 10 * time.Second, ErrorLog: quiet}
	hsrv := &http.Server{Handler: in.acme.HTTPHandler(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = tsrv.ServeTLS(tln, "", "") }()
	go func() { _ = hsrv.Serve(hln) }()
	if !r.noTLSALPN {
		r.tlsFront.SetTarget(in.tlsAddr)
	}
	r.httpFront.SetTarget(in.httpAddr)
	stopped := false
	in.stop = func() {
		if stopped {
			return
		}
		stopped = true
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = tsrv.Shutdown(ctx)
		_ = hsrv.Shutdown(ctx)
		_ = a.Shutdown(ctx)
	}
	t.Cleanup(in.stop)
	return in
}

// addPool creates a pool with the prefix domain of poolHost and the
// custom domain customHost.
func addPool(t *testing.T, in *instance) pool.Pool {
	t.Helper()
	ctx := context.Background()
	p := pool.NewPool("eu-west-1", "lamps", time.Now())
	if err := in.app.Store.CreatePool(ctx, p); err != nil {
		t.Fatal(err)
	}
	if err := in.app.Keys.Ensure(ctx, p.ID, p.SigningAlgorithm); err != nil {
		t.Fatal(err)
	}
	prefix, _, _ := strings.Cut(poolHost, ".")
	if _, err := in.app.Admin.CreateUserPoolDomain(ctx, pool.Domain{Domain: prefix, PoolID: p.ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := in.app.Admin.CreateUserPoolDomain(ctx, pool.Domain{Domain: customHost, PoolID: p.ID, Custom: true}); err != nil {
		t.Fatal(err)
	}
	return p
}

// handshake connects to the instance's TLS listener with host as SNI,
// verifying the certificate against the CA's root, and returns the
// leaf's serial.
func (r *rig) handshake(in *instance, host string) (*big.Int, error) {
	d := &net.Dialer{Timeout: time.Minute}
	c, err := tls.DialWithDialer(d, "tcp", in.tlsAddr, &tls.Config{ServerName: host, RootCAs: r.ca.Roots})
	if err != nil {
		return nil, err
	}
	defer c.Close()
	return c.ConnectionState().PeerCertificates[0].SerialNumber, nil
}

// mustServe asserts that host gets a verified certificate and returns
// its serial.
func (r *rig) mustServe(t *testing.T, in *instance, host string) *big.Int {
	t.Helper()
	serial, err := r.handshake(in, host)
	if err != nil {
		t.Fatalf("TLS to %s: %v\nlog:\n%s", host, err, in.log)
	}
	return serial
}

// client is an HTTPS client that dials the instance's TLS listener for
// every name and trusts the CA's root.
func (r *rig) client(in *instance) *http.Client {
	return &http.Client{
		Transport: &http.Transport{
			DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
				return (&net.Dialer{}).DialContext(ctx, network, in.tlsAddr)
			},
			TLSClientConfig: &tls.Config{RootCAs: r.ca.Roots},
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       time.Minute,
	}
}

// plain is an HTTP client to the instance's plain listener.
func plain(in *instance) *http.Client {
	return &http.Client{
		Transport: &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, in.httpAddr)
		}},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       time.Minute,
	}
}

// metric returns the value of the sample of name whose labels include
// label=value (any sample when label is empty).
func metric(t *testing.T, in *instance, name, label, value string) (float64, bool) {
	t.Helper()
	families, err := in.app.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			match := label == ""
			for _, l := range m.GetLabel() {
				if l.GetName() == label && l.GetValue() == value {
					match = true
				}
			}
			if !match {
				continue
			}
			switch {
			case m.GetGauge() != nil:
				return m.GetGauge().GetValue(), true
			case m.GetCounter() != nil:
				return m.GetCounter().GetValue(), true
			}
		}
	}
	return 0, false
}

func eventually(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, within)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
