package alexasim_test

import (
	"testing"

	"github.com/linkpool/linkpool/internal/alexasim"
	"github.com/linkpool/linkpool/internal/smarthome/alexa"
)

func TestParseBrightness(t *testing.T) {
	tests := []struct {
		name, in string
		value    int
		relative bool
		bad      bool
	}{
		{name: "set", in: "75", value: 75},
		{name: "percent", in: "40%", value: 40},
		{name: "up", in: "+10", value: 10, relative: true},
		{name: "down", in: "-25", value: -25, relative: true},
		{name: "too high", in: "101", bad: true},
		{name: "delta too big", in: "+150", bad: true},
		{name: "word", in: "bright", bad: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, rel, err := alexasim.ParseBrightness(tc.in)
			if (err != nil) != tc.bad || !tc.bad && (v != tc.value || rel != tc.relative) {
				t.Fatalf("%d %v %v", v, rel, err)
			}
		})
	}
}

func TestParseColor(t *testing.T) {
	tests := []struct {
		name, in string
		want     alexa.Color
		bad      bool
	}{
		{name: "name", in: "Blue", want: alexa.Color{Hue: 240, Saturation: 1, Brightness: 1}},
		{name: "hsb", in: "350.5, 0.7138, 0.6524", want: alexa.Color{Hue: 350.5, Saturation: 0.7138, Brightness: 0.6524}},
		{name: "hue out of range", in: "361,1,1", bad: true},
		{name: "saturation out of range", in: "10,1.5,1", bad: true},
		{name: "two numbers", in: "10,1", bad: true},
		{name: "unknown name", in: "octarine", bad: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := alexasim.ParseColor(tc.in)
			if (err != nil) != tc.bad || !tc.bad && c != tc.want {
				t.Fatalf("%+v %v", c, err)
			}
		})
	}
}

func TestParseTemperature(t *testing.T) {
	tests := []struct {
		name, in string
		want     alexasim.ColorTemperature
		bad      bool
	}{
		{name: "kelvin", in: "2700", want: alexasim.ColorTemperature{Kelvin: 2700}},
		{name: "kelvin with K", in: "5000K", want: alexasim.ColorTemperature{Kelvin: 5000}},
		{name: "warmer", in: "warmer", want: alexasim.ColorTemperature{Step: -1}},
		{name: "cooler", in: "Cooler", want: alexasim.ColorTemperature{Step: 1}},
		{name: "daylight", in: "daylight", want: alexasim.ColorTemperature{Kelvin: 5500}},
		{name: "too low", in: "900", bad: true},
		{name: "too high", in: "10001", bad: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := alexasim.ParseTemperature(tc.in)
			if (err != nil) != tc.bad || !tc.bad && c != tc.want {
				t.Fatalf("%+v %v", c, err)
			}
		})
	}
}

func TestParseRegionAndScheme(t *testing.T) {
	for in, want := range map[string]alexasim.Region{"na": alexasim.RegionNA, "EU": alexasim.RegionEU, "layla": alexasim.RegionEU, "fe": alexasim.RegionFE, "JP": alexasim.RegionFE} {
		if got, err := alexasim.ParseRegion(in); err != nil || got != want {
			t.Errorf("region %q: %v %v", in, got, err)
		}
	}
	if _, err := alexasim.ParseRegion("mars"); err == nil {
		t.Error("region mars accepted")
	}
	for in, want := range map[string]alexasim.Scheme{"basic": alexasim.SchemeHTTPBasic, "HTTP_BASIC": alexasim.SchemeHTTPBasic, "body": alexasim.SchemeRequestBody, "REQUEST_BODY_CREDENTIALS": alexasim.SchemeRequestBody} {
		if got, err := alexasim.ParseScheme(in); err != nil || got != want {
			t.Errorf("scheme %q: %v %v", in, got, err)
		}
	}
	if _, err := alexasim.ParseScheme("digest"); err == nil {
		t.Error("scheme digest accepted")
	}
	if got := alexasim.RegionFE.RedirectURL("ABC"); got != "https://alexa.amazon.co.jp/api/skill/link/ABC" {
		t.Errorf("FE redirect %s", got)
	}
}
