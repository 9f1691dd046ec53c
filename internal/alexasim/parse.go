package alexasim

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/linkpool/linkpool/internal/smarthome/alexa"
)

// ColorTemperature is a colour temperature request: a Kelvin value, or a
// step cooler (+1, IncreaseColorTemperature) or warmer (-1,
// DecreaseColorTemperature).
type ColorTemperature struct {
	Kelvin int
	Step   int
}

// ParseBrightness reads "n" (SetBrightness) or "+n"/"-n"
// (AdjustBrightness).
func ParseBrightness(s string) (value int, relative bool, err error) {
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "%"))
	relative = strings.HasPrefix(s, "+") || strings.HasPrefix(s, "-")
	v, err := strconv.Atoi(s)
	if err != nil {
		return 0, false, fmt.Errorf("brightness %q: want a number 0..100, or +n / -n", s)
	}
	if relative && (v < -100 || v > 100) {
		return 0, false, fmt.Errorf("brightness change %q: want -100..+100", s)
	}
	if !relative && (v < 0 || v > 100) {
		return 0, false, fmt.Errorf("brightness %q: want 0..100", s)
	}
	return v, relative, nil
}

// colorNames maps the colour names Alexa understands to the HSB values it
// sends (Alexa maps names before the directive arrives).
func colorNames() map[string]alexa.Color {
	return map[string]alexa.Color{
		"red":     {Hue: 0, Saturation: 1, Brightness: 1},
		"orange":  {Hue: 39, Saturation: 1, Brightness: 1},
		"yellow":  {Hue: 60, Saturation: 1, Brightness: 1},
		"green":   {Hue: 120, Saturation: 1, Brightness: 1},
		"cyan":    {Hue: 180, Saturation: 1, Brightness: 1},
		"blue":    {Hue: 240, Saturation: 1, Brightness: 1},
		"purple":  {Hue: 300, Saturation: 1, Brightness: 0.5019},
		"magenta": {Hue: 300, Saturation: 1, Brightness: 1},
		"pink":    {Hue: 350, Saturation: 0.2509, Brightness: 1},
		"white":   {Hue: 0, Saturation: 0, Brightness: 1},
	}
}

// ParseColor reads a colour name (red, green, blue, ...) or "h,s,b" with
// hue 0..360 and saturation and brightness 0..1.
func ParseColor(s string) (alexa.Color, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if c, ok := colorNames()[s]; ok {
		return c, nil
	}
	parts := strings.Split(s, ",")
	if len(parts) != 3 {
		return alexa.Color{}, fmt.Errorf("color %q: want a name (red, green, blue, white, ...) or h,s,b", s)
	}
	var v [3]float64
	for i, p := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil {
			return alexa.Color{}, fmt.Errorf("color %q: %q is not a number", s, p)
		}
		v[i] = f
	}
	if v[0] < 0 || v[0] > 360 || v[1] < 0 || v[1] > 1 || v[2] < 0 || v[2] > 1 {
		return alexa.Color{}, fmt.Errorf("color %q: hue is 0..360, saturation and brightness 0..1", s)
	}
	return alexa.Color{Hue: v[0], Saturation: v[1], Brightness: v[2]}, nil
}

// ParseTemperature reads a Kelvin value (1000..10000), "warmer" or
// "cooler", or a white name Alexa knows (warm white 2200 K, soft white
// 2700 K, white 4000 K, daylight 5500 K, cool white 7000 K).
func ParseTemperature(s string) (ColorTemperature, error) {
	switch strings.ToLower(strings.Join(strings.Fields(s), " ")) {
	case "warmer":
		return ColorTemperature{Step: -1}, nil
	case "cooler":
		return ColorTemperature{Step: 1}, nil
	case "warm", "warm white":
		return ColorTemperature{Kelvin: 2200}, nil
	case "soft white", "incandescent":
		return ColorTemperature{Kelvin: 2700}, nil
	case "white":
		return ColorTemperature{Kelvin: 4000}, nil
	case "daylight", "daylight white":
		return ColorTemperature{Kelvin: 5500}, nil
	case "cool", "cool white":
		return ColorTemperature{Kelvin: 7000}, nil
	}
	k, err := strconv.Atoi(strings.TrimSuffix(strings.ToUpper(strings.TrimSpace(s)), "K"))
	if err != nil || k < 1000 || k > 10000 {
		return ColorTemperature{}, fmt.Errorf("temperature %q: want 1000..10000 (Kelvin), warmer or cooler", s)
	}
	return ColorTemperature{Kelvin: k}, nil
}
