// Package passkey owns passkeys (WebAuthn, github.com/go-webauthn/webauthn)
// for every surface: registering a passkey for a signed-in user, signing
// in with one as a first factor, listing and deleting them. The hosted
// pages (internal/hostedui: /passkeys and /passkeySignIn) and
// the Cognito API (StartWebAuthnRegistration,
// CompleteWebAuthnRegistration, ListWebAuthnCredentials,
// DeleteWebAuthnCredential, the WEB_AUTHN challenge) are adapters over
// Service.
//
// A pool registers passkeys exactly where they can sign in (Enabled:
// WEB_AUTHN among the first factors account.FirstFactors allows, so not
// where MFA is required of single-factor passkeys); where MFA is
// required, both ceremonies require user verification.
//
// The relying party is the pool's WebAuthn RelyingPartyId, or the host
// the pages are served at (RPFor); a ceremony's origin must be that host
// or under it. Credentials are rows of the store
// (pool.WebAuthnCredential: public keys, nothing secret). A registration's
// state waits on the user (pool.UserMFA.WebAuthnRegistration), a sign-in's
// travels with the caller, sealed with the master key; both last five
// minutes and serve one attempt. A sign count that does not increase is
// refused and logged as a security event (a cloned authenticator).
// Errors are *account.Error with Cognito's exception names.
package passkey
