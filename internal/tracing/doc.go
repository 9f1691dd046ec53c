// Package tracing is linkpool's OpenTelemetry tracing: Setup turns it on
// with an OTLP/HTTP exporter when an endpoint is configured (the
// --otel-endpoint flag or the standard OTEL_EXPORTER_OTLP_ENDPOINT and
// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT variables) and leaves it off
// otherwise; Start opens the child spans of store calls, password hashing,
// signing, mail and trigger calls; Server opens the span of an incoming
// request, continuing a W3C traceparent; Inject carries the trace to an
// outgoing request.
//
// While tracing is off, Start returns its context unchanged and a no-op
// span without allocating, so the hot paths cost nothing. Span names and
// attributes hold only bounded, non-secret values (routes, operations,
// pool and client ids, error names): never tokens, codes, passwords,
// email addresses, user attributes or SQL arguments; errors are recorded
// by their name (ErrorName), not their message.
package tracing
