package web

import (
	"context"
	"net/http"
	"sync/atomic"

	"github.com/linkpool/linkpool/internal/pool"
)

type ctxKey int

const (
	poolKey ctxKey = iota
	edgeKey
)

// edge is what Edge puts in a request's context, in one value: the
// request id, the client address and its rate-limit key, and whether the
// client went away (ClientClosed).
type edge struct {
	requestID, clientIP, clientKey string
	gone                           atomic.Bool
}

func edgeOf(ctx context.Context) *edge {
	e, _ := ctx.Value(edgeKey).(*edge)
	return e
}

// Target is what the router resolved a request to: the pool, the base URL
// under which the pool's endpoints were reached (for example
// "https://auth.example.com" or "http://localhost:8080/us-east-1_AbC123xyz"),
// the path prefix of that base ("" or "/us-east-1_AbC123xyz"), and the
// pool's issuer URL.
type Target struct {
	Pool     pool.Pool
	Base     string
	BasePath string
	Issuer   string
}

// WithTarget returns a context carrying t.
func WithTarget(ctx context.Context, t Target) context.Context {
	return context.WithValue(ctx, poolKey, t)
}

// TargetFrom returns the resolved pool target of a request.
func TargetFrom(ctx context.Context) (Target, bool) {
	t, ok := ctx.Value(poolKey).(Target)
	return t, ok
}

// MustTarget returns the resolved target; handlers mounted under the pool
// router may rely on it being present.
func MustTarget(r *http.Request) Target {
	t, ok := TargetFrom(r.Context())
	if !ok {
		panic("web: request has no pool target")
	}
	return t
}

// RequestID returns the request id assigned by the middleware.
func RequestID(ctx context.Context) string {
	if e := edgeOf(ctx); e != nil {
		return e.requestID
	}
	return ""
}

// ClientIP returns the client address as derived by the middleware from
// the connection and the trusted proxies.
func ClientIP(ctx context.Context) string {
	if e := edgeOf(ctx); e != nil {
		return e.clientIP
	}
	return ""
}

// ClientKey returns the key of the client in rate limits, as derived by
// the middleware (Proxies.LimitKey): the IPv4 address, or the IPv6 prefix
// of the client address. Every per-client Limiter is keyed by it.
func ClientKey(ctx context.Context) string {
	if e := edgeOf(ctx); e != nil {
		return e.clientKey
	}
	return ""
}
