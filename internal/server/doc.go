// Package server assembles linkpool's HTTP surfaces into one handler.
//
// A request is resolved to a pool before any pool endpoint sees it:
//
//	Host <prefix>.<auth domain>   -> the pool owning that prefix domain
//	Host <custom domain>          -> the pool owning that custom domain
//	Path /<poolId>/...            -> that pool (path-based form for single-host
//	                                 and local use); the prefix is stripped
//
// The pool's endpoints (internal/oauth for the API surface,
// internal/hostedui for the browser surface) are mounted relative to that
// base. Everything else (health checks, the SmartLamp skill when it runs in
// the same process) lives on the top-level mux. Metrics are served on a
// separate admin handler.
package server
