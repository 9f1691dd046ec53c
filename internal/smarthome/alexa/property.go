package alexa

import "time"

// Property is one reported property state (docs "Alexa.Response",
// "Reporting state"). Value is the interface-specific value.
type Property struct {
	Namespace                 string     `json:"namespace"`
	Instance                  string     `json:"instance,omitempty"`
	Name                      string     `json:"name"`
	Value                     any        `json:"value"`
	TimeOfSample              SampleTime `json:"timeOfSample"`
	UncertaintyInMilliseconds int64      `json:"uncertaintyInMilliseconds"`
}

// Color is an Alexa.ColorController color: hue in degrees 0..360,
// saturation and brightness 0..1.
type Color struct {
	Hue        float64 `json:"hue"`
	Saturation float64 `json:"saturation"`
	Brightness float64 `json:"brightness"`
}

// ConnectivityValue is the value of Alexa.EndpointHealth connectivity.
type ConnectivityValue struct {
	Value string `json:"value"` // "OK" or "UNREACHABLE"
}

// Property names.
const (
	PropPowerState       = "powerState"
	PropBrightness       = "brightness"
	PropColor            = "color"
	PropColorTemperature = "colorTemperatureInKelvin"
	PropConnectivity     = "connectivity"
)

// PowerState is the Alexa.PowerController powerState: "ON" or "OFF".
func PowerState(on bool, at time.Time, uncertainty int64) Property {
	v := "OFF"
	if on {
		v = "ON"
	}
	return Property{Namespace: NamespacePowerController, Name: PropPowerState, Value: v,
		TimeOfSample: SampleTime(at), UncertaintyInMilliseconds: uncertainty}
}

// Brightness is the Alexa.BrightnessController brightness, an integer 0..100.
func Brightness(b int, at time.Time, uncertainty int64) Property {
	return Property{Namespace: NamespaceBrightnessController, Name: PropBrightness, Value: b,
		TimeOfSample: SampleTime(at), UncertaintyInMilliseconds: uncertainty}
}

// ColorProperty is the Alexa.ColorController color.
func ColorProperty(c Color, at time.Time, uncertainty int64) Property {
	return Property{Namespace: NamespaceColorController, Name: PropColor, Value: c,
		TimeOfSample: SampleTime(at), UncertaintyInMilliseconds: uncertainty}
}

// ColorTemperature is the Alexa.ColorTemperatureController
// colorTemperatureInKelvin, an integer 1000..10000.
func ColorTemperature(kelvin int, at time.Time, uncertainty int64) Property {
	return Property{Namespace: NamespaceColorTemperatureController, Name: PropColorTemperature, Value: kelvin,
		TimeOfSample: SampleTime(at), UncertaintyInMilliseconds: uncertainty}
}

// Connectivity is the Alexa.EndpointHealth connectivity: OK or UNREACHABLE.
func Connectivity(ok bool, at time.Time, uncertainty int64) Property {
	v := "UNREACHABLE"
	if ok {
		v = "OK"
	}
	return Property{Namespace: NamespaceEndpointHealth, Name: PropConnectivity, Value: ConnectivityValue{Value: v},
		TimeOfSample: SampleTime(at), UncertaintyInMilliseconds: uncertainty}
}
