package alexasim_test

import (
	"context"
	"strings"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/linkpool/linkpool/internal/alexasim"
	"github.com/linkpool/linkpool/internal/tracing"
)

// TestLinkIsOneTrace: with tracing on, an account link is one trace from
// the simulator through the pool (sign-in, token exchange) to the skill
// (AcceptGrant, discovery): the pool's and the skill's request spans
// continue the traceparent of the simulator's calls.
func TestLinkIsOneTrace(t *testing.T) {
	l := newLab(t, labOptions{regions: []alexasim.Region{alexasim.RegionNA}})
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	defer tracing.Use(tp)()
	lk := l.link(t, l.console(alexasim.RegionNA, alexasim.SchemeHTTPBasic, true), l.httpSkill())
	if _, err := lk.Discover(context.Background()); err != nil {
		t.Fatal(err)
	}

	var root sdktrace.ReadOnlySpan
	for _, s := range rec.Ended() {
		if s.Name() == "alexasim.link_account" {
			root = s
		}
	}
	if root == nil {
		t.Fatal("no link span")
	}
	byID := map[string]sdktrace.ReadOnlySpan{}
	var trace []sdktrace.ReadOnlySpan
	for _, s := range rec.Ended() {
		if s.SpanContext().TraceID() == root.SpanContext().TraceID() {
			trace = append(trace, s)
			byID[s.SpanContext().SpanID().String()] = s
		}
	}
	parentName := func(s sdktrace.ReadOnlySpan) string {
		if p := byID[s.Parent().SpanID().String()]; p != nil {
			return p.Name()
		}
		return ""
	}
	want := map[string]string{
		"GET /oauth2/authorize":  "alexasim.link_account",
		"POST /oauth2/token":     "alexasim.token",
		"POST /alexa/smart-home": "alexasim.directive",
		"alexa.directive":        "POST /alexa/smart-home",
	}
	found := map[string]bool{}
	var names []string
	for _, s := range trace {
		names = append(names, s.Name()+"<"+parentName(s))
		if p, ok := want[s.Name()]; ok && parentName(s) == p {
			found[s.Name()] = true
		}
		for _, kv := range s.Attributes() {
			if v := kv.Value.String(); strings.Contains(v, userPassword) || strings.Contains(v, lk.Tokens.AccessToken) || strings.Contains(v, lk.Tokens.RefreshToken) {
				t.Fatalf("span %s holds a secret: %v", s.Name(), kv)
			}
		}
	}
	for name, parent := range want {
		if !found[name] {
			t.Errorf("no span %q under %q in the link's trace: %s", name, parent, strings.Join(names, ", "))
		}
	}
	// The later discovery is a trace of its own, from the simulator to
	// the skill.
	var later bool
	for _, s := range rec.Ended() {
		if s.Name() == "POST /alexa/smart-home" && s.SpanContext().TraceID() != root.SpanContext().TraceID() && s.Parent().IsRemote() {
			later = true
		}
	}
	if !later {
		t.Error("the discovery after the link does not continue the simulator's trace")
	}
}
