package alexasim

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/linkpool/linkpool/internal/smarthome/alexa"
)

// Gateway stand-in limits and lifetimes, as Login with Amazon documents
// them: codes live 5 minutes and are single use, access tokens an hour.
const (
	GatewayCodeTTL   = 5 * time.Minute
	GatewayTokenTTL  = time.Hour
	maxGatewayEvents = 1000
	maxEventSize     = 256 << 10
)

// GatewayConfig configures a Gateway.
type GatewayConfig struct {
	// ClientID and ClientSecret are the skill's "Alexa Skill Messaging"
	// client (developer console, Permissions), which the token endpoint
	// requires, in the form body as LWA expects or with HTTP Basic.
	ClientID, ClientSecret string
	// Schema validates events; nil records them as "skipped (schema not
	// found)".
	Schema *Schema
	Now    func() time.Time
	// MaxEvents bounds the events kept (default 1000, oldest dropped).
	MaxEvents int
}

// Gateway stands in for Login with Amazon's token endpoint and the Alexa
// event gateway ("Send events to the Alexa event gateway"):
//
//	POST /auth/o2/token  grant_type=authorization_code|refresh_token, LWA-style tokens (Atza|…, Atzr|…), expires_in 3600
//	POST /v3/events      Authorization: Bearer <access token it issued>; the event is validated, recorded, 202 Accepted
//	GET  /events         the recorded events as JSON ({"events":[…]}), ?link=NAME filters
//	POST /grants         link=NAME: a new single-use grant code for AcceptGrant ({"code":"…"})
//
// It is safe for concurrent use. It serves tests and local use only: it
// keeps everything in memory and /grants and /events need no credentials,
// so bind it to loopback.
type Gateway struct {
	cfg GatewayConfig
	mux *http.ServeMux

	mu      sync.Mutex
	codes   map[string]gatewayGrant // grant code -> grant
	access  map[string]gatewayGrant // access token -> grant
	refresh map[string]gatewayGrant // refresh token -> grant
	events  []ReceivedEvent
	seq     int
}

type gatewayGrant struct {
	link    string
	expires time.Time
}

// ReceivedEvent is an event the gateway received.
type ReceivedEvent struct {
	Seq        int       `json:"seq"`
	ReceivedAt time.Time `json:"received_at"`
	// Link is the link whose AcceptGrant code led to the token used.
	Link         string           `json:"link,omitempty"`
	Namespace    string           `json:"namespace"`
	Name         string           `json:"name"`
	EndpointID   string           `json:"endpoint_id,omitempty"`
	Cause        string           `json:"cause,omitempty"`
	Changed      []alexa.Property `json:"changed,omitempty"`
	Schema       SchemaStatus     `json:"schema"`
	SchemaDetail string           `json:"schema_detail,omitempty"`
	// Status is the HTTP status the gateway answered.
	Status int `json:"status"`
	// Event is the event document with its bearer token redacted.
	Event json.RawMessage `json:"event,omitempty"`
}

// NewGateway returns a gateway stand-in.
func NewGateway(cfg GatewayConfig) *Gateway {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MaxEvents <= 0 {
		cfg.MaxEvents = maxGatewayEvents
	}
	g := &Gateway{cfg: cfg, codes: map[string]gatewayGrant{}, access: map[string]gatewayGrant{}, refresh: map[string]gatewayGrant{}}
	g.mux = http.NewServeMux()
	g.mux.HandleFunc("POST /auth/o2/token", g.token)
	g.mux.HandleFunc("POST /v3/events", g.event)
	g.mux.HandleFunc("GET /events", g.list)
	g.mux.HandleFunc("POST /grants", g.grant)
	return g
}

// ServeHTTP serves the gateway's routes.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) { g.mux.ServeHTTP(w, r) }

