package smarthome_test

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/smarthome"
	"github.com/linkpool/linkpool/internal/smarthome/lamp"
	"github.com/linkpool/linkpool/internal/smarthome/skillstore"
	"github.com/linkpool/linkpool/internal/smarthome/smarthometest"
)

const (
	lwaClientID     = "amzn1.application-oa2-client.smartlamp"
	lwaClientSecret = "lwa-client-secret-0123456789"
)

// lwaServer is a Login with Amazon token endpoint on loopback.
type lwaServer struct {
	*httptest.Server
	mu        sync.Mutex
	expiresIn int
	exchanges int
	refreshes int
	access    map[string]bool // valid access tokens
	refresh   map[string]bool
	n         int
}

func newLWAServer(t testing.TB) *lwaServer {
	t.Helper()
	s := &lwaServer{expiresIn: 3600, access: map[string]bool{}, refresh: map[string]bool{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

func (s *lwaServer) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
		w.WriteHeader(400)
		_, _ = io.WriteString(w, `{"error":"invalid_request"}`)
		return
	}
	if r.PostFormValue("client_id") != lwaClientID || r.PostFormValue("client_secret") != lwaClientSecret {
		w.WriteHeader(401)
		_, _ = io.WriteString(w, `{"error":"invalid_client"}`)
		return
	}
	switch r.PostFormValue("grant_type") {
	case "authorization_code":
		if c := r.PostFormValue("code"); c == "" || strings.HasPrefix(c, "bad-") {
			w.WriteHeader(400)
			_, _ = io.WriteString(w, `{"error":"invalid_grant","error_description":"The request has an invalid grant parameter : code"}`)
			return
		}
		s.exchanges++
	case "refresh_token":
		if !s.refresh[r.PostFormValue("refresh_token")] {
			w.WriteHeader(400)
			_, _ = io.WriteString(w, `{"error":"invalid_grant"}`)
			return
		}
		s.refreshes++
	default:
		w.WriteHeader(400)
		_, _ = io.WriteString(w, `{"error":"unsupported_grant_type"}`)
		return
	}
	s.n++
	at, rt := fmt.Sprintf("Atza|access-%d", s.n), fmt.Sprintf("Atzr|refresh-%d", s.n)
	s.access[at], s.refresh[rt] = true, true
	_ = json.NewEncoder(w).Encode(map[string]any{"access_token": at, "refresh_token": rt, "token_type": "bearer", "expires_in": s.expiresIn})
}

func (s *lwaServer) valid(tok string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.access[tok]
}

func (s *lwaServer) revokeAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.access = map[string]bool{}
}

func (s *lwaServer) counts() (exchanges, refreshes int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.exchanges, s.refreshes
}

// gateway is an Alexa event gateway on loopback: it accepts events whose
// bearer token LWA issued and hands their bodies to the test.
type gateway struct {
	*httptest.Server
	events chan []byte
	hang   chan struct{}
}

func newGateway(t testing.TB, lwa *lwaServer, hang bool) *gateway {
	t.Helper()
	g := &gateway{events: make(chan []byte, 100), hang: make(chan struct{})}
	g.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hang {
			select {
			case <-g.hang:
			case <-r.Context().Done():
			}
			return
		}
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || !lwa.valid(tok) || r.Header.Get("Content-Type") != "application/json" {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = io.WriteString(w, `{"header":{"namespace":"System","name":"Exception"},"payload":{"code":"INVALID_ACCESS_TOKEN_EXCEPTION"}}`)
			return
		}
		body, _ := io.ReadAll(r.Body)
		g.events <- body
		w.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(func() {
		close(g.hang)
		g.Close()
	})
	return g
}

// next waits for the next event (the wait is a guard against a hung
// test, not a timing assertion).
func (g *gateway) next(t *testing.T) []byte {
	t.Helper()
	select {
	case b := <-g.events:
		return b
	case <-time.After(15 * time.Second):
		t.Fatal("no ChangeReport reached the event gateway")
		return nil
	}
}

// aesSeal is a Seal/Open pair for the test, AES-256-GCM with a random key.
func aesSeal(t testing.TB) (seal, open func(aad, data []byte) ([]byte, error)) {
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	block, _ := aes.NewCipher(key)
	aead, err := cipher.NewGCM(block)
	if err != nil {
		t.Fatal(err)
	}
	seal = func(aad, p []byte) ([]byte, error) {
		nonce := make([]byte, aead.NonceSize())
		_, _ = rand.Read(nonce)
		return aead.Seal(nonce, nonce, p, aad), nil
	}
	open = func(aad, c []byte) ([]byte, error) {
		if len(c) < aead.NonceSize() {
			return nil, errors.New("short")
		}
		return aead.Open(nil, c[:aead.NonceSize()], c[aead.NonceSize():], aad)
	}
	return seal, open
}

type changeReport struct {
	Event struct {
		Header struct {
			Namespace, Name, MessageID string
		} `json:"header"`
		Endpoint struct {
			EndpointID string `json:"endpointId"`
			Scope      struct {
				Type, Token string
			} `json:"scope"`
		} `json:"endpoint"`
		Payload struct {
			Change struct {
				Cause struct {
					Type string `json:"type"`
				} `json:"cause"`
				Properties []struct {
					Name  string          `json:"name"`
					Value json.RawMessage `json:"value"`
				} `json:"properties"`
			} `json:"change"`
		} `json:"payload"`
	} `json:"event"`
}

