package cognitoapi

import (
	"cmp"
	"errors"
	"fmt"
	"github.com/linkpool/linkpool/internal/accesskey"
	"net/http"
	"strings"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/trigger"
)

// Exception names of the wire protocol that are not account errors.
const (
	UnknownOperationException           = "UnknownOperationException"
	SerializationException              = "SerializationException"
	InvalidParameterException           = "InvalidParameterException"
	ResourceNotFoundException           = "ResourceNotFoundException"
	InternalErrorException              = "InternalErrorException"
	MissingAuthenticationTokenException = "MissingAuthenticationTokenException"
	UnrecognizedClientException         = "UnrecognizedClientException"
	InvalidSignatureException           = "InvalidSignatureException"
	AccessDeniedException               = "AccessDeniedException"
	RequestEntityTooLargeException      = "RequestEntityTooLargeException"
	TooManyRequestsException            = "TooManyRequestsException"
	UnsupportedOperationException       = "UnsupportedOperationException"
	UnsupportedTokenTypeException       = "UnsupportedTokenTypeException"
	UserNotFoundException               = account.UserNotFoundException
	NotAuthorizedException              = account.NotAuthorizedException
	CodeMismatchException               = account.CodeMismatchException
)

// Error is an answer of the API that is not a success: Type is the AWS
// exception name sent as "__type" and x-amzn-ErrorType, Message the
// "message", Status the HTTP status (400 when zero). Authenticators
// return *Error values to refuse a request with an AWS name.
type Error struct {
	Status  int
	Type    string
	Message string
}

func (e *Error) Error() string { return e.Type + ": " + e.Message }

// ErrorName is the exception name, how the error is named in traces.
func (e *Error) ErrorName() string { return e.Type }

// NewError returns an *Error answered with HTTP 400.
func NewError(typ, msg string) *Error {
	return &Error{Status: http.StatusBadRequest, Type: typ, Message: msg}
}

// wireError converts any handler error to what is sent: an *Error as
// is, an *accesskey.Error (a refused signature or key policy) and an
// *account.Error with their names and messages, anything else an
// InternalErrorException (500) whose details stay in the log.
func wireError(err error) (e *Error, internal bool) {
	var we *Error
	if errors.As(err, &we) {
		if we.Status == 0 {
			c := *we
			c.Status = http.StatusBadRequest
			return &c, false
		}
		return we, false
	}
	var ke *accesskey.Error
	if errors.As(err, &ke) {
		return &Error{Status: cmp.Or(ke.Status, http.StatusBadRequest), Type: ke.Code, Message: ke.Message}, false
	}
	var ae *account.Error
	if errors.As(err, &ae) {
		return &Error{Status: http.StatusBadRequest, Type: ae.Type, Message: ae.Message}, false
	}
	var te *trigger.Error
	if errors.As(err, &te) {
		// A trigger's failure, as Cognito answers it: 400 with
		// UserLambdaValidationException, UnexpectedLambdaException or
		// InvalidLambdaResponseException and the trigger's message.
		return &Error{Status: http.StatusBadRequest, Type: te.Code, Message: te.Message}, false
	}
	return &Error{Status: http.StatusInternalServerError, Type: InternalErrorException, Message: "Internal server error."}, true
}

// validation collects field constraint violations and renders them the
// way AWS's request validation does: "1 validation error detected: Value
// null at 'userPoolId' failed to satisfy constraint: Member must not be
// null". Field names are the members' names with a lower-case first
// letter, as AWS writes them.
type validation struct{ msgs []string }

// add records a violation; value nil renders as null, sensitive values
// (passwords) are left out, as AWS leaves them out.
func (v *validation) add(field string, value *string, sensitive bool, constraint string) {
	val := "null"
	switch {
	case value != nil && sensitive:
		v.msgs = append(v.msgs, fmt.Sprintf("Value at '%s' failed to satisfy constraint: %s", field, constraint))
		return
	case value != nil:
		val = "'" + *value + "'"
	}
	v.msgs = append(v.msgs, fmt.Sprintf("Value %s at '%s' failed to satisfy constraint: %s", val, field, constraint))
}

func (v *validation) err() error {
	switch len(v.msgs) {
	case 0:
		return nil
	case 1:
		return NewError(InvalidParameterException, "1 validation error detected: "+v.msgs[0])
	}
	return NewError(InvalidParameterException, fmt.Sprintf("%d validation errors detected: %s", len(v.msgs), strings.Join(v.msgs, "; ")))
}
