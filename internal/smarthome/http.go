package smarthome

import (
	"errors"
	"io"
	"net/http"

	"go.opentelemetry.io/otel/trace"

	"github.com/linkpool/linkpool/internal/tracing"
)

// Handler serves POST /alexa/smart-home: the directive document in, the
// event document out (application/json), for deployments that front the
// skill with HTTP instead of Lambda. Bodies over MaxDirectiveSize are
// refused with 413; other methods with 405. When tracing is on
// (internal/tracing), a request continues the trace of its traceparent
// header; the directive is a span, its token verification another.
func (s *Skill) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/alexa/smart-home", s.serveDirective)
	return mux
}

func (s *Skill) serveDirective(w http.ResponseWriter, r *http.Request) {
	if tracing.On() && !trace.SpanContextFromContext(r.Context()).IsValid() {
		// The skill serves on its own (skill serve): its request span
		// continues the caller's traceparent. Mounted in linkpool, the
		// server's edge has opened it.
		ctx, span := tracing.Server(r.Context(), r, "")
		tracing.Routed(ctx, r.Method, "/alexa/smart-home")
		rec := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		defer func() { tracing.Finish(span, rec.status) }()
		w, r = rec, r.WithContext(ctx)
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxDirectiveSize))
	status := http.StatusOK
	if err != nil {
		var tooBig *http.MaxBytesError
		if !errors.As(err, &tooBig) {
			http.Error(w, "could not read the request", http.StatusBadRequest)
			return
		}
		status, body = http.StatusRequestEntityTooLarge, nil
	}
	if ev, ok := asSkillEvent(body); ok && status == http.StatusOK {
		out, err := s.handleSkillEvent(r.Context(), ev)
		if err != nil {
			// Not acknowledged: Alexa delivers the event again.
			http.Error(w, "the skill event could not be handled", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		_, _ = w.Write(out)
		return
	}
	out := s.router.Serve(r.Context(), body)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(out)
}

// statusWriter records the status of a response for its span.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }
