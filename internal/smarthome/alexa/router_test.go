package alexa_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/linkpool/linkpool/internal/smarthome/alexa"
	"github.com/linkpool/linkpool/internal/smarthome/smarthometest"
)

const secretToken = "eyJhbGciOiJSUzI1NiJ9.c2VjcmV0LXRva2Vu.c2lnbmF0dXJl"

type reply struct {
	Event struct {
		Header   alexa.Header    `json:"header"`
		Endpoint *alexa.Endpoint `json:"endpoint"`
		Payload  struct {
			Type    string `json:"type"`
			Message string `json:"message"`
		} `json:"payload"`
	} `json:"event"`
}

func directiveJSON(ns, name, endpoint string) string {
	ep := ""
	if endpoint != "" {
		ep = `,"endpoint":{"scope":{"type":"BearerToken","token":"` + secretToken + `"},"endpointId":"` + endpoint + `","cookie":{}}`
	}
	return `{"directive":{"header":{"namespace":"` + ns + `","name":"` + name + `","payloadVersion":"3","messageId":"1bd5d003-31b9-476f-ad03-71d471922820","correlationToken":"corr-123=="}` + ep + `,"payload":{}}}`
}

func TestRouter(t *testing.T) {
	var logs bytes.Buffer
	r := alexa.NewRouter(slog.New(slog.NewTextHandler(&logs, nil)))
	r.Handle("Alexa.PowerController", "TurnOn", func(ctx context.Context, d *alexa.Directive) (alexa.Message, error) {
		return d.Response(alexa.PowerState(true, at, 0)), nil
	})
	r.Handle("Alexa.PowerController", "TurnOff", func(ctx context.Context, d *alexa.Directive) (alexa.Message, error) {
		return alexa.Message{}, alexa.ValueOutOfRange("nope", 0, 100)
	})
	r.Handle("Alexa.BrightnessController", "SetBrightness", func(ctx context.Context, d *alexa.Directive) (alexa.Message, error) {
		return alexa.Message{}, errors.New("database exploded while handling " + secretToken)
	})
	r.Handle("Alexa.BrightnessController", "AdjustBrightness", func(ctx context.Context, d *alexa.Directive) (alexa.Message, error) {
		panic("boom with " + secretToken)
	})
	r.Handle("Alexa.Discovery", "Discover", func(ctx context.Context, d *alexa.Directive) (alexa.Message, error) {
		return d.DiscoverResponse(nil), nil
	})

	tests := []struct {
		name        string
		in          string
		wantName    string // event header name
		wantType    string // error payload type
		correlation bool
		endpoint    string
	}{
		{name: "handled", in: directiveJSON("Alexa.PowerController", "TurnOn", "lamp-1"), wantName: "Response", correlation: true, endpoint: "lamp-1"},
		{name: "handler Alexa error", in: directiveJSON("Alexa.PowerController", "TurnOff", "lamp-1"), wantName: "ErrorResponse", wantType: "VALUE_OUT_OF_RANGE", correlation: true, endpoint: "lamp-1"},
		{name: "handler other error", in: directiveJSON("Alexa.BrightnessController", "SetBrightness", "lamp-1"), wantName: "ErrorResponse", wantType: "INTERNAL_ERROR", correlation: true, endpoint: "lamp-1"},
		{name: "handler panic", in: directiveJSON("Alexa.BrightnessController", "AdjustBrightness", "lamp-1"), wantName: "ErrorResponse", wantType: "INTERNAL_ERROR", correlation: true, endpoint: "lamp-1"},
		{name: "unknown directive", in: directiveJSON("Alexa.LockController", "Lock", "lamp-1"), wantName: "ErrorResponse", wantType: "INVALID_DIRECTIVE", correlation: true, endpoint: "lamp-1"},
		{name: "missing endpoint", in: directiveJSON("Alexa.PowerController", "TurnOn", ""), wantName: "ErrorResponse", wantType: "INVALID_DIRECTIVE", correlation: true},
		{name: "malformed endpointId", in: directiveJSON("Alexa.PowerController", "TurnOn", "lamp 1/x"), wantName: "ErrorResponse", wantType: "INVALID_DIRECTIVE", correlation: true},
		{name: "no endpoint needed", in: `{"directive":{"header":{"namespace":"Alexa.Discovery","name":"Discover","payloadVersion":"3","messageId":"m"},"payload":{"scope":{"type":"BearerToken","token":"x"}}}}`, wantName: "Discover.Response"},
		{name: "wrong payloadVersion", in: strings.Replace(directiveJSON("Alexa.PowerController", "TurnOn", "lamp-1"), `"payloadVersion":"3"`, `"payloadVersion":"2"`, 1), wantName: "ErrorResponse", wantType: "INVALID_DIRECTIVE", correlation: true, endpoint: "lamp-1"},
		{name: "missing messageId", in: strings.Replace(directiveJSON("Alexa.PowerController", "TurnOn", "lamp-1"), `"messageId":"1bd5d003-31b9-476f-ad03-71d471922820",`, ``, 1), wantName: "ErrorResponse", wantType: "INVALID_DIRECTIVE", correlation: true, endpoint: "lamp-1"},
		{name: "missing header", in: `{"directive":{"payload":{}}}`, wantName: "ErrorResponse", wantType: "INVALID_DIRECTIVE"},
		{name: "no directive", in: `{"event":{}}`, wantName: "ErrorResponse", wantType: "INVALID_DIRECTIVE"},
		{name: "not JSON", in: `{"directive":`, wantName: "ErrorResponse", wantType: "INVALID_DIRECTIVE"},
		{name: "JSON array", in: `[1,2,3]`, wantName: "ErrorResponse", wantType: "INVALID_DIRECTIVE"},
		{name: "empty", in: ``, wantName: "ErrorResponse", wantType: "INVALID_DIRECTIVE"},
		{name: "header of wrong type", in: `{"directive":{"header":"x"}}`, wantName: "ErrorResponse", wantType: "INVALID_DIRECTIVE"},
	}
	seen := map[string]bool{}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := r.Serve(context.Background(), []byte(tc.in))
			smarthometest.Validate(t, out)
			var got reply
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatalf("reply is not JSON: %v\n%s", err, out)
			}
			h := got.Event.Header
			if h.Name != tc.wantName {
				t.Fatalf("event name %q, want %q\n%s", h.Name, tc.wantName, out)
			}
			if tc.wantType != "" && got.Event.Payload.Type != tc.wantType {
				t.Errorf("error type %q, want %q", got.Event.Payload.Type, tc.wantType)
			}
			if tc.correlation && h.CorrelationToken != "corr-123==" {
				t.Errorf("correlationToken %q not echoed", h.CorrelationToken)
			}
			if h.MessageID == "1bd5d003-31b9-476f-ad03-71d471922820" || seen[h.MessageID] {
				t.Errorf("messageId %q is not fresh", h.MessageID)
			}
			seen[h.MessageID] = true
			if tc.endpoint != "" && (got.Event.Endpoint == nil || got.Event.Endpoint.EndpointID != tc.endpoint) {
				t.Errorf("endpoint %+v, want %s", got.Event.Endpoint, tc.endpoint)
			}
			if strings.Contains(string(out), secretToken) {
				t.Errorf("reply contains the token")
			}
		})
	}
	if strings.Contains(logs.String(), secretToken) || strings.Contains(logs.String(), "c2VjcmV0LXRva2Vu") {
		t.Errorf("logs contain the token:\n%s", logs.String())
	}
	if !strings.Contains(logs.String(), "handler panicked") {
		t.Errorf("panic not logged:\n%s", logs.String())
	}
}

