package tracing_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	coltrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/linkpool/linkpool/internal/tracing"
)

// named is an error with a trace name.
type named struct{ msg string }

func (e *named) Error() string     { return e.msg }
func (e *named) ErrorName() string { return "invalid_grant" }

type plain struct{}

func (plain) Error() string { return "secret input in the message" }

func TestErrorName(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{fmt.Errorf("token: %w", &named{"code abc123 was used"}), "invalid_grant"},
		{fmt.Errorf("store: %w", context.DeadlineExceeded), "context.DeadlineExceeded"},
		{context.Canceled, "context.Canceled"},
		{fmt.Errorf("a: %w", fmt.Errorf("b: %w", plain{})), "tracing_test.plain"},
		{errors.New("user bob@example.com not found"), "*errors.errorString"},
	} {
		if got := tracing.ErrorName(tc.err); got != tc.want {
			t.Errorf("ErrorName(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
}

// TestOffAllocatesNothing: with tracing off, opening and ending spans,
// setting attributes and carrying the trace cost no allocation, so the
// instrumented hot paths allocate as much as before.
func TestOffAllocatesNothing(t *testing.T) {
	if tracing.On() {
		t.Fatal("tracing is on by default")
	}
	ctx := context.Background()
	r := httptest.NewRequest(http.MethodPost, "/oauth2/token", nil)
	r.Header.Set("Traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
	h := http.Header{}
	op := strings.ToUpper("select")
	n := testing.AllocsPerRun(100, func() {
		c, span := tracing.Start(ctx, "sqlite.query", attribute.String("db.operation.name", op), attribute.Int("n", 1))
		tracing.SetAttr(c, tracing.PoolID, "eu-west-1_abc")
		tracing.End(span, nil)
		c, span = tracing.StartKind(ctx, trace.SpanKindClient, "trigger.invoke", attribute.String("k", op))
		tracing.Fail(span, context.Canceled)
		span.End()
		c, span = tracing.Server(c, r, "id")
		tracing.Routed(c, r.Method, "/oauth2/token")
		tracing.Inject(c, h)
		_ = tracing.Extract(c, r.Header)
		tracing.Finish(span, 200)
	})
	if n != 0 {
		t.Fatalf("%v allocations with tracing off, want 0", n)
	}
	if len(h) != 0 {
		t.Fatalf("headers injected with tracing off: %v", h)
	}
}

func BenchmarkStartOff(b *testing.B) {
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		_, span := tracing.Start(ctx, "sqlite.query", attribute.String("db.operation.name", "SELECT"))
		tracing.End(span, nil)
	}
}

func BenchmarkStartOn(b *testing.B) {
	restore := tracing.Use(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(tracetest.NewSpanRecorder())))
	defer restore()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		_, span := tracing.Start(ctx, "sqlite.query", attribute.String("db.operation.name", "SELECT"))
		tracing.End(span, nil)
	}
}

// TestServerContinuesTraceparent: the request span continues a valid
// incoming traceparent and Inject carries the trace onwards.
func TestServerContinuesTraceparent(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	defer tracing.Use(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec)))()
	r := httptest.NewRequest(http.MethodPost, "/x/oauth2/token?code=secret", nil)
	r.Header.Set("Traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
	ctx, span := tracing.Server(context.Background(), r, "req-1")
	tracing.Routed(ctx, r.Method, "/oauth2/token")
	ctx, child := tracing.Start(ctx, "token.sign")
	tracing.End(child, &named{"bad"})
	h := http.Header{}
	tracing.Inject(ctx, h)
	tracing.Finish(span, 503)

	ended := rec.Ended()
	if len(ended) != 2 {
		t.Fatalf("%d spans", len(ended))
	}
	c, s := ended[0], ended[1]
	if s.Name() != "POST /oauth2/token" || s.SpanContext().TraceID().String() != "0af7651916cd43dd8448eb211c80319c" ||
		s.Parent().SpanID().String() != "b7ad6b7169203331" || s.SpanKind() != trace.SpanKindServer || s.Status().Description != "503" {
		t.Fatalf("request span %s trace %s parent %s kind %v status %v", s.Name(), s.SpanContext().TraceID(), s.Parent().SpanID(), s.SpanKind(), s.Status())
	}
	for _, kv := range s.Attributes() {
		if strings.Contains(kv.Value.String(), "secret") {
			t.Fatalf("request span holds the query: %v", kv)
		}
	}
	if c.Parent().SpanID() != s.SpanContext().SpanID() || c.Status().Description != "invalid_grant" {
		t.Fatalf("child span parent %s status %v", c.Parent().SpanID(), c.Status())
	}
	if tp := h.Get("Traceparent"); !strings.HasPrefix(tp, "00-0af7651916cd43dd8448eb211c80319c-"+c.SpanContext().SpanID().String()) {
		t.Fatalf("injected traceparent %q", tp)
	}
}

