package account

import (
	"context"
	"errors"
	"fmt"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/trigger"
)

// Caller is what the adapter knows about the request behind an account
// operation and passes on to the pool's triggers: the app client, the
// AWS SDK that called (callerContext), and the ClientMetadata and
// ValidationData of the request.
type Caller struct {
	ClientID       string
	SDKVersion     string
	ClientMetadata map[string]string
	ValidationData map[string]string
}

type callerKey struct{}

// WithCaller returns ctx carrying c for the triggers the operations run
// with ctx invoke.
func WithCaller(ctx context.Context, c Caller) context.Context {
	return context.WithValue(ctx, callerKey{}, c)
}

// CallerFrom returns the Caller WithCaller put in ctx (the zero Caller
// when none), for the triggers other layers invoke.
func CallerFrom(ctx context.Context) Caller {
	c, _ := ctx.Value(callerKey{}).(Caller)
	return c
}

// invoke runs trigger trig of pool p with the event's source, userName,
// request and response members, and decodes the answer's response into
// out. It returns nil without invoking anything when the service has no
// invoker or the pool no target for trig. A failed invocation is an
// *Error with Cognito's exception (UserLambdaValidationException,
// UnexpectedLambdaException, InvalidLambdaResponseException) and message,
// its Cause the *trigger.Error. The invoker logs the source and outcome;
// nothing here logs the event.
func (s *Service) invoke(ctx context.Context, p pool.Pool, trig, source, userName string, req, resp, out any) (bool, error) {
	if s.triggers == nil || p.LambdaConfig.Target(trig) == "" {
		return false, nil
	}
	c := CallerFrom(ctx)
	err := s.triggers.Invoke(ctx, &p, trigger.Call{
		Trigger: trig, Source: source, UserName: userName,
		ClientID: c.ClientID, SDKVersion: c.SDKVersion,
		Request: req, Response: resp,
	}, out)
	var te *trigger.Error
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, trigger.ErrNotConfigured):
		return false, nil
	case errors.As(err, &te):
		return true, &Error{Type: te.Code, Message: te.Message, Cause: te}
	}
	return true, fmt.Errorf("account: %s trigger: %w", trig, err)
}

// Trigger failures, as Cognito names them; see trigger.Error.
const (
	UserLambdaValidationException  = trigger.UserLambdaValidationException
	UnexpectedLambdaException      = trigger.UnexpectedLambdaException
	InvalidLambdaResponseException = trigger.InvalidLambdaResponseException
)

// IsTriggerFailure reports whether err is a trigger's failure.
func IsTriggerFailure(err error) bool {
	var te *trigger.Error
	return errors.As(err, &te)
}
