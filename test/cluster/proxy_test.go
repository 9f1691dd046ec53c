package cluster_test

import (
	"bytes"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"sync"
	"sync/atomic"
	"testing"
)

// proxy is a load balancer as simple as they come: each request goes to
// the next backend in turn, with no health checks. A backend that
// refuses the connection (a killed instance) is skipped for the next
// one, which is safe for any request since none of it was sent; a
// request that fails after it was sent is retried only when its method
// is idempotent, so a POST is never replayed. Anything else is a 502.
type proxy struct {
	URL string

	mu       sync.Mutex
	backends []*instance
	served   []hop // which backend served each request, in order

	next      atomic.Uint64
	failures  atomic.Int64 // requests answered with 502
	transport *http.Transport
}

// hop is one proxied request.
type hop struct {
	method, path, backend string
}

func newProxy(t testing.TB) *proxy {
	t.Helper()
	p := &proxy{transport: &http.Transport{DisableKeepAlives: true}}
	rp := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.Out.URL.Scheme, r.Out.URL.Host = "http", "backend"
			// The inbound Host stays: every instance is reached under
			// the public URL, as behind a real load balancer.
			r.Out.Header["X-Forwarded-For"] = r.In.Header["X-Forwarded-For"]
			r.SetXForwarded()
		},
		Transport: p,
		ErrorLog:  log.New(io.Discard, "", 0),
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			p.failures.Add(1)
			w.WriteHeader(http.StatusBadGateway)
		},
	}
	srv := httptest.NewServer(rp)
	t.Cleanup(srv.Close)
	p.URL = srv.URL
	return p
}

// set replaces the backends.
func (p *proxy) set(backends ...*instance) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.backends = backends
}

// skip moves the rotation on by one backend, so that a sequence of
// requests that repeats lands on the backends in turn.
func (p *proxy) skip() { p.next.Add(1) }

// RoundTrip sends req to the next backend.
func (p *proxy) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		body = b
	}
	p.mu.Lock()
	backends := p.backends
	p.mu.Unlock()
	if len(backends) == 0 {
		return nil, errors.New("no backends")
	}
	first := p.next.Add(1)
	var lastErr error
	for i := range uint64(len(backends)) {
		b := backends[(first+i)%uint64(len(backends))]
		out := req.Clone(req.Context())
		out.URL.Host = b.addr
		if body != nil {
			out.Body = io.NopCloser(bytes.NewReader(body))
			out.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
			out.ContentLength = int64(len(body))
		}
		resp, err := p.transport.RoundTrip(out)
		if err == nil {
			p.mu.Lock()
			p.served = append(p.served, hop{method: req.Method, path: req.URL.Path, backend: b.name})
			p.mu.Unlock()
			return resp, nil
		}
		lastErr = err
		if !refused(err) && req.Method != http.MethodGet && req.Method != http.MethodHead {
			break
		}
	}
	return nil, lastErr
}

// refused reports whether err happened while connecting, before any of
// the request was sent.
func refused(err error) bool {
	var oe *net.OpError
	return errors.As(err, &oe) && oe.Op == "dial"
}

// hops returns the requests served so far.
func (p *proxy) hops() []hop {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]hop(nil), p.served...)
}
