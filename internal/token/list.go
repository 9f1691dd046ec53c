package token

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/linkpool/linkpool/internal/store"
)

// KeyInfo describes one signing key without any private material, for
// `linkpool keys list` and rotation reports.
type KeyInfo struct {
	KID       string
	Use       string // "id" or "access"
	Alg       string
	State     string // "next", "active" or "retired"
	CreatedAt time.Time
	NotAfter  time.Time // zero unless retired
	// Published reports whether the key is in the JWKS: false only for
	// a retired key past NotAfter that the next rotation will drop.
	Published bool
	// ReadyAt is when a next key has been published long enough for a
	// rotation to make it sign (the rule Rotate applies); zero when it
	// may sign at once, and for active and retired keys.
	ReadyAt time.Time
}

// KeySetInfo is a pool's key set as KeyInfos, with the version to pass to
// Rotate as ifVersion.
type KeySetInfo struct {
	PoolID    string
	Version   int64
	UpdatedAt time.Time
	Keys      []KeyInfo
}

func info(sk store.SigningKey, now time.Time) KeyInfo {
	return KeyInfo{
		KID:       sk.KID,
		Use:       sk.Use,
		Alg:       sk.Alg,
		State:     sk.State,
		CreatedAt: sk.CreatedAt,
		NotAfter:  sk.NotAfter,
		Published: sk.State != store.KeyRetired || now.Before(sk.NotAfter),
	}
}

// Describe reads the pool's key set from the store (never from the cache).
// It returns an error wrapping ErrNoKeys when the pool has none.
func (k *Keys) Describe(ctx context.Context, poolID string) (KeySetInfo, error) {
	set, err := k.st.GetKeySet(ctx, poolID)
	if errors.Is(err, store.ErrNotFound) {
		return KeySetInfo{}, fmt.Errorf("%w: pool %s", ErrNoKeys, poolID)
	}
	if err != nil {
		return KeySetInfo{}, fmt.Errorf("token: read key set of pool %s: %w", poolID, err)
	}
	now := k.now()
	out := KeySetInfo{PoolID: set.PoolID, Version: set.Version, UpdatedAt: set.UpdatedAt}
	for _, sk := range set.Keys {
		ki := info(sk, now)
		if sk.State == store.KeyNext && set.Version > 1 {
			ki.ReadyAt = sk.CreatedAt.Add(k.publishFor())
		}
		out.Keys = append(out.Keys, ki)
	}
	return out, nil
}

// List returns the pool's keys as stored, in stored order.
func (k *Keys) List(ctx context.Context, poolID string) ([]KeyInfo, error) {
	set, err := k.Describe(ctx, poolID)
	if err != nil {
		return nil, err
	}
	return set.Keys, nil
}
