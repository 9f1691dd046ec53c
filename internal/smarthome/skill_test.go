package smarthome_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/smarthome"
	"github.com/linkpool/linkpool/internal/smarthome/lamp"
	"github.com/linkpool/linkpool/internal/smarthome/smarthometest"
	"github.com/linkpool/linkpool/verify"
)

func TestTokenErrorMapping(t *testing.T) {
	const owner = "user-a"
	tests := []struct {
		name     string
		token    func(e *env) string
		check    func(context.Context, verify.Identity) error
		down     bool
		wantName string
		wantType string
	}{
		{name: "valid", token: func(e *env) string { return e.iss.Token(t, owner) }, wantName: "Response"},
		{name: "expired", token: func(e *env) string {
			c := e.iss.Claims(owner)
			c["iat"], c["exp"] = time.Now().Add(-2*time.Hour).Unix(), time.Now().Add(-time.Hour).Unix()
			return e.iss.Sign(t, c)
		}, wantName: "ErrorResponse", wantType: "EXPIRED_AUTHORIZATION_CREDENTIAL"},
		{name: "bad signature", token: func(e *env) string { return e.iss.SignWithForeignKey(t, e.iss.Claims(owner)) },
			wantName: "ErrorResponse", wantType: "INVALID_AUTHORIZATION_CREDENTIAL"},
		{name: "wrong issuer", token: func(e *env) string {
			c := e.iss.Claims(owner)
			c["iss"] = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other"
			return e.iss.Sign(t, c)
		}, wantName: "ErrorResponse", wantType: "INVALID_AUTHORIZATION_CREDENTIAL"},
		{name: "wrong client", token: func(e *env) string {
			c := e.iss.Claims(owner)
			c["client_id"] = "someotherclient"
			return e.iss.Sign(t, c)
		}, wantName: "ErrorResponse", wantType: "INVALID_AUTHORIZATION_CREDENTIAL"},
		{name: "ID token", token: func(e *env) string {
			c := e.iss.Claims(owner)
			c["token_use"], c["aud"] = "id", smarthometest.ClientID
			delete(c, "client_id")
			return e.iss.Sign(t, c)
		}, wantName: "ErrorResponse", wantType: "INVALID_AUTHORIZATION_CREDENTIAL"},
		{name: "garbage token", token: func(*env) string { return "not-a-jwt" }, wantName: "ErrorResponse", wantType: "INVALID_AUTHORIZATION_CREDENTIAL"},
		{name: "JWKS down", token: func(e *env) string { return e.iss.Token(t, owner) }, down: true,
			wantName: "ErrorResponse", wantType: "INTERNAL_ERROR"},
		{name: "identity revoked", token: func(e *env) string { return e.iss.Token(t, owner) },
			check: func(context.Context, verify.Identity) error {
				return fmt.Errorf("user disabled: %w", verify.ErrRevoked)
			}, wantName: "ErrorResponse", wantType: "INVALID_AUTHORIZATION_CREDENTIAL"},
		{name: "identity check failing", token: func(e *env) string { return e.iss.Token(t, owner) },
			check:    func(context.Context, verify.Identity) error { return errors.New("database unreachable") },
			wantName: "ErrorResponse", wantType: "INTERNAL_ERROR"},
		{name: "identity check passing", token: func(e *env) string { return e.iss.Token(t, owner) },
			check: func(_ context.Context, id verify.Identity) error {
				if id.Sub != owner {
					return verify.ErrRevoked
				}
				return nil
			}, wantName: "Response"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, func(c *smarthome.SkillConfig) { c.CheckIdentity = tc.check })
			e.addLamp(t, owner, "lamp-1")
			e.iss.SetDown(tc.down)
			tok := tc.token(e)
			for _, raw := range []string{
				directive("Alexa.PowerController", "TurnOn", "lamp-1", tok, nil),
				directive("Alexa", "ReportState", "lamp-1", tok, nil),
				discoverDirective(tok),
			} {
				ev := e.invoke(t, raw)
				want := tc.wantName
				if want == "Response" && ev.Event.Header.Namespace == "Alexa.Discovery" {
					want = "Discover.Response"
				} else if want == "Response" && ev.Event.Header.Name == "StateReport" {
					want = "StateReport"
				}
				if ev.Event.Header.Name != want {
					t.Fatalf("%s: reply %s/%s (%s), want %s %s", raw[:60], ev.Event.Header.Namespace, ev.Event.Header.Name, ev.errorType(), want, tc.wantType)
				}
				if tc.wantType != "" && ev.errorType() != tc.wantType {
					t.Fatalf("error type %s, want %s", ev.errorType(), tc.wantType)
				}
			}
			checkNoSecret(t, "logs", e.logs.String(), tok)
		})
	}
}

