package apptest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/lambda"
)

// LambdaServer is a loopback server implementing Lambda's Invoke REST
// call (POST /2015-03-31/functions/{name}/invocations) that runs
// aws-lambda-go handlers in-process, by function name: the target of
// trigger.Config.LambdaEndpoint in tests. A handler's error is Lambda's
// function error (X-Amz-Function-Error: Unhandled); an unknown function
// is ResourceNotFoundException.
type LambdaServer struct {
	Server *httptest.Server

	mu       sync.Mutex
	handlers map[string]lambda.Handler
	calls    []LambdaCall
}

// LambdaCall is one Invoke request the server received.
type LambdaCall struct {
	// Function is the function as the request named it (a name or an
	// ARN); Name is the function's name.
	Function, Name string
	// InvocationType is the X-Amz-Invocation-Type header.
	InvocationType string
	// Authorization is the request's SigV4 Authorization header.
	Authorization string
}

// LambdaAccessKeyID is the access key NewLambdaServer puts in the
// environment, which signs the requests of the standard AWS chain.
const LambdaAccessKeyID = "AKIDLAMBDATEST"

// NewLambdaServer starts a server, closed when the test ends, and puts
// static credentials in the environment for the standard AWS chain.
func NewLambdaServer(t testing.TB) *LambdaServer {
	t.Helper()
	ls := &LambdaServer{handlers: map[string]lambda.Handler{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /2015-03-31/functions/{name}/invocations", ls.invoke)
	ls.Server = httptest.NewServer(mux)
	t.Cleanup(ls.Server.Close)
	t.Setenv("AWS_ACCESS_KEY_ID", LambdaAccessKeyID)
	t.Setenv("AWS_SECRET_ACCESS_KEY", "lambda-test-secret-key")
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_CONFIG_FILE", "/nonexistent/aws-config")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/aws-credentials")
	return ls
}

// Handle registers the aws-lambda-go handler of function name.
func (ls *LambdaServer) Handle(name string, fn any) {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	ls.handlers[name] = lambda.NewHandler(fn)
}

// Calls returns the function names invoked, in order.
func (ls *LambdaServer) Calls() []string {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	names := make([]string, len(ls.calls))
	for i, c := range ls.calls {
		names[i] = c.Name
	}
	return names
}

// Invocations returns the Invoke requests received, in order.
func (ls *LambdaServer) Invocations() []LambdaCall {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	return append([]LambdaCall(nil), ls.calls...)
}

func (ls *LambdaServer) invoke(w http.ResponseWriter, r *http.Request) {
	fn := r.PathValue("name")
	// A full ARN arrives as the name; the function is its seventh part.
	name := fn
	if parts := strings.Split(fn, ":"); len(parts) >= 7 {
		name = parts[6]
	}
	ls.mu.Lock()
	ls.calls = append(ls.calls, LambdaCall{Function: fn, Name: name,
		InvocationType: r.Header.Get("X-Amz-Invocation-Type"), Authorization: r.Header.Get("Authorization")})
	h := ls.handlers[name]
	ls.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if h == nil {
		w.Header().Set("X-Amzn-ErrorType", "ResourceNotFoundException")
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprintf(w, `{"Type":"User","message":"Function not found: %s"}`, name)
		return
	}
	payload, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	out, err := h.Invoke(r.Context(), payload)
	if err != nil {
		w.Header().Set("X-Amz-Function-Error", "Unhandled")
		_ = json.NewEncoder(w).Encode(map[string]string{"errorMessage": err.Error(), "errorType": "Error"})
		return
	}
	_, _ = w.Write(out)
}
