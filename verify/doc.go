// Package verify checks OAuth 2.0 access tokens issued as JWTs by a
// linkpool user pool or by an Amazon Cognito user pool, and returns the
// identity they carry.
//
// A Verifier is configured with the issuer (for Cognito
// "https://cognito-idp.<region>.amazonaws.com/<poolId>", for linkpool
// "<public-url>/<poolId>") and the accepted app client ids. It follows the
// validation recipe of the Cognito developer guide page "Verifying a JSON
// Web Token": the signature is checked against the issuer's JSON Web Key
// Set, then iss, token_use, client_id, exp, iat and nbf are checked.
// CheckValidFrom exposes the rule for iat and nbf so that a server checking
// its own tokens refuses the same not-yet-valid tokens.
//
// The key set is fetched once and kept in memory, so the hot path never
// touches the network. A token signed by an unknown key id of the
// expected issuer makes the Verifier fetch the key set again (at most once
// per MinRefreshInterval, shared by all concurrent callers), which picks
// up rotated keys. The kid is refused as ErrUnknownKey only once a fetch
// made after it was presented lacks it; until a refetch is allowed it is
// ErrKeyNotFetched, of the ErrUnavailable class, because the issuer may
// have published the key since the last fetch. An issuer that publishes
// keys for a known time before they sign (Config.PublishLead) lets a
// token issued soon after the last fetch be refused at once. A key that
// disappears from the key set stops verifying after MaxKeyAge.
//
// Errors classify for callers that must tell the two apart, such as an
// Alexa skill: errors matching ErrExpired or ErrInvalid mean the credential
// itself is bad (IsCredentialError reports true), while ErrUnavailable
// (including ErrKeyNotFetched) means the key set could not be fetched or
// not fetched yet, and says nothing about the token.
//
// The package depends only on the standard library, go-jose and
// golang.org/x/sync, so skill authors can use it on its own.
package verify
