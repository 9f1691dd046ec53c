package lamp

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/linkpool/linkpool/internal/smarthome/skillstore"
)

// Ranges of the controllers (docs "Alexa.BrightnessController",
// "Alexa.ColorController", "Alexa.ColorTemperatureController").
const (
	MinBrightness = 0
	MaxBrightness = 100
	MinDelta      = -100
	MaxDelta      = 100
	MinKelvin     = 1000
	MaxKelvin     = 10000
	MaxHue        = 360
)

// Colour modes of skillstore.Lamp.ColorMode.
const (
	ModeColor       = "color"
	ModeTemperature = "temperature"
)

// Who changed a lamp last (skillstore.Lamp.LastChangeBy).
const (
	ByAlexa = "alexa"
	ByApp   = "app"
	ByCLI   = "cli"
)

// DefaultName is the name of the lamp a new user gets.
const DefaultName = "Desk Lamp"

// MaxNameLength is the longest friendlyName Alexa accepts.
const MaxNameLength = 128

// RangeError reports a value outside the accepted range; it becomes
// VALUE_OUT_OF_RANGE with validRange.
type RangeError struct {
	Field    string
	Value    float64
	Min, Max float64
}

func (e *RangeError) Error() string {
	return fmt.Sprintf("%s %v is outside %v..%v", e.Field, e.Value, e.Min, e.Max)
}

// New returns a lamp as it leaves the factory: off, full brightness, soft
// white (2700 K), reachable.
func New(owner, id, name string, now time.Time) skillstore.Lamp {
	return skillstore.Lamp{
		Owner:       owner,
		ID:          id,
		Name:        name,
		On:          false,
		Brightness:  MaxBrightness,
		Hue:         0,
		Saturation:  0,
		ColorBright: 1,
		Kelvin:      2700,
		ColorMode:   ModeTemperature,
		Reachable:   true,
		CreatedAt:   now,
		UpdatedAt:   now,
		Version:     1,
	}
}

// ValidateName checks a friendly name: 1..128 characters, no control
// characters, not only spaces.
func ValidateName(name string) error {
	if strings.TrimSpace(name) == "" {
		return fmt.Errorf("lamp name must not be empty")
	}
	if !utf8.ValidString(name) || utf8.RuneCountInString(name) > MaxNameLength {
		return fmt.Errorf("lamp name must be at most %d characters of valid UTF-8", MaxNameLength)
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f {
			return fmt.Errorf("lamp name must not contain control characters")
		}
	}
	return nil
}

// Stamp records a change made by by at now.
func Stamp(l skillstore.Lamp, by string, now time.Time) skillstore.Lamp {
	l.UpdatedAt = now
	l.LastChangeBy = by
	l.Version++
	return l
}

// TurnOn switches the lamp on with its previous brightness and colour;
// after it was dimmed to 0 it comes on at full brightness.
func TurnOn(l skillstore.Lamp) skillstore.Lamp {
	l.On = true
	if l.Brightness == 0 {
		l.Brightness = MaxBrightness
	}
	return l
}

// TurnOff switches the lamp off, keeping brightness and colour (TurnOn
// restores them from there). PrevBright records the last non-zero
// brightness for display; TurnOn after a dim to 0 uses full brightness, as
// Amazon's plan DevRe_9.1 expects.
func TurnOff(l skillstore.Lamp) skillstore.Lamp {
	l.On = false
	if l.Brightness > 0 {
		l.PrevBright = l.Brightness
	}
	return l
}

// Toggle flips the power state, as the lamp's own switch does.
func Toggle(l skillstore.Lamp) skillstore.Lamp {
	if l.On {
		return TurnOff(l)
	}
	return TurnOn(l)
}

// SetBrightness sets the brightness 0..100; 0 turns the lamp off, any
// other value turns it on.
func SetBrightness(l skillstore.Lamp, b int) (skillstore.Lamp, error) {
	if b < MinBrightness || b > MaxBrightness {
		return l, &RangeError{Field: "brightness", Value: float64(b), Min: MinBrightness, Max: MaxBrightness}
	}
	if b == 0 {
		l = TurnOff(l)
		l.Brightness = 0
		return l, nil
	}
	l.Brightness = b
	l.On = true
	return l, nil
}

// AdjustBrightness changes the brightness by delta (-100..100), clamped to
// 0..100. An OFF lamp counts as brightness 0.
func AdjustBrightness(l skillstore.Lamp, delta int) (skillstore.Lamp, error) {
	if delta < MinDelta || delta > MaxDelta {
		return l, &RangeError{Field: "brightnessDelta", Value: float64(delta), Min: MinDelta, Max: MaxDelta}
	}
	cur := l.Brightness
	if !l.On {
		cur = 0
	}
	next := min(max(cur+delta, MinBrightness), MaxBrightness)
	if next == 0 {
		if l.On {
			l = TurnOff(l)
			l.Brightness = 0
		}
		return l, nil
	}
	l.Brightness = next
	l.On = true
	return l, nil
}

// SetColor sets hue (0..360), saturation and brightness (0..1), switches
// to colour mode and turns the lamp on.
func SetColor(l skillstore.Lamp, hue, saturation, brightness float64) (skillstore.Lamp, error) {
	switch {
	case !(hue >= 0 && hue <= MaxHue):
		return l, &RangeError{Field: "hue", Value: hue, Min: 0, Max: MaxHue}
	case !(saturation >= 0 && saturation <= 1):
		return l, &RangeError{Field: "saturation", Value: saturation, Min: 0, Max: 1}
	case !(brightness >= 0 && brightness <= 1):
		return l, &RangeError{Field: "brightness", Value: brightness, Min: 0, Max: 1}
	}
	l.Hue, l.Saturation, l.ColorBright = hue, saturation, brightness
	l.ColorMode = ModeColor
	return TurnOn(l), nil
}

// SetColorTemperature sets the white temperature (1000..10000 K), switches
// to temperature mode and turns the lamp on.
func SetColorTemperature(l skillstore.Lamp, kelvin int) (skillstore.Lamp, error) {
	if kelvin < MinKelvin || kelvin > MaxKelvin {
		return l, &RangeError{Field: "colorTemperatureInKelvin", Value: float64(kelvin), Min: MinKelvin, Max: MaxKelvin}
	}
	l.Kelvin = kelvin
	l.ColorMode = ModeTemperature
	return TurnOn(l), nil
}

// Whites are Alexa's named white temperatures in kelvin: warm white, soft
// white, white, daylight and cool white.
var Whites = []int{2200, 2700, 4000, 5500, 7000}

// stops are the colour-temperature steps: the named whites and the ends
// of the supported range.
var stops = append(append([]int{MinKelvin}, Whites...), MaxKelvin)

// IncreaseColorTemperature moves to the next cooler stop (see the package
// documentation) and turns the lamp on.
func IncreaseColorTemperature(l skillstore.Lamp) skillstore.Lamp {
	next := MaxKelvin
	for _, s := range stops {
		if s > l.Kelvin {
			next = s
			break
		}
	}
	l.Kelvin = next
	l.ColorMode = ModeTemperature
	return TurnOn(l)
}

// DecreaseColorTemperature moves to the next warmer stop and turns the
// lamp on.
func DecreaseColorTemperature(l skillstore.Lamp) skillstore.Lamp {
	next := MinKelvin
	for i := len(stops) - 1; i >= 0; i-- {
		if stops[i] < l.Kelvin {
			next = stops[i]
			break
		}
	}
	l.Kelvin = next
	l.ColorMode = ModeTemperature
	return TurnOn(l)
}
