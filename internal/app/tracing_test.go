package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"golang.org/x/oauth2"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/app"
	"github.com/linkpool/linkpool/internal/apptest"
	"github.com/linkpool/linkpool/internal/cognitoapi"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/smarthome/alexa"
	"github.com/linkpool/linkpool/internal/tracing"
)

// traceLab is the whole server with the SmartLamp skill mounted, a user
// with a password and an email address, and a confidential client that
// may use the code grant and USER_PASSWORD_AUTH.
type traceLab struct {
	kit         *apptest.App
	pool        pool.Pool
	client      pool.Client
	secret      string
	password    string
	email, name string
	oauth       oauth2.Config
}

func newTraceLab(t *testing.T, edit ...func(*apptest.App, *pool.Pool)) *traceLab {
	t.Helper()
	ctx := context.Background()
	kit := apptest.New(t, func(c *app.Config) { c.Now = nil })
	l := &traceLab{kit: kit, password: "Trace-Pass-9" + strings.Repeat("x", 4), email: "tracy@example.com", name: "Tracy Tracer"}
	l.pool = kit.Pool(t, "eu-west-1", "Tracing", func(p *pool.Pool) {
		for _, f := range edit {
			f(kit, p)
		}
	})
	l.client, l.secret = kit.Client(t, l.pool, "alexa", []string{rpCallback}, func(c *pool.Client) {
		c.ExplicitAuthFlows = []string{"ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}
	})
	if _, err := kit.Accounts.AdminCreateUser(ctx, l.pool, account.AdminCreateUserInput{
		Username: "tracy", TemporaryPassword: l.password, Permanent: true, EmailVerified: true,
		Attributes: map[string]string{"email": l.email, "name": l.name},
	}); err != nil {
		t.Fatal(err)
	}
	_, mount, err := kit.MountSkill(kit.URL, app.SkillOptions{PoolID: l.pool.ID, ClientIDs: []string{l.client.ID}})
	if err != nil {
		t.Fatal(err)
	}
	kit.App.Server.MountGlobal(mount)
	issuer := kit.URL + "/" + l.pool.ID
	l.oauth = oauth2.Config{ClientID: l.client.ID, ClientSecret: l.secret, RedirectURL: rpCallback,
		Endpoint: oauth2.Endpoint{AuthURL: issuer + "/oauth2/authorize", TokenURL: issuer + "/oauth2/token", AuthStyle: oauth2.AuthStyleInHeader},
		Scopes:   []string{"openid", "email"}}
	return l
}

// record turns tracing on with an in-memory recorder until the test ends.
func record(t *testing.T) *tracetest.SpanRecorder {
	t.Helper()
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	restore := tracing.Use(tp)
	t.Cleanup(func() {
		restore()
		_ = tp.Shutdown(context.Background())
	})
	return rec
}

// signIn signs the user in on the hosted page and returns the code.
func (l *traceLab) signIn(t *testing.T) string {
	t.Helper()
	cb := signIn(t, browser(t), l.oauth.AuthCodeURL("st"), "tracy", l.password)
	code := cb.Query().Get("code")
	if code == "" {
		t.Fatalf("no code in %s", cb)
	}
	return code
}

// tokenRequest posts form to the token endpoint with the client's Basic
// authentication, under a span of the caller's own whose traceparent it
// sends, and returns the decoded answer and the caller's span context.
func (l *traceLab) tokenRequest(t *testing.T, tp trace.TracerProvider, form url.Values) (map[string]any, trace.SpanContext) {
	t.Helper()
	ctx, span := tp.Tracer("test").Start(context.Background(), "relying party")
	defer span.End()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, l.oauth.Endpoint.TokenURL, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(l.client.ID, l.secret)
	propagation.TraceContext{}.Inject(ctx, propagation.HeaderCarrier(req.Header))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("token endpoint: %d %v %v", resp.StatusCode, out, err)
	}
	return out, span.SpanContext()
}

