// Package web is linkpool's HTTP edge shared by the browser surface
// (internal/hostedui) and the API surface (internal/oauth): the pool a
// request addresses and the base URL it arrived through, request ids,
// client addresses derived from trusted proxies only, per-key rate limits,
// and the middleware every request passes (request id, access log, panic
// recovery).
package web
