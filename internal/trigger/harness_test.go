package trigger_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/seal"
	"github.com/linkpool/linkpool/internal/seal/sealtest"
	"github.com/linkpool/linkpool/internal/trigger"
)

// secret is the webhook signing secret of the test pools.
const secret = "test-signing-secret-0123456789abcdefghijklm"

// env is an invoker with its own registry and log buffer.
type env struct {
	inv *trigger.Invoker
	box *seal.Box
	reg *prometheus.Registry
	log *syncBuffer
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newEnv(t testing.TB, change func(*trigger.Config)) *env {
	t.Helper()
	e := &env{box: sealtest.Box(t), reg: prometheus.NewRegistry(), log: &syncBuffer{}}
	cfg := trigger.Config{
		Box: e.box, Metrics: e.reg,
		Logger: slog.New(slog.NewJSONHandler(e.log, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	if change != nil {
		change(&cfg)
	}
	inv, err := trigger.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.inv = inv
	return e
}

// newPool returns a pool in us-east-1 with the test signing secret and
// the given triggers.
func (e *env) newPool(lc pool.LambdaConfig) *pool.Pool {
	p := pool.NewPool("us-east-1", "triggers", time.Now())
	p.LambdaConfig = lc
	p.TriggerSecret = e.box.Seal([]byte(secret), p.TriggerSecretAAD())
	return &p
}

// counter returns the value of linkpool_trigger_errors_total for the
// labels, 0 when absent.
func (e *env) errorCount(t *testing.T, trig, kind, outcome string) float64 {
	t.Helper()
	return e.metric(t, "linkpool_trigger_errors_total", map[string]string{"trigger": trig, "kind": kind, "outcome": outcome})
}

// invocations returns the sample count of the latency histogram.
func (e *env) invocations(t *testing.T, trig, kind string) float64 {
	t.Helper()
	return e.metric(t, "linkpool_trigger_duration_seconds", map[string]string{"trigger": trig, "kind": kind})
}

func (e *env) metric(t *testing.T, name string, labels map[string]string) float64 {
	t.Helper()
	families, err := e.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
	next:
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if labels[l.GetName()] != l.GetValue() {
					continue next
				}
			}
			if h := m.GetHistogram(); h != nil {
				return float64(h.GetSampleCount())
			}
			return m.GetCounter().GetValue()
		}
	}
	return 0
}

// webhook is a loopback receiver that verifies each request's signature
// with trigger.Verify and hands the body to handle.
type webhook struct {
	*httptest.Server
	mu       sync.Mutex
	requests int
	badSigs  int
	headers  http.Header
}

func newWebhook(t testing.TB, handle func(w http.ResponseWriter, r *http.Request, body []byte)) *webhook {
	t.Helper()
	wh := &webhook{}
	wh.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		wh.mu.Lock()
		wh.requests++
		wh.headers = r.Header.Clone()
		wh.mu.Unlock()
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" {
			http.Error(w, "want a JSON POST", http.StatusMethodNotAllowed)
			return
		}
		if err := trigger.Verify([]byte(secret), r.Header.Get(trigger.HeaderTimestamp), r.Header.Get(trigger.HeaderSignature), body, time.Now(), 0); err != nil {
			wh.mu.Lock()
			wh.badSigs++
			wh.mu.Unlock()
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		handle(w, r, body)
	}))
	t.Cleanup(wh.Close)
	return wh
}

func (wh *webhook) count() (requests, badSigs int) {
	wh.mu.Lock()
	defer wh.mu.Unlock()
	return wh.requests, wh.badSigs
}

// answer runs fn on the event decoded into a T and writes the result.
func answer[T any](fn func(T) (T, error)) func(w http.ResponseWriter, r *http.Request, body []byte) {
	return func(w http.ResponseWriter, r *http.Request, body []byte) {
		var ev T
		if err := json.Unmarshal(body, &ev); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		out, err := fn(ev)
		w.Header().Set("Content-Type", "application/json")
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			_ = json.NewEncoder(w).Encode(map[string]string{"errorMessage": err.Error(), "errorType": "Error"})
			return
		}
		_ = json.NewEncoder(w).Encode(out)
	}
}

// lambdaHandlerOverHTTP runs an aws-lambda-go handler behind a webhook:
// its error is answered 400 with Lambda's error shape.
func lambdaHandlerOverHTTP(fn any) func(w http.ResponseWriter, r *http.Request, body []byte) {
	h := lambda.NewHandler(fn)
	return func(w http.ResponseWriter, r *http.Request, body []byte) {
		out, err := h.Invoke(r.Context(), body)
		w.Header().Set("Content-Type", "application/json")
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			_ = json.NewEncoder(w).Encode(map[string]string{"errorMessage": err.Error(), "errorType": "Error"})
			return
		}
		_, _ = w.Write(out)
	}
}

// wantError checks err is a *trigger.Error with Cognito's code and
// message.
func wantError(t *testing.T, err error, code, message string) *trigger.Error {
	t.Helper()
	var te *trigger.Error
	if !errors.As(err, &te) {
		t.Fatalf("got %v (%T), want a *trigger.Error %s", err, err, code)
	}
	if te.Code != code || te.Message != message {
		t.Fatalf("got %s %q, want %s %q", te.Code, te.Message, code, message)
	}
	return te
}

var ctxBg = context.Background()
