// Package fedtest is test support for federated sign-in: identity
// providers on loopback servers for the tests of internal/federation and
// its protocol packages. Only _test.go files (and packages under test/)
// import it; production code never does.
//
//   - NewOP: an OpenID provider built with github.com/zitadel/oidc/v3/pkg/op
//     (discovery, code flow with PKCE and nonce, RS256 ID tokens, user
//     info by GET or POST). AddClient registers the relying party,
//     SetUser picks the user its browserless login step signs in, Deny
//     ends the next authorization with access_denied, Stop takes it down.
//   - NewAmazon, NewGoogle, NewFacebook, NewApple: stand-ins that follow
//     each social provider's published protocol. Details returns the
//     ProviderDetails (credentials and endpoint overrides) that point a
//     provider at one; SetUser, Set(Knobs) (deny, wrong audience, bad
//     nonce, tampered signature, expired token, wrong issuer, an alg none
//     or HS256 ID token, a token-endpoint error, slow, oversized, another
//     subject in the user info) and Stop drive negative tests. The token
//     endpoints redeem a code only for the client it was issued to.
//   - Authorize plays the browser from an authorization URL to the
//     redirect URI and returns the callback's parameters (query or
//     form_post fields).
//
// The stand-ins and the OP share two RSA keys generated once per process.
//
// Files: standin.go (Provider, User, Knobs, shared endpoints), keys.go
// (signing keys, ID tokens), amazon.go (Login with Amazon; Details),
// google.go, facebook.go, apple.go (Sign in with Apple, client-secret
// JWT check), op.go (the zitadel OP), browser.go (Authorize).
// saml.go: SAML 2.0 identity provider (added with the SAML flow);
// saml_spkey.go: its use of the SP's key pair (RequireSignedRequests,
// encrypting assertions to the SP's certificate).
package fedtest
