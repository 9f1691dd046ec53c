package lamp

import (
	"fmt"
	"math"

	"github.com/linkpool/linkpool/internal/smarthome/skillstore"
)

// Swatch returns the lamp's light as a CSS hex colour for display: the HSB
// colour in colour mode, the white's approximate colour in temperature
// mode, scaled by brightness; a dark grey when the lamp is off.
func Swatch(l skillstore.Lamp) string {
	if !l.On {
		return "#2b2b2b"
	}
	var r, g, b float64
	if l.ColorMode == ModeColor {
		r, g, b = hsvToRGB(l.Hue, l.Saturation, l.ColorBright)
	} else {
		r, g, b = kelvinToRGB(l.Kelvin)
	}
	// Keep dim lamps visible: scale into 35%..100% of the colour.
	f := 0.35 + 0.65*float64(l.Brightness)/100
	return fmt.Sprintf("#%02x%02x%02x", byte(r*f*255+0.5), byte(g*f*255+0.5), byte(b*f*255+0.5))
}

// hsvToRGB converts hue (degrees), saturation and value (0..1) to RGB 0..1.
func hsvToRGB(h, s, v float64) (r, g, b float64) {
	h = math.Mod(h, 360) / 60
	c := v * s
	x := c * (1 - math.Abs(math.Mod(h, 2)-1))
	switch {
	case h < 1:
		r, g, b = c, x, 0
	case h < 2:
		r, g, b = x, c, 0
	case h < 3:
		r, g, b = 0, c, x
	case h < 4:
		r, g, b = 0, x, c
	case h < 5:
		r, g, b = x, 0, c
	default:
		r, g, b = c, 0, x
	}
	m := v - c
	return r + m, g + m, b + m
}

// kelvinToRGB approximates a black body's colour (Tanner Helland's fit of
// Mitchell Charity's blackbody table), good enough for a swatch.
func kelvinToRGB(k int) (r, g, b float64) {
	t := float64(k) / 100
	if t <= 66 {
		r = 255
		g = 99.4708025861*math.Log(t) - 161.1195681661
	} else {
		r = 329.698727446 * math.Pow(t-60, -0.1332047592)
		g = 288.1221695283 * math.Pow(t-60, -0.0755148492)
	}
	switch {
	case t >= 66:
		b = 255
	case t <= 19:
		b = 0
	default:
		b = 138.5177312231*math.Log(t-10) - 305.0447927307
	}
	clamp := func(x float64) float64 { return math.Min(math.Max(x, 0), 255) / 255 }
	return clamp(r), clamp(g), clamp(b)
}