// TestKeyPublishedAfterFetchIsInternalError: a token signed by a key the
// issuer published after the skill last fetched its JWKS, presented before
// the skill may fetch again, is answered INTERNAL_ERROR (Alexa retries),
// never INVALID_AUTHORIZATION_CREDENTIAL (Alexa would unlink the user).
func TestKeyPublishedAfterFetchIsInternalError(t *testing.T) {
	const owner = "user-a"
	e := newEnv(t, nil)
	e.addLamp(t, owner, "lamp-1")
	if ev := e.invoke(t, directive("Alexa.PowerController", "TurnOn", "lamp-1", e.iss.Token(t, owner), nil)); ev.Event.Header.Name != "Response" {
		t.Fatalf("token of the known key: %s (%s)", ev.Event.Header.Name, ev.errorType())
	}
	tok := e.iss.PublishNewKey(t)(e.iss.Claims(owner))
	for _, raw := range []string{
		directive("Alexa.PowerController", "TurnOff", "lamp-1", tok, nil),
		discoverDirective(tok),
	} {
		ev := e.invoke(t, raw)
		if ev.Event.Header.Name != "ErrorResponse" || ev.errorType() != "INTERNAL_ERROR" {
			t.Fatalf("%s: reply %s (%s), want ErrorResponse INTERNAL_ERROR", raw[:60], ev.Event.Header.Name, ev.errorType())
		}
	}
}

func TestNoTokenIsInvalidDirective(t *testing.T) {
	e := newEnv(t, nil)
	e.addLamp(t, "u", "lamp-1")
	raw := `{"directive":{"header":{"namespace":"Alexa.PowerController","name":"TurnOn","payloadVersion":"3","messageId":"m-1","correlationToken":"c"},"endpoint":{"endpointId":"lamp-1"},"payload":{}}}`
	ev := e.invoke(t, raw)
	if ev.errorType() != "INVALID_DIRECTIVE" {
		t.Fatalf("error type %s, want INVALID_DIRECTIVE (a missing scope must not unlink the user)", ev.errorType())
	}
}

func TestPerUserIsolation(t *testing.T) {
	e := newEnv(t, nil)
	a := e.addLamp(t, "user-a", "lamp-a")
	tokB := e.iss.Token(t, "user-b")
	for _, raw := range []string{
		directive("Alexa.PowerController", "TurnOn", "lamp-a", tokB, nil),
		directive("Alexa.BrightnessController", "SetBrightness", "lamp-a", tokB, map[string]int{"brightness": 10}),
		directive("Alexa", "ReportState", "lamp-a", tokB, nil),
	} {
		ev := e.invoke(t, raw)
		if ev.errorType() != "NO_SUCH_ENDPOINT" {
			t.Fatalf("user B on user A's lamp: %s, want NO_SUCH_ENDPOINT", ev.errorType())
		}
		if ev.Event.Endpoint == nil || ev.Event.Endpoint.EndpointID != "lamp-a" {
			t.Errorf("reply does not name the endpoint: %+v", ev.Event.Endpoint)
		}
	}
	got, err := e.st.GetLamp(context.Background(), "user-a", "lamp-a")
	if err != nil {
		t.Fatal(err)
	}
	if got != a {
		t.Errorf("user A's lamp changed: %+v", got)
	}
	// B's discovery shows only B's own default lamp.
	ev := e.invoke(t, discoverDirective(tokB))
	var p struct {
		Endpoints []struct{ EndpointID string } `json:"endpoints"`
	}
	_ = json.Unmarshal(ev.Event.Payload, &p)
	if len(p.Endpoints) != 1 || p.Endpoints[0].EndpointID == "lamp-a" {
		t.Errorf("user B discovers %+v", p.Endpoints)
	}
}