// directive posts a directive of the namespace and name carrying token to
// the skill and returns the reply.
func (l *traceLab) directive(t *testing.T, namespace, name, token string) string {
	t.Helper()
	payload, _ := json.Marshal(map[string]any{"scope": alexa.Scope{Type: alexa.ScopeBearerToken, Token: token}})
	body, _ := json.Marshal(alexa.DirectiveEnvelope{Directive: &alexa.Directive{
		Header:  alexa.Header{Namespace: namespace, Name: name, PayloadVersion: alexa.PayloadVersion, MessageID: alexa.NewMessageID()},
		Payload: payload,
	}})
	resp, err := http.Post(l.kit.URL+"/alexa/smart-home", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("directive: %d %s", resp.StatusCode, out)
	}
	return string(out)
}

// cognito calls an action of the Cognito JSON API.
func (l *traceLab) cognito(t *testing.T, action string, in any) (int, string) {
	t.Helper()
	body, _ := json.Marshal(in)
	req, _ := http.NewRequest(http.MethodPost, l.kit.URL+"/", bytes.NewReader(body))
	req.Header.Set("Content-Type", cognitoapi.ContentType)
	req.Header.Set("X-Amz-Target", cognitoapi.TargetPrefix+action)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(out)
}

// spansOf are the ended spans of one trace.
func spansOf(rec *tracetest.SpanRecorder, id trace.TraceID) []sdktrace.ReadOnlySpan {
	var out []sdktrace.ReadOnlySpan
	for _, s := range rec.Ended() {
		if s.SpanContext().TraceID() == id {
			out = append(out, s)
		}
	}
	return out
}

// find returns the spans named name.
func find(spans []sdktrace.ReadOnlySpan, name string) []sdktrace.ReadOnlySpan {
	var out []sdktrace.ReadOnlySpan
	for _, s := range spans {
		if s.Name() == name {
			out = append(out, s)
		}
	}
	return out
}

// attr returns a span attribute as a string.
func attr(s sdktrace.ReadOnlySpan, key string) string {
	for _, kv := range s.Attributes() {
		if string(kv.Key) == key {
			return kv.Value.String()
		}
	}
	return ""
}

// one returns the single span named name, failing the test otherwise.
func one(t *testing.T, spans []sdktrace.ReadOnlySpan, name string) sdktrace.ReadOnlySpan {
	t.Helper()
	got := find(spans, name)
	if len(got) != 1 {
		t.Fatalf("%d spans named %q, want 1; spans: %s", len(got), name, names(spans))
	}
	return got[0]
}

func names(spans []sdktrace.ReadOnlySpan) string {
	var n []string
	for _, s := range spans {
		n = append(n, s.Name())
	}
	return strings.Join(n, ", ")
}

// childrenOf are the spans whose parent is p.
func childrenOf(spans []sdktrace.ReadOnlySpan, p sdktrace.ReadOnlySpan) []sdktrace.ReadOnlySpan {
	var out []sdktrace.ReadOnlySpan
	for _, s := range spans {
		if s.Parent().SpanID() == p.SpanContext().SpanID() {
			out = append(out, s)
		}
	}
	return out
}

