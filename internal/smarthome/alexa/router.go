package alexa

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"

	"go.opentelemetry.io/otel/attribute"

	"github.com/linkpool/linkpool/internal/tracing"
)

// HandlerFunc handles one directive. It returns the reply, or an error:
// an *Error becomes that ErrorResponse, any other error INTERNAL_ERROR.
type HandlerFunc func(ctx context.Context, d *Directive) (Message, error)

type route struct{ namespace, name string }

// Router dispatches directives by (namespace, name). Register handlers
// before the first Serve; Serve is safe for concurrent use.
type Router struct {
	handlers map[route]HandlerFunc
	log      *slog.Logger
}

// NewRouter returns an empty router that logs to log (nil: slog.Default()).
func NewRouter(log *slog.Logger) *Router {
	if log == nil {
		log = slog.Default()
	}
	return &Router{handlers: map[route]HandlerFunc{}, log: log}
}

// Handle registers h for the directive namespace/name.
func (r *Router) Handle(namespace, name string, h HandlerFunc) {
	r.handlers[route{namespace, name}] = h
}

// Serve handles the directive document raw and returns the reply as JSON.
// It always returns a schema-valid Alexa event: malformed input, unknown
// directives, handler errors and handler panics all become an
// ErrorResponse. Every reply carries a fresh messageId and echoes the
// directive's correlationToken.
func (r *Router) Serve(ctx context.Context, raw []byte) []byte {
	d, msg := r.dispatch(ctx, raw)
	if msg.Event.Header.MessageID == "" {
		msg.Event.Header.MessageID = NewMessageID()
	}
	msg.Event.Header.PayloadVersion = PayloadVersion
	if d != nil && d.Header.CorrelationToken != "" {
		msg.Event.Header.CorrelationToken = d.Header.CorrelationToken
	}
	out, err := json.Marshal(msg)
	if err != nil {
		r.log.ErrorContext(ctx, "alexa: encoding the reply failed", "directive", nameOf(d), "error", err.Error())
		out, _ = json.Marshal(NewError(ErrInternal, "could not encode the reply").Reply(d))
	}
	return out
}

func nameOf(d *Directive) string {
	if d == nil {
		return ""
	}
	return d.Name()
}

// dispatch parses raw, validates the envelope and runs the handler.
func (r *Router) dispatch(ctx context.Context, raw []byte) (*Directive, Message) {
	var env DirectiveEnvelope
	if err := json.Unmarshal(raw, &env); err != nil {
		return nil, NewError(ErrInvalidDirective, "the request is not a JSON directive").Reply(nil)
	}
	d := env.Directive
	if d == nil {
		return nil, NewError(ErrInvalidDirective, "the request has no directive").Reply(nil)
	}
	if msg := validate(d); msg != "" {
		return d, NewError(ErrInvalidDirective, msg).Reply(d)
	}
	h, ok := r.handlers[route{d.Header.Namespace, d.Header.Name}]
	if !ok {
		return d, NewError(ErrInvalidDirective, "unsupported directive "+quote(d.Name())).Reply(d)
	}
	ctx, span := tracing.Start(ctx, "alexa.directive",
		attribute.String("alexa.namespace", d.Header.Namespace), attribute.String("alexa.name", d.Header.Name))
	defer span.End()
	msg, err := r.call(ctx, h, d)
	if err != nil {
		tracing.Fail(span, err)
		var ae *Error
		if errors.As(err, &ae) {
			tracing.SetAttr(ctx, tracing.Outcome, string(ae.Type))
			return d, ae.Reply(d)
		}
		r.log.ErrorContext(ctx, "alexa: directive failed", "directive", d.Name(),
			"messageId", d.Header.MessageID, "error", redact(err.Error(), d))
		return d, NewError(ErrInternal, "the skill could not handle the directive").Reply(d)
	}
	return d, msg
}

// call runs h, turning a panic into an error (logged without the token).
func (r *Router) call(ctx context.Context, h HandlerFunc, d *Directive) (msg Message, err error) {
	defer func() {
		if p := recover(); p != nil {
			r.log.ErrorContext(ctx, "alexa: handler panicked", "directive", d.Name(),
				"messageId", d.Header.MessageID, "panic", redact(fmt.Sprint(p), d),
				"stack", string(debug.Stack()))
			msg, err = Message{}, errors.New("handler panicked")
		}
	}()
	return h(ctx, d)
}

// validate checks the header and the endpoint (docs "Alexa.Response":
// payloadVersion "3"; controller directives name an endpoint).
func validate(d *Directive) string {
	h := d.Header
	switch {
	case h.Namespace == "" || h.Name == "":
		return "the directive header has no namespace or name"
	case h.PayloadVersion != PayloadVersion:
		return "unsupported payloadVersion " + quote(h.PayloadVersion)
	case h.MessageID == "":
		return "the directive header has no messageId"
	}
	if d.NeedsEndpoint() {
		if d.Endpoint == nil || d.Endpoint.EndpointID == "" {
			return d.Name() + " needs an endpoint"
		}
		if !ValidEndpointID(d.Endpoint.EndpointID) {
			return "malformed endpointId"
		}
	}
	return ""
}

// redact removes the directive's token from s.
func redact(s string, d *Directive) string {
	if tok, err := d.Token(); err == nil && len(tok) >= 8 {
		s = strings.ReplaceAll(s, tok, "[token]")
	}
	return s
}

func quote(s string) string {
	if len(s) > 64 {
		s = s[:64] + "..."
	}
	return fmt.Sprintf("%q", s)
}