func TestAcceptGrantAndChangeReport(t *testing.T) {
	lwa := newLWAServer(t)
	gw := newGateway(t, lwa, false)
	seal, open := aesSeal(t)
	e := newEnv(t, func(c *smarthome.SkillConfig) {
		c.LWA = smarthome.LWAConfig{ClientID: lwaClientID, ClientSecret: lwaClientSecret, TokenURL: lwa.URL}
		c.EventGatewayURL = gw.URL + "/v3/events"
		c.Seal, c.Open = seal, open
	})
	ctx := context.Background()
	const owner = "grant-user"
	l := e.addLamp(t, owner, "lamp-1")
	tok := e.iss.Token(t, owner)

	ev := e.invoke(t, acceptGrantDirective("good-ANUbUKCJqlBOpMhwYWxU", tok))
	if ev.Event.Header.Namespace != "Alexa.Authorization" || ev.Event.Header.Name != "AcceptGrant.Response" {
		t.Fatalf("AcceptGrant answered %s/%s %s", ev.Event.Header.Namespace, ev.Event.Header.Name, ev.Event.Payload)
	}
	g, err := e.st.GetAlexaGrant(ctx, owner)
	if err != nil {
		t.Fatalf("grant not stored: %v", err)
	}
	if len(g.SealedTokens) == 0 || g.TokenExpiresAt.IsZero() {
		t.Errorf("grant %+v", g)
	}
	checkNoSecret(t, "sealed grant", string(g.SealedTokens), "Atza|access-1", "Atzr|refresh-1")

	// Discovery now announces proactive reporting.
	disc := e.invoke(t, discoverDirective(tok))
	if !strings.Contains(string(disc.Event.Payload), `"proactivelyReported":true`) {
		t.Error("discovery does not mark properties proactively reported")
	}

	// A toggle outside Alexa reaches the gateway as a ChangeReport.
	if _, err := e.skill.Toggle(ctx, owner, l.ID, lamp.ByApp); err != nil {
		t.Fatal(err)
	}
	body := gw.next(t)
	smarthometest.Validate(t, body)
	var cr changeReport
	if err := json.Unmarshal(body, &cr); err != nil {
		t.Fatal(err)
	}
	if cr.Event.Header.Name != "ChangeReport" || cr.Event.Endpoint.EndpointID != "lamp-1" ||
		cr.Event.Endpoint.Scope.Token != "Atza|access-1" || cr.Event.Payload.Change.Cause.Type != "PHYSICAL_INTERACTION" {
		t.Errorf("ChangeReport %s", body)
	}
	if len(cr.Event.Payload.Change.Properties) != 1 || cr.Event.Payload.Change.Properties[0].Name != "powerState" ||
		string(cr.Event.Payload.Change.Properties[0].Value) != `"ON"` {
		t.Errorf("changed properties %+v", cr.Event.Payload.Change.Properties)
	}

	// The gateway rejects the token: the skill refreshes it and retries.
	lwa.revokeAll()
	if _, err := e.skill.SetPower(ctx, owner, l.ID, false, lamp.ByCLI); err != nil {
		t.Fatal(err)
	}
	body = gw.next(t)
	smarthometest.Validate(t, body)
	_ = json.Unmarshal(body, &cr)
	if cr.Event.Endpoint.Scope.Token != "Atza|access-2" || cr.Event.Payload.Change.Cause.Type != "APP_INTERACTION" {
		t.Errorf("after refresh: token %q cause %q", cr.Event.Endpoint.Scope.Token, cr.Event.Payload.Change.Cause.Type)
	}
	if ex, rf := lwa.counts(); ex != 1 || rf != 1 {
		t.Errorf("LWA exchanges %d refreshes %d, want 1 and 1", ex, rf)
	}
	g2, _ := e.st.GetAlexaGrant(ctx, owner)
	raw, err := open(skillstore.LWATokenContext(owner), g2.SealedTokens)
	if err != nil || !strings.Contains(string(raw), "Atzr|refresh-2") {
		t.Errorf("refreshed tokens not stored: %v", err)
	}

	// Alexa's own directives produce no ChangeReport.
	e.invoke(t, directive("Alexa.PowerController", "TurnOn", "lamp-1", tok, nil))
	checkNoSecret(t, "logs", e.logs.String(), tok, "Atza|access", "Atzr|refresh", lwaClientSecret, "good-ANUbUKCJqlBOpMhwYWxU")
}

