package account

import (
	"errors"
	"fmt"

	"github.com/linkpool/linkpool/internal/pool"
)

// Exception names of the Cognito API (cognito-idp service model) used as
// Error.Type.
const (
	NotAuthorizedException         = "NotAuthorizedException"
	UserNotFoundException          = "UserNotFoundException"
	UserNotConfirmedException      = "UserNotConfirmedException"
	UsernameExistsException        = "UsernameExistsException"
	AliasExistsException           = "AliasExistsException"
	CodeMismatchException          = "CodeMismatchException"
	ExpiredCodeException           = "ExpiredCodeException"
	CodeDeliveryFailureException   = "CodeDeliveryFailureException"
	InvalidPasswordException       = "InvalidPasswordException"
	InvalidParameterException      = "InvalidParameterException"
	LimitExceededException         = "LimitExceededException"
	PasswordResetRequiredException = "PasswordResetRequiredException"
	TooManyFailedAttemptsException = "TooManyFailedAttemptsException"
	// SoftwareTokenMFANotFoundException: the user has no authenticator
	// app (verified, or pending for VerifySoftwareToken).
	SoftwareTokenMFANotFoundException = "SoftwareTokenMFANotFoundException"
	// EnableSoftwareTokenMFAException: VerifySoftwareToken's answer to a
	// wrong code.
	EnableSoftwareTokenMFAException = "EnableSoftwareTokenMFAException"
	// ResourceNotFoundException and GroupExistsException are answered by
	// the administrative actions of internal/admin.
	ResourceNotFoundException = "ResourceNotFoundException"
	GroupExistsException      = "GroupExistsException"
	// UnsupportedUserStateException: the user is in a state the
	// operation does not apply to (an invitation resent to a user
	// without a temporary password).
	UnsupportedUserStateException = "UnsupportedUserStateException"
	// DuplicateProviderException is CreateIdentityProvider's answer for
	// a provider name the pool already has.
	DuplicateProviderException = "DuplicateProviderException"
	// NewPasswordRequired is not an exception but the challenge Cognito
	// answers a sign-in with when the user still has the temporary
	// password an administrator set (ChallengeName NEW_PASSWORD_REQUIRED).
	NewPasswordRequired = "NewPasswordRequired"
)

// Messages with a fixed wording (Cognito's, where it has one).
const (
	msgIncorrect        = "Incorrect username or password."
	msgDisabled         = "User is disabled."
	msgNotFound         = "User does not exist."
	msgNotConfirmed     = "User is not confirmed."
	msgAttemptsExceeded = "Password attempts exceeded"
	msgCodeMismatch     = "Invalid verification code provided, please try again."
	msgExpiredCode      = "Invalid code provided, please request a code again."
	msgLimitExceeded    = "Attempt limit exceeded, please try after some time."
	msgTooManyAttempts  = "Too many failed attempts with this code, please request a new code."
	msgResetRequired    = "Password reset required for the user"
	msgNewPassword      = "New password required."
	msgTempExpired      = "Temporary password has expired and must be reset by an administrator."
)

// Error is a failed account operation: Type is the Cognito exception
// name, Message its user-facing text. Field names the offending input for
// InvalidParameterException and InvalidPasswordException. Cause, when
// set, says why in more detail (a *pool.ValidationError, a
// *pool.PasswordPolicyError, ErrLockedOut, a mail error); it is for
// errors.Is/As and logs, not for users.
type Error struct {
	Type    string
	Message string
	Field   string
	Cause   error
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: %s (%s)", e.Type, e.Message, e.Field)
	}
	return e.Type + ": " + e.Message
}

func (e *Error) Unwrap() error { return e.Cause }

// ErrorName is the exception name, how the error is named in traces.
func (e *Error) ErrorName() string { return e.Type }

// Causes that tell NotAuthorizedExceptions apart; test with errors.Is.
var (
	// ErrLockedOut: the user is locked out after too many failed
	// sign-ins ("Password attempts exceeded").
	ErrLockedOut = errors.New("account: user is locked out")
	// ErrDisabled: the user is disabled ("User is disabled.").
	ErrDisabled = errors.New("account: user is disabled")
	// ErrTemporaryPasswordExpired: the temporary password an
	// administrator set is older than TemporaryPasswordValidityDays.
	ErrTemporaryPasswordExpired = errors.New("account: temporary password expired")
)

// TypeOf returns the Type of an *Error in err's chain, or "" when err is
// not an account error (an internal failure).
func TypeOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Type
	}
	return ""
}

// Conceal hides whether an account exists, the way Cognito app clients
// with PreventUserExistenceErrors ENABLED answer sign-in: an unknown user
// and a locked-out user both become the NotAuthorizedException
// "Incorrect username or password." that a wrong password gets. Other
// errors are returned unchanged.
func Conceal(err error) error {
	if TypeOf(err) == UserNotFoundException || errors.Is(err, ErrLockedOut) {
		return &Error{Type: NotAuthorizedException, Message: msgIncorrect}
	}
	return err
}

func newErr(typ, msg string) *Error { return &Error{Type: typ, Message: msg} }

func notAuthorized(msg string) *Error { return newErr(NotAuthorizedException, msg) }

func disabled() *Error {
	return &Error{Type: NotAuthorizedException, Message: msgDisabled, Cause: ErrDisabled}
}

func tempExpired() *Error {
	return &Error{Type: NotAuthorizedException, Message: msgTempExpired, Cause: ErrTemporaryPasswordExpired}
}

func userNotFound() *Error { return newErr(UserNotFoundException, msgNotFound) }

func invalidParam(field, msg string) *Error {
	return &Error{Type: InvalidParameterException, Message: msg, Field: field}
}

// fromValidation converts a *pool.ValidationError into an
// InvalidParameterException naming the field.
func fromValidation(err error) error {
	var ve *pool.ValidationError
	if errors.As(err, &ve) {
		return &Error{Type: InvalidParameterException, Message: ve.Error(), Field: ve.Field, Cause: ve}
	}
	return err
}

// fromPolicy converts a *pool.PasswordPolicyError into an
// InvalidPasswordException.
func fromPolicy(field string, err error) error {
	var pe *pool.PasswordPolicyError
	if errors.As(err, &pe) {
		return &Error{Type: InvalidPasswordException, Message: pe.Reason, Field: field, Cause: pe}
	}
	return err
}

// ExceptionType is the Cognito exception name, the result an audit
// record gives a refused action.
func (e *Error) ExceptionType() string { return e.Type }
