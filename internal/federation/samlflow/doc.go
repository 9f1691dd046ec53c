// Package samlflow is the service provider of federated sign-in at SAML
// 2.0 identity providers, built on github.com/crewjam/saml. Begin builds
// the AuthnRequest (HTTP-Redirect binding); Finish validates the
// Response the identity provider posts back (HTTP-POST binding) and
// returns the signed-in user; Metadata renders the pool's SP metadata
// for the identity provider's administrator. The federation service
// keeps Pending bound to the browser and maps Result to a pool user.
//
// Files: samlflow.go (API), begin.go (the AuthnRequest), finish.go (the
// Response), idpmetadata.go (provider metadata, cached), sp.go
// (crewjam/saml service provider per sign-in), spmetadata.go (SP
// metadata), errors.go (typed errors).
package samlflow