// TestTraceOfCodeExchange: the token request of an authorization-code
// exchange continues the relying party's traceparent; its request span is
// named by its route with the pool, client, method and status, and the
// store statements and the signatures it makes are its children; its log
// lines carry the trace id, and its pre token generation webhook gets
// the trace in its traceparent header.
func TestTraceOfCodeExchange(t *testing.T) {
	// A pre token generation webhook, which receives the trace.
	hooks := apptest.NewTriggers(t)
	var (
		mu      sync.Mutex
		parents []string
	)
	hooks.HandleRaw(pool.TriggerPreTokenGeneration, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		parents = append(parents, r.Header.Get("Traceparent"))
		mu.Unlock()
		_, _ = w.Write([]byte(`{"response":{}}`))
	})
	l := newTraceLab(t, func(kit *apptest.App, p *pool.Pool) { hooks.Configure(p, kit.Box, pool.TriggerPreTokenGeneration) })
	rec := record(t)
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	code := l.signIn(t)
	_, parent := l.tokenRequest(t, tp, url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {rpCallback}})

	spans := spansOf(rec, parent.TraceID())
	req := one(t, spans, "POST /oauth2/token")
	if req.Parent().SpanID() != parent.SpanID() || !req.Parent().IsRemote() {
		t.Fatalf("request span's parent %v, want the relying party's remote span %v", req.Parent(), parent)
	}
	if req.SpanKind() != trace.SpanKindServer {
		t.Fatalf("request span kind %v", req.SpanKind())
	}
	for key, want := range map[string]string{
		"http.route": "/oauth2/token", "http.request.method": "POST", "http.response.status_code": "200",
		tracing.PoolID: l.pool.ID, tracing.ClientID: l.client.ID, "oauth.grant_type": "authorization_code",
	} {
		if got := attr(req, key); got != want {
			t.Errorf("request span %s = %q, want %q", key, got, want)
		}
	}
	reqID := attr(req, tracing.RequestID)
	if reqID == "" {
		t.Error("request span has no request id")
	}
	// The request's log lines carry its trace id beside its request id.
	wantLog := `"request_id":"` + reqID + `","trace_id":"` + parent.TraceID().String() + `"`
	if !strings.Contains(l.kit.Log.String(), wantLog) {
		t.Errorf("no log line with %s in:\n%s", wantLog, l.kit.Log.String())
	}
	kids := childrenOf(spans, req)
	var reads, writes, signs, hooked int
	for _, s := range kids {
		switch s.Name() {
		case "sqlite.query":
			reads++
			if attr(s, "db.operation.name") != "SELECT" || attr(s, "db.collection.name") == "" {
				t.Errorf("store read span attributes %v", s.Attributes())
			}
		case "sqlite.write":
			writes++
			if attr(s, "db.operation.name") == "" {
				t.Errorf("store write span attributes %v", s.Attributes())
			}
		case "token.sign":
			signs++
			if attr(s, tracing.PoolID) != l.pool.ID {
				t.Errorf("signing span attributes %v", s.Attributes())
			}
		case "trigger.invoke":
			hooked++
			if attr(s, "linkpool.trigger") != pool.TriggerPreTokenGeneration || attr(s, "linkpool.trigger.kind") != "webhook" {
				t.Errorf("trigger span attributes %v", s.Attributes())
			}
			mu.Lock()
			var sent bool
			for _, tp := range parents {
				sent = sent || strings.HasPrefix(tp, "00-"+parent.TraceID().String()+"-"+s.SpanContext().SpanID().String())
			}
			mu.Unlock()
			if !sent {
				t.Errorf("the webhook got traceparents %v, not the trigger span's", parents)
			}
		}
	}
	if hooked != 1 {
		t.Errorf("%d trigger spans under the request span, want 1", hooked)
	}
	// The code is consumed (a write), the user read, and an ID, an
	// access token signed (the refresh token is not a JWT).
	if reads == 0 || writes == 0 || signs < 2 {
		t.Fatalf("children of the request span: %d reads, %d writes, %d signatures; spans: %s", reads, writes, signs, names(kids))
	}
	// Every span of the trace but the relying party's descends from the
	// request span.
	byID := map[trace.SpanID]sdktrace.ReadOnlySpan{}
	for _, s := range spans {
		byID[s.SpanContext().SpanID()] = s
	}
	for _, s := range spans {
		if s.Name() == "relying party" {
			continue
		}
		p := s
		for p != nil && p != req {
			p = byID[p.Parent().SpanID()]
		}
		if p == nil {
			t.Errorf("span %q is not under the request span", s.Name())
		}
	}
}

