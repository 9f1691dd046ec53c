package web_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/web"
)

// TestGone: only context.Canceled while the request's context is done is
// a client that went away; Edge then records 499, and a server's own
// deadline or a plain failure stays the handler's 5xx.
func TestGone(t *testing.T) {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	for _, tc := range []struct {
		name   string
		cancel bool // the request's context is cancelled before the handler fails
		err    error
		want   int
	}{
		{"client went away", true, fmt.Errorf("store: %w", context.Canceled), web.StatusClientClosedRequest},
		{"cancelled error, live request", false, fmt.Errorf("store: %w", context.Canceled), http.StatusServiceUnavailable},
		{"server deadline", true, fmt.Errorf("store: %w", context.DeadlineExceeded), http.StatusServiceUnavailable},
		{"plain failure", true, errors.New("disk on fire"), http.StatusServiceUnavailable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var observed int
			h := web.Edge(quiet, web.Proxies{}, func(r *http.Request, status int, d time.Duration) { observed = status },
				http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if tc.cancel {
						ctx, cancel := context.WithCancel(r.Context())
						cancel()
						r = r.WithContext(ctx)
					}
					if web.Gone(r, quiet, "test", tc.err) {
						return
					}
					w.WriteHeader(http.StatusServiceUnavailable)
				}))
			h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/x", nil))
			if observed != tc.want {
				t.Fatalf("observed status %d, want %d", observed, tc.want)
			}
		})
	}
}
