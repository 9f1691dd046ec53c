package token

import (
	"errors"
	"fmt"
	"time"
)

// PublishFor is the least time a new signing key is in the JWKS before it
// signs anything. It is longer than any verifier should cache a key set
// (the verify package refetches on an unknown kid, Cognito's guide
// suggests caching for minutes), so every verifier holds the key before
// the first token it signs.
const PublishFor = 10 * time.Minute

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
	// ErrKeyNotReady: Rotate would make a key sign that has not been
	// published for PublishFor. Errors wrapping it are *NotReadyError.
	ErrKeyNotReady = errors.New("token: next key not published long enough")
)

// NotReadyError is Rotate's refusal to activate a next key that was
// published less than PublishFor (plus MaxRefreshInterval) ago.
type NotReadyError struct {
	PoolID  string
	KID     string
	Use     string
	ReadyAt time.Time
}

func (e *NotReadyError) Error() string {
	return fmt.Sprintf("token: the next %s key %s of pool %s was published less than %v ago; "+
		"verifiers may not have it yet, so it can start signing at %s (rotate again then)",
		e.Use, e.KID, e.PoolID, PublishFor, e.ReadyAt.UTC().Format(time.RFC3339))
}

func (e *NotReadyError) Unwrap() error { return ErrKeyNotReady }

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
