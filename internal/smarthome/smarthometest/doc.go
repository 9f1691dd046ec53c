// Package smarthometest supports the smart home skill's tests: it finds
// Amazon's Smart Home schema and samples (test data kept outside the
// repository), validates messages against the schema, and runs a real
// token issuer (a JWKS server on loopback and RS256-signed access tokens).
//
// Only tests import it.
package smarthometest