func TestExpiredLWATokenIsRefreshedBeforeSending(t *testing.T) {
	lwa := newLWAServer(t)
	lwa.expiresIn = 30 // expires within the refresh margin
	gw := newGateway(t, lwa, false)
	e := newEnv(t, func(c *smarthome.SkillConfig) {
		c.LWA = smarthome.LWAConfig{ClientID: lwaClientID, ClientSecret: lwaClientSecret, TokenURL: lwa.URL}
		c.EventGatewayURL = gw.URL
	})
	const owner = "refresh-user"
	e.addLamp(t, owner, "lamp-1")
	if ev := e.invoke(t, acceptGrantDirective("good-code", e.iss.Token(t, owner))); ev.Event.Header.Name != "AcceptGrant.Response" {
		t.Fatalf("AcceptGrant: %s", ev.Event.Payload)
	}
	if _, err := e.skill.Toggle(context.Background(), owner, "lamp-1", lamp.ByApp); err != nil {
		t.Fatal(err)
	}
	var cr changeReport
	_ = json.Unmarshal(gw.next(t), &cr)
	if cr.Event.Endpoint.Scope.Token != "Atza|access-2" {
		t.Errorf("sent with %q, want the refreshed token", cr.Event.Endpoint.Scope.Token)
	}
	if _, rf := lwa.counts(); rf != 1 {
		t.Errorf("refreshes %d, want 1", rf)
	}
}

func TestAcceptGrantFailed(t *testing.T) {
	lwa := newLWAServer(t)
	tests := []struct {
		name   string
		code   string
		token  func(e *env) string
		secret string
	}{
		{name: "LWA answers invalid_grant", code: "bad-code", token: func(e *env) string { return e.iss.Token(t, "u") }, secret: lwaClientSecret},
		{name: "LWA rejects the client", code: "good-code", token: func(e *env) string { return e.iss.Token(t, "u") }, secret: "wrong-secret"},
		{name: "grantee token invalid", code: "good-code", token: func(e *env) string { return e.iss.SignWithForeignKey(t, e.iss.Claims("u")) }, secret: lwaClientSecret},
		{name: "empty code", code: "", token: func(e *env) string { return e.iss.Token(t, "u") }, secret: lwaClientSecret},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, func(c *smarthome.SkillConfig) {
				c.LWA = smarthome.LWAConfig{ClientID: lwaClientID, ClientSecret: tc.secret, TokenURL: lwa.URL}
			})
			ev := e.invoke(t, acceptGrantDirective(tc.code, tc.token(e)))
			if ev.Event.Header.Namespace != "Alexa.Authorization" || ev.Event.Header.Name != "ErrorResponse" || ev.errorType() != "ACCEPT_GRANT_FAILED" {
				t.Fatalf("reply %s/%s %s", ev.Event.Header.Namespace, ev.Event.Header.Name, ev.Event.Payload)
			}
			if _, err := e.st.GetAlexaGrant(context.Background(), "u"); err == nil {
				t.Error("a grant was stored")
			}
			checkNoSecret(t, "logs", e.logs.String(), tc.secret, tc.code)
		})
	}
}

func TestAcceptGrantWithoutLWA(t *testing.T) {
	e := newEnv(t, nil)
	ev := e.invoke(t, acceptGrantDirective("some-code", e.iss.Token(t, "u")))
	if ev.Event.Header.Name != "AcceptGrant.Response" {
		t.Fatalf("reply %s", ev.Event.Payload)
	}
	g, err := e.st.GetAlexaGrant(context.Background(), "u")
	if err != nil || len(g.SealedTokens) != 0 {
		t.Errorf("grant %+v, %v", g, err)
	}
	// Without LWA tokens a toggle sends nothing and still succeeds.
	e.addLamp(t, "u", "lamp-1")
	if _, err := e.skill.Toggle(context.Background(), "u", "lamp-1", lamp.ByApp); err != nil {
		t.Fatal(err)
	}
}

// TestChangeReportsNeverBlock: with a gateway that never answers and a
// queue of one, toggles still complete and report nothing but logs.
func TestChangeReportsNeverBlock(t *testing.T) {
	lwa := newLWAServer(t)
	gw := newGateway(t, lwa, true)
	e := newEnv(t, func(c *smarthome.SkillConfig) {
		c.LWA = smarthome.LWAConfig{ClientID: lwaClientID, ClientSecret: lwaClientSecret, TokenURL: lwa.URL}
		c.EventGatewayURL = gw.URL
		c.EventQueueSize = 1
		c.EventTimeout = 200 * time.Millisecond
	})
	const owner = "busy-user"
	e.addLamp(t, owner, "lamp-1")
	if ev := e.invoke(t, acceptGrantDirective("good-code", e.iss.Token(t, owner))); ev.Event.Header.Name != "AcceptGrant.Response" {
		t.Fatalf("AcceptGrant: %s", ev.Event.Payload)
	}
	for i := range 20 {
		l, err := e.skill.Toggle(context.Background(), owner, "lamp-1", lamp.ByApp)
		if err != nil {
			t.Fatalf("toggle %d: %v", i, err)
		}
		if l.On != (i%2 == 0) {
			t.Fatalf("toggle %d: on=%v", i, l.On)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := e.skill.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
	logs := e.logs.String()
	if !strings.Contains(logs, "queue full") || !strings.Contains(logs, "not delivered") {
		t.Errorf("dropped and failed reports not logged:\n%s", logs)
	}
	checkNoSecret(t, "logs", logs, "Atza|access", "Atzr|refresh")
}
