package smarthome

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/linkpool/linkpool/internal/smarthome/alexa"
	"github.com/linkpool/linkpool/internal/smarthome/lamp"
	"github.com/linkpool/linkpool/internal/smarthome/skillstore"
)

// AddLamp creates a lamp named name for owner (a user's sub) and returns
// it. The name must be a valid Alexa friendly name (1..128 characters).
func AddLamp(ctx context.Context, st skillstore.Store, owner, name string) (skillstore.Lamp, error) {
	if owner == "" {
		return skillstore.Lamp{}, fmt.Errorf("smarthome: owner is required")
	}
	if err := lamp.ValidateName(name); err != nil {
		return skillstore.Lamp{}, fmt.Errorf("smarthome: %w", err)
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	l := lamp.New(owner, "lamp-"+hex.EncodeToString(b[:]), name, time.Now())
	if err := st.CreateLamp(ctx, l); err != nil {
		return skillstore.Lamp{}, fmt.Errorf("smarthome: add lamp: %w", err)
	}
	return l, nil
}

// ListLamps returns owner's lamps ordered by id.
func ListLamps(ctx context.Context, st skillstore.Store, owner string) ([]skillstore.Lamp, error) {
	ls, err := st.ListLamps(ctx, owner)
	if err != nil {
		return nil, fmt.Errorf("smarthome: list lamps: %w", err)
	}
	return ls, nil
}

// RemoveLamp deletes owner's lamp id; store.ErrNotFound when owner has no
// such lamp.
func RemoveLamp(ctx context.Context, st skillstore.Store, owner, id string) error {
	if err := st.DeleteLamp(ctx, owner, id); err != nil {
		return fmt.Errorf("smarthome: remove lamp: %w", err)
	}
	return nil
}

// Toggle flips owner's lamp on or off outside Alexa and, when the owner
// granted Alexa events, queues a ChangeReport. by is lamp.ByApp for the
// /lamps page, which stands for the lamp's own switch (cause
// PHYSICAL_INTERACTION), or lamp.ByCLI (cause APP_INTERACTION). The report
// is sent asynchronously; its failure never fails the toggle.
func (s *Skill) Toggle(ctx context.Context, owner, id, by string) (skillstore.Lamp, error) {
	return s.change(ctx, owner, id, by, func(l skillstore.Lamp) (skillstore.Lamp, error) { return lamp.Toggle(l), nil })
}

// SetPower switches owner's lamp on or off outside Alexa, like Toggle.
func (s *Skill) SetPower(ctx context.Context, owner, id string, on bool, by string) (skillstore.Lamp, error) {
	return s.change(ctx, owner, id, by, func(l skillstore.Lamp) (skillstore.Lamp, error) {
		if on {
			return lamp.TurnOn(l), nil
		}
		return lamp.TurnOff(l), nil
	})
}

func (s *Skill) change(ctx context.Context, owner, id, by string, fn change) (skillstore.Lamp, error) {
	now := s.now()
	var prev, next skillstore.Lamp
	err := s.store.UpdateLamp(ctx, owner, id, func(l skillstore.Lamp) (skillstore.Lamp, error) {
		n, err := fn(l)
		if err != nil {
			return l, err
		}
		prev, next = l, lamp.Stamp(n, by, now)
		return next, nil
	})
	if err != nil {
		return skillstore.Lamp{}, fmt.Errorf("smarthome: change lamp: %w", err)
	}
	cause := alexa.CauseAppInteraction
	if by == lamp.ByApp {
		cause = alexa.CausePhysicalInteraction
	}
	s.events.enqueue(changeJob{prev: prev, next: next, cause: cause, at: now})
	return next, nil
}