// TestTraceOfDirective: a directive to the skill is a request span with
// the directive's span under it, and under that the verification of the
// access token, whose first key-set fetch is traced into the pool's JWKS
// endpoint.
func TestTraceOfDirective(t *testing.T) {
	l := newTraceLab(t)
	code := l.signIn(t)
	tok, err := l.oauth.Exchange(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	rec := record(t)
	if out := l.directive(t, alexa.NamespaceDiscovery, "Discover", tok.AccessToken); !strings.Contains(out, "Discover.Response") {
		t.Fatalf("discovery reply %s", out)
	}
	var reqs []sdktrace.ReadOnlySpan
	for _, s := range rec.Ended() {
		if s.Name() == "POST /alexa/smart-home" {
			reqs = append(reqs, s)
		}
	}
	if len(reqs) != 1 {
		t.Fatalf("%d directive request spans; spans: %s", len(reqs), names(rec.Ended()))
	}
	req := reqs[0]
	spans := spansOf(rec, req.SpanContext().TraceID())
	if req.Parent().IsValid() || attr(req, "http.route") != "/alexa/smart-home" || attr(req, "http.response.status_code") != "200" {
		t.Fatalf("request span: parent %v, attributes %v", req.Parent(), req.Attributes())
	}
	d := one(t, spans, "alexa.directive")
	if d.Parent().SpanID() != req.SpanContext().SpanID() {
		t.Fatal("the directive span is not a child of the request span")
	}
	if attr(d, "alexa.namespace") != alexa.NamespaceDiscovery || attr(d, "alexa.name") != "Discover" {
		t.Fatalf("directive span attributes %v", d.Attributes())
	}
	v := one(t, spans, "smarthome.verify_token")
	if v.Parent().SpanID() != d.SpanContext().SpanID() {
		t.Fatal("the verification span is not a child of the directive span")
	}
	fetch := one(t, spans, "verify.jwks_fetch")
	if fetch.Parent().SpanID() != v.SpanContext().SpanID() {
		t.Fatal("the key-set fetch span is not a child of the verification span")
	}
	jwks := one(t, spans, "GET /.well-known/jwks.json")
	if jwks.Parent().SpanID() != fetch.SpanContext().SpanID() {
		t.Fatal("the pool's JWKS request span does not continue the fetch's traceparent")
	}
	// The discovery reads the user's lamps from the store.
	var stores int
	for _, s := range spans {
		if strings.HasPrefix(s.Name(), "sqlite.") {
			stores++
		}
	}
	if stores == 0 {
		t.Fatalf("no store span in the directive's trace: %s", names(spans))
	}

	// A refused credential is the directive's outcome.
	rec2 := record(t)
	l.directive(t, alexa.NamespaceDiscovery, "Discover", "not-a-token")
	bad := one(t, rec2.Ended(), "alexa.directive")
	if got := attr(bad, tracing.Outcome); got != string(alexa.ErrInvalidAuthorization) {
		t.Fatalf("outcome of a bad token %q", got)
	}
}

// TestTracesHoldNoSecrets runs sign-in on the hosted page, a code
// exchange, a refresh, Cognito API calls (a refused and a successful
// sign-in) and a directive, and checks that no span name, attribute,
// event or status of any span holds the password, the code, a token, the
// email address or another user attribute used.
func TestTracesHoldNoSecrets(t *testing.T) {
	l := newTraceLab(t)
	rec := record(t)
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	secrets := map[string]string{"password": l.password, "email": l.email, "name attribute": l.name, "client secret": l.secret}

	code := l.signIn(t)
	secrets["code"] = code
	toks, _ := l.tokenRequest(t, tp, url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {rpCallback}})
	for _, k := range []string{"access_token", "id_token", "refresh_token"} {
		s, _ := toks[k].(string)
		if s == "" {
			t.Fatalf("no %s", k)
		}
		secrets[k] = s
	}
	refreshed, _ := l.tokenRequest(t, tp, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {secrets["refresh_token"]}})
	secrets["refreshed access_token"], _ = refreshed["access_token"].(string)

	wrong := "Wrong-Pass-7" + strings.Repeat("y", 4)
	secrets["wrong password"] = wrong
	if status, out := l.cognito(t, "InitiateAuth", map[string]any{"ClientId": l.client.ID, "AuthFlow": "USER_PASSWORD_AUTH",
		"AuthParameters": map[string]string{"USERNAME": l.email, "PASSWORD": wrong, "SECRET_HASH": secretHash(l.client.ID, l.secret, l.email)}}); status != http.StatusBadRequest || !strings.Contains(out, "NotAuthorizedException") {
		t.Fatalf("InitiateAuth with a wrong password: %d %s", status, out)
	}
	status, out := l.cognito(t, "InitiateAuth", map[string]any{"ClientId": l.client.ID, "AuthFlow": "USER_PASSWORD_AUTH",
		"AuthParameters": map[string]string{"USERNAME": "tracy", "PASSWORD": l.password, "SECRET_HASH": secretHash(l.client.ID, l.secret, "tracy")}})
	if status != http.StatusOK {
		t.Fatalf("InitiateAuth: %d %s", status, out)
	}
	var auth struct {
		AuthenticationResult struct{ AccessToken, IdToken, RefreshToken string }
	}
	if err := json.Unmarshal([]byte(out), &auth); err != nil || auth.AuthenticationResult.AccessToken == "" {
		t.Fatalf("InitiateAuth answer %s", out)
	}
	secrets["API access token"] = auth.AuthenticationResult.AccessToken
	secrets["API ID token"] = auth.AuthenticationResult.IdToken
	secrets["API refresh token"] = auth.AuthenticationResult.RefreshToken
	l.directive(t, alexa.NamespaceDiscovery, "Discover", secrets["refreshed access_token"])

	spans := rec.Ended()
	seen := map[string]bool{}
	for _, s := range spans {
		seen[s.Name()] = true
	}
	for _, want := range []string{"GET /login", "POST /login", "GET /oauth2/authorize", "POST /oauth2/token", "POST cognito-idp",
		"POST /alexa/smart-home", "alexa.directive", "password.verify", "token.sign", "sqlite.query", "sqlite.write"} {
		if !seen[want] {
			t.Errorf("no span %q among %s", want, names(spans))
		}
	}
	var refused bool
	for _, s := range find(spans, "POST cognito-idp") {
		if attr(s, tracing.Outcome) == "NotAuthorizedException" && attr(s, "rpc.method") == "InitiateAuth" {
			refused = true
		}
	}
	if !refused {
		t.Error("the refused InitiateAuth has no NotAuthorizedException outcome")
	}
	for _, s := range spans {
		text := dumpSpan(s)
		for what, v := range secrets {
			if v == "" {
				t.Fatalf("secret %s is empty", what)
			}
			if strings.Contains(text, v) {
				t.Errorf("span %q holds the %s: %s", s.Name(), what, text)
			}
		}
		// JWTs, codes and tokens are long; no span value should look
		// like one.
		if strings.Contains(text, "eyJ") {
			t.Errorf("span %q holds something like a JWT: %s", s.Name(), text)
		}
	}
}

