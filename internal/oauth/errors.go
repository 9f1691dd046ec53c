package oauth

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/linkpool/linkpool/internal/tracing"
)

// Error codes of RFC 6749 §4.1.2.1, §5.2, RFC 7009 §2.2.1 and RFC 6750 §3.1,
// plus Cognito's redirect_mismatch page code.
const (
	ErrInvalidRequest          = "invalid_request"
	ErrInvalidClient           = "invalid_client"
	ErrInvalidGrant            = "invalid_grant"
	ErrUnauthorizedClient      = "unauthorized_client"
	ErrUnsupportedGrantType    = "unsupported_grant_type"
	ErrUnsupportedResponseType = "unsupported_response_type"
	ErrUnsupportedTokenType    = "unsupported_token_type"
	ErrInvalidScope            = "invalid_scope"
	ErrAccessDenied            = "access_denied"
	ErrServerError             = "server_error"
	ErrTemporarilyUnavailable  = "temporarily_unavailable"
	ErrInvalidToken            = "invalid_token"
	ErrRedirectMismatch        = "redirect_mismatch"
	ErrSlowDown                = "slow_down"
)

// Error is an OAuth 2.0 protocol error. Handlers return it; it is rendered
// once at the edge, as a JSON body for the token, revocation and userInfo
// endpoints, as a redirect for authorization errors that may be redirected,
// and as the hosted error page otherwise.
//
// Description is safe to show to the client; Cause is for logs only.
type Error struct {
	Code        string
	Description string
	Status      int
	// Redirect, when set, is where an authorization error is sent: the
	// client's registered redirect_uri carrying error and state. Empty
	// means the error must not be redirected (unknown client or
	// unregistered redirect_uri, RFC 6749 §4.1.2.1).
	Redirect string
	// BasicChallenge adds WWW-Authenticate: Basic to a 401 (RFC 6749 §5.2).
	BasicChallenge bool
	Cause          error
}

func (e *Error) Error() string {
	if e.Description != "" {
		return e.Code + ": " + e.Description
	}
	return e.Code
}

func (e *Error) Unwrap() error { return e.Cause }

// ErrorName is the error code, how the error is named in traces.
func (e *Error) ErrorName() string { return e.Code }

func newError(code string, status int, desc string) *Error {
	return &Error{Code: code, Status: status, Description: desc}
}

func badRequest(code, desc string) *Error { return newError(code, http.StatusBadRequest, desc) }

// unavailable reports a backend failure: Alexa unlinks users on
// invalid_grant, so internal failures must never look like one.
func unavailable(cause error) *Error {
	return &Error{Code: ErrTemporarilyUnavailable, Status: http.StatusServiceUnavailable,
		Description: "The service is temporarily unavailable. Try again.", Cause: cause}
}

// tooManyRequests refuses a request over its rate limit.
func tooManyRequests() *Error {
	return newError(ErrTemporarilyUnavailable, http.StatusTooManyRequests, "Too many requests.")
}

func serverError(cause error) *Error {
	return &Error{Code: ErrServerError, Status: http.StatusInternalServerError,
		Description: "Internal error.", Cause: cause}
}

// AsError converts any error to an *Error; anything that is not one
// becomes server_error.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return serverError(err)
}

// writeJSONError renders e as Cognito's token endpoint does: status 400
// (401 for invalid_client, 5xx for failures), a JSON body with error and,
// when known, error_description, and no caching. The code is the outcome
// of the request's span.
func writeJSONError(w http.ResponseWriter, r *http.Request, e *Error) {
	tracing.SetAttr(r.Context(), tracing.Outcome, e.Code)
	h := w.Header()
	h.Set("Content-Type", "application/json;charset=UTF-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	if e.BasicChallenge {
		h.Set("WWW-Authenticate", `Basic realm="linkpool"`)
	}
	if e.Status == http.StatusServiceUnavailable || e.Status == http.StatusTooManyRequests {
		h.Set("Retry-After", "1")
	}
	status := e.Status
	if status == 0 {
		status = http.StatusBadRequest
	}
	w.WriteHeader(status)
	body := map[string]string{"error": e.Code}
	if e.Description != "" {
		body["error_description"] = e.Description
	}
	_ = json.NewEncoder(w).Encode(body)
}

// redirectWithError builds the authorization error redirect of RFC 6749
// §4.1.2.1 (query) or §4.2.2.1 (fragment, implicit grant).
// ErrorRedirect returns where to send the browser when the validated
// authorization request req ends with an error the client may see (a
// federated sign-in that failed): its redirect_uri with error,
// error_description and state.
func ErrorRedirect(req *AuthorizeRequest, code, desc string) string {
	return redirectWithError(req.RedirectURI, req.ResponseType, req.State, code, desc)
}

func redirectWithError(redirectURI, responseType, state, code, desc string) string {
	v := url.Values{}
	v.Set("error", code)
	if desc != "" {
		v.Set("error_description", desc)
	}
	if state != "" {
		v.Set("state", state)
	}
	if responseType == "token" {
		return redirectURI + "#" + v.Encode()
	}
	return appendQuery(redirectURI, v)
}

// appendQuery adds v to the query of uri, keeping parameters the
// registered URI already has.
func appendQuery(uri string, v url.Values) string {
	sep := "?"
	if strings.Contains(uri, "?") {
		sep = "&"
	}
	return uri + sep + v.Encode()
}
