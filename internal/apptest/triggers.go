package apptest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/seal"
	"github.com/linkpool/linkpool/internal/trigger"
)

// Triggers is a loopback webhook receiver for a pool's triggers: each
// trigger (a pool.Trigger* name) has the path /<name>, every request's
// signature is checked with trigger.Verify against Secret, and the event
// is handed to the aws-lambda-go handler registered for the trigger
// (lambda.NewHandler: a func(context.Context, events.CognitoEventUserPools...)
// (events.CognitoEventUserPools..., error)). A handler's error is
// answered 400 with Lambda's error shape, {"errorMessage": ...}. The
// receiver records the triggerSource of every event it accepted.
type Triggers struct {
	Server *httptest.Server
	Secret string

	mu       sync.Mutex
	handlers map[string]lambda.Handler
	raw      map[string]http.HandlerFunc
	sources  []string
	bodies   []string
	badSigs  int
}

// NewTriggers starts a receiver, closed when the test ends.
func NewTriggers(t testing.TB) *Triggers {
	t.Helper()
	tr := &Triggers{Secret: pool.NewTriggerSecret(), handlers: map[string]lambda.Handler{}, raw: map[string]http.HandlerFunc{}}
	tr.Server = httptest.NewServer(http.HandlerFunc(tr.serve))
	t.Cleanup(tr.Server.Close)
	return tr
}

// URL is the webhook target of trigger.
func (tr *Triggers) URL(trig string) string { return tr.Server.URL + "/" + trig }

// Handle registers the aws-lambda-go handler of trigger.
func (tr *Triggers) Handle(trig string, fn any) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	tr.handlers[trig] = lambda.NewHandler(fn)
	delete(tr.raw, trig)
}

// HandleRaw makes trigger answer with h, for answers no function gives
// (malformed bodies, stalls).
func (tr *Triggers) HandleRaw(trig string, h http.HandlerFunc) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	tr.raw[trig] = h
	delete(tr.handlers, trig)
}

// Configure points the triggers of p at the receiver and seals its
// signing secret with box (the app's master key).
func (tr *Triggers) Configure(p *pool.Pool, box *seal.Box, triggers ...string) {
	p.TriggerSecret = box.Seal([]byte(tr.Secret), p.TriggerSecretAAD())
	lc := &p.LambdaConfig
	for _, trig := range triggers {
		u := tr.URL(trig)
		switch trig {
		case pool.TriggerPreSignUp:
			lc.PreSignUp = u
		case pool.TriggerCustomMessage:
			lc.CustomMessage = u
		case pool.TriggerPostConfirmation:
			lc.PostConfirmation = u
		case pool.TriggerPreAuthentication:
			lc.PreAuthentication = u
		case pool.TriggerPostAuthentication:
			lc.PostAuthentication = u
		case pool.TriggerDefineAuthChallenge:
			lc.DefineAuthChallenge = u
		case pool.TriggerCreateAuthChallenge:
			lc.CreateAuthChallenge = u
		case pool.TriggerVerifyAuthChallengeResponse:
			lc.VerifyAuthChallengeResponse = u
		case pool.TriggerPreTokenGeneration:
			lc.PreTokenGeneration = u
		case pool.TriggerUserMigration:
			lc.UserMigration = u
		default:
			panic("apptest: unknown trigger " + trig)
		}
	}
}

// Sources returns the triggerSource of every event accepted, in order.
func (tr *Triggers) Sources() []string {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return append([]string(nil), tr.sources...)
}

// Bodies returns every event accepted, as sent.
func (tr *Triggers) Bodies() []string {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return append([]string(nil), tr.bodies...)
}

// Count returns how many events of source were accepted.
func (tr *Triggers) Count(source string) int {
	n := 0
	for _, s := range tr.Sources() {
		if s == source {
			n++
		}
	}
	return n
}

// BadSignatures returns how many requests failed the signature check.
func (tr *Triggers) BadSignatures() int {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return tr.badSigs
}

func (tr *Triggers) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if err := trigger.Verify([]byte(tr.Secret), r.Header.Get(trigger.HeaderTimestamp), r.Header.Get(trigger.HeaderSignature), body, time.Now(), 0); err != nil {
		tr.mu.Lock()
		tr.badSigs++
		tr.mu.Unlock()
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	var head struct {
		TriggerSource string `json:"triggerSource"`
	}
	_ = json.Unmarshal(body, &head)
	name := r.URL.Path[1:]
	tr.mu.Lock()
	tr.sources = append(tr.sources, head.TriggerSource)
	tr.bodies = append(tr.bodies, string(body))
	h, raw := tr.handlers[name], tr.raw[name]
	tr.mu.Unlock()
	if raw != nil {
		raw(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	if h == nil {
		_, _ = w.Write(body) // the event unchanged: the defaults
		return
	}
	out, err := h.Invoke(r.Context(), body)
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]string{"errorMessage": err.Error(), "errorType": "Error"})
		return
	}
	_, _ = w.Write(out)
}
