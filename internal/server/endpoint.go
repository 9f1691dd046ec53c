package server

import (
	"context"
	"net/http"
	"time"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/web"
)

// DefaultOAuthTimeout is the default Config.OAuthTimeout: below the 4.5 s
// Alexa waits for the token endpoint, with room for the network.
const DefaultOAuthTimeout = 3 * time.Second

// endpoint is how a pool request is answered when the server cannot
// serve it: in the format its client reads.
type endpoint int

const (
	// page is a hosted page: a browser reads an HTML page.
	page endpoint = iota
	// authorize is GET /oauth2/authorize: a browser, and a relying
	// party waiting for the redirect within its own time limit.
	authorize
	// api is an endpoint answering JSON to a program: token,
	// revocation, userInfo, discovery and JWKS.
	api
)

// classify returns the endpoint of a request path, in the path form
// (/<poolId>/oauth2/token) or the host form (/oauth2/token).
func classify(p string) endpoint {
	switch relPath(p) {
	case "/oauth2/token", "/oauth2/revoke", "/oauth2/userInfo", "/oauth2/userinfo",
		"/.well-known/openid-configuration", "/.well-known/jwks.json":
		return api
	case "/oauth2/authorize":
		return authorize
	}
	return page
}

// relPath strips a leading pool id segment from p.
func relPath(p string) string {
	if seg, rest, ok := firstSegment(p); ok && pool.ValidPoolID(seg) {
		return rest
	}
	return p
}

// withBudget gives a request to an OAuth endpoint (classify: api or
// authorize) the deadline of Config.OAuthTimeout, before its pool is
// looked up: every store call of the request, including SQLite's wait for
// another writer's lock, ends when it passes, and the request is answered
// 503 temporarily_unavailable in time for the client, never after.
func (s *Server) withBudget(r *http.Request) (*http.Request, context.CancelFunc) {
	if s.cfg.OAuthTimeout < 0 || classify(r.URL.Path) == page {
		return r, func() {}
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.cfg.OAuthTimeout)
	return r.WithContext(ctx), cancel
}

func (s *Server) unavailable(w http.ResponseWriter, r *http.Request, err error) {
	s.cfg.Log.ErrorContext(r.Context(), "pool lookup failed", "request_id", web.RequestID(r.Context()), "error", err)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Retry-After", "1")
	w.WriteHeader(http.StatusServiceUnavailable)
	_, _ = w.Write([]byte("Service temporarily unavailable.\n"))
}
