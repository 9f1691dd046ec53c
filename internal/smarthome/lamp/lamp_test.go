package lamp_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/smarthome/lamp"
	"github.com/linkpool/linkpool/internal/smarthome/skillstore"
	"github.com/linkpool/linkpool/internal/smarthome/smarthometest"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// apply runs one plan directive on l with the lamp functions.
func apply(t *testing.T, l skillstore.Lamp, d smarthometest.PlanDirective) skillstore.Lamp {
	t.Helper()
	var p struct {
		Brightness      *int `json:"brightness"`
		BrightnessDelta *int `json:"brightnessDelta"`
		Color           *struct {
			Hue, Saturation, Brightness float64
		} `json:"color"`
		Kelvin *int `json:"colorTemperatureInKelvin"`
	}
	if len(d.Payload) > 0 {
		if err := json.Unmarshal(d.Payload, &p); err != nil {
			t.Fatal(err)
		}
	}
	var err error
	switch d.Header.Namespace + "/" + d.Header.Name {
	case "Alexa.PowerController/TurnOn":
		l = lamp.TurnOn(l)
	case "Alexa.PowerController/TurnOff":
		l = lamp.TurnOff(l)
	case "Alexa.BrightnessController/SetBrightness":
		l, err = lamp.SetBrightness(l, *p.Brightness)
	case "Alexa.BrightnessController/AdjustBrightness":
		l, err = lamp.AdjustBrightness(l, *p.BrightnessDelta)
	case "Alexa.ColorController/SetColor":
		l, err = lamp.SetColor(l, p.Color.Hue, p.Color.Saturation, p.Color.Brightness)
	case "Alexa.ColorTemperatureController/SetColorTemperature":
		l, err = lamp.SetColorTemperature(l, *p.Kelvin)
	case "Alexa.ColorTemperatureController/IncreaseColorTemperature":
		l = lamp.IncreaseColorTemperature(l)
	case "Alexa.ColorTemperatureController/DecreaseColorTemperature":
		l = lamp.DecreaseColorTemperature(l)
	default:
		t.Fatalf("plan uses %s/%s", d.Header.Namespace, d.Header.Name)
	}
	if err != nil {
		t.Fatalf("%s: %v", d.Header.Name, err)
	}
	return l
}

// value renders the lamp's property name as Alexa would report it.
func value(t *testing.T, l skillstore.Lamp, name string) json.RawMessage {
	t.Helper()
	var v any
	switch name {
	case "powerState":
		v = map[bool]string{true: "ON", false: "OFF"}[l.On]
	case "brightness":
		v = l.Brightness
	case "color":
		v = map[string]float64{"hue": l.Hue, "saturation": l.Saturation, "brightness": l.ColorBright}
	case "colorTemperatureInKelvin":
		v = l.Kelvin
	default:
		t.Fatalf("plan expects %s", name)
	}
	raw, _ := json.Marshal(v)
	return raw
}

// TestCapabilityEvaluations runs Amazon's expected-state test plans
// against the lamp model.
func TestCapabilityEvaluations(t *testing.T) {
	for _, plan := range smarthometest.Plans(t) {
		for _, tc := range plan.TestCases {
			t.Run(plan.Name+"/"+tc.Name, func(t *testing.T) {
				l := lamp.New("owner", "lamp-1", lamp.DefaultName, t0)
				for i, s := range tc.InitialSetups {
					l = apply(t, l, s.Directive)
					if msg := smarthometest.Check(s.CapabilityState, value(t, l, s.CapabilityState.Name), 0); msg != "" {
						t.Fatalf("setup %d: %s", i, msg)
					}
				}
				l = apply(t, l, tc.Directive)
				for _, exp := range tc.Expected {
					if msg := smarthometest.Check(exp, value(t, l, exp.Name), tc.Tolerance(exp.Namespace, exp.Name)); msg != "" {
						t.Error(msg)
					}
				}
			})
		}
	}
}

