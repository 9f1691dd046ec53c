package sqlite_test

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

// TestReadSpans: with tracing on, the reads of a signed API request's
// access key and of the certificate cache are "sqlite.query" spans under
// the caller's span, with their table and none of their arguments.
func TestReadSpans(t *testing.T) {
	db := openDB(t)
	rec := tracetest.NewSpanRecorder()
	defer tracing.Use(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec)))()
	const arg = "secret-argument-AKIA0000"
	for table, read := range map[string]func(context.Context) error{
		"access_keys": func(ctx context.Context) error { _, err := db.GetAccessKey(ctx, arg); return err },
		"acme_cache":  func(ctx context.Context) error { _, err := db.GetACMECache(ctx, arg); return err },
	} {
		ctx, parent := tracing.Start(context.Background(), "caller")
		if err := read(ctx); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("%s: %v", table, err)
		}
		parent.End()
		var found bool
		for _, s := range rec.Ended() {
			got := map[string]string{}
			for _, kv := range s.Attributes() {
				if strings.Contains(kv.Value.String(), arg) {
					t.Fatalf("span %s holds the argument: %v", s.Name(), kv)
				}
				got[string(kv.Key)] = kv.Value.String()
			}
			if s.Parent().SpanID() == parent.SpanContext().SpanID() && got["db.collection.name"] == table && got["db.operation.name"] == "SELECT" {
				found = true
			}
		}
		if !found {
			t.Errorf("no SELECT span on %s under the caller", table)
		}
	}
}
