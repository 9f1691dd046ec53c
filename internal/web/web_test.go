package web_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/web"
)

func TestClientAddr(t *testing.T) {
	proxies, err := web.ParseProxies("10.0.0.0/8, 127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		proxies web.Proxies
		remote  string
		xff     []string
		want    string
	}{
		{"no proxies: forwarding headers ignored", web.Proxies{}, "203.0.113.9:1234", []string{"1.2.3.4"}, "203.0.113.9"},
		{"untrusted peer: header ignored", proxies, "203.0.113.9:1234", []string{"1.2.3.4"}, "203.0.113.9"},
		{"trusted peer: header used", proxies, "127.0.0.1:1234", []string{"198.51.100.7"}, "198.51.100.7"},
		{"right-most untrusted hop wins over a spoofed left part", proxies, "10.1.2.3:80", []string{"6.6.6.6, 198.51.100.7, 10.9.9.9"}, "198.51.100.7"},
		{"several header lines", proxies, "10.1.2.3:80", []string{"6.6.6.6", "198.51.100.8"}, "198.51.100.8"},
		{"only proxies in the chain", proxies, "10.1.2.3:80", []string{"10.2.2.2"}, "10.1.2.3"},
		{"garbage hop falls back to the peer", proxies, "10.1.2.3:80", []string{"not-an-ip"}, "10.1.2.3"},
		{"IPv6 peer", web.Proxies{}, "[2001:db8::1]:443", nil, "2001:db8::1"},
		{"IPv4-mapped IPv6", proxies, "[::ffff:127.0.0.1]:80", []string{"198.51.100.9"}, "198.51.100.9"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.RemoteAddr = tc.remote
			for _, h := range tc.xff {
				r.Header.Add("X-Forwarded-For", h)
			}
			if got := tc.proxies.ClientAddr(r); got != tc.want {
				t.Fatalf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func TestParseProxiesErrors(t *testing.T) {
	for _, bad := range []string{"10.0.0.0/33", "example.com", "1.2.3"} {
		if _, err := web.ParseProxies(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestForwardedProto(t *testing.T) {
	proxies, _ := web.ParseProxies("127.0.0.1")
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.RemoteAddr = "127.0.0.1:9"
	r.Header.Set("X-Forwarded-Proto", "https")
	if got := proxies.ForwardedProto(r); got != "https" {
		t.Fatalf("trusted proxy: %s", got)
	}
	r.RemoteAddr = "203.0.113.1:9"
	if got := proxies.ForwardedProto(r); got != "http" {
		t.Fatalf("untrusted peer: %s", got)
	}
}

func TestLimiter(t *testing.T) {
	l := web.NewLimiter(60, 3)
	for i := 0; i < 3; i++ {
		if !l.Allow("a") {
			t.Fatalf("request %d refused within the burst", i)
		}
	}
	if l.Allow("a") {
		t.Fatal("burst exceeded but allowed")
	}
	if !l.Allow("b") {
		t.Fatal("keys must not share a bucket")
	}
	var nilLimiter *web.Limiter
	if !nilLimiter.Allow("x") {
		t.Fatal("a nil limiter allows everything")
	}
}

func TestEdge(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	proxies, _ := web.ParseProxies("127.0.0.1")
	var observed int
	h := web.Edge(log, proxies, func(r *http.Request, status int, d time.Duration) { observed = status },
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if web.RequestID(r.Context()) == "" || web.ClientIP(r.Context()) == "" {
				t.Error("request id or client address missing in the context")
			}
			if r.URL.Path == "/panic" {
				panic("boom: secret detail")
			}
			w.WriteHeader(http.StatusTeapot)
		}))

	r := httptest.NewRequest(http.MethodGet, "/x?code=SECRETCODE", nil)
	r.RemoteAddr = "203.0.113.5:1"
	r.Header.Set("X-Request-Id", "from-client-12345")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	if rec.Code != http.StatusTeapot || observed != http.StatusTeapot {
		t.Fatalf("status %d observed %d", rec.Code, observed)
	}
	if id := rec.Header().Get("X-Request-Id"); id == "" || id == "from-client-12345" {
		t.Fatalf("request id %q: an untrusted client must not choose it", id)
	}
	if strings.Contains(logs.String(), "SECRETCODE") {
		t.Fatal("the query string reached the log")
	}

	r = httptest.NewRequest(http.MethodGet, "/", nil)
	r.RemoteAddr = "127.0.0.1:1"
	r.Header.Set("X-Request-Id", "from-proxy-12345")
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	if rec.Header().Get("X-Request-Id") != "from-proxy-12345" {
		t.Fatalf("trusted proxy's request id not kept: %q", rec.Header().Get("X-Request-Id"))
	}

	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/panic", nil))
	if rec.Code != http.StatusInternalServerError || strings.Contains(rec.Body.String(), "boom") || strings.Contains(rec.Body.String(), "goroutine") {
		t.Fatalf("panic answer %d %q", rec.Code, rec.Body)
	}
}
