package alexa_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/smarthome/alexa"
	"github.com/linkpool/linkpool/internal/smarthome/smarthometest"
)

// TestOfficialSamplesValidate proves the validator setup: every response
// and event sample Amazon publishes validates.
func TestOfficialSamplesValidate(t *testing.T) {
	dir := smarthometest.DataDir(t)
	files, err := filepath.Glob(filepath.Join(dir, "samples", "*", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var top map[string]json.RawMessage
		if err := json.Unmarshal(raw, &top); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if _, ok := top["event"]; !ok {
			continue // a directive; the schema covers only what skills send
		}
		n++
		t.Run(filepath.Base(f), func(t *testing.T) { smarthometest.Validate(t, raw) })
	}
	if n < 10 {
		t.Fatalf("found only %d response samples in %s", n, dir)
	}
}

// TestSchemaRejects proves the validator rejects what it should.
func TestSchemaRejects(t *testing.T) {
	good := `{"event":{"header":{"namespace":"Alexa","name":"ErrorResponse","payloadVersion":"3","messageId":"abc-1"},"payload":{"type":"INTERNAL_ERROR","message":"x"}}}`
	tests := []struct {
		name string
		msg  string
	}{
		{name: "nine fractional digits", msg: `{"event":{"header":{"namespace":"Alexa","name":"Response","payloadVersion":"3","messageId":"a"},"endpoint":{"endpointId":"e"},"payload":{}},"context":{"properties":[{"namespace":"Alexa.PowerController","name":"powerState","value":"ON","timeOfSample":"2017-09-27T18:30:30.123456789Z","uncertaintyInMilliseconds":0}]}}`},
		{name: "offset instead of Z", msg: `{"event":{"header":{"namespace":"Alexa","name":"Response","payloadVersion":"3","messageId":"a"},"endpoint":{"endpointId":"e"},"payload":{}},"context":{"properties":[{"namespace":"Alexa.PowerController","name":"powerState","value":"ON","timeOfSample":"2017-09-27T18:30:30+00:00","uncertaintyInMilliseconds":0}]}}`},
		{name: "missing message", msg: strings.Replace(good, `,"message":"x"`, "", 1)},
		{name: "unknown error type", msg: strings.Replace(good, "INTERNAL_ERROR", "OOPS", 1)},
		{name: "underscore in messageId", msg: strings.Replace(good, "abc-1", "abc_1", 1)},
		{name: "payloadVersion 2", msg: strings.Replace(good, `"3"`, `"2"`, 1)},
	}
	if err := smarthometest.ValidateErr(t, []byte(good)); err != nil {
		t.Fatalf("control message rejected: %v", err)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := smarthometest.ValidateErr(t, []byte(tc.msg)); err == nil {
				t.Fatalf("schema accepted %s", tc.msg)
			}
		})
	}
}

var (
	at        = time.Date(2026, 11, 25, 18, 30, 30, 456789000, time.UTC)
	directive = &alexa.Directive{
		Header:   alexa.Header{Namespace: "Alexa.PowerController", Name: "TurnOn", PayloadVersion: "3", MessageID: "m-1", CorrelationToken: "dFMb0z+PgpgdDmluhJ1LddFvSqZ/jCc8ptlAKulUj90jSqg=="},
		Endpoint: &alexa.DirectiveEndpoint{EndpointID: "lamp-1", Scope: &alexa.Scope{Type: "BearerToken", Token: "tok"}},
	}
	allProps = []alexa.Property{
		alexa.PowerState(true, at, 0),
		alexa.Brightness(75, at, 0),
		alexa.ColorProperty(alexa.Color{Hue: 350.5, Saturation: 0.7138, Brightness: 0.6524}, at, 0),
		alexa.ColorTemperature(2700, at, 0),
		alexa.Connectivity(true, at, 0),
	}
)

