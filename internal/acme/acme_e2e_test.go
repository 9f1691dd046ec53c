package acme_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/acme"
	"github.com/linkpool/linkpool/internal/apptest"
	"github.com/linkpool/linkpool/internal/seal/sealtest"
	"github.com/linkpool/linkpool/internal/store/postgres"
	"github.com/linkpool/linkpool/internal/store/sqlite/sqlitetest"
)

func openPostgres(t *testing.T, url string) *postgres.DB {
	t.Helper()
	db, err := postgres.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// TestCertificatesAgainstPebble obtains certificates from Pebble for the
// public host and a pool domain, serves them, and checks that neither a
// restart nor a second instance on the same PostgreSQL orders again, and
// that an unknown name never reaches the CA.
func TestCertificatesAgainstPebble(t *testing.T) {
	dbURL := apptest.RequirePostgres(t)
	box := sealtest.Box(t)
	r := newRig(t, 0)
	first := r.start(t, openPostgres(t, dbURL), box)
	p := addPool(t, first)

	// The public host and the pool's domain each get a certificate on
	// their first handshake, verified against Pebble's root.
	publicSerial := r.mustServe(t, first, publicHost)
	poolSerial := r.mustServe(t, first, poolHost)
	r.mustServe(t, first, customHost)
	if got := r.ca.Orders(); got != 3 {
		t.Fatalf("orders after three hosts = %d, want 3", got)
	}
	// The app answers over it: the pool's discovery on its domain.
	resp, err := r.client(first).Get("https://" + poolHost + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Contains(body, []byte(p.ID)) {
		t.Fatalf("discovery on %s = %d %s", poolHost, resp.StatusCode, body)
	}

	// An unknown name gets no certificate and no order.
	for _, host := range []string{"evil.example.test", "other.example.org", "example.test"} {
		if _, err := r.handshake(first, host); err == nil {
			t.Fatalf("handshake with SNI %s succeeded", host)
		}
	}
	if got := r.ca.Orders(); got != 3 {
		t.Fatalf("orders after unknown names = %d, want still 3", got)
	}
	if failures, _ := metric(t, first, "linkpool_acme_obtain_failures_total", "", ""); failures != 0 {
		t.Fatalf("unknown names counted as %v obtain failures", failures)
	}

	// The plain listener redirects known hosts to https, keeping path and
	// query, refuses unknown ones, and answers no challenge for them.
	resp, err = plain(first).Post("http://"+publicHost+"/oauth2/token?x=1", "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusPermanentRedirect || resp.Header.Get("Location") != "https://"+publicHost+"/oauth2/token?x=1" {
		t.Fatalf("redirect = %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	for path, want := range map[string]int{"/": http.StatusNotFound, "/.well-known/acme-challenge/abc": http.StatusForbidden} {
		resp, err = plain(first).Get("http://evil.example.test" + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Fatalf("GET %s on an unknown host = %d, want %d", path, resp.StatusCode, want)
		}
	}

	// Expiry is exported per host.
	if secs, ok := metric(t, first, "linkpool_acme_certificate_expiry_seconds", "host", publicHost); !ok || secs < 80*24*3600 {
		t.Fatalf("expiry of %s = %v (exported %v), want about 90 days", publicHost, secs, ok)
	}

	// Stored sealed: no PEM in the database.
	for _, key := range []string{publicHost, poolHost, "acme_account+key"} {
		raw, err := first.app.Store.GetACMECache(context.Background(), acme.StoreKey(r.ca.DirectoryURL, key))
		if err != nil {
			t.Fatalf("stored %s: %v", key, err)
		}
		if bytes.Contains(raw, []byte("PRIVATE KEY")) || bytes.Contains(raw, []byte("CERTIFICATE")) {
			t.Fatalf("stored %s in clear", key)
		}
	}

	// A second instance on the same database serves the same
	// certificates without ordering.
	second := r.start(t, openPostgres(t, dbURL), box)
	if got := r.mustServe(t, second, publicHost); got.Cmp(publicSerial) != 0 {
		t.Fatalf("second instance serves serial %v, want %v", got, publicSerial)
	}
	if got := r.mustServe(t, second, poolHost); got.Cmp(poolSerial) != 0 {
		t.Fatalf("second instance serves pool serial %v, want %v", got, poolSerial)
	}

	// A restart serves the stored certificates without ordering.
	first.stop()
	second.stop()
	restarted := r.start(t, openPostgres(t, dbURL), box)
	if got := r.mustServe(t, restarted, publicHost); got.Cmp(publicSerial) != 0 {
		t.Fatalf("restart serves serial %v, want %v", got, publicSerial)
	}
	if got := r.mustServe(t, restarted, poolHost); got.Cmp(poolSerial) != 0 {
		t.Fatalf("restart serves pool serial %v, want %v", got, poolSerial)
	}
	if got := r.ca.Orders(); got != 3 {
		t.Fatalf("orders after a second instance and a restart = %d, want still 3", got)
	}
}

// TestRenewalNearExpiry has Pebble issue 30-second certificates: the
// certificate is renewed within the last third of its life, stored, and
// served by the instance.
func TestRenewalNearExpiry(t *testing.T) {
	box := sealtest.Box(t)
	r := newRig(t, 30*time.Second)
	in := r.start(t, sqlitetest.Open(t), box)
	serial := r.mustServe(t, in, publicHost)
	notAfter, ok := in.acme.Expiry(publicHost)
	if !ok || time.Until(notAfter) > 31*time.Second {
		t.Fatalf("expiry %v (known %v), want within 30s", notAfter, ok)
	}
	eventually(t, 40*time.Second, "renewed certificate served", func() bool {
		got, err := r.handshake(in, publicHost)
		return err == nil && got.Cmp(serial) != 0
	})
	renewed, _ := in.acme.Expiry(publicHost)
	if !renewed.After(notAfter) {
		t.Fatalf("stored expiry %v after renewal, want after %v", renewed, notAfter)
	}
	if got := r.ca.Orders(); got < 2 {
		t.Fatalf("orders = %d, want a renewal order", got)
	}
}

// TestHTTP01 makes TLS-ALPN-01 fail (the CA's connection to the TLS port
// is dropped): the certificate is obtained through HTTP-01 on the plain
// listener instead.
func TestHTTP01(t *testing.T) {
	r := newRig(t, 0)
	r.noTLSALPN = true
	in := r.start(t, sqlitetest.Open(t), sealtest.Box(t))
	r.mustServe(t, in, publicHost)
	if got := r.ca.Orders(); got != 2 {
		t.Fatalf("orders = %d, want 2: TLS-ALPN-01, then HTTP-01", got)
	}
}

// TestFailuresLoggedAndCounted has the CA refuse a pool's domain: the
// handshake fails, and the failure is logged with its host and the CA's
// error and counted; then the CA refuses the renewal of another host's
// certificate, which is logged, counted and, once half of the renewal
// window has passed, reported overdue.
func TestFailuresLoggedAndCounted(t *testing.T) {
	r := newRig(t, 30*time.Second)
	in := r.start(t, sqlitetest.Open(t), sealtest.Box(t))
	addPool(t, in)
	r.ca.Block(t, customHost)
	if _, err := r.handshake(in, customHost); err == nil {
		t.Fatal("handshake for a host the CA refuses succeeded")
	}
	if n, _ := metric(t, in, "linkpool_acme_obtain_failures_total", "", ""); n != 1 {
		t.Fatalf("obtain failures = %v, want 1", n)
	}
	if n, _ := metric(t, in, "linkpool_acme_ca_errors_total", "type", "rejectedIdentifier"); n < 1 {
		t.Fatalf("rejectedIdentifier errors = %v, want at least 1", n)
	}
	logged := in.log.String()
	for _, want := range []string{"could not obtain a certificate", `"host":"` + customHost + `"`, "rejectedIdentifier"} {
		if !strings.Contains(logged, want) {
			t.Fatalf("log lacks %q:\n%s", want, logged)
		}
	}

	// The public host's certificate is obtained, then its renewal refused.
	r.mustServe(t, in, publicHost)
	r.ca.Block(t, publicHost)
	eventually(t, 40*time.Second, "renewal overdue", func() bool {
		n, _ := metric(t, in, "linkpool_acme_certificates_renewal_overdue", "", "")
		return n == 1
	})
	if n, _ := metric(t, in, "linkpool_acme_ca_errors_total", "type", "rejectedIdentifier"); n < 2 {
		t.Fatalf("rejectedIdentifier errors after the refused renewal = %v, want at least 2", n)
	}
	checkAbsent(t, in.log.String(), "PRIVATE KEY", "BEGIN CERTIFICATE")
}

func checkAbsent(t *testing.T, text string, needles ...string) {
	t.Helper()
	for _, n := range needles {
		if strings.Contains(text, n) {
			t.Fatalf("log holds %q", n)
		}
	}
}
