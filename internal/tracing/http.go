package tracing

import (
	"context"
	"net/http"
	"strconv"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// Attribute keys of linkpool's own span attributes.
const (
	// PoolID is the id of the pool a request addresses.
	PoolID = "linkpool.pool_id"
	// ClientID is the id of the app client a request is made by.
	ClientID = "linkpool.client_id"
	// Outcome is the name of the error a request was answered with: an
	// OAuth error code, an AWS exception name, a directive's error type.
	Outcome = "linkpool.outcome"
	// RequestID is the request id also sent as X-Request-Id and logged.
	RequestID = "linkpool.request_id"
	// Route is the route of a request (semantic convention http.route).
	Route = "http.route"
)

// Server opens the span of an incoming request r, continuing the trace of
// its traceparent header. Its name is the method until Routed names the
// route; no part of the URL but its route is recorded (a path or query
// may hold codes and tokens). requestID, when not empty, is recorded too.
// While tracing is off it returns ctx and a no-op span.
func Server(ctx context.Context, r *http.Request, requestID string) (context.Context, trace.Span) {
	b := tracer.Load()
	if b == nil {
		return ctx, off
	}
	if r.Header.Get("Traceparent") != "" {
		ctx = propagator.Extract(ctx, propagation.HeaderCarrier(r.Header))
	}
	attrs := []attribute.KeyValue{attribute.String("http.request.method", r.Method)}
	if requestID != "" {
		attrs = append(attrs, attribute.String(RequestID, requestID))
	}
	return b.t.Start(ctx, r.Method, trace.WithSpanKind(trace.SpanKindServer), trace.WithAttributes(attrs...))
}

// Routed names the request span of ctx after its method and route, a
// bounded pattern such as "/oauth2/token", never a raw path.
func Routed(ctx context.Context, method, route string) {
	if s := trace.SpanFromContext(ctx); s.IsRecording() {
		s.SetName(method + " " + route)
		s.SetAttributes(attribute.String(Route, route))
	}
}

// Finish ends a request span with its response status: 5xx marks it
// failed.
func Finish(span trace.Span, status int) {
	if !span.IsRecording() {
		span.End()
		return
	}
	span.SetAttributes(attribute.Int("http.response.status_code", status))
	if status >= 500 {
		span.SetStatus(codes.Error, strconv.Itoa(status))
	}
	span.End()
}
