package cognitoapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/linkpool/linkpool/internal/store"
	"github.com/linkpool/linkpool/internal/web"
)

// CORS for the unsigned actions, which browser apps call cross-origin
// (amazon-cognito-identity-js, Amplify, the AWS SDK for JavaScript). The
// origins a pool allows are admin.Service.CORSOrigins: the pool's
// CORSOrigins, by default the origins of its clients' callback URLs.
// Credentials are never allowed (no Access-Control-Allow-Credentials):
// the unsigned actions carry their authorization in the body.
//
// The actual request is checked precisely: it names its pool by its
// ClientId (the client's pool) or its AccessToken (the pool of the
// token's issuer), and Access-Control-Allow-Origin echoes the Origin only
// when that pool allows it. A preflight has no body, so it is checked
// against the pool of the host it is sent to when that is a pool domain
// (internal/server puts the pool in the request's web.Target), and
// against the union of every pool's origins on the public host; an
// origin that passes the preflight of the public host but is not allowed
// by the pool its request names gets an answer the browser does not let
// it read. Signed (administrative) actions get no CORS headers: a
// preflight that asks for Authorization is refused.

// corsRequestHeaders are the request headers a preflight may ask for:
// what amazon-cognito-identity-js and Amplify send (Content-Type,
// X-Amz-Target, X-Amz-User-Agent, Cache-Control) and what the AWS SDK for
// JavaScript adds (amz-sdk-invocation-id, amz-sdk-request).
var corsRequestHeaders = []string{"content-type", "x-amz-target", "x-amz-user-agent", "cache-control", "amz-sdk-invocation-id", "amz-sdk-request"}

// corsExposeHeaders are the answer headers a browser app may read: the
// SDKs take the exception name from x-amzn-ErrorType.
const corsExposeHeaders = "x-amzn-RequestId, x-amzn-ErrorType"

// corsMaxAge is how long a browser may cache a preflight, in seconds.
const corsMaxAge = "600"

// preflight answers OPTIONS / (a CORS preflight).
func (a *API) preflight(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Del("Content-Type")
	h.Add("Vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers")
	origin := r.Header.Get("Origin")
	if origin == "" || r.Header.Get("Access-Control-Request-Method") != http.MethodPost || !corsHeadersAllowed(r.Header.Get("Access-Control-Request-Headers")) {
		w.WriteHeader(http.StatusForbidden)
		return
	}
	allowed, err := a.preflightOrigins(r.Context())
	if err != nil {
		if web.Gone(r, a.cfg.Log, "cognito api CORS preflight", err) {
			return
		}
		a.cfg.Log.ErrorContext(r.Context(), "cognito api: CORS origins", "error", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	if !slices.Contains(allowed, origin) {
		w.WriteHeader(http.StatusForbidden)
		return
	}
	h.Set("Access-Control-Allow-Origin", origin)
	h.Set("Access-Control-Allow-Methods", http.MethodPost)
	h.Set("Access-Control-Allow-Headers", strings.Join(corsRequestHeaders, ", "))
	h.Set("Access-Control-Max-Age", corsMaxAge)
	w.WriteHeader(http.StatusNoContent)
}

// corsHeadersAllowed reports whether every header a preflight asks for
// is one the unsigned actions use.
func corsHeadersAllowed(list string) bool {
	for _, f := range strings.Split(list, ",") {
		f = strings.ToLower(strings.TrimSpace(f))
		if f != "" && !slices.Contains(corsRequestHeaders, f) {
			return false
		}
	}
	return true
}

// preflightOrigins returns the origins a preflight is checked against:
// the host's pool's, or on the public host every pool's.
func (a *API) preflightOrigins(ctx context.Context) ([]string, error) {
	if a.cfg.Admin == nil {
		return nil, nil
	}
	key := ""
	if t, ok := web.TargetFrom(ctx); ok && t.Pool.ID != "" {
		key = t.Pool.ID
	}
	o, _, err := a.origins.Get(ctx, key)
	return o, err
}

// loadOrigins is the origins table's load: the pool's CORS origins
// (admin.Service.CORSOrigins), or with the key "" every pool's.
func (a *API) loadOrigins(ctx context.Context, poolID string) ([]string, error) {
	if poolID == "" {
		return a.cfg.Admin.AllCORSOrigins(ctx)
	}
	p, err := a.cfg.Store.GetPool(ctx, poolID)
	if err != nil {
		return nil, err
	}
	return a.cfg.Admin.CORSOrigins(ctx, p)
}

// allowOrigin sets the CORS headers of an unsigned action's answer: the
// request's Origin is echoed when the pool the request names allows it.
// It runs before the action, so that errors are readable too.
func (c *call) allowOrigin(w http.ResponseWriter, r *http.Request) error {
	w.Header().Add("Vary", "Origin")
	origin := r.Header.Get("Origin")
	if origin == "" || c.api.cfg.Admin == nil {
		return nil
	}
	poolID, err := c.namedPool()
	if err != nil || poolID == "" {
		return err
	}
	allowed, found, err := c.api.origins.Get(c.ctx, poolID)
	if err != nil {
		return fmt.Errorf("cognitoapi: CORS origins: %w", err)
	}
	if !found {
		return nil
	}
	if slices.Contains(allowed, origin) {
		w.Header().Set("Access-Control-Allow-Origin", origin)
		w.Header().Set("Access-Control-Expose-Headers", corsExposeHeaders)
	}
	return nil
}

// namedPool returns the pool an unsigned request names: its ClientId's
// pool, or the pool of its AccessToken's issuer (read without trusting
// it: it only decides which pool's origins apply). "" when it names none.
func (c *call) namedPool() (string, error) {
	var req struct {
		ClientId    string `json:"ClientId"`
		AccessToken string `json:"AccessToken"`
	}
	if json.Unmarshal(c.body, &req) != nil {
		return "", nil
	}
	if req.ClientId != "" && len(req.ClientId) <= 128 {
		cl, err := c.api.getClient(c.ctx, req.ClientId)
		if errors.Is(err, store.ErrNotFound) {
			return "", nil
		}
		if err != nil {
			return "", fmt.Errorf("cognitoapi: get client: %w", err)
		}
		return cl.PoolID, nil
	}
	if id, ok := issuerPool(req.AccessToken); ok {
		return id, nil
	}
	return "", nil
}
