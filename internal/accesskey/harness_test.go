package accesskey_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/linkpool/linkpool/internal/accesskey"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/seal/sealtest"
	"github.com/linkpool/linkpool/internal/store"
	"github.com/linkpool/linkpool/internal/store/sqlite"
)

// harness is a Service on a real SQLite file, behind a real HTTP server on
// a loopback port that verifies every request at the harness's clock.
type harness struct {
	t   *testing.T
	st  store.Store
	svc *accesskey.Service
	srv *httptest.Server

	mu  sync.Mutex
	now time.Time
}

// verdict is what the test server answers: the key or the refusal.
type verdict struct {
	Status  int
	KeyID   string `json:"key"`
	Region  string `json:"region"`
	Type    string `json:"__type"`
	Message string `json:"message"`
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "linkpool.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	h := &harness{t: t, st: st, now: time.Now().UTC().Truncate(time.Second)}
	h.svc = accesskey.New(accesskey.Config{Store: st, Box: sealtest.Box(t), Now: h.clock})
	h.srv = httptest.NewServer(http.HandlerFunc(h.serve))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *harness) clock() time.Time {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.now
}

func (h *harness) setNow(now time.Time) {
	h.mu.Lock()
	h.now = now
	h.mu.Unlock()
}

func (h *harness) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	k, err := h.svc.Authenticate(r, body)
	var ae *accesskey.Error
	switch {
	case err == nil:
		json.NewEncoder(w).Encode(map[string]string{"key": k.ID, "region": k.Region})
	case errors.As(err, &ae):
		w.Header().Set("X-Amzn-Errortype", ae.Code)
		w.WriteHeader(ae.Status)
		json.NewEncoder(w).Encode(map[string]string{"__type": ae.Code, "message": ae.Message})
	default:
		w.WriteHeader(http.StatusInternalServerError)
		json.NewEncoder(w).Encode(map[string]string{"__type": "InternalErrorException", "message": err.Error()})
	}
}

// createKey issues a key with the service.
func (h *harness) createKey(in accesskey.CreateInput) (accesskey.Key, string) {
	h.t.Helper()
	k, secret, err := h.svc.Create(context.Background(), in)
	if err != nil {
		h.t.Fatalf("Create: %v", err)
	}
	return k, secret
}

func (h *harness) createPool(region string) pool.Pool {
	h.t.Helper()
	now := time.Now()
	p := pool.Pool{ID: pool.NewPoolID(region), Name: "pool", CreatedAt: now, UpdatedAt: now}
	if err := h.st.CreatePool(context.Background(), p); err != nil {
		h.t.Fatal(err)
	}
	return p
}

// newRequest returns a Cognito JSON 1.1 request to the test server.
func (h *harness) newRequest(target, pathAndQuery string, body []byte) *http.Request {
	h.t.Helper()
	r, err := http.NewRequest(http.MethodPost, h.srv.URL+pathAndQuery, bytes.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	r.Header.Set("Content-Type", "application/x-amz-json-1.1")
	r.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService."+target)
	return r
}

// sign signs r with the AWS SDK's signer.
func sign(t testing.TB, r *http.Request, body []byte, creds aws.Credentials, service, region string, at time.Time) {
	t.Helper()
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, r, hex.EncodeToString(sum[:]), service, region, at); err != nil {
		t.Fatalf("SignHTTP: %v", err)
	}
}

func creds(id, secret string) aws.Credentials {
	return aws.Credentials{AccessKeyID: id, SecretAccessKey: secret, Source: "test"}
}

// send sends r with body (which may differ from what was signed) and
// returns the server's verdict.
func (h *harness) send(r *http.Request, body []byte) verdict {
	h.t.Helper()
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	var v verdict
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		h.t.Fatalf("decode verdict: %v", err)
	}
	v.Status = resp.StatusCode
	if v.Type != "" && resp.Header.Get("X-Amzn-Errortype") != v.Type {
		h.t.Fatalf("x-amzn-ErrorType %q, __type %q", resp.Header.Get("X-Amzn-Errortype"), v.Type)
	}
	return v
}

func (v verdict) mustAccept(t *testing.T, keyID string) {
	t.Helper()
	if v.Status != http.StatusOK || v.KeyID != keyID {
		t.Fatalf("refused: %d %s: %s (want key %s)", v.Status, v.Type, v.Message, keyID)
	}
}

func (v verdict) mustRefuse(t *testing.T, code, message string) {
	t.Helper()
	if v.Status != http.StatusBadRequest || v.Type != code {
		t.Fatalf("got %d %s %q (key %q), want 400 %s", v.Status, v.Type, v.Message, v.KeyID, code)
	}
	if message != "" && !bytes.Contains([]byte(v.Message), []byte(message)) {
		t.Fatalf("message %q does not contain %q", v.Message, message)
	}
}
