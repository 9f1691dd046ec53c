package accesskey

import (
	"fmt"
	"net/http"
)

// Error codes, as AWS names them in the __type of a JSON 1.1 error.
const (
	CodeMissingAuthenticationToken = "MissingAuthenticationTokenException"
	CodeIncompleteSignature        = "IncompleteSignatureException"
	CodeInvalidSignature           = "InvalidSignatureException"
	CodeUnrecognizedClient         = "UnrecognizedClientException"
	CodeAccessDenied               = "AccessDeniedException"
)

// Error is a refused request: Code is AWS's exception name, Message its
// text and Status the HTTP status to answer with. The JSON API renders it
// as {"__type": Code, "message": Message}. No Error ever holds a secret.
type Error struct {
	Code    string
	Message string
	Status  int
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// ErrorName is the error code, how the error is named in traces.
func (e *Error) ErrorName() string { return e.Code }

func errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Status: http.StatusBadRequest}
}

// Messages AWS answers with.
const (
	msgMissingToken    = "Missing Authentication Token"
	msgUnrecognized    = "The security token included in the request is invalid."
	msgInvalidSig      = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
	msgSessionRefused  = "The security token included in the request is invalid: linkpool does not accept temporary credentials (X-Amz-Security-Token); sign with an access key from 'linkpool access-key create'."
	msgNeedDateHeader  = "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."
	msgPayloadMismatch = "The provided 'x-amz-content-sha256' header does not match what was computed."
)

func missingToken() *Error { return errorf(CodeMissingAuthenticationToken, msgMissingToken) }

func unrecognized() *Error { return errorf(CodeUnrecognizedClient, msgUnrecognized) }

func invalidSignature() *Error { return errorf(CodeInvalidSignature, msgInvalidSig) }

func incomplete(format string, args ...any) *Error {
	return errorf(CodeIncompleteSignature, format, args...)
}
