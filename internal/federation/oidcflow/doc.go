// Package oidcflow is the relying party of federated sign-in at OAuth 2.0
// and OpenID Connect providers: generic OIDC providers, Login with Amazon,
// Google, Facebook and Sign in with Apple. It speaks the protocol only;
// the federation service (internal/federation) keeps Pending bound to the
// browser, renders errors and maps Result to a pool user.
//
// Begin builds the authorization request: a fresh state (128 bits), a
// nonce for the providers that issue ID tokens (OIDC, Google, Apple),
// PKCE S256 where the provider supports it (OIDC, Google, Login with
// Amazon; Facebook and Apple do not document it), the authorize_scopes
// (space- or comma-separated, as Cognito accepts), and Apple's
// response_mode=form_post when the name or email scope is requested.
//
// Pending.Provider binds the sign-in to the provider it began at (a
// digest of type, client id, redirect URI, issuer and the endpoints the
// details name): every provider answers at the same callback, and Finish
// refuses a Pending of another provider, one without the nonce or PKCE
// verifier the provider uses, and an RFC 9207 iss parameter that is not
// the expected issuer.
//
// Finish compares the state in constant time, turns an error parameter
// into Denied, redeems the code at the token endpoint (client_secret_basic
// or client_secret_post as the provider expects; Apple: an ES256
// client-secret JWT, cached until shortly before it expires), verifies the
// ID token with github.com/coreos/go-oidc/v3 (signature from the
// provider's JWKS, issuer, audience = client_id, expiry, and the nonce),
// and reads the profile: the OIDC user-info endpoint (GET or POST, its sub
// must be present and equal the ID token's), Login with Amazon's /user/profile, or
// Facebook's Graph API /me (with appsecret_proof). Apple's first-sign-in
// user field adds given_name and family_name (never the email: the field
// is not signed). Result.Claims holds every
// claim as a string, non-strings JSON-encoded.
//
// Endpoints default to each provider's published ones (providers.go) and
// are overridden by the details authorize_url, token_url, attributes_url,
// jwks_uri and oidc_issuer; OIDC providers are discovered from
// oidc_issuer unless the first three endpoints are given; the endpoints a
// discovery document names must pass pool.ValidateProviderURL (https, or
// http on a loopback host), else the provider is Unavailable. Token and
// user-info requests follow no redirect; discovery documents and key sets
// follow upstream.LimitRedirects. Discovery
// documents (an hour), key sets (go-oidc refreshes them on an unknown
// key) and Apple secrets are cached in bounded maps per Client.
//
// Every failure is an *upstream.Error: Denied (the provider said no),
// Invalid (state, nonce, signature, audience, expiry, a 4xx from the token
// endpoint such as invalid_grant) or Unavailable (unreachable, timed out,
// 5xx, oversized or malformed answers, a broken provider configuration).
// Each call is bounded by upstream.CallTimeout and every body by
// MaxResponse. Descriptions never quote codes or tokens, wrapped network
// errors drop the request URL, and nothing is logged.
//
// Files: oidcflow.go (API, Begin, Finish), providers.go (endpoints per
// type, discovery), exchange.go (token request, bounded HTTP, error
// classes), idtoken.go (ID token verification, key sets), profile.go
// (user info, Amazon and Facebook profiles, claims as strings), apple.go
// (client-secret JWT, the user field).
package oidcflow
