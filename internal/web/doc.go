// Package web is linkpool's HTTP edge shared by the browser surface
// (internal/hostedui) and the API surface (internal/oauth): the pool a
// request addresses and the base URL it arrived through, request ids,
// client addresses derived from trusted proxies only, rate-limit keys
// (IPv6 clients grouped by prefix), per-key rate limits of bounded memory,
// and the middleware every request passes (request id, access log, panic
// recovery).
package web
