// Package token issues and checks the JSON Web Tokens of a user pool the
// way Amazon Cognito shapes them, and manages the keys they are signed
// with.
//
// Tokens are JWS compact serialisations (RFC 7515 §7.1) whose protected
// header holds only "kid" and "alg", as Cognito's do. ID and access tokens
// are signed with separate keys ("Understanding the access token": the
// access token kid differs from the ID token kid). A kid is the standard
// base64 SHA-256 JWK thumbprint (RFC 7638) of the public key, which gives
// Cognito's 44-character kid shape. Pools sign with RS256 over RSA-2048 by
// default, or ES256 over P-256.
//
// Keys move through three states. A "next" key is published in the JWKS
// before it ever signs, so verifiers that cache the JWKS already know it
// when it becomes "active". Rotate retires the active key, keeping it in
// the JWKS until every token it signed has expired, promotes the next key
// and creates a new next key. Rotation is one compare-and-swap on the
// stored key set, so of several instances racing to rotate exactly one
// does (the pattern of Dex's signer rotation).
//
// Private keys are stored as PKCS#8 DER sealed with the master key
// (internal/seal), bound to "signing-key/<pool>/<kid>". Each instance keeps
// the parsed keys and ready-built signers of every pool in memory (jws.go:
// the protected header encoded once per key, a signature written into one
// buffer; go-jose verifies): signing touches neither the database nor a
// key parser, except for one re-read of
// the key set every KeysOptions.RefreshInterval so that a rotation made by
// another instance is picked up within that bound.
//
// Files: keys.go (Keys, cache), keyset.go (parsing a stored key set),
// keygen.go (generation and sealing), ensure.go, rotate.go, sign.go,
// jws.go (the compact JWS signer),
// verify.go, jwks.go, list.go, claims.go (Cognito claim sets), errors.go,
// check.go (CheckKeySet: a key set fit to import under a master key),
// reseal.go (ResealKeySet: a key set moved to a new master key).
package token
