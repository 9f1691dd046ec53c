package smarthome_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/linkpool/linkpool/internal/tracing"
)

// TestHandlerContinuesTrace: the skill served on its own (skill serve)
// opens the request span itself, continuing the caller's traceparent,
// with the directive and the token verification under it; the token
// appears in no span.
func TestHandlerContinuesTrace(t *testing.T) {
	e := newEnv(t, nil)
	rec := tracetest.NewSpanRecorder()
	defer tracing.Use(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec)))()
	srv := httptest.NewServer(e.skill.Handler())
	defer srv.Close()
	tok := e.iss.Token(t, "owner-1")
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/alexa/smart-home", strings.NewReader(discoverDirective(tok)))
	const traceID, callerSpan = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
	req.Header.Set("Traceparent", "00-"+traceID+"-"+callerSpan+"-01")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	byName := map[string]sdktrace.ReadOnlySpan{}
	for _, s := range rec.Ended() {
		if s.SpanContext().TraceID().String() != traceID {
			t.Fatalf("span %s in trace %s, want the caller's", s.Name(), s.SpanContext().TraceID())
		}
		byName[s.Name()] = s
		for _, kv := range s.Attributes() {
			if strings.Contains(kv.Value.String(), tok) {
				t.Fatalf("span %s holds the token", s.Name())
			}
		}
	}
	req1, d, v := byName["POST /alexa/smart-home"], byName["alexa.directive"], byName["smarthome.verify_token"]
	if req1 == nil || d == nil || v == nil {
		t.Fatalf("spans %v", byName)
	}
	if req1.Parent().SpanID().String() != callerSpan || d.Parent().SpanID() != req1.SpanContext().SpanID() || v.Parent().SpanID() != d.SpanContext().SpanID() {
		t.Fatal("the spans do not form caller → request → directive → verification")
	}
}
