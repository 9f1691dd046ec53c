// Package upstream holds what the protocol packages of federated sign-in
// (internal/federation/oidcflow for OAuth 2.0 and OpenID Connect
// providers, internal/federation/samlflow for SAML 2.0) share with the
// federation service that drives them: the typed error a sign-in at an
// identity provider ends with, the bound on every call to a provider, and
// the redirect policies of those calls (redirects.go): public documents
// follow a few redirects to https URLs, calls that carry a secret follow
// none.
//
// Files: upstream.go (Error, Kind, CallTimeout), redirects.go
// (LimitRedirects, RefuseRedirects, WithRedirects).
package upstream

import (
	"errors"
	"time"
)

// CallTimeout bounds one call to a provider (a token request, a user-info
// or key-set fetch, a metadata download), so that a slow or unreachable
// provider ends the sign-in with an error page instead of holding the
// browser.
const CallTimeout = 5 * time.Second

// Kind classifies how a sign-in at a provider failed.
type Kind int

const (
	// Denied: the provider answered with an error, for example the user
	// refused consent (access_denied) or a SAML status other than
	// Success.
	Denied Kind = iota + 1
	// Invalid: what came back is not acceptable: state or nonce mismatch,
	// a bad signature, a wrong audience or recipient, an expired or
	// replayed assertion, a missing subject.
	Invalid
	// Unavailable: the provider could not be reached, timed out or
	// failed (a 5xx, a malformed answer from its own endpoint).
	Unavailable
)

func (k Kind) String() string {
	switch k {
	case Denied:
		return "denied"
	case Invalid:
		return "invalid"
	case Unavailable:
		return "unavailable"
	}
	return "unknown"
}

// Error is a failed sign-in at a provider. Code is the provider's error
// code when it sent one (access_denied, a SAML status); Description is
// safe to show and to log: it never contains a token, a code or an
// assertion.
type Error struct {
	Kind        Kind
	Code        string
	Description string
	Err         error
}

func (e *Error) Error() string {
	s := "identity provider: " + e.Kind.String()
	if e.Code != "" {
		s += " (" + e.Code + ")"
	}
	if e.Description != "" {
		s += ": " + e.Description
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// KindOf returns the Kind of err's *Error, 0 when it has none.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return 0
}