// dumpSpan is everything a span would export but its ids and times.
func dumpSpan(s sdktrace.ReadOnlySpan) string {
	var b strings.Builder
	fmt.Fprintf(&b, "name=%s status=%s:%s", s.Name(), s.Status().Code, s.Status().Description)
	for _, kv := range s.Attributes() {
		fmt.Fprintf(&b, " %s=%s", kv.Key, kv.Value.String())
	}
	for _, e := range s.Events() {
		fmt.Fprintf(&b, " event=%s", e.Name)
		for _, kv := range e.Attributes {
			fmt.Fprintf(&b, " %s=%s", kv.Key, kv.Value.String())
		}
	}
	for _, ln := range s.Links() {
		for _, kv := range ln.Attributes {
			fmt.Fprintf(&b, " link.%s=%s", kv.Key, kv.Value.String())
		}
	}
	return b.String()
}

// TestTracingOffByDefault: without an endpoint tracing stays off, even
// with a global OpenTelemetry provider set by someone else: no span is
// made, no traceparent is answered, and requests are served as usual.
func TestTracingOffByDefault(t *testing.T) {
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "")
	t.Setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "")
	shutdown, err := tracing.Setup(context.Background(), tracing.Config{ServiceName: "linkpool"})
	if err != nil {
		t.Fatal(err)
	}
	defer shutdown(context.Background())
	if tracing.On() {
		t.Fatal("tracing is on without an endpoint")
	}
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	prev := otel.GetTracerProvider()
	otel.SetTracerProvider(tp)
	t.Cleanup(func() { otel.SetTracerProvider(prev) })

	l := newTraceLab(t)
	code := l.signIn(t)
	// A caller's traceparent is not continued either.
	_, _ = l.tokenRequest(t, sdktrace.NewTracerProvider(), url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {rpCallback}})
	if n := len(rec.Ended()) + len(rec.Started()); n != 0 {
		t.Fatalf("%d spans with tracing off: %s", n, names(rec.Ended()))
	}
}
