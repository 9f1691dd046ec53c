// Package web is linkpool's HTTP edge shared by the browser surface
// (internal/hostedui) and the API surface (internal/oauth): the pool a
// request addresses and the base URL it arrived through, request ids,
// client addresses derived from trusted proxies only, rate-limit keys
// (IPv6 clients grouped by prefix), per-key rate limits of bounded memory,
// and the middleware every request passes (request id, access log, panic
// recovery). gone.go tells a client that went away from a failure:
// ClientGone (context.Canceled while the request's context is done) is
// checked, through Gone, by every renderer of internal failures, which
// then writes nothing and logs at debug level, and Edge records the
// request with status 499 (StatusClientClosedRequest).
package web