func TestStatePersistsAcrossReopen(t *testing.T) {
	path := t.TempDir() + "/lamps.db"
	iss := smarthometest.NewIssuer(t)
	tok := iss.Token(t, "user-a")
	run := func(raws ...string) event {
		st := openStore(t, path)
		skill, err := smarthome.NewSkill(smarthome.SkillConfig{Store: st, Verifier: iss.Verifier(t)})
		if err != nil {
			t.Fatal(err)
		}
		var ev event
		for _, raw := range raws {
			out, _ := skill.Invoke(context.Background(), []byte(raw))
			smarthometest.Validate(t, out)
			if err := json.Unmarshal(out, &ev); err != nil {
				t.Fatal(err)
			}
		}
		_ = skill.Close(context.Background())
		if err := st.Close(); err != nil {
			t.Fatal(err)
		}
		return ev
	}
	st := openStore(t, path)
	if err := st.CreateLamp(context.Background(), lamp.New("user-a", "lamp-1", "Desk", time.Now())); err != nil {
		t.Fatal(err)
	}
	_ = st.Close()
	run(directive("Alexa.PowerController", "TurnOn", "lamp-1", tok, nil),
		directive("Alexa.BrightnessController", "SetBrightness", "lamp-1", tok, map[string]int{"brightness": 40}),
		directive("Alexa.ColorController", "SetColor", "lamp-1", tok, map[string]any{"color": map[string]float64{"hue": 240, "saturation": 0.5, "brightness": 0.8}}))
	ev := run(directive("Alexa", "ReportState", "lamp-1", tok, nil))
	if ev.Event.Header.Name != "StateReport" {
		t.Fatalf("reply %s", ev.Event.Header.Name)
	}
	if string(ev.prop("powerState")) != `"ON"` || string(ev.prop("brightness")) != "40" ||
		string(ev.prop("color")) != `{"hue":240,"saturation":0.5,"brightness":0.8}` {
		t.Errorf("state after reopen: power %s brightness %s color %s", ev.prop("powerState"), ev.prop("brightness"), ev.prop("color"))
	}
}

