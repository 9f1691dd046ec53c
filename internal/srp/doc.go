// Package srp implements the Secure Remote Password protocol (SRP-6a) as
// Amazon Cognito runs it for USER_SRP_AUTH and as its clients
// (amazon-cognito-identity-js's AuthenticationHelper, the AWS Amplify
// libraries, the SDKs' SRP helpers) compute it, so that those clients sign
// in to linkpool unchanged.
//
// The group is the 3072-bit MODP group of RFC 3526 (also in RFC 5054)
// with g = 2. Hashes are SHA-256 over the hex encodings of
// amazon-cognito-identity-js (PadHex: even length, with a 00 byte in front
// when the top bit is set), so that every value is the one the client
// computes:
//
//	k = H(PadHex(N) | PadHex(g))
//	x = H(PadHex(salt) | H(poolName + userIDForSRP + ":" + password))
//	v = g^x mod N                      (the verifier)
//	B = (k*v + g^b) mod N              (b: 256 random bits)
//	u = H(PadHex(A) | PadHex(B))       (u != 0; A mod N != 0)
//	S = (A * v^u)^b mod N
//	key = HKDF-SHA256(ikm PadHex(S), salt PadHex(u), info "Caldera Derived Key")[:16]
//	PASSWORD_CLAIM_SIGNATURE = Base64(HMAC-SHA256(key,
//	    poolName + userIDForSRP + secretBlock (raw bytes) + timestamp))
//
// poolName is the part of the pool id after "_" (PoolName), timestamp is
// Cognito's "EEE MMM d HH:mm:ss UTC yyyy" (FormatTimestamp), the day not
// zero-padded. VerifySignature compares in constant time.
//
// # Verifiers at rest
//
// A verifier is one SHA-256 and one exponentiation away from the
// password: anyone holding it can test password guesses at the speed of
// SHA-256, which is why Cognito's own store of it is not visible to
// anyone. linkpool therefore never stores a verifier in plain: the
// account service (internal/account) derives it whenever a password is
// set or proved, and stores it sealed with the master key (internal/seal)
// next to its salt; a database read alone yields nothing to guess
// against. A user whose only secret is the argon2id hash (created before
// verifiers were kept, or imported) has no verifier until the password
// is used once on the hosted sign-in page or with USER_PASSWORD_AUTH;
// until then SRP refuses the user with a NotAuthorizedException that
// says so (or, for app clients that prevent user existence errors, with
// "Incorrect username or password.", as for an unknown user).
//
// The package has the client's side too (Client), used by linkpool's
// tests and benchmarks; testdata/vectors.json holds values computed by
// amazon-cognito-identity-js itself (test/cognitojs/srp-vectors.js), which
// the tests check both sides against.
package srp
