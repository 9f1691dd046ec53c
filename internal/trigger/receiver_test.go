package trigger_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/trigger"
)

// The receiver below is the example of docs/triggers.md, as a receiver
// outside linkpool writes it: only the standard library and
// aws-lambda-go's events.

// verifyLinkpool reports whether r, whose body was read into body, was
// signed by linkpool with secret within the last five minutes.
func verifyLinkpool(secret []byte, r *http.Request, body []byte) bool {
	ts := r.Header.Get("X-Linkpool-Timestamp")
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || time.Since(time.Unix(sec, 0)).Abs() > 5*time.Minute {
		return false
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(ts + "."))
	mac.Write(body)
	want := "v1=" + hex.EncodeToString(mac.Sum(nil))
	return hmac.Equal([]byte(r.Header.Get("X-Linkpool-Signature")), []byte(want))
}

// preSignUp confirms sign-ups from example.com and refuses the others.
func preSignUp(secret []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil || !verifyLinkpool(secret, r, body) {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		var ev events.CognitoEventUserPoolsPreSignup
		if err := json.Unmarshal(body, &ev); err != nil {
			http.Error(w, "bad event", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		if !strings.HasSuffix(ev.Request.UserAttributes["email"], "@example.com") {
			w.WriteHeader(http.StatusBadRequest)
			json.NewEncoder(w).Encode(map[string]string{"errorMessage": "Sign-up is for example.com only"})
			return
		}
		ev.Response.AutoConfirmUser = true
		ev.Response.AutoVerifyEmail = true
		json.NewEncoder(w).Encode(ev)
	}
}

// TestDocumentedReceiver: the documentation's receiver accepts
// linkpool's requests and its answers work both ways.
func TestDocumentedReceiver(t *testing.T) {
	e := newEnv(t, nil)
	srv := httptest.NewServer(preSignUp([]byte(secret)))
	t.Cleanup(srv.Close)
	p := e.newPool(pool.LambdaConfig{PreSignUp: srv.URL + "/pre-sign-up"})

	var out preSignUpResponse
	if err := e.inv.Invoke(ctxBg, p, preSignUpCall(), &out); err != nil || !out.AutoConfirmUser || !out.AutoVerifyEmail {
		t.Fatalf("Invoke: %v, response %+v", err, out)
	}
	call := preSignUpCall()
	call.Request = preSignUpRequest{UserAttributes: map[string]string{"email": "bob@elsewhere.example"}}
	err := e.inv.Invoke(ctxBg, p, call, &out)
	wantError(t, err, trigger.UserLambdaValidationException, "PreSignUp failed with error Sign-up is for example.com only.")

	// Signed with another secret, the receiver refuses the request.
	other := e.newPool(pool.LambdaConfig{PreSignUp: srv.URL + "/pre-sign-up"})
	other.TriggerSecret = e.box.Seal([]byte("another secret"), other.TriggerSecretAAD())
	wantError(t, e.inv.Invoke(ctxBg, other, preSignUpCall(), nil), trigger.UnexpectedLambdaException,
		"PreSignUp invocation failed due to error HTTP status 401.")
}
