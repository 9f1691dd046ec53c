package cognitoapi_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/cognitoapi"
	"github.com/linkpool/linkpool/internal/pool"
)

// The headers amazon-cognito-identity-js sends with every call.
const jsHeaders = "content-type,x-amz-target,x-amz-user-agent,cache-control"

// preflight sends a browser's CORS preflight for POST / from origin to
// host ("" for the server's own), with the request headers it asks for.
func (e *env) preflight(t *testing.T, host, origin, headers string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodOptions, e.srv.URL+"/", nil)
	if host != "" {
		req.Host = host
	}
	req.Header.Set("Origin", origin)
	req.Header.Set("Access-Control-Request-Method", "POST")
	req.Header.Set("Access-Control-Request-Headers", headers)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

// browserPost posts an unsigned action from origin as a browser app does
// (amazon-cognito-identity-js's headers) and returns the answer's
// headers.
func (e *env) browserPost(t *testing.T, origin, action, body string) (int, http.Header) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/", strings.NewReader(body))
	req.Header.Set("Content-Type", cognitoapi.ContentType)
	req.Header.Set("X-Amz-Target", cognitoapi.TargetPrefix+action)
	req.Header.Set("X-Amz-User-Agent", "aws-amplify/5.0.4 js")
	req.Header.Set("Cache-Control", "no-store")
	req.Header.Set("Origin", origin)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, resp.Header
}

func wantAllowed(t *testing.T, h http.Header, origin string) {
	t.Helper()
	if got := h.Get("Access-Control-Allow-Origin"); got != origin {
		t.Fatalf("Access-Control-Allow-Origin %q, want %q", got, origin)
	}
	if h.Get("Access-Control-Allow-Credentials") != "" {
		t.Fatal("credentials allowed")
	}
	if !strings.Contains(strings.Join(h.Values("Vary"), ","), "Origin") {
		t.Fatalf("Vary %q lacks Origin", h.Values("Vary"))
	}
}

func wantRefused(t *testing.T, h http.Header) {
	t.Helper()
	if got := h.Get("Access-Control-Allow-Origin"); got != "" {
		t.Fatalf("Access-Control-Allow-Origin %q for a refused origin", got)
	}
}

func TestCORSDefaultsToCallbackOrigins(t *testing.T) {
	e := newEnv(t)
	e.allowFlows(t, pool.ExistenceEnabled, "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")
	e.confirmedUser(t, "hana", "Hana-Pass-1!")
	const app = "http://localhost:4000" // the client's callback origin

	resp := e.preflight(t, "", app, jsHeaders)
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("preflight: %d", resp.StatusCode)
	}
	wantAllowed(t, resp.Header, app)
	if resp.Header.Get("Access-Control-Allow-Methods") != "POST" {
		t.Fatalf("Allow-Methods %q", resp.Header.Get("Access-Control-Allow-Methods"))
	}
	for _, h := range strings.Split(jsHeaders+",amz-sdk-invocation-id,amz-sdk-request", ",") {
		if !strings.Contains(resp.Header.Get("Access-Control-Allow-Headers"), h) {
			t.Fatalf("Allow-Headers %q lacks %s", resp.Header.Get("Access-Control-Allow-Headers"), h)
		}
	}

	for name, r := range map[string]*http.Response{
		"other origin":       e.preflight(t, "", "https://evil.example", jsHeaders),
		"authorization":      e.preflight(t, "", app, jsHeaders+",authorization"),
		"callback with path": e.preflight(t, "", app+"/callback", jsHeaders),
	} {
		t.Run(name, func(t *testing.T) {
			if r.StatusCode != http.StatusForbidden {
				t.Errorf("preflight: %d", r.StatusCode)
			}
			wantRefused(t, r.Header)
		})
	}

	// The actual requests: by client id, answered (an error here) and
	// readable from the allowed origin only.
	body := `{"AuthFlow":"USER_PASSWORD_AUTH","ClientId":"` + e.client.ID + `","AuthParameters":{"USERNAME":"hana","PASSWORD":"wrong"}}`
	st, h := e.browserPost(t, app, "InitiateAuth", body)
	if st != http.StatusBadRequest {
		t.Fatalf("InitiateAuth: %d", st)
	}
	wantAllowed(t, h, app)
	if !strings.Contains(h.Get("Access-Control-Expose-Headers"), "x-amzn-ErrorType") {
		t.Fatalf("Expose-Headers %q", h.Get("Access-Control-Expose-Headers"))
	}
	_, h = e.browserPost(t, "https://evil.example", "InitiateAuth", body)
	wantRefused(t, h)

	// By access token.
	access, _ := e.signedIn(t, "hana", "Hana-Pass-1!")
	st, h = e.browserPost(t, app, "GetUser", `{"AccessToken":"`+access+`"}`)
	if st != http.StatusOK {
		t.Fatalf("GetUser: %d", st)
	}
	wantAllowed(t, h, app)
	_, h = e.browserPost(t, "https://evil.example", "GetUser", `{"AccessToken":"`+access+`"}`)
	wantRefused(t, h)

	// Signed actions get no CORS headers, whatever the origin.
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/", strings.NewReader(`{"UserPoolId":"`+e.pool.ID+`","ClientId":"`+e.client.ID+`"}`))
	req.Header.Set("Content-Type", cognitoapi.ContentType)
	req.Header.Set("X-Amz-Target", cognitoapi.TargetPrefix+"DescribeUserPoolClient")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+keyAdmin+"/20260101/us-east-1/cognito-idp/aws4_request, SignedHeaders=host, Signature=00")
	req.Header.Set("Origin", app)
	r, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != http.StatusOK {
		t.Fatalf("DescribeUserPoolClient: %d", r.StatusCode)
	}
	wantRefused(t, r.Header)
}

