package federation

import (
	"errors"
	"net/url"
)

// OAuth error codes a failed federated sign-in ends with at the client
// (Cognito: "Managed login and federation error responses").
const (
	CodeInvalidRequest = "invalid_request"
	CodeAccessDenied   = "access_denied"
)

// Error is a federated sign-in that failed for a reason the browser may
// see: Code and Description go to the client's redirect_uri as error and
// error_description. Query is the original authorization request, taken
// from the verified state; it is nil when the callback could not be tied
// to a request (no, expired, tampered or replayed state), and then the
// edge shows its error page and never redirects. Description is safe to
// show and to log; Err, when set, says more for logs (never a token, a
// code or an assertion).
type Error struct {
	Code        string
	Description string
	Query       url.Values
	Err         error
}

func (e *Error) Error() string {
	s := "federation: " + e.Code + ": " + e.Description
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// AsError returns err's *Error, or nil.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// refused is an authorization request naming a provider it may not use.
func refused(desc string) *Error { return &Error{Code: CodeInvalidRequest, Description: desc} }

// badState is a callback that cannot be tied to a sign-in this browser
// started.
func badState(desc string, err error) *Error {
	return &Error{Code: CodeInvalidRequest, Description: desc, Err: err}
}
