package cli

import (
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	coltrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/linkpool/linkpool/internal/tracing"
)

// otlpReceiver is a loopback OTLP/HTTP trace receiver that keeps every
// span it is sent by name, with the service.name of its resource.
type otlpReceiver struct {
	*httptest.Server
	mu    sync.Mutex
	spans map[string][]receivedSpan
}

type receivedSpan struct{ service, traceID string }

func newOTLPReceiver(t *testing.T) *otlpReceiver {
	rcv := &otlpReceiver{spans: map[string][]receivedSpan{}}
	rcv.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var req coltrace.ExportTraceServiceRequest
		if r.URL.Path != "/v1/traces" || proto.Unmarshal(body, &req) != nil {
			http.Error(w, "bad export", http.StatusBadRequest)
			return
		}
		rcv.mu.Lock()
		for _, rs := range req.ResourceSpans {
			var service string
			for _, kv := range rs.Resource.Attributes {
				if kv.Key == "service.name" {
					service = kv.Value.GetStringValue()
				}
			}
			for _, ss := range rs.ScopeSpans {
				for _, s := range ss.Spans {
					rcv.spans[s.Name] = append(rcv.spans[s.Name], receivedSpan{service: service, traceID: string(s.TraceId)})
				}
			}
		}
		rcv.mu.Unlock()
		b, _ := proto.Marshal(&coltrace.ExportTraceServiceResponse{})
		w.Header().Set("Content-Type", "application/x-protobuf")
		_, _ = w.Write(b)
	}))
	t.Cleanup(rcv.Close)
	return rcv
}

// TestServeExportsTraces: serve --otel-endpoint sends the spans of its
// requests, continuing the caller's traceparent, to the collector, and
// flushes them when it stops; tracing is off again afterwards.
func TestServeExportsTraces(t *testing.T) {
	rcv := newOTLPReceiver(t)
	s := startServe(t, "http", map[string]string{"LINKPOOL_DATA": t.TempDir()}, "--otel-endpoint", rcv.URL)
	req, _ := http.NewRequest(http.MethodGet, s.url+"/healthz", nil)
	const traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
	req.Header.Set("Traceparent", "00-"+traceID+"-00f067aa0ba902b7-01")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if code := s.stop(); code != 0 {
		t.Fatalf("serve exited with %d: %s", code, s.stderr)
	}
	if tracing.On() {
		t.Fatal("tracing is on after serve stopped")
	}
	rcv.mu.Lock()
	defer rcv.mu.Unlock()
	var found bool
	for _, sp := range rcv.spans["GET /healthz"] {
		found = found || (sp.service == "linkpool" && hex.EncodeToString([]byte(sp.traceID)) == traceID)
	}
	if !found {
		t.Fatalf("no GET /healthz span of linkpool in the caller's trace among %v", rcv.spans)
	}
}

func TestServeRefusesBadOTelEndpoint(t *testing.T) {
	h := newAdminHarness(t)
	h.fails(2, "--otel-endpoint", "serve", "--otel-endpoint", "collector:4318", "--addr", "127.0.0.1:0", "--admin-addr", "")
}