// NewGrantCode issues a single-use grant code for link, as Alexa obtains
// one from LWA before sending AcceptGrant.
func (g *Gateway) NewGrantCode(link string) string {
	code := "ANsim" + randomToken(15)
	g.mu.Lock()
	defer g.mu.Unlock()
	g.codes[code] = gatewayGrant{link: link, expires: g.cfg.Now().Add(GatewayCodeTTL)}
	return code
}

// Events returns the recorded events, oldest first, of link ("" for all).
func (g *Gateway) Events(link string) []ReceivedEvent {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := []ReceivedEvent{}
	for _, e := range g.events {
		if link == "" || e.Link == link {
			out = append(out, e)
		}
	}
	return out
}

// token is LWA's token endpoint (RFC 6749 §4.1.3 and §6; "Authenticate a
// customer to your skill").
func (g *Gateway) token(w http.ResponseWriter, r *http.Request) {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "application/x-www-form-urlencoded" {
		oauthError(w, http.StatusBadRequest, "invalid_request", "the body must be application/x-www-form-urlencoded")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "malformed body")
		return
	}
	id, secret := r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	if u, p, ok := r.BasicAuth(); ok {
		id, _ = url.QueryUnescape(u)
		secret, _ = url.QueryUnescape(p)
	}
	idOK := subtle.ConstantTimeCompare([]byte(id), []byte(g.cfg.ClientID)) == 1
	secretOK := subtle.ConstantTimeCompare([]byte(secret), []byte(g.cfg.ClientSecret)) == 1
	if !idOK || !secretOK || g.cfg.ClientID == "" {
		oauthError(w, http.StatusUnauthorized, "invalid_client", "unknown client or wrong secret")
		return
	}
	now := g.cfg.Now()
	g.mu.Lock()
	var grant gatewayGrant
	var ok bool
	switch r.PostForm.Get("grant_type") {
	case "authorization_code":
		code := r.PostForm.Get("code")
		grant, ok = g.codes[code]
		delete(g.codes, code) // single use, even when expired
		ok = ok && now.Before(grant.expires)
	case "refresh_token":
		grant, ok = g.refresh[r.PostForm.Get("refresh_token")]
	default:
		g.mu.Unlock()
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "grant_type must be authorization_code or refresh_token")
		return
	}
	if !ok {
		g.mu.Unlock()
		oauthError(w, http.StatusBadRequest, "invalid_grant", "the code or refresh token is invalid, expired or used")
		return
	}
	at := "Atza|" + randomToken(48)
	rt := r.PostForm.Get("refresh_token")
	if rt == "" {
		rt = "Atzr|" + randomToken(48)
		g.refresh[rt] = grant
	}
	g.access[at] = gatewayGrant{link: grant.link, expires: now.Add(GatewayTokenTTL)}
	g.mu.Unlock()
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"access_token": at, "refresh_token": rt, "token_type": "bearer", "expires_in": int(GatewayTokenTTL / time.Second),
	})
}

func oauthError(w http.ResponseWriter, status int, code, desc string) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": desc})
}

