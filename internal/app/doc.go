// Package app is linkpool's composition root: it builds the key manager,
// password hasher, mail outbox, account flows, OAuth endpoints, the
// federation service with its OIDC and SAML clients (Config.FederationClient
// for their HTTP calls), hosted pages, Cognito JSON API (internal/cognitoapi) and HTTP server over one
// store and master key. `linkpool serve` and the
// end-to-end tests assemble the server through it, so both run the same
// wiring.
package app
