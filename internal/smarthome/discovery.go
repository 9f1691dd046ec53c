package smarthome

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/linkpool/linkpool/internal/smarthome/alexa"
	"github.com/linkpool/linkpool/internal/smarthome/lamp"
	"github.com/linkpool/linkpool/internal/smarthome/skillstore"
	"github.com/linkpool/linkpool/internal/store"
)

// maxEndpoints is Alexa's limit of endpoints per customer (docs
// "Alexa.Discovery Interface").
const maxEndpoints = 300

// discover answers Alexa.Discovery/Discover with the user's lamps. A user
// without lamps gets one: the default "Desk Lamp".
func (s *Skill) discover(ctx context.Context, d *alexa.Directive) (alexa.Message, error) {
	id, err := s.authenticate(ctx, d)
	if err != nil {
		return alexa.Message{}, err
	}
	lamps, err := s.store.ListLamps(ctx, id.Sub)
	if err != nil {
		return alexa.Message{}, fmt.Errorf("list lamps: %w", err)
	}
	if len(lamps) == 0 {
		if lamps, err = s.createDefaultLamp(ctx, id.Sub); err != nil {
			return alexa.Message{}, err
		}
	}
	if len(lamps) > maxEndpoints {
		lamps = lamps[:maxEndpoints]
	}
	eps := make([]alexa.DiscoveryEndpoint, len(lamps))
	for i, l := range lamps {
		eps[i] = s.endpoint(l)
	}
	return d.DiscoverResponse(eps), nil
}

// createDefaultLamp gives owner the default lamp. Its id derives from the
// owner, so two concurrent first discoveries create one lamp, not two.
func (s *Skill) createDefaultLamp(ctx context.Context, owner string) ([]skillstore.Lamp, error) {
	l := lamp.New(owner, defaultLampID(owner), lamp.DefaultName, s.now())
	if err := s.store.CreateLamp(ctx, l); err != nil && !errors.Is(err, store.ErrAlreadyExists) {
		return nil, fmt.Errorf("create default lamp: %w", err)
	}
	lamps, err := s.store.ListLamps(ctx, owner)
	if err != nil {
		return nil, fmt.Errorf("list lamps: %w", err)
	}
	return lamps, nil
}

func defaultLampID(owner string) string {
	sum := sha256.Sum256([]byte("smartlamp-default:" + owner))
	return "lamp-" + hex.EncodeToString(sum[:10])
}
