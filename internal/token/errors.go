package token

import "errors"

// Errors returned by Verify. They describe why a presented token was
// refused; none of them carries any part of the token.
var (
	// ErrMalformed: not a compact JWS of acceptable size and shape.
	ErrMalformed = errors.New("token: malformed")
	// ErrAlgorithm: the header names an algorithm the pool does not sign
	// with for this token use (including "none" and HMAC algorithms).
	ErrAlgorithm = errors.New("token: algorithm not allowed")
	// ErrUnknownKey: the kid is not a published key for this token use.
	ErrUnknownKey = errors.New("token: unknown signing key")
	// ErrSignature: the signature does not verify.
	ErrSignature = errors.New("token: bad signature")
)

// Errors returned by key management and signing.
var (
	// ErrNoKeys: the pool has no key set (Ensure was never called for it),
	// or no active key for the requested use.
	ErrNoKeys = errors.New("token: pool has no signing keys")
	// ErrAlreadyRotated: Rotate was asked to rotate a key set version that
	// another caller has already replaced.
	ErrAlreadyRotated = errors.New("token: key set already rotated")
	// ErrUnsupportedAlg: the algorithm is neither RS256 nor ES256.
	ErrUnsupportedAlg = errors.New("token: unsupported signing algorithm")
	// ErrUnknownUse: the token use is neither "id" nor "access".
	ErrUnknownUse = errors.New("token: unknown token use")
)

// KeyError reports a stored signing key that cannot be used: its sealed
// private key does not open with this master key, or its parts disagree.
// It indicates a wrong master key or a tampered database, never bad input.
type KeyError struct {
	PoolID string
	KID    string
	Reason string
	Err    error
}

func (e *KeyError) Error() string {
	msg := "token: signing key " + e.KID + " of pool " + e.PoolID + ": " + e.Reason
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *KeyError) Unwrap() error { return e.Err }
