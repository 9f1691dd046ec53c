package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"
	"go.opentelemetry.io/otel/trace"

	"github.com/linkpool/linkpool/internal/store"
	"github.com/linkpool/linkpool/internal/tracing"
)

// queryTracer makes each statement a span when tracing is on
// (store.TraceQuery: "postgres.query" with its operation and table, never
// its arguments). pgx calls it on every connection of the pool.
type queryTracer struct{}

var _ pgx.QueryTracer = queryTracer{}

// spanKey holds, in the context between the start and the end of a
// statement, the span the tracer opened: none while tracing is off.
type spanKey struct{}

func (queryTracer) TraceQueryStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	if !tracing.On() {
		return ctx
	}
	ctx, span := store.TraceQuery(ctx, "postgres", data.SQL)
	return context.WithValue(ctx, spanKey{}, span)
}

func (queryTracer) TraceQueryEnd(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryEndData) {
	if span, ok := ctx.Value(spanKey{}).(trace.Span); ok {
		tracing.End(span, data.Err)
	}
}
