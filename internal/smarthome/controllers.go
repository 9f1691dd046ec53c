package smarthome

import (
	"context"
	"errors"
	"fmt"

	"github.com/linkpool/linkpool/internal/smarthome/alexa"
	"github.com/linkpool/linkpool/internal/smarthome/lamp"
	"github.com/linkpool/linkpool/internal/smarthome/skillstore"
	"github.com/linkpool/linkpool/internal/store"
)

// change applies a directive to a lamp. It is pure: the store may call it
// more than once.
type change func(skillstore.Lamp) (skillstore.Lamp, error)

// prepare decodes a directive's payload into the change it asks for.
type prepare func(d *alexa.Directive) (change, error)

// control adapts a controller directive: authenticate, apply the change to
// the user's lamp in one store transaction, answer Alexa.Response with
// every property.
func (s *Skill) control(p prepare) alexa.HandlerFunc {
	return func(ctx context.Context, d *alexa.Directive) (alexa.Message, error) {
		id, err := s.authenticate(ctx, d)
		if err != nil {
			return alexa.Message{}, err
		}
		apply, err := p(d)
		if err != nil {
			return alexa.Message{}, err
		}
		now := s.now()
		var out skillstore.Lamp
		err = s.store.UpdateLamp(ctx, id.Sub, d.EndpointID(), func(l skillstore.Lamp) (skillstore.Lamp, error) {
			if !l.Reachable {
				return l, alexa.NewError(alexa.ErrEndpointUnreachable, "the lamp is offline")
			}
			next, err := apply(l)
			if err != nil {
				return l, err
			}
			out = lamp.Stamp(next, lamp.ByAlexa, now)
			return out, nil
		})
		if err != nil {
			return alexa.Message{}, lampError(err)
		}
		return d.Response(properties(out, now)...), nil
	}
}

// reportState answers Alexa/ReportState with every retrievable property
// (docs "Alexa.StateReport").
func (s *Skill) reportState(ctx context.Context, d *alexa.Directive) (alexa.Message, error) {
	id, err := s.authenticate(ctx, d)
	if err != nil {
		return alexa.Message{}, err
	}
	l, err := s.store.GetLamp(ctx, id.Sub, d.EndpointID())
	if err != nil {
		return alexa.Message{}, lampError(err)
	}
	return d.StateReport(properties(l, s.now())...), nil
}

// lampError maps store and lamp errors to Alexa errors. A lamp of another
// user is indistinguishable from a missing one: NO_SUCH_ENDPOINT.
func lampError(err error) error {
	var ae *alexa.Error
	var re *lamp.RangeError
	switch {
	case errors.As(err, &ae):
		return ae
	case errors.As(err, &re):
		return rangeError(re)
	case errors.Is(err, store.ErrNotFound):
		return alexa.NewError(alexa.ErrNoSuchEndpoint, "no such endpoint for this user")
	}
	return fmt.Errorf("lamp: %w", err)
}

func turnOn(*alexa.Directive) (change, error) {
	return func(l skillstore.Lamp) (skillstore.Lamp, error) { return lamp.TurnOn(l), nil }, nil
}

func turnOff(*alexa.Directive) (change, error) {
	return func(l skillstore.Lamp) (skillstore.Lamp, error) { return lamp.TurnOff(l), nil }, nil
}

func setBrightness(d *alexa.Directive) (change, error) {
	var p struct {
		Brightness *int `json:"brightness"`
	}
	if err := d.DecodePayload(&p); err != nil {
		return nil, err
	}
	if p.Brightness == nil {
		return nil, alexa.NewError(alexa.ErrInvalidDirective, "SetBrightness needs payload.brightness")
	}
	return func(l skillstore.Lamp) (skillstore.Lamp, error) { return lamp.SetBrightness(l, *p.Brightness) }, nil
}

func adjustBrightness(d *alexa.Directive) (change, error) {
	var p struct {
		Delta *int `json:"brightnessDelta"`
	}
	if err := d.DecodePayload(&p); err != nil {
		return nil, err
	}
	if p.Delta == nil {
		return nil, alexa.NewError(alexa.ErrInvalidDirective, "AdjustBrightness needs payload.brightnessDelta")
	}
	return func(l skillstore.Lamp) (skillstore.Lamp, error) { return lamp.AdjustBrightness(l, *p.Delta) }, nil
}

func setColor(d *alexa.Directive) (change, error) {
	var p struct {
		Color *struct {
			Hue        *float64 `json:"hue"`
			Saturation *float64 `json:"saturation"`
			Brightness *float64 `json:"brightness"`
		} `json:"color"`
	}
	if err := d.DecodePayload(&p); err != nil {
		return nil, err
	}
	c := p.Color
	if c == nil || c.Hue == nil || c.Saturation == nil || c.Brightness == nil {
		return nil, alexa.NewError(alexa.ErrInvalidDirective, "SetColor needs payload.color with hue, saturation and brightness")
	}
	return func(l skillstore.Lamp) (skillstore.Lamp, error) {
		return lamp.SetColor(l, *c.Hue, *c.Saturation, *c.Brightness)
	}, nil
}

func setColorTemperature(d *alexa.Directive) (change, error) {
	var p struct {
		Kelvin *int `json:"colorTemperatureInKelvin"`
	}
	if err := d.DecodePayload(&p); err != nil {
		return nil, err
	}
	if p.Kelvin == nil {
		return nil, alexa.NewError(alexa.ErrInvalidDirective, "SetColorTemperature needs payload.colorTemperatureInKelvin")
	}
	return func(l skillstore.Lamp) (skillstore.Lamp, error) { return lamp.SetColorTemperature(l, *p.Kelvin) }, nil
}

func increaseColorTemperature(*alexa.Directive) (change, error) {
	return func(l skillstore.Lamp) (skillstore.Lamp, error) { return lamp.IncreaseColorTemperature(l), nil }, nil
}

func decreaseColorTemperature(*alexa.Directive) (change, error) {
	return func(l skillstore.Lamp) (skillstore.Lamp, error) { return lamp.DecreaseColorTemperature(l), nil }, nil
}