func lampEndpoint() alexa.DiscoveryEndpoint {
	return alexa.DiscoveryEndpoint{
		EndpointID:        "lamp-1",
		ManufacturerName:  "SmartLamp",
		FriendlyName:      "Desk Lamp",
		Description:       "SmartLamp dimmable colour lamp",
		DisplayCategories: []string{alexa.DisplayCategoryLight},
		AdditionalAttributes: &alexa.AdditionalAttributes{
			Manufacturer: "SmartLamp", Model: "SL-1", SoftwareVersion: "1",
		},
		Cookie: map[string]string{},
		Capabilities: []alexa.Capability{
			alexa.AlexaInterface(),
			alexa.Interface(alexa.NamespacePowerController, true, true, alexa.PropPowerState),
			alexa.Interface(alexa.NamespaceBrightnessController, true, true, alexa.PropBrightness),
			alexa.Interface(alexa.NamespaceColorController, true, true, alexa.PropColor),
			alexa.Interface(alexa.NamespaceColorTemperatureController, true, true, alexa.PropColorTemperature),
			alexa.Interface(alexa.NamespaceEndpointHealth, true, true, alexa.PropConnectivity),
		},
	}
}

func TestMessagesValidate(t *testing.T) {
	pct := 5.0
	tests := []struct {
		name string
		msg  alexa.Message
	}{
		{name: "Response", msg: directive.Response(allProps...)},
		{name: "Response without properties", msg: directive.Response()},
		{name: "StateReport", msg: directive.StateReport(allProps...)},
		{name: "StateReport unreachable", msg: directive.StateReport(alexa.Connectivity(false, at, 0))},
		{name: "Discover.Response", msg: directive.DiscoverResponse([]alexa.DiscoveryEndpoint{lampEndpoint()})},
		{name: "Discover.Response empty", msg: directive.DiscoverResponse(nil)},
		{name: "AcceptGrant.Response", msg: (&alexa.Directive{}).AcceptGrantResponse()},
		{name: "ChangeReport", msg: alexa.ChangeReport("lamp-1", alexa.Scope{Type: "BearerToken", Token: "Atza|lwa"}, alexa.CausePhysicalInteraction, allProps[:1], allProps[1:])},
		{name: "ChangeReport app", msg: alexa.ChangeReport("lamp-1", alexa.Scope{Type: "BearerToken", Token: "Atza|lwa"}, alexa.CauseAppInteraction, allProps, nil)},
		{name: "VALUE_OUT_OF_RANGE", msg: alexa.ValueOutOfRange("brightness 120 is out of range", 0, 100).Reply(directive)},
		{name: "NOT_SUPPORTED_IN_CURRENT_MODE", msg: alexa.NotSupportedInCurrentMode("asleep", alexa.ModeAsleep).Reply(directive)},
		{name: "ENDPOINT_LOW_POWER", msg: alexa.EndpointLowPower("battery low", 5).Reply(directive)},
		{name: "TEMPERATURE_VALUE_OUT_OF_RANGE", msg: alexa.TemperatureValueOutOfRange("too cold",
			alexa.Temperature{Value: 15, Scale: "CELSIUS"}, alexa.Temperature{Value: 30, Scale: "CELSIUS"}).Reply(directive)},
		{name: "ACCEPT_GRANT_FAILED", msg: alexa.AcceptGrantFailed("LWA refused the code").Reply(&alexa.Directive{})},
		{name: "thermostat REQUESTED_SETPOINTS_TOO_CLOSE", msg: (&alexa.Error{Namespace: "Alexa.ThermostatController", Type: alexa.ErrRequestedSetpointsTooClose, Message: "x",
			MinimumTemperatureDelta: &alexa.Temperature{Value: 2, Scale: "CELSIUS"}}).Reply(directive)},
		{name: "thermostat THERMOSTAT_IS_OFF", msg: (&alexa.Error{Namespace: "Alexa.ThermostatController", Type: alexa.ErrThermostatIsOff, Message: "x"}).Reply(directive)},
		{name: "security BYPASS_NEEDED", msg: (&alexa.Error{Namespace: "Alexa.SecurityPanelController", Type: alexa.ErrBypassNeeded, Message: "x",
			EndpointsNeedingBypass: []alexa.BypassEndpoint{{FriendlyName: "Door", EndpointID: "d-1"}}}).Reply(directive)},
		{name: "cooking COOK_DURATION_TOO_LONG", msg: (&alexa.Error{Namespace: "Alexa.Cooking", Type: alexa.ErrCookDurationTooLong, Message: "x", MaxCookTime: "PT1H"}).Reply(directive)},
		{name: "cooking DOOR_OPEN", msg: (&alexa.Error{Namespace: "Alexa.Cooking", Type: alexa.ErrDoorOpen, Message: "x"}).Reply(directive)},
		{name: "low power with percentage pointer", msg: (&alexa.Error{Type: alexa.ErrEndpointLowPower, Message: "x", PercentageState: &pct}).Reply(nil)},
	}
	for _, et := range alexa.AllErrorTypes {
		e := alexa.NewError(et, "something about "+string(et))
		switch et {
		case alexa.ErrNotSupportedInCurrentMode:
			e.CurrentDeviceMode = alexa.ModeColor
		case alexa.ErrValueOutOfRange:
			e.ValidRange = &alexa.ValidRange{MinimumValue: 1000, MaximumValue: 10000}
		}
		tests = append(tests, struct {
			name string
			msg  alexa.Message
		}{name: "ErrorResponse " + string(et), msg: e.Reply(directive)})
	}
	msgID := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			raw, err := tc.msg.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			smarthometest.Validate(t, raw)
			if !msgID.MatchString(tc.msg.Event.Header.MessageID) {
				t.Errorf("messageId %q is not a UUIDv4", tc.msg.Event.Header.MessageID)
			}
		})
	}
}

