// Package oauth is linkpool's OAuth 2.0 and OpenID Connect service: the
// one owner of authorization codes, grants (refresh-token lineages) and
// the tokens issued from them, with Amazon Cognito's paths, parameters,
// token shapes and error answers.
//
// Service.Mount serves, relative to the pool base (internal/server puts a
// web.Target in the request context):
//
//	POST /oauth2/token                     token.go   grants, dispatched on grants.go's table
//	GET|POST /oauth2/userInfo (userinfo)   userinfo.go
//	POST /oauth2/revoke                    revoke.go
//	GET  /.well-known/openid-configuration discovery.go
//	GET  /.well-known/jwks.json            discovery.go (token.Keys)
//
// /oauth2/authorize and the sign-in pages belong to internal/hostedui,
// which calls ParseAuthorize to validate a request (client, exact
// redirect_uri match, scopes, PKCE) and Complete once the user signed in:
// Complete stores an authorization code (only its hash) or, for the
// implicit flow, issues tokens into the fragment (implicit.go). Complete
// is told how the user signed in (COGNITO or the provider's name) and
// issues nothing (unauthorized_client, redirected) to a client whose
// SupportedIdentityProviders do not list it. The
// Cognito JSON API (internal/cognitoapi) calls IssueSignIn, RefreshAPI,
// RevokeAPI and VerifyAPIAccess (apitokens.go, apiaccess.go), so that the
// API and the endpoints share one implementation.
//
// ParseAuthorize also reads identity_provider and idp_identifier
// (AuthorizeRequest.IdentityProvider, IdpIdentifier) and accepts a
// client that signs users in only through identity providers; COGNITO
// is refused (unauthorized_client) to a client that does not list it.
// Resolving a provider name belongs to internal/federation; a failed
// federated sign-in goes back to the client with ErrorRedirect. A user an
// identity provider created (EXTERNAL_PROVIDER) redeems codes like a
// confirmed one; ID tokens carry a user's linked identities in Cognito's
// "identities" claim (an array of objects), userInfo as Cognito's
// "identities" attribute (a JSON array in a string).
//
// The token endpoint authenticates the client (client_secret_basic or
// client_secret_post, secrets compared in constant time) from the
// configuration cache (internal/confcache; clients.go keeps each client
// with its secret's SHA-256, and whether a pool has groups, so that a
// refresh makes no store round trip for configuration), spends rate
// budget per address and then per confidential client (tokenlimit.go),
// and runs the grant for grant_type from the table in grants.go, one file
// per grant: grant_code.go (authorization_code: the code is consumed
// atomically before it is checked, PKCE, a replayed code revokes what it
// issued), grant_refresh.go (refresh_token, with an ID token unless the
// client's IDTokenOnRefresh is off; rotation.go: rotation with a retry
// grace period), grant_client_credentials.go. The discovery
// document's grant_types_supported is derived from the same table.
// mint.go signs access and ID tokens (claims.go: the attributes a scope
// releases); grantcheck.go decides whether an access token's grant and
// user still stand (CheckAccess), revokegrant.go ends the grant behind an
// access token (the skill's SkillDisabled event).
//
// Errors are *Error values (errors.go) rendered once, as RFC 6749 JSON or
// a redirect. Alexa unlinks a user on invalid_grant, so that answer is
// given only when the grant itself is invalid; a failing store or key set
// is temporarily_unavailable or server_error, never a verdict on the
// client's credentials. A request whose client went away (its context
// cancelled) is none of these: the handlers answer nothing and leave it
// to web.Gone (status 499, a debug line).
//
// Files: service.go (Service, Config, Mount), authorize.go, implicit.go,
// token.go (also the token response, written without reflection),
// clients.go, tokenlimit.go, grants.go, grant_code.go, grant_refresh.go,
// rotation.go, grant_client_credentials.go, mint.go, claims.go,
// userinfo.go, revoke.go, revokegrant.go, grantcheck.go, apitokens.go,
// apiaccess.go, discovery.go, errors.go.
package oauth
