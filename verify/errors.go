package verify

import "errors"

// The three error classes. Every error returned by Verify matches exactly
// one of them with errors.Is.
var (
	// ErrInvalid: the token is not acceptable and never will be (bad
	// signature, wrong issuer or client, wrong token_use, not yet valid,
	// missing scope, malformed, signed by a key that a fetch made after
	// the token was presented does not list). An Alexa skill answers
	// INVALID_AUTHORIZATION_CREDENTIAL.
	ErrInvalid = errors.New("invalid token")
	// ErrExpired: the token was valid but its exp has passed (beyond the
	// leeway). An Alexa skill answers EXPIRED_AUTHORIZATION_CREDENTIAL.
	ErrExpired = errors.New("token expired")
	// ErrUnavailable: the issuer's key set could not be fetched in time,
	// or may not be fetched again yet for an unknown kid
	// (ErrKeyNotFetched). This says nothing about the token: it must not
	// be reported as a credential error, or Alexa unlinks the user.
	ErrUnavailable = errors.New("key set unavailable")
)

// Reasons within the ErrInvalid class. Each matches ErrInvalid with
// errors.Is as well as itself.
var (
	ErrMalformed     error = &reason{"malformed token", ErrInvalid}
	ErrSignature     error = &reason{"signature does not verify", ErrInvalid}
	ErrUnknownKey    error = &reason{"unknown signing key", ErrInvalid}
	ErrIssuer        error = &reason{"wrong issuer", ErrInvalid}
	ErrClient        error = &reason{"client not accepted", ErrInvalid}
	ErrTokenUse      error = &reason{"not an access token", ErrInvalid}
	ErrNotYetValid   error = &reason{"token not yet valid", ErrInvalid}
	ErrMissingScope  error = &reason{"required scope missing", ErrInvalid}
	ErrMissingClaims error = &reason{"required claim missing", ErrInvalid}
	// ErrRevoked is for callers that look the identity up after Verify
	// (the user was deleted, disabled or signed out everywhere). Wrap it
	// with %w; it classifies as ErrInvalid.
	ErrRevoked error = &reason{"credential revoked", ErrInvalid}
)

// ErrKeyNotFetched is a reason within the ErrUnavailable class: the kid is
// not in the cached key set and the key set may not be fetched again yet
// (MinRefreshInterval). The key may have been published since the last
// fetch, so this says nothing about the token: an Alexa skill answers
// INTERNAL_ERROR and Alexa retries. Once a fetch made after the kid was
// first presented lacks it, Verify returns ErrUnknownKey.
var ErrKeyNotFetched error = &reason{"signing key not in the key set fetched so far", ErrUnavailable}

// reason is a named cause inside one of the error classes.
type reason struct {
	msg   string
	class error
}

func (r *reason) Error() string { return r.msg }
func (r *reason) Unwrap() error { return r.class }

// Error is a failed verification: Reason is one of the sentinels above,
// Detail a human explanation that never contains the token, and Cause the
// underlying error, if any (a network error for ErrUnavailable).
type Error struct {
	Reason error
	Detail string
	Cause  error
}

func (e *Error) Error() string {
	msg := "verify: " + e.Reason.Error()
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	if e.Cause != nil {
		msg += ": " + e.Cause.Error()
	}
	return msg
}

// Unwrap lets errors.Is see the reason, its class and the cause.
func (e *Error) Unwrap() []error {
	if e.Cause != nil {
		return []error{e.Reason, e.Cause}
	}
	return []error{e.Reason}
}

// IsCredentialError reports whether err says the token itself is bad or
// expired, as opposed to a failure to check it (ErrUnavailable) or any
// other error.
func IsCredentialError(err error) bool {
	return errors.Is(err, ErrInvalid) || errors.Is(err, ErrExpired)
}

func fail(r error, detail string) error { return &Error{Reason: r, Detail: detail} }

func unavailable(detail string, cause error) error {
	return &Error{Reason: ErrUnavailable, Detail: detail, Cause: cause}
}
