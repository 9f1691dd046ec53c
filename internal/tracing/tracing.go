package tracing

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"sync/atomic"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

// scope is the instrumentation scope of linkpool's spans.
const scope = "github.com/linkpool/linkpool"

// tracer is the tracer of the provider in use; nil while tracing is off.
var tracer atomic.Pointer[tracerBox]

type tracerBox struct{ t trace.Tracer }

// propagator reads and writes W3C traceparent and tracestate headers.
var propagator = propagation.TraceContext{}

// off is the span Start returns while tracing is off.
var off trace.Span = noop.Span{}

// Use makes tp the provider of linkpool's spans, turning tracing on, and
// returns the function that turns it off again. Tests use it with an
// in-memory recorder; Setup uses it with the OTLP exporter. A nil tp
// turns tracing off.
func Use(tp trace.TracerProvider) (restore func()) {
	prev := tracer.Load()
	if tp == nil {
		tracer.Store(nil)
	} else {
		tracer.Store(&tracerBox{t: tp.Tracer(scope)})
	}
	return func() { tracer.Store(prev) }
}

// On reports whether tracing is on.
func On() bool { return tracer.Load() != nil }

// Start opens an internal span named name, a child of the span in ctx,
// with attrs. While tracing is off it returns ctx and a no-op span, and
// allocates nothing. attrs must hold no secret or personal value.
func Start(ctx context.Context, name string, attrs ...attribute.KeyValue) (context.Context, trace.Span) {
	b := tracer.Load()
	if b == nil {
		return ctx, off
	}
	return b.t.Start(ctx, name, trace.WithAttributes(clone(attrs)...))
}

// StartKind is Start for a span of another kind than internal: a client
// span of an outgoing call, a server span of a handled request.
func StartKind(ctx context.Context, kind trace.SpanKind, name string, attrs ...attribute.KeyValue) (context.Context, trace.Span) {
	b := tracer.Load()
	if b == nil {
		return ctx, off
	}
	return b.t.Start(ctx, name, trace.WithSpanKind(kind), trace.WithAttributes(clone(attrs)...))
}

// clone copies attrs so that the caller's variadic slice does not escape
// and stays on its stack while tracing is off.
func clone(attrs []attribute.KeyValue) []attribute.KeyValue {
	if len(attrs) == 0 {
		return nil
	}
	c := make([]attribute.KeyValue, len(attrs))
	copy(c, attrs)
	return c
}

// End ends span, marking it failed with the name of err (ErrorName) when
// err is not nil. It is meant for `defer func() { tracing.End(span, err) }()`
// or a direct call at the end of a traced call.
func End(span trace.Span, err error) {
	if err != nil {
		Fail(span, err)
	}
	span.End()
}

// Fail marks span failed with the name of err: its status description and
// its error.type attribute are ErrorName(err), never err's message, which
// may hold input.
func Fail(span trace.Span, err error) {
	if err == nil || !span.IsRecording() {
		return
	}
	name := ErrorName(err)
	span.SetStatus(codes.Error, name)
	span.SetAttributes(attribute.String("error.type", name))
}

// Named is an error whose name is recorded in traces in place of its
// type, such as an OAuth error code or an AWS exception name.
type Named interface{ ErrorName() string }

// ErrorName is how err is named in traces: the ErrorName of the first
// error in its chain that has one, "context.Canceled" or
// "context.DeadlineExceeded", or else the Go type of the first error of
// its chain that is not a fmt.Errorf wrapper.
func ErrorName(err error) string {
	var n Named
	if errors.As(err, &n) {
		return n.ErrorName()
	}
	switch {
	case errors.Is(err, context.Canceled):
		return "context.Canceled"
	case errors.Is(err, context.DeadlineExceeded):
		return "context.DeadlineExceeded"
	}
	for {
		next := errors.Unwrap(err)
		if next == nil {
			break
		}
		if t := reflect.TypeOf(err).String(); t != "*fmt.wrapError" && t != "*fmt.wrapErrors" {
			return t
		}
		err = next
	}
	return fmt.Sprintf("%T", err)
}

// SetAttr sets one string attribute on the span of ctx when it is
// recording; it allocates nothing otherwise. value must be no secret or
// personal value.
func SetAttr(ctx context.Context, key, value string) {
	if s := trace.SpanFromContext(ctx); s.IsRecording() {
		s.SetAttributes(attribute.String(key, value))
	}
}

// Inject writes the trace of ctx into the headers of an outgoing request
// (traceparent, tracestate). It writes nothing while tracing is off or
// ctx has no span.
func Inject(ctx context.Context, h http.Header) {
	if tracer.Load() == nil {
		return
	}
	propagator.Inject(ctx, propagation.HeaderCarrier(h))
}

// Extract returns ctx with the remote span context of an incoming
// traceparent header, when there is a valid one and tracing is on.
func Extract(ctx context.Context, h http.Header) context.Context {
	if tracer.Load() == nil || h.Get("Traceparent") == "" {
		return ctx
	}
	return propagator.Extract(ctx, propagation.HeaderCarrier(h))
}
