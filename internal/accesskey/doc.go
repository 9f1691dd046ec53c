// Package accesskey owns the access keys of linkpool's Cognito JSON API
// and authenticates requests signed with them by AWS Signature Version 4,
// so that the AWS CLI and SDKs talk to linkpool unchanged.
//
// A key has an AWS-style id (AKIA followed by 16 base32 characters) and a
// 40-character secret. The secret is shown once, at creation, and stored
// only sealed with the master key (internal/seal), bound to the key id;
// SigV4 needs the secret itself to compute HMACs, so it cannot be hashed
// like a password. Unsealed keys (and their derived signing keys) are
// kept in memory for Config.CacheTTL, one minute by default: a key
// deleted by another process keeps working here until then; one deleted
// through this Service stops at once. LastUsedAt is written at most once
// a minute per key and process.
//
// Each key carries a small policy: every pool or a list of pool ids, and
// read-only or not. Key.Allows and Key.Authorize apply it; actions outside
// any pool (CreateUserPool, ListUserPools) need an all-pools key.
//
// The verifier (Service.Verify, Service.Authenticate) follows the SigV4
// specification, not an SDK's code: service cognito-idp, any region; an
// X-Amz-Date (or Date) header within MaxSkew (five minutes) of the clock,
// signed and agreeing with the credential scope; host signed; the
// canonical request with the path encoded once more, the query sorted and
// AWS-encoded, the signed headers lower-cased, trimmed and with runs of
// spaces collapsed; the payload hash computed from the body (an
// x-amz-content-sha256 header must match it); the signing key derived
// from the secret; a constant-time comparison. Session tokens
// (X-Amz-Security-Token) and presigned URLs are refused. Refusals are
// *Error values with AWS's exception names, messages and statuses
// (MissingAuthenticationTokenException, IncompleteSignatureException,
// InvalidSignatureException, UnrecognizedClientException,
// AccessDeniedException); the JSON API renders them.
//
// Files:
//   - service.go: Service, Key, Create, List, Get, Delete, the unsealed
//     key cache and the LastUsedAt record
//   - verify.go: Authenticate and Verify
//   - authorization.go: parsing of the Authorization header
//   - sigv4.go: request checks (dates, session tokens), canonical
//     request, string to sign, signing key
//   - policy.go: Allows and Authorize
//   - errors.go: Error and AWS's codes and messages
package accesskey