func TestAllErrorTypesMatchSchemaEnum(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(smarthometest.DataDir(t), "schema", "alexa_smart_home_message_schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		OneOf []struct {
			OneOf []struct {
				Description string `json:"description"`
				Properties  struct {
					Event struct {
						Properties struct {
							Payload struct {
								OneOf []struct {
									Properties struct {
										Type struct {
											Enum []string `json:"enum"`
										} `json:"type"`
									} `json:"properties"`
								} `json:"oneOf"`
							} `json:"payload"`
						} `json:"properties"`
					} `json:"event"`
				} `json:"properties"`
			} `json:"oneOf"`
		} `json:"oneOf"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	var enum []string
	for _, group := range doc.OneOf {
		for _, m := range group.OneOf {
			if m.Description != "An ErrorResponse message for Alexa" {
				continue
			}
			for _, alt := range m.Properties.Event.Properties.Payload.OneOf {
				enum = append(enum, alt.Properties.Type.Enum...)
			}
		}
	}
	if len(enum) != len(alexa.AllErrorTypes) {
		t.Fatalf("schema has %d Alexa error types, AllErrorTypes %d: %v", len(enum), len(alexa.AllErrorTypes), enum)
	}
	for i, e := range enum {
		if string(alexa.AllErrorTypes[i]) != e {
			t.Errorf("AllErrorTypes[%d] = %s, schema %s", i, alexa.AllErrorTypes[i], e)
		}
	}
}

func TestSampleTimeFormat(t *testing.T) {
	tests := []struct {
		name string
		in   time.Time
		want string
	}{
		{name: "UTC with nanoseconds", in: at, want: `"2026-11-25T18:30:30.456Z"`},
		{name: "other zone", in: at.In(time.FixedZone("X", 5*3600)), want: `"2026-11-25T18:30:30.456Z"`},
		{name: "whole second", in: time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC), want: `"2024-02-29T00:00:00.000Z"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := json.Marshal(alexa.SampleTime(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}