func TestRangeErrors(t *testing.T) {
	base := lamp.TurnOn(lamp.New("o", "l", "Lamp", t0))
	tests := []struct {
		name     string
		run      func() (skillstore.Lamp, error)
		field    string
		min, max float64
	}{
		{name: "brightness above 100", run: func() (skillstore.Lamp, error) { return lamp.SetBrightness(base, 101) }, field: "brightness", min: 0, max: 100},
		{name: "brightness below 0", run: func() (skillstore.Lamp, error) { return lamp.SetBrightness(base, -1) }, field: "brightness", min: 0, max: 100},
		{name: "delta below -100", run: func() (skillstore.Lamp, error) { return lamp.AdjustBrightness(base, -101) }, field: "brightnessDelta", min: -100, max: 100},
		{name: "delta above 100", run: func() (skillstore.Lamp, error) { return lamp.AdjustBrightness(base, 150) }, field: "brightnessDelta", min: -100, max: 100},
		{name: "kelvin below 1000", run: func() (skillstore.Lamp, error) { return lamp.SetColorTemperature(base, 500) }, field: "colorTemperatureInKelvin", min: 1000, max: 10000},
		{name: "kelvin above 10000", run: func() (skillstore.Lamp, error) { return lamp.SetColorTemperature(base, 12000) }, field: "colorTemperatureInKelvin", min: 1000, max: 10000},
		{name: "hue above 360", run: func() (skillstore.Lamp, error) { return lamp.SetColor(base, 361, 1, 1) }, field: "hue", min: 0, max: 360},
		{name: "negative saturation", run: func() (skillstore.Lamp, error) { return lamp.SetColor(base, 10, -0.1, 1) }, field: "saturation", min: 0, max: 1},
		{name: "colour brightness above 1", run: func() (skillstore.Lamp, error) { return lamp.SetColor(base, 10, 1, 1.5) }, field: "brightness", min: 0, max: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.run()
			var re *lamp.RangeError
			if !errors.As(err, &re) {
				t.Fatalf("err = %v, want *RangeError", err)
			}
			if re.Field != tc.field || re.Min != tc.min || re.Max != tc.max {
				t.Errorf("RangeError %+v, want %s %v..%v", re, tc.field, tc.min, tc.max)
			}
			if got != base {
				t.Errorf("lamp changed on a rejected value: %+v", got)
			}
		})
	}
}