// event is the event gateway's POST /v3/events.
func (g *Gateway) event(w http.ResponseWriter, r *http.Request) {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	g.mu.Lock()
	grant, known := g.access[tok]
	g.mu.Unlock()
	if !ok || !known || !g.cfg.Now().Before(grant.expires) {
		gatewayError(w, http.StatusUnauthorized, "INVALID_ACCESS_TOKEN_EXCEPTION", "the access token is not valid")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxEventSize))
	if err != nil {
		gatewayError(w, http.StatusRequestEntityTooLarge, "INVALID_REQUEST_EXCEPTION", "the event is larger than 256 KB")
		return
	}
	ev := ReceivedEvent{ReceivedAt: g.cfg.Now(), Link: grant.link}
	ev.Schema, ev.SchemaDetail = g.cfg.Schema.Check(body)
	var doc struct {
		Event struct {
			Header   alexa.Header    `json:"header"`
			Endpoint *alexa.Endpoint `json:"endpoint"`
			Payload  struct {
				Change *struct {
					Cause struct {
						Type string `json:"type"`
					} `json:"cause"`
					Properties []alexa.Property `json:"properties"`
				} `json:"change"`
			} `json:"payload"`
		} `json:"event"`
	}
	if err := json.Unmarshal(body, &doc); err != nil && ev.Schema != SchemaInvalid {
		ev.Schema, ev.SchemaDetail = SchemaInvalid, "not an Alexa event: "+err.Error()
	}
	ev.Namespace, ev.Name = doc.Event.Header.Namespace, doc.Event.Header.Name
	if doc.Event.Endpoint != nil {
		ev.EndpointID = doc.Event.Endpoint.EndpointID
	}
	if c := doc.Event.Payload.Change; c != nil {
		ev.Cause, ev.Changed = c.Cause.Type, c.Properties
	}
	if json.Valid(body) {
		ev.Event = json.RawMessage(strings.ReplaceAll(string(body), tok, "[redacted]"))
	}
	ev.Status = http.StatusAccepted
	if ev.Schema == SchemaInvalid {
		ev.Status = http.StatusBadRequest
	}
	g.record(ev)
	if ev.Status != http.StatusAccepted {
		gatewayError(w, ev.Status, "INVALID_REQUEST_EXCEPTION", "the event does not validate: "+ev.SchemaDetail)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

func (g *Gateway) record(ev ReceivedEvent) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.seq++
	ev.Seq = g.seq
	g.events = append(g.events, ev)
	if n := len(g.events) - g.cfg.MaxEvents; n > 0 {
		g.events = append(g.events[:0:0], g.events[n:]...)
	}
}

// gatewayError answers in the event gateway's error format.
func gatewayError(w http.ResponseWriter, status int, code, desc string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"header":  map[string]string{"namespace": "System", "name": "Exception", "messageId": alexa.NewMessageID()},
		"payload": map[string]string{"code": code, "description": desc},
	})
}

func (g *Gateway) list(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(map[string]any{"events": g.Events(r.URL.Query().Get("link"))})
}

func (g *Gateway) grant(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "malformed body", http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(map[string]string{"code": g.NewGrantCode(r.PostForm.Get("link"))})
}

// newGrantCode gets a grant code for AcceptGrant: from the gateway
// stand-in when there is one, else a random code.
func newGrantCode(ctx context.Context, env *Env, gateway, link string) (string, error) {
	if gateway == "" {
		return "ANsim" + randomToken(15), nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(gateway, "/")+"/grants",
		strings.NewReader(url.Values{"link": {link}}.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := env.client().Do(req)
	if err != nil {
		return "", errors.New(transportError(err))
	}
	defer resp.Body.Close()
	var out struct {
		Code string `json:"code"`
	}
	if resp.StatusCode != http.StatusOK || json.NewDecoder(io.LimitReader(resp.Body, 4<<10)).Decode(&out) != nil || out.Code == "" {
		return "", fmt.Errorf("POST %s/grants answered HTTP %d without a code", redactURL(gateway), resp.StatusCode)
	}
	return out.Code, nil
}

// FetchEvents lists the events a gateway stand-in received for link ("" for all) through its GET /events.
func FetchEvents(ctx context.Context, client *http.Client, gateway, link string) ([]ReceivedEvent, error) {
	u := strings.TrimRight(gateway, "/") + "/events"
	if link != "" {
		u += "?" + url.Values{"link": {link}}.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("gateway %s: %s", redactURL(gateway), transportError(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("gateway %s answered HTTP %d to GET /events", redactURL(gateway), resp.StatusCode)
	}
	var out struct {
		Events []ReceivedEvent `json:"events"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 64<<20)).Decode(&out); err != nil {
		return nil, fmt.Errorf("gateway %s: GET /events is not the gateway's JSON: %w", redactURL(gateway), err)
	}
	return out.Events, nil
}