func TestValueOutOfRange(t *testing.T) {
	e := newEnv(t, nil)
	before := e.addLamp(t, "u", "lamp-1")
	tok := e.iss.Token(t, "u")
	tests := []struct {
		name     string
		ns, dir  string
		payload  any
		wantType string
		min, max float64
	}{
		{name: "brightness 150", ns: "Alexa.BrightnessController", dir: "SetBrightness", payload: map[string]int{"brightness": 150}, wantType: "VALUE_OUT_OF_RANGE", min: 0, max: 100},
		{name: "brightness -1", ns: "Alexa.BrightnessController", dir: "SetBrightness", payload: map[string]int{"brightness": -1}, wantType: "VALUE_OUT_OF_RANGE", min: 0, max: 100},
		{name: "delta -101", ns: "Alexa.BrightnessController", dir: "AdjustBrightness", payload: map[string]int{"brightnessDelta": -101}, wantType: "VALUE_OUT_OF_RANGE", min: -100, max: 100},
		{name: "kelvin 500", ns: "Alexa.ColorTemperatureController", dir: "SetColorTemperature", payload: map[string]int{"colorTemperatureInKelvin": 500}, wantType: "VALUE_OUT_OF_RANGE", min: 1000, max: 10000},
		{name: "kelvin 20000", ns: "Alexa.ColorTemperatureController", dir: "SetColorTemperature", payload: map[string]int{"colorTemperatureInKelvin": 20000}, wantType: "VALUE_OUT_OF_RANGE", min: 1000, max: 10000},
		{name: "hue 400", ns: "Alexa.ColorController", dir: "SetColor", payload: map[string]any{"color": map[string]float64{"hue": 400, "saturation": 1, "brightness": 1}}, wantType: "VALUE_OUT_OF_RANGE", min: 0, max: 360},
		{name: "saturation 2", ns: "Alexa.ColorController", dir: "SetColor", payload: map[string]any{"color": map[string]float64{"hue": 40, "saturation": 2, "brightness": 1}}, wantType: "VALUE_OUT_OF_RANGE", min: 0, max: 1},
		{name: "brightness as string", ns: "Alexa.BrightnessController", dir: "SetBrightness", payload: map[string]string{"brightness": "75"}, wantType: "INVALID_DIRECTIVE"},
		{name: "brightness fractional", ns: "Alexa.BrightnessController", dir: "SetBrightness", payload: map[string]float64{"brightness": 75.5}, wantType: "INVALID_DIRECTIVE"},
		{name: "brightness missing", ns: "Alexa.BrightnessController", dir: "SetBrightness", payload: map[string]int{}, wantType: "INVALID_DIRECTIVE"},
		{name: "color incomplete", ns: "Alexa.ColorController", dir: "SetColor", payload: map[string]any{"color": map[string]float64{"hue": 40}}, wantType: "INVALID_DIRECTIVE"},
		{name: "unknown directive", ns: "Alexa.LockController", dir: "Lock", wantType: "INVALID_DIRECTIVE"},
		{name: "unknown endpoint", ns: "Alexa.PowerController", dir: "TurnOn", wantType: "NO_SUCH_ENDPOINT"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			id := "lamp-1"
			if tc.wantType == "NO_SUCH_ENDPOINT" {
				id = "lamp-unknown"
			}
			ev := e.invoke(t, directive(tc.ns, tc.dir, id, tok, tc.payload))
			if ev.errorType() != tc.wantType {
				t.Fatalf("error type %q, want %q", ev.errorType(), tc.wantType)
			}
			if ev.Event.Header.CorrelationToken != "corr-"+tc.dir {
				t.Errorf("correlationToken %q not echoed", ev.Event.Header.CorrelationToken)
			}
			if tc.wantType == "VALUE_OUT_OF_RANGE" {
				var p struct {
					ValidRange struct{ MinimumValue, MaximumValue float64 } `json:"validRange"`
				}
				_ = json.Unmarshal(ev.Event.Payload, &p)
				if p.ValidRange.MinimumValue != tc.min || p.ValidRange.MaximumValue != tc.max {
					t.Errorf("validRange %+v, want %v..%v", p.ValidRange, tc.min, tc.max)
				}
			}
		})
	}
	after, err := e.st.GetLamp(context.Background(), "u", "lamp-1")
	if err != nil {
		t.Fatal(err)
	}
	if after != before {
		t.Errorf("rejected directives changed the lamp:\n%+v\n%+v", before, after)
	}
}

func TestUnreachableLamp(t *testing.T) {
	e := newEnv(t, nil)
	l := e.addLamp(t, "u", "lamp-1")
	l.Reachable = false
	if err := e.st.UpdateLamp(context.Background(), "u", "lamp-1", func(lampT) (lampT, error) { return l, nil }); err != nil {
		t.Fatal(err)
	}
	tok := e.iss.Token(t, "u")
	if ev := e.invoke(t, directive("Alexa.PowerController", "TurnOn", "lamp-1", tok, nil)); ev.errorType() != "ENDPOINT_UNREACHABLE" {
		t.Errorf("TurnOn on an offline lamp: %s", ev.errorType())
	}
	ev := e.invoke(t, directive("Alexa", "ReportState", "lamp-1", tok, nil))
	if string(ev.prop("connectivity")) != `{"value":"UNREACHABLE"}` {
		t.Errorf("connectivity %s", ev.prop("connectivity"))
	}
}
