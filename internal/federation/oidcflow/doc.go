// Package oidcflow is the relying party of federated sign-in at OAuth 2.0
// and OpenID Connect providers: generic OIDC providers, Login with Amazon,
// Google, Facebook and Sign in with Apple. Begin builds the authorization
// request (state, nonce, PKCE); Finish checks the callback, redeems the
// code at the token endpoint, verifies the ID token and reads the user's
// profile. The federation service keeps Pending bound to the browser and
// maps Result to a pool user.
//
// Files: oidcflow.go (API).
package oidcflow
