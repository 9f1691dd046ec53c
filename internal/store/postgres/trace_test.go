package postgres_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/linkpool/linkpool/internal/store"
	"github.com/linkpool/linkpool/internal/tracing"
)

// TestStatementSpans: with tracing on, each statement is a
// "postgres.query" span under the caller's span, with its operation and
// table and none of its arguments.
func TestStatementSpans(t *testing.T) {
	db := openDB(t)
	rec := tracetest.NewSpanRecorder()
	defer tracing.Use(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec)))()
	ctx, parent := tracing.Start(context.Background(), "caller")
	const arg = "secret-argument.example.com"
	if _, err := db.GetDomain(ctx, arg); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("GetDomain: %v", err)
	}
	parent.End()
	var found bool
	for _, s := range rec.Ended() {
		for _, kv := range s.Attributes() {
			if strings.Contains(kv.Value.String(), arg) {
				t.Fatalf("span %s holds the argument: %v", s.Name(), kv)
			}
		}
		if s.Name() != "postgres.query" || s.Parent().SpanID() != parent.SpanContext().SpanID() {
			continue
		}
		got := map[string]string{}
		for _, kv := range s.Attributes() {
			got[string(kv.Key)] = kv.Value.String()
		}
		if got["db.system.name"] == "postgresql" {
			found = got["db.operation.name"] == "SELECT" && got["db.collection.name"] == "domains"
		}
	}
	if !found {
		var names []string
		for _, s := range rec.Ended() {
			names = append(names, s.Name())
		}
		t.Fatalf("no postgres.query SELECT on domains under the caller; spans %v", names)
	}
}

// TestStatementSpansOff: with tracing off a statement leaves the
// caller's context alone (no span is ended by mistake).
func TestStatementSpansOff(t *testing.T) {
	db := openDB(t)
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	ctx, parent := tp.Tracer("test").Start(context.Background(), "caller")
	if _, err := db.GetDomain(ctx, "off.example.com"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("GetDomain: %v", err)
	}
	if len(rec.Ended()) != 0 {
		t.Fatalf("the store ended %d spans with tracing off", len(rec.Ended()))
	}
	parent.End()
}