func TestSemantics(t *testing.T) {
	off := lamp.New("o", "l", "Lamp", t0)
	on := lamp.TurnOn(off)
	must := func(l skillstore.Lamp, err error) skillstore.Lamp {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	tests := []struct {
		name       string
		got        skillstore.Lamp
		on         bool
		brightness int
		kelvin     int
		mode       string
	}{
		{name: "new lamp", got: off, on: false, brightness: 100, kelvin: 2700, mode: lamp.ModeTemperature},
		{name: "set brightness 0 turns off", got: must(lamp.SetBrightness(on, 0)), on: false, brightness: 0, kelvin: 2700, mode: lamp.ModeTemperature},
		{name: "turn on after 0 is full", got: lamp.TurnOn(must(lamp.SetBrightness(must(lamp.SetBrightness(on, 40)), 0))), on: true, brightness: 100, kelvin: 2700, mode: lamp.ModeTemperature},
		{name: "turn on restores previous", got: lamp.TurnOn(lamp.TurnOff(must(lamp.SetBrightness(on, 40)))), on: true, brightness: 40, kelvin: 2700, mode: lamp.ModeTemperature},
		{name: "adjust clamps at 100", got: must(lamp.AdjustBrightness(on, 100)), on: true, brightness: 100, kelvin: 2700, mode: lamp.ModeTemperature},
		{name: "adjust to 0 turns off", got: must(lamp.AdjustBrightness(must(lamp.SetBrightness(on, 30)), -50)), on: false, brightness: 0, kelvin: 2700, mode: lamp.ModeTemperature},
		{name: "positive adjust on an off lamp", got: must(lamp.AdjustBrightness(off, 30)), on: true, brightness: 30, kelvin: 2700, mode: lamp.ModeTemperature},
		{name: "negative adjust on an off lamp", got: must(lamp.AdjustBrightness(off, -30)), on: false, brightness: 100, kelvin: 2700, mode: lamp.ModeTemperature},
		{name: "increase from 7000", got: lamp.IncreaseColorTemperature(must(lamp.SetColorTemperature(on, 7000))), on: true, brightness: 100, kelvin: 10000, mode: lamp.ModeTemperature},
		{name: "increase at 10000 stays", got: lamp.IncreaseColorTemperature(must(lamp.SetColorTemperature(on, 10000))), on: true, brightness: 100, kelvin: 10000, mode: lamp.ModeTemperature},
		{name: "increase between stops", got: lamp.IncreaseColorTemperature(must(lamp.SetColorTemperature(on, 3000))), on: true, brightness: 100, kelvin: 4000, mode: lamp.ModeTemperature},
		{name: "decrease from 2200", got: lamp.DecreaseColorTemperature(must(lamp.SetColorTemperature(on, 2200))), on: true, brightness: 100, kelvin: 1000, mode: lamp.ModeTemperature},
		{name: "decrease at 1000 stays", got: lamp.DecreaseColorTemperature(must(lamp.SetColorTemperature(on, 1000))), on: true, brightness: 100, kelvin: 1000, mode: lamp.ModeTemperature},
		{name: "decrease between stops", got: lamp.DecreaseColorTemperature(must(lamp.SetColorTemperature(on, 5000))), on: true, brightness: 100, kelvin: 4000, mode: lamp.ModeTemperature},
		{name: "set color switches mode and turns on", got: must(lamp.SetColor(off, 120, 1, 1)), on: true, brightness: 100, kelvin: 2700, mode: lamp.ModeColor},
		{name: "toggle", got: lamp.Toggle(on), on: false, brightness: 100, kelvin: 2700, mode: lamp.ModeTemperature},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := tc.got
			if g.On != tc.on || g.Brightness != tc.brightness || g.Kelvin != tc.kelvin || g.ColorMode != tc.mode {
				t.Errorf("got on=%v brightness=%d kelvin=%d mode=%s, want on=%v brightness=%d kelvin=%d mode=%s",
					g.On, g.Brightness, g.Kelvin, g.ColorMode, tc.on, tc.brightness, tc.kelvin, tc.mode)
			}
		})
	}
}

func TestValidateName(t *testing.T) {
	tests := []struct {
		name string
		in   string
		ok   bool
	}{
		{name: "plain", in: "Desk Lamp", ok: true},
		{name: "unicode", in: "Lampe ünï", ok: true},
		{name: "empty", in: ""},
		{name: "spaces", in: "   "},
		{name: "control", in: "a\nb"},
		{name: "too long", in: string(make([]byte, 129))},
		{name: "invalid UTF-8", in: "\xff"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := lamp.ValidateName(tc.in); (err == nil) != tc.ok {
				t.Errorf("ValidateName(%q) = %v", tc.in, err)
			}
		})
	}
}

func TestSwatch(t *testing.T) {
	on := lamp.TurnOn(lamp.New("o", "l", "Lamp", t0))
	red, _ := lamp.SetColor(on, 0, 1, 1)
	tests := []struct {
		name string
		l    skillstore.Lamp
		want string
	}{
		{name: "off", l: lamp.TurnOff(on), want: "#2b2b2b"},
		{name: "full red", l: red, want: "#ff0000"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := lamp.Swatch(tc.l); got != tc.want {
				t.Errorf("Swatch = %s, want %s", got, tc.want)
			}
		})
	}
	warm, cool := lamp.Swatch(on), lamp.Swatch(lamp.IncreaseColorTemperature(lamp.IncreaseColorTemperature(on)))
	if warm == cool || warm[1:3] != "ff" {
		t.Errorf("warm %s cool %s", warm, cool)
	}
}