// TestSetupExportsOverOTLP: with an endpoint, spans reach a real OTLP/HTTP
// receiver at <endpoint>/v1/traces, with the service's name and version,
// when the shutdown function flushes them; after it tracing is off again.
func TestSetupExportsOverOTLP(t *testing.T) {
	var (
		mu   sync.Mutex
		got  []*coltrace.ExportTraceServiceRequest
		path string
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var req coltrace.ExportTraceServiceRequest
		if err := proto.Unmarshal(body, &req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		mu.Lock()
		got, path = append(got, &req), r.URL.Path
		mu.Unlock()
		w.Header().Set("Content-Type", "application/x-protobuf")
		b, _ := proto.Marshal(&coltrace.ExportTraceServiceResponse{})
		_, _ = w.Write(b)
	}))
	defer srv.Close()
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "")
	t.Setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "")
	t.Setenv("OTEL_SERVICE_NAME", "")
	t.Setenv("OTEL_RESOURCE_ATTRIBUTES", "")
	shutdown, err := tracing.Setup(context.Background(), tracing.Config{Endpoint: srv.URL, ServiceName: "linkpool", Version: "v9.8.7"})
	if err != nil {
		t.Fatal(err)
	}
	if !tracing.On() {
		t.Fatal("tracing is off with an endpoint")
	}
	_, span := tracing.Start(context.Background(), "password.hash")
	span.End()
	if err := shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if tracing.On() {
		t.Fatal("tracing is on after shutdown")
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) == 0 || path != "/v1/traces" {
		t.Fatalf("%d exports at %q", len(got), path)
	}
	rs := got[0].ResourceSpans[0]
	res := map[string]string{}
	for _, kv := range rs.Resource.Attributes {
		res[kv.Key] = kv.Value.GetStringValue()
	}
	if res["service.name"] != "linkpool" || res["service.version"] != "v9.8.7" {
		t.Fatalf("resource %v", res)
	}
	if name := rs.ScopeSpans[0].Spans[0].Name; name != "password.hash" {
		t.Fatalf("exported span %q", name)
	}
}

// TestSetupRefusesBadEndpoints: a malformed endpoint is a clear error
// that shows no credentials, and tracing stays off.
func TestSetupRefusesBadEndpoints(t *testing.T) {
	for _, e := range []string{"collector:4318", "ftp://collector", "http://user:hunter2@collector:4318", "http://collector:4318/?k=v", "http://"} {
		_, err := tracing.Setup(context.Background(), tracing.Config{Endpoint: e, ServiceName: "linkpool"})
		if err == nil {
			t.Errorf("endpoint %q accepted", e)
			continue
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("error shows the password: %v", err)
		}
		if tracing.On() {
			t.Fatalf("tracing on after refusing %q", e)
		}
	}
}

// TestSetupOffWithoutEndpoint: no flag and no variable leave tracing off;
// OTEL_SDK_DISABLED wins over an endpoint.
func TestSetupOffWithoutEndpoint(t *testing.T) {
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "")
	t.Setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "")
	if tracing.Enabled("") {
		t.Fatal("enabled without an endpoint")
	}
	t.Setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://127.0.0.1:4318/v1/traces")
	if !tracing.Enabled("") {
		t.Fatal("not enabled by OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
	}
	t.Setenv("OTEL_SDK_DISABLED", "true")
	if tracing.Enabled("http://127.0.0.1:4318") {
		t.Fatal("enabled with OTEL_SDK_DISABLED=true")
	}
	shutdown, err := tracing.Setup(context.Background(), tracing.Config{Endpoint: "http://127.0.0.1:4318"})
	if err != nil || tracing.On() {
		t.Fatalf("Setup with OTEL_SDK_DISABLED: on %v, %v", tracing.On(), err)
	}
	_ = shutdown(context.Background())
}