func TestCORSOriginsPerPool(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	const originA, originB = "https://a.example.com", "https://b.example.com"
	setOrigins := func(id string, origins ...string) {
		t.Helper()
		if _, err := e.app.Admin.UpdateUserPool(ctx, id, func(p *pool.Pool) { p.CORSOrigins = origins }); err != nil {
			t.Fatal(err)
		}
	}
	setOrigins(e.pool.ID, originA)
	other := pool.NewPool("us-east-1", "other", time.Now())
	if _, err := e.app.Admin.CreateUserPool(ctx, other); err != nil {
		t.Fatal(err)
	}
	setOrigins(other.ID, originB)
	otherClient := pool.NewClient(other.ID, "b-app", time.Now())
	if err := e.app.Store.CreateClient(ctx, otherClient); err != nil {
		t.Fatal(err)
	}
	if err := e.app.Store.CreateDomain(ctx, pool.Domain{Domain: "auth.a.test", PoolID: e.pool.ID, Custom: true, CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}

	// The public host cannot tell the pool of a preflight: it allows the
	// origins of every pool, and the pool's own only are checked on the
	// request.
	for _, o := range []string{originA, originB} {
		if r := e.preflight(t, "", o, jsHeaders); r.StatusCode != http.StatusNoContent {
			t.Fatalf("public host preflight from %s: %d", o, r.StatusCode)
		}
	}
	if r := e.preflight(t, "", "http://localhost:4000", jsHeaders); r.StatusCode != http.StatusForbidden {
		t.Fatalf("a callback origin passed although the pool lists its own: %d", r.StatusCode)
	}
	// A pool domain host answers for its pool only.
	if r := e.preflight(t, "auth.a.test", originA, jsHeaders); r.StatusCode != http.StatusNoContent {
		t.Fatalf("pool domain preflight from its origin: %d", r.StatusCode)
	}
	if r := e.preflight(t, "auth.a.test", originB, jsHeaders); r.StatusCode != http.StatusForbidden {
		t.Fatalf("pool domain preflight from another pool's origin: %d", r.StatusCode)
	}

	signUp := func(clientID string) string {
		return `{"ClientId":"` + clientID + `","Username":"x","Password":"Pass-word-1!"}`
	}
	_, h := e.browserPost(t, originA, "SignUp", signUp(e.client.ID))
	wantAllowed(t, h, originA)
	_, h = e.browserPost(t, originB, "SignUp", signUp(e.client.ID))
	wantRefused(t, h)
	_, h = e.browserPost(t, originB, "SignUp", signUp(otherClient.ID))
	wantAllowed(t, h, originB)
	_, h = e.browserPost(t, originA, "SignUp", signUp(otherClient.ID))
	wantRefused(t, h)
}
