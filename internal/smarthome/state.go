package smarthome

import (
	"time"

	"github.com/linkpool/linkpool/internal/smarthome/alexa"
	"github.com/linkpool/linkpool/internal/smarthome/lamp"
	"github.com/linkpool/linkpool/internal/smarthome/skillstore"
)

// properties are every retrievable property of a lamp, sampled at.
// The lamp's state of record is the store, so the uncertainty is 0.
func properties(l skillstore.Lamp, at time.Time) []alexa.Property {
	return []alexa.Property{
		alexa.PowerState(l.On, at, 0),
		alexa.Brightness(l.Brightness, at, 0),
		alexa.ColorProperty(alexa.Color{Hue: l.Hue, Saturation: l.Saturation, Brightness: l.ColorBright}, at, 0),
		alexa.ColorTemperature(l.Kelvin, at, 0),
		alexa.Connectivity(l.Reachable, at, 0),
	}
}

// changedProperties splits the properties of next into those that differ
// from prev and the others, for a ChangeReport.
func changedProperties(prev, next skillstore.Lamp, at time.Time) (changed, unchanged []alexa.Property) {
	differs := []bool{
		prev.On != next.On,
		prev.Brightness != next.Brightness,
		prev.Hue != next.Hue || prev.Saturation != next.Saturation || prev.ColorBright != next.ColorBright,
		prev.Kelvin != next.Kelvin,
		prev.Reachable != next.Reachable,
	}
	for i, p := range properties(next, at) {
		if differs[i] {
			changed = append(changed, p)
		} else {
			unchanged = append(unchanged, p)
		}
	}
	return changed, unchanged
}

// endpoint describes a lamp for discovery: a LIGHT with power,
// brightness, colour, colour temperature and endpoint health, all
// retrievable and, when events are enabled, proactively reported.
func (s *Skill) endpoint(l skillstore.Lamp) alexa.DiscoveryEndpoint {
	pro := s.eventsEnabled()
	return alexa.DiscoveryEndpoint{
		EndpointID:        l.ID,
		ManufacturerName:  s.manufacturer,
		FriendlyName:      l.Name,
		Description:       "SmartLamp dimmable colour lamp",
		DisplayCategories: []string{alexa.DisplayCategoryLight},
		AdditionalAttributes: &alexa.AdditionalAttributes{
			Manufacturer:    s.manufacturer,
			Model:           "SmartLamp Colour",
			SoftwareVersion: "1",
		},
		Cookie: map[string]string{},
		Capabilities: []alexa.Capability{
			alexa.AlexaInterface(),
			alexa.Interface(alexa.NamespacePowerController, pro, true, alexa.PropPowerState),
			alexa.Interface(alexa.NamespaceBrightnessController, pro, true, alexa.PropBrightness),
			alexa.Interface(alexa.NamespaceColorController, pro, true, alexa.PropColor),
			alexa.Interface(alexa.NamespaceColorTemperatureController, pro, true, alexa.PropColorTemperature),
			alexa.Interface(alexa.NamespaceEndpointHealth, pro, true, alexa.PropConnectivity),
		},
	}
}

// rangeError turns a lamp range error into VALUE_OUT_OF_RANGE.
func rangeError(e *lamp.RangeError) *alexa.Error {
	return alexa.ValueOutOfRange(e.Error(), e.Min, e.Max)
}
