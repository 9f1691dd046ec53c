package acme

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics follows the certificates read from and written to the cache,
// and exports how long each has left, how many are overdue for renewal,
// and how many attempts to obtain one failed.
type metrics struct {
	renewBefore time.Duration
	now         func() time.Time

	mu    sync.Mutex
	certs map[string]validity // by host

	expiry   *prometheus.Desc
	overdue  *prometheus.Desc
	failures prometheus.Counter
	caErrors *prometheus.CounterVec
}

type validity struct{ notBefore, notAfter time.Time }

func newMetrics(renewBefore time.Duration) *metrics {
	return &metrics{
		renewBefore: renewBefore, now: time.Now, certs: map[string]validity{},
		expiry: prometheus.NewDesc("linkpool_acme_certificate_expiry_seconds",
			"Seconds until the automatic certificate of a host expires (negative once expired).", []string{"host"}, nil),
		overdue: prometheus.NewDesc("linkpool_acme_certificates_renewal_overdue",
			"Automatic certificates past half of their renewal window and not renewed: renewal keeps failing.", nil, nil),
		failures: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "linkpool_acme_obtain_failures_total",
			Help: "Failed attempts to obtain a certificate for a known host during a TLS handshake.",
		}),
		caErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "linkpool_acme_ca_errors_total",
			Help: "Errors the ACME certificate authority answered, by ACME error type, for new certificates and renewals alike.",
		}, []string{"type"}),
	}
}

// seen records the validity of a certificate value (autocert's key PEM
// followed by the chain); other values (the account key, challenge
// tokens) are skipped. The host is the cache key less autocert's "+rsa".
func (m *metrics) seen(key string, data []byte) {
	for rest := data; ; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			return
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		leaf, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return
		}
		m.mu.Lock()
		m.certs[strings.TrimSuffix(key, "+rsa")] = validity{leaf.NotBefore, leaf.NotAfter}
		m.mu.Unlock()
		return
	}
}

func (m *metrics) gone(key string) {
	m.mu.Lock()
	delete(m.certs, strings.TrimSuffix(key, "+rsa"))
	m.mu.Unlock()
}

// threshold is how long before expiry autocert renews a certificate of
// this validity.
func (m *metrics) threshold(v validity) time.Duration {
	if m.renewBefore > 0 {
		return min(m.renewBefore, 30*24*time.Hour)
	}
	return min(v.notAfter.Sub(v.notBefore)/3, 30*24*time.Hour)
}

// overdueHosts lists the hosts whose certificate has less than half its
// renewal window left: autocert tries from the start of the window and
// again every hour at most after a failure, so renewal keeps failing.
func (m *metrics) overdueHosts() []string {
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for host, v := range m.certs {
		if v.notAfter.Sub(now) < m.threshold(v)/2 {
			out = append(out, host)
		}
	}
	sort.Strings(out)
	return out
}

func (m *metrics) Describe(ch chan<- *prometheus.Desc) {
	ch <- m.expiry
	ch <- m.overdue
	m.failures.Describe(ch)
	m.caErrors.Describe(ch)
}

func (m *metrics) Collect(ch chan<- prometheus.Metric) {
	now := m.now()
	m.mu.Lock()
	for host, v := range m.certs {
		ch <- prometheus.MustNewConstMetric(m.expiry, prometheus.GaugeValue, v.notAfter.Sub(now).Seconds(), host)
	}
	m.mu.Unlock()
	ch <- prometheus.MustNewConstMetric(m.overdue, prometheus.GaugeValue, float64(len(m.overdueHosts())))
	m.failures.Collect(ch)
	m.caErrors.Collect(ch)
}

// Expiry returns the expiry of the certificate last stored or read for
// host, and whether there is one.
func (m *Manager) Expiry(host string) (time.Time, bool) {
	m.metrics.mu.Lock()
	defer m.metrics.mu.Unlock()
	v, ok := m.metrics.certs[host]
	return v.notAfter, ok
}

// WatchRenewals logs a warning every interval for each certificate whose
// renewal is overdue (see linkpool_acme_certificates_renewal_overdue),
// until ctx ends.
func (m *Manager) WatchRenewals(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		for _, host := range m.overdueHosts() {
			notAfter, _ := m.Expiry(host)
			m.log.WarnContext(ctx, "certificate renewal overdue: the CA has not renewed it", "host", host, "not_after", notAfter.UTC())
		}
	}
}

func (m *Manager) overdueHosts() []string { return m.metrics.overdueHosts() }
