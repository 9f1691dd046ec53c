// Package server assembles linkpool's HTTP surfaces into one handler.
//
// A request is resolved to a pool before any pool endpoint sees it:
//
//	Host <prefix>.<auth domain>   -> the pool owning that prefix domain
//	Host <custom domain>          -> the pool owning that custom domain
//	Path /<poolId>/...            -> that pool (path-based form for single-host
//	                                 and local use); the prefix is stripped
//
// POST / on any host, the public URL's and every pool domain's, is the
// Cognito JSON API (Config.API, internal/cognitoapi), whose requests name
// their pool in the body; nothing else is served at POST /. OPTIONS / is
// the API's CORS preflight, which has no body: on a pool domain host the
// API gets that pool in the request's web.Target.
//
// The pool's endpoints (internal/oauth for the API surface,
// internal/hostedui for the browser surface) are mounted relative to that
// base. Everything else (health checks, the SmartLamp skill when it runs in
// the same process) lives on the top-level mux. Metrics are served on a
// separate admin handler.
//
// Pools and domains come from the configuration cache (Config.Cache,
// internal/confcache): no store round trip per request; a change made
// through this process shows at once, one made elsewhere within the
// cache's poll interval. Metrics children are resolved once per route and
// status. A request to an
// OAuth endpoint (authorize, token, revocation, userInfo, discovery, JWKS)
// gets the deadline Config.OAuthTimeout before its pool is looked up, so
// that every store call it makes ends in time for Alexa's limits. When the
// pool cannot be looked up (the database is out and the pool is not
// cached, or the cache went stale), the server answers in the format of
// the endpoint: 503 JSON
// temporarily_unavailable for the OAuth API endpoints, as their handlers
// answer an outage, and an HTML page otherwise, both with Retry-After.
//
// ServesHost (hosts.go) answers whether a host name is one the server
// resolves, by the same rules and cache; automatic certificates
// (internal/acme) are requested for those names only.
package server
