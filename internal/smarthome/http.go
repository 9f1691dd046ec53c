package smarthome

import (
	"errors"
	"io"
	"net/http"
)

// Handler serves POST /alexa/smart-home: the directive document in, the
// event document out (application/json), for deployments that front the
// skill with HTTP instead of Lambda. Bodies over MaxDirectiveSize are
// refused with 413; other methods with 405.
func (s *Skill) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/alexa/smart-home", s.serveDirective)
	return mux
}

func (s *Skill) serveDirective(w http.ResponseWriter, r *http.Request) {
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
