// Package federation owns federated sign-in: signing a pool's users in
// through its identity providers (Login with Amazon, Google, Sign in with
// Apple, Facebook, OpenID Connect and SAML 2.0 providers), as Cognito
// user pools do. The hosted pages (internal/hostedui) are its only
// adapter: /oauth2/authorize with identity_provider or idp_identifier,
// the provider buttons of /login, and the callbacks /oauth2/idpresponse
// and /saml2/idpresponse.
//
// The service picks the providers a client may use (Providers, in the
// client's SupportedIdentityProviders order; Resolve for identity_provider
// and idp_identifier), and runs the round trip:
//
//   - Begin opens the provider's details (secrets sealed with the master
//     key, admin.OpenProviderDetails), asks the protocol package for the
//     provider's sign-in URL (oidcflow for OAuth 2.0 and OIDC, samlflow
//     for SAML) and seals what the callback needs (the protocol's pending
//     state, nonce and PKCE verifier or request id, the provider, the
//     original authorization request, an expiry of StateTTL) with the
//     master key, bound to the pool, into a cookie value; the cookie is
//     named per round trip (StateCookieName of the OAuth state or SAML
//     RelayState the provider sends back, CallbackCookieName), so
//     sign-ins in two tabs of one browser do not collide.
//   - Finish opens that cookie (missing, tampered, expired or foreign:
//     refused, never redirected), consumes it once
//     (store.ConsumeAuthSession on a hash of its id, so a replayed
//     callback is refused), lets the protocol package check the answer,
//     consumes a SAML assertion's id until the assertion expires, maps
//     the provider's claims to pool attributes (MapAttributes:
//     AttributeMapping, "username" naming the subject claim) and signs
//     the user in with account.Service.SignInFederated, which finds,
//     refreshes or creates the user (EXTERNAL_PROVIDER, group
//     "<poolId>_<ProviderName>").
//
// Failures the browser may see are *Error values with an OAuth error code
// and a description safe to show: when the state was verified they carry
// the original authorization request (Query), and the edge redirects to
// the client's redirect_uri with error and error_description, as Cognito
// does ("access_denied" with "<Provider> Error - ..." when the provider
// refused, "invalid_request" for invalid answers and unreachable
// providers); otherwise the edge shows its error page. Any other error is
// an internal failure (a 5xx page, never invalid_grant). Upstream
// tokens, codes and assertions are never logged: failures are logged
// with the provider, the kind and the protocol package's safe
// description only.
//
// Files: service.go (Service, Providers, Resolve), state.go (the sealed
// browser state), begin.go (Begin), finish.go (Finish, error mapping),
// saml.go (the SAML steps and SP metadata), mapping.go (MapAttributes),
// errors.go (Error).
package federation
