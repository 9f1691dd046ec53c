package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/trace"

	"github.com/linkpool/linkpool/internal/web"
)

// requestContext returns the context Edge gives a request whose trusted
// proxy sent id as X-Request-Id.
func requestContext(t testing.TB, id string) context.Context {
	t.Helper()
	proxies, err := web.ParseProxies("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	var ctx context.Context
	h := web.Edge(slog.New(slog.DiscardHandler), proxies, nil, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx = r.Context()
	}))
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.RemoteAddr = "127.0.0.1:1"
	r.Header.Set("X-Request-Id", id)
	h.ServeHTTP(httptest.NewRecorder(), r)
	if got := web.RequestID(ctx); got != id {
		t.Fatalf("request id in context %q, want %q", got, id)
	}
	return ctx
}

// lines decodes the JSON log lines in b.
func lines(t *testing.T, b *bytes.Buffer) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(b.String()), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line %q: %v", l, err)
		}
		out = append(out, m)
	}
	b.Reset()
	return out
}

func one(t *testing.T, b *bytes.Buffer) map[string]any {
	t.Helper()
	ls := lines(t, b)
	if len(ls) != 1 {
		t.Fatalf("%d log lines, want 1: %v", len(ls), ls)
	}
	return ls[0]
}

func TestContextHandler(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(web.ContextHandler(slog.NewJSONHandler(&buf, nil)))
	ctx := requestContext(t, "req-id-0001")

	log.InfoContext(ctx, "with id", "pool", "p1")
	m := one(t, &buf)
	if m["request_id"] != "req-id-0001" || m["pool"] != "p1" || m["msg"] != "with id" {
		t.Fatalf("line %v", m)
	}
	if _, ok := m["trace_id"]; ok {
		t.Fatalf("trace_id without a span: %v", m)
	}

	log.InfoContext(context.Background(), "without id", "pool", "p1")
	m = one(t, &buf)
	if _, ok := m["request_id"]; ok || m["pool"] != "p1" {
		t.Fatalf("line without a request: %v", m)
	}
	log.Info("no context")
	if m = one(t, &buf); m["request_id"] != nil {
		t.Fatalf("line without a context: %v", m)
	}

	// WithAttrs and WithGroup keep the ids, at the top level.
	g := log.With("client_id", "c1").WithGroup("grp").With("inner", 1)
	g.WarnContext(ctx, "grouped", "k", "v")
	m = one(t, &buf)
	grp, _ := m["grp"].(map[string]any)
	if m["request_id"] != "req-id-0001" || m["client_id"] != "c1" || grp == nil || grp["inner"] != float64(1) || grp["k"] != "v" {
		t.Fatalf("grouped line %v", m)
	}
	if _, ok := grp["request_id"]; ok {
		t.Fatalf("request_id inside the group: %v", m)
	}
	g.WarnContext(context.Background(), "grouped without id")
	m = one(t, &buf)
	if grp, _ := m["grp"].(map[string]any); m["request_id"] != nil || m["client_id"] != "c1" || grp == nil || grp["inner"] != float64(1) {
		t.Fatalf("grouped line without a request: %v", m)
	}

	// A span in the context adds its trace id.
	tid, _ := trace.TraceIDFromHex("0af7651916cd43dd8448eb211c80319c")
	sid, _ := trace.SpanIDFromHex("b7ad6b7169203331")
	sctx := trace.ContextWithSpanContext(ctx, trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: sid}))
	log.ErrorContext(sctx, "traced")
	m = one(t, &buf)
	if m["trace_id"] != "0af7651916cd43dd8448eb211c80319c" || m["request_id"] != "req-id-0001" {
		t.Fatalf("traced line %v", m)
	}

	// Level filtering is the wrapped handler's; wrapping twice adds once.
	twice := slog.New(web.ContextHandler(web.ContextHandler(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelWarn}))))
	twice.InfoContext(ctx, "filtered")
	if buf.Len() != 0 {
		t.Fatalf("info line passed a warn handler: %s", buf.String())
	}
	twice.WarnContext(ctx, "once")
	if s := buf.String(); strings.Count(s, `"request_id"`) != 1 {
		t.Fatalf("request_id not exactly once: %s", s)
	}
	buf.Reset()
}

// The access line Edge writes carries the request id once, also when its
// logger already adds it.
func TestEdgeAccessLineRequestIDOnce(t *testing.T) {
	var buf bytes.Buffer
	proxies, _ := web.ParseProxies("127.0.0.1")
	for _, h := range []slog.Handler{slog.NewJSONHandler(&buf, nil), web.ContextHandler(slog.NewJSONHandler(&buf, nil))} {
		e := web.Edge(slog.New(h), proxies, nil, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.RemoteAddr = "127.0.0.1:1"
		r.Header.Set("X-Request-Id", "access-0001")
		e.ServeHTTP(httptest.NewRecorder(), r)
		s := buf.String()
		if strings.Count(s, `"request_id":"access-0001"`) != 1 || strings.Count(s, `"request_id"`) != 1 {
			t.Fatalf("access line %s", s)
		}
		buf.Reset()
	}
}

// BenchmarkContextHandler is a request's log line through the handler
// app.New installs.
func BenchmarkContextHandler(b *testing.B) {
	log := slog.New(web.ContextHandler(slog.NewJSONHandler(io.Discard, nil))).With("component", "oauth")
	ctx := requestContext(b, "req-id-0001")
	b.ReportAllocs()
	for b.Loop() {
		log.InfoContext(ctx, "token issued", "pool", "us-east-1_AbC123xyz", "client_id", "c1", "grant", "g1")
	}
}
