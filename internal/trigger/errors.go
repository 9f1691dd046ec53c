package trigger

import (
	"errors"
	"strings"
	"unicode"
)

// Cognito's exceptions for trigger failures.
const (
	// UserLambdaValidationException: the function reported an error.
	UserLambdaValidationException = "UserLambdaValidationException"
	// UnexpectedLambdaException: the function could not be invoked, timed
	// out or was over the worker budget.
	UnexpectedLambdaException = "UnexpectedLambdaException"
	// InvalidLambdaResponseException: the answer was not an event.
	InvalidLambdaResponseException = "InvalidLambdaResponseException"
)

// Outcomes of an invocation, the "outcome" label of the error counter
// and the logs.
const (
	OutcomeOK            = "ok"
	OutcomeFunctionError = "function_error" // the function or webhook reported an error
	OutcomeTimeout       = "timeout"        // no answer within the limit
	OutcomeCanceled      = "canceled"       // the caller gave up first
	OutcomeTransport     = "transport"      // unreachable, refused, a Lambda API error, an unexpected status
	OutcomeMalformed     = "malformed"      // the answer was not an event
	OutcomeBudget        = "budget"         // every worker slot was taken
	OutcomeConfig        = "config"         // no signing secret, or it does not open
)

// ErrNotConfigured is returned by Invoke for a trigger the pool has no
// target for.
var ErrNotConfigured = errors.New("trigger: not configured")

// Error is a failed invocation, with the Cognito exception and message a
// caller returns to its client. Err, the cause, is for logs only.
type Error struct {
	Code    string // UserLambdaValidationException, UnexpectedLambdaException, InvalidLambdaResponseException
	Trigger string // pool.Trigger* name
	Outcome string // Outcome*
	Message string // Cognito's message
	Err     error
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

func (e *Error) Unwrap() error { return e.Err }

// ErrorName is the exception name, how the error is named in traces.
func (e *Error) ErrorName() string { return e.Code }

// maxMessage bounds the function's error message passed on to clients.
const maxMessage = 1024

// functionError is the function's own error: Cognito's
// "<Trigger> failed with error <message>."
func functionError(trigger, message string) *Error {
	return &Error{Code: UserLambdaValidationException, Trigger: trigger, Outcome: OutcomeFunctionError,
		Message: trigger + " failed with error " + cleanMessage(message) + "."}
}

// unexpected is Cognito's "<Trigger> invocation failed due to error
// <reason>."
func unexpected(trigger, outcome, reason string, cause error) *Error {
	return &Error{Code: UnexpectedLambdaException, Trigger: trigger, Outcome: outcome,
		Message: trigger + " invocation failed due to error " + reason + ".", Err: cause}
}

func malformed(trigger string, cause error) *Error {
	return &Error{Code: InvalidLambdaResponseException, Trigger: trigger, Outcome: OutcomeMalformed,
		Message: "Unrecognizable lambda output", Err: cause}
}

// Reasons of UnexpectedLambdaException messages.
const (
	reasonTimeout = "Socket timeout while invoking Lambda function"
	reasonBudget  = "TooManyRequestsException"
	reasonConfig  = "AccessDeniedException"
)

// cleanMessage keeps a function's message to one bounded line of
// printable characters.
func cleanMessage(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, strings.TrimSpace(s))
	if len(s) > maxMessage {
		cut := maxMessage
		for cut > 0 && !utf8Start(s[cut]) {
			cut--
		}
		s = s[:cut]
	}
	return s
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }
