package smarthome_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/linkpool/linkpool/internal/smarthome"
	"github.com/linkpool/linkpool/internal/smarthome/alexa"
	"github.com/linkpool/linkpool/internal/smarthome/lamp"
	"github.com/linkpool/linkpool/internal/smarthome/smarthometest"
)

// TestSampleDirectives feeds Amazon's sample directives through the skill
// with the token replaced by a valid one.
func TestSampleDirectives(t *testing.T) {
	lwa := newLWAServer(t)
	e := newEnv(t, func(c *smarthome.SkillConfig) {
		c.LWA = smarthome.LWAConfig{ClientID: lwaClientID, ClientSecret: lwaClientSecret, TokenURL: lwa.URL}
	})
	const owner = "sample-user"
	e.addLamp(t, owner, "endpoint-001")
	tok := e.iss.Token(t, owner)

	dir := smarthometest.DataDir(t)
	files, _ := filepath.Glob(filepath.Join(dir, "samples", "*", "*.request.json"))
	files = append(files, filepath.Join(dir, "samples", "StateReport", "ReportState.json"))
	if len(files) < 10 {
		t.Fatalf("found %d sample directives", len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			in := strings.ReplaceAll(string(raw), "access-token-from-skill", tok)
			var d alexa.DirectiveEnvelope
			if err := json.Unmarshal([]byte(in), &d); err != nil {
				t.Fatal(err)
			}
			ev := e.invoke(t, in)
			h := ev.Event.Header
			if strings.HasSuffix(h.Name, "ErrorResponse") {
				t.Fatalf("%s answered %s: %s", d.Directive.Name(), h.Name, ev.Event.Payload)
			}
			if h.CorrelationToken != d.Directive.Header.CorrelationToken {
				t.Errorf("correlationToken %q, directive had %q", h.CorrelationToken, d.Directive.Header.CorrelationToken)
			}
			if h.MessageID == d.Directive.Header.MessageID {
				t.Error("messageId reused")
			}
			if d.Directive.Endpoint != nil && (ev.Event.Endpoint == nil || ev.Event.Endpoint.EndpointID != "endpoint-001") {
				t.Errorf("endpoint %+v", ev.Event.Endpoint)
			}
			if tok := e.iss.Token(t, owner); strings.Contains(ev.Event.Header.Name, tok) {
				t.Error("reply contains the token")
			}
		})
	}
}

// TestCapabilityEvaluationsThroughSkill runs Amazon's expected-state plans
// end to end: directives through Invoke, state read back with ReportState.
func TestCapabilityEvaluationsThroughSkill(t *testing.T) {
	e := newEnv(t, nil)
	const owner = "plan-user"
	tok := e.iss.Token(t, owner)
	n := 0
	send := func(t *testing.T, id string, d smarthometest.PlanDirective) event {
		t.Helper()
		payload := d.Payload
		if len(payload) == 0 || string(payload) == "null" {
			payload = json.RawMessage("{}")
		}
		ev := e.invoke(t, directive(d.Header.Namespace, d.Header.Name, id, tok, payload))
		if ev.Event.Header.Name != "Response" {
			t.Fatalf("%s: %s %s", d.Header.Name, ev.Event.Header.Name, ev.Event.Payload)
		}
		return ev
	}
	for _, plan := range smarthometest.Plans(t) {
		for _, tc := range plan.TestCases {
			n++
			id := fmt.Sprintf("lamp-%d", n)
			t.Run(plan.Name+"/"+tc.Name, func(t *testing.T) {
				if err := e.st.CreateLamp(context.Background(), lamp.New(owner, id, "Plan lamp", e.now())); err != nil {
					t.Fatal(err)
				}
				for i, s := range tc.InitialSetups {
					ev := send(t, id, s.Directive)
					if msg := smarthometest.Check(s.CapabilityState, ev.prop(s.CapabilityState.Name), 0); msg != "" {
						t.Fatalf("setup %d: %s", i, msg)
					}
				}
				send(t, id, tc.Directive)
				ev := e.invoke(t, directive("Alexa", "ReportState", id, tok, nil))
				for _, exp := range tc.Expected {
					if msg := smarthometest.Check(exp, ev.prop(exp.Name), tc.Tolerance(exp.Namespace, exp.Name)); msg != "" {
						t.Error(msg)
					}
				}
			})
		}
	}
}

