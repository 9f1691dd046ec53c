package server

import (
	"context"
	"encoding/json"
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

// unavailable answers a pool request whose pool or domain could not be
// looked up, for as long as the database is out: the OAuth API endpoints
// answer as their handlers answer an outage, a JSON
// temporarily_unavailable (Alexa unlinks users on anything that reads as
// a bad grant); pages answer an HTML page. Both are 503 with Retry-After.
func (s *Server) unavailable(w http.ResponseWriter, r *http.Request, err error) {
	if web.Gone(r, s.cfg.Log, "pool lookup", err) {
		return
	}
	s.cfg.Log.ErrorContext(r.Context(), "pool lookup failed", "error", err)
	h := w.Header()
	h.Set("Retry-After", "1")
	h.Set("Cache-Control", "no-store")
	if classify(r.URL.Path) == api {
		h.Set("Content-Type", "application/json;charset=UTF-8")
		h.Set("Pragma", "no-cache")
		w.WriteHeader(http.StatusServiceUnavailable)
		_ = json.NewEncoder(w).Encode(map[string]string{
			"error": "temporarily_unavailable", "error_description": "The service is temporarily unavailable. Try again.",
		})
		return
	}
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusServiceUnavailable)
	_, _ = w.Write([]byte(unavailablePage))
}

const unavailablePage = `<!doctype html>
<html lang="en">
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Temporarily unavailable</title>
<h1>Temporarily unavailable</h1>
<p>The service is temporarily unavailable. Please try again in a moment.</p>
</html>
`
