package cli

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/linkpool/linkpool/internal/apptest"
)

// TestHealthcheck asks a running `linkpool serve`'s admin listener and
// the public one, then endpoints that are not healthy.
func TestHealthcheck(t *testing.T) {
	s := startServe(t, "http", map[string]string{"LINKPOOL_DATA": t.TempDir()})
	h := newAdminHarness(t)
	for _, u := range []string{s.admin + "/healthz", s.url + "/healthz"} {
		if out := h.ok("healthcheck", "--url", u); strings.TrimSpace(out) != "healthy" {
			t.Errorf("healthcheck %s printed %q, want healthy", u, out)
		}
	}
	h.env["LINKPOOL_URL"] = s.admin + "/healthz"
	h.ok("healthcheck")
	delete(h.env, "LINKPOOL_URL")

	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/moved" {
			http.Redirect(w, r, "/healthz", http.StatusFound)
			return
		}
		http.Error(w, "down", http.StatusServiceUnavailable)
	}))
	defer failing.Close()
	h.fails(1, "answered 503 Service Unavailable", "healthcheck", "--url", failing.URL+"/healthz")
	h.fails(1, "answered 302 Found", "healthcheck", "--url", failing.URL+"/moved")

	// A server that never answers: the check gives up after --timeout.
	release := make(chan struct{})
	hanging := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer hanging.Close()
	defer close(release)
	h.fails(1, "context deadline exceeded", "healthcheck", "--url", hanging.URL+"/healthz", "--timeout", "200ms")

	closed := "http://" + apptest.FreeAddr(t) + "/healthz"
	h.fails(1, "unhealthy", "healthcheck", "--url", closed)

	h.fails(2, "--url", "healthcheck", "--url", "ftp://127.0.0.1/healthz")
	h.fails(2, "--url", "healthcheck", "--url", "/healthz")
	h.fails(2, "--timeout", "healthcheck", "--timeout", "0s")
	h.fails(2, "unexpected arguments", "healthcheck", "extra")
}