func TestDiscovery(t *testing.T) {
	e := newEnv(t, nil)
	tok := e.iss.Token(t, "new-user")
	type endpoints struct {
		Endpoints []struct {
			EndpointID   string `json:"endpointId"`
			FriendlyName string `json:"friendlyName"`
			Capabilities []struct {
				Interface  string `json:"interface"`
				Properties *struct {
					ProactivelyReported bool `json:"proactivelyReported"`
					Retrievable         bool `json:"retrievable"`
				} `json:"properties"`
			} `json:"capabilities"`
		} `json:"endpoints"`
	}
	discover := func() endpoints {
		ev := e.invoke(t, discoverDirective(tok))
		if ev.Event.Header.Name != "Discover.Response" || ev.Event.Header.Namespace != "Alexa.Discovery" {
			t.Fatalf("reply %s/%s", ev.Event.Header.Namespace, ev.Event.Header.Name)
		}
		var p endpoints
		if err := json.Unmarshal(ev.Event.Payload, &p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	first := discover()
	if len(first.Endpoints) != 1 || first.Endpoints[0].FriendlyName != "Desk Lamp" {
		t.Fatalf("first discovery: %+v", first.Endpoints)
	}
	ifaces := map[string]bool{}
	for _, c := range first.Endpoints[0].Capabilities {
		ifaces[c.Interface] = true
		if c.Properties != nil && (!c.Properties.Retrievable || c.Properties.ProactivelyReported) {
			t.Errorf("%s: retrievable %v proactivelyReported %v (no LWA configured)", c.Interface, c.Properties.Retrievable, c.Properties.ProactivelyReported)
		}
	}
	for _, want := range []string{"Alexa", "Alexa.PowerController", "Alexa.BrightnessController", "Alexa.ColorController",
		"Alexa.ColorTemperatureController", "Alexa.EndpointHealth"} {
		if !ifaces[want] {
			t.Errorf("capability %s missing", want)
		}
	}
	if again := discover(); len(again.Endpoints) != 1 || again.Endpoints[0].EndpointID != first.Endpoints[0].EndpointID {
		t.Fatalf("second discovery: %+v", again.Endpoints)
	}
	if _, err := smarthome.AddLamp(context.Background(), e.st, "new-user", "Bedside"); err != nil {
		t.Fatal(err)
	}
	if third := discover(); len(third.Endpoints) != 2 {
		t.Fatalf("after AddLamp: %+v", third.Endpoints)
	}
}

func TestHTTPEndpoint(t *testing.T) {
	e := newEnv(t, nil)
	e.addLamp(t, "u", "lamp-1")
	srv := httptest.NewServer(e.skill.Handler())
	defer srv.Close()
	tok := e.iss.Token(t, "u")
	tests := []struct {
		name       string
		method     string
		body       string
		wantStatus int
		wantEvent  string
	}{
		{name: "directive", method: "POST", body: directive("Alexa.PowerController", "TurnOn", "lamp-1", tok, nil), wantStatus: 200, wantEvent: "Response"},
		{name: "malformed", method: "POST", body: "{", wantStatus: 200, wantEvent: "ErrorResponse"},
		{name: "too large", method: "POST", body: `{"directive":"` + strings.Repeat("x", smarthome.MaxDirectiveSize) + `"}`, wantStatus: 413, wantEvent: "ErrorResponse"},
		{name: "GET", method: "GET", wantStatus: 405},
		{name: "PUT", method: "PUT", body: "{}", wantStatus: 405},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, srv.URL+"/alexa/smart-home", strings.NewReader(tc.body))
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != tc.wantStatus {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.wantStatus)
			}
			if tc.wantStatus == 405 {
				if resp.Header.Get("Allow") != "POST" {
					t.Errorf("Allow %q", resp.Header.Get("Allow"))
				}
				return
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
			var raw json.RawMessage
			if err := json.NewDecoder(resp.Body).Decode(&raw); err != nil {
				t.Fatal(err)
			}
			smarthometest.Validate(t, raw)
			var ev event
			_ = json.Unmarshal(raw, &ev)
			if ev.Event.Header.Name != tc.wantEvent {
				t.Errorf("event %s, want %s", ev.Event.Header.Name, tc.wantEvent)
			}
		})
	}
}

func TestLampManagement(t *testing.T) {
	ctx := context.Background()
	st := openStore(t, "")
	l, err := smarthome.AddLamp(ctx, st, "owner-1", "Kitchen")
	if err != nil {
		t.Fatal(err)
	}
	if !alexa.ValidEndpointID(l.ID) || l.Name != "Kitchen" || l.Owner != "owner-1" {
		t.Errorf("AddLamp = %+v", l)
	}
	tests := []struct {
		name, owner, lampName string
	}{
		{name: "empty name", owner: "owner-1", lampName: ""},
		{name: "too long", owner: "owner-1", lampName: strings.Repeat("x", 129)},
		{name: "control characters", owner: "owner-1", lampName: "a\x00b"},
		{name: "no owner", owner: "", lampName: "Lamp"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := smarthome.AddLamp(ctx, st, tc.owner, tc.lampName); err == nil {
				t.Fatal("AddLamp accepted it")
			}
		})
	}
	list, err := smarthome.ListLamps(ctx, st, "owner-1")
	if err != nil || len(list) != 1 {
		t.Fatalf("ListLamps = %v, %v", list, err)
	}
	if other, _ := smarthome.ListLamps(ctx, st, "owner-2"); len(other) != 0 {
		t.Errorf("another owner sees %v", other)
	}
	if err := smarthome.RemoveLamp(ctx, st, "owner-2", l.ID); err == nil {
		t.Error("another owner removed the lamp")
	}
	if err := smarthome.RemoveLamp(ctx, st, "owner-1", l.ID); err != nil {
		t.Fatal(err)
	}
	if list, _ := smarthome.ListLamps(ctx, st, "owner-1"); len(list) != 0 {
		t.Errorf("after RemoveLamp: %v", list)
	}
}

func TestLambdaHandler(t *testing.T) {
	e := newEnv(t, nil)
	e.addLamp(t, "u", "lamp-1")
	h := e.skill.LambdaHandler()
	out, err := h(context.Background(), json.RawMessage(directive("Alexa.PowerController", "TurnOn", "lamp-1", e.iss.Token(t, "u"), nil)))
	if err != nil {
		t.Fatal(err)
	}
	smarthometest.Validate(t, out)
	var ev event
	_ = json.Unmarshal(out, &ev)
	if ev.Event.Header.Name != "Response" || string(ev.prop("powerState")) != `"ON"` {
		t.Errorf("reply %s", out)
	}
}
