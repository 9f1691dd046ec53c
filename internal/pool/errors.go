package pool

import "fmt"

// ValidationError reports a rejected setting. Field names the offending
// setting in Cognito's spelling, for example "CallbackURLs[1]".
type ValidationError struct {
	Field   string
	Message string
}

func (e *ValidationError) Error() string {
	return fmt.Sprintf("invalid %s: %s", e.Field, e.Message)
}

func invalid(field, format string, args ...any) *ValidationError {
	return &ValidationError{Field: field, Message: fmt.Sprintf(format, args...)}
}