func TestDirectiveToken(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{name: "controller", in: `{"header":{"namespace":"Alexa.PowerController","name":"TurnOn"},"endpoint":{"endpointId":"e","scope":{"type":"BearerToken","token":"endpoint-token"}},"payload":{"scope":{"type":"BearerToken","token":"wrong"}}}`, want: "endpoint-token"},
		{name: "discover", in: `{"header":{"namespace":"Alexa.Discovery","name":"Discover"},"endpoint":{"endpointId":"e","scope":{"type":"BearerToken","token":"wrong"}},"payload":{"scope":{"type":"BearerToken","token":"payload-token"}}}`, want: "payload-token"},
		{name: "accept grant", in: `{"header":{"namespace":"Alexa.Authorization","name":"AcceptGrant"},"payload":{"grant":{"type":"OAuth2.AuthorizationCode","code":"c"},"grantee":{"type":"BearerToken","token":"grantee-token"}}}`, want: "grantee-token"},
		{name: "report state", in: `{"header":{"namespace":"Alexa","name":"ReportState"},"endpoint":{"endpointId":"e","scope":{"type":"BearerToken","token":"rs-token"}}}`, want: "rs-token"},
		{name: "no scope", in: `{"header":{"namespace":"Alexa","name":"ReportState"},"endpoint":{"endpointId":"e"}}`},
		{name: "other scope type", in: `{"header":{"namespace":"Alexa","name":"ReportState"},"endpoint":{"endpointId":"e","scope":{"type":"Basic","token":"x"}}}`},
		{name: "discover without payload", in: `{"header":{"namespace":"Alexa.Discovery","name":"Discover"}}`},
		{name: "discover with malformed payload", in: `{"header":{"namespace":"Alexa.Discovery","name":"Discover"},"payload":{"scope":"x"}}`},
		{name: "empty token", in: `{"header":{"namespace":"Alexa","name":"ReportState"},"endpoint":{"endpointId":"e","scope":{"type":"BearerToken","token":""}}}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var d alexa.Directive
			if err := json.Unmarshal([]byte(tc.in), &d); err != nil {
				t.Fatal(err)
			}
			got, err := d.Token()
			if tc.want == "" {
				if !errors.Is(err, alexa.ErrNoToken) {
					t.Fatalf("Token() = %q, %v; want ErrNoToken", got, err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("Token() = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}
