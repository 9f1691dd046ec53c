package token

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/linkpool/linkpool/internal/store"
)

// RotateResult describes one rotation.
type RotateResult struct {
	// Version is the key-set version the rotation produced.
	Version int64
	// Activated are the keys that now sign: the former next keys, or new
	// keys when the algorithm changed.
	Activated []KeyInfo
	// Retired are the formerly active keys, published until NotAfter.
	Retired []KeyInfo
	// Created are the new next keys.
	Created []KeyInfo
	// Dropped are keys removed from the set: retired keys past NotAfter,
	// and next keys of the old algorithm, which never signed.
	Dropped []KeyInfo
	// ReadyAt is when the new next keys have been published long enough
	// (PublishFor, plus MaxRefreshInterval for other instances to serve
	// them) for the next rotation to make them sign.
	ReadyAt time.Time
}

// Rotate rotates the pool's keys for both uses in one store.UpdateKeySet:
//
//   - the active key becomes retired with NotAfter = now + maxTokenTTL +
//     RefreshInterval, and stays in the JWKS until every token it signed
//     has expired; maxTokenTTL is the longest ID or access token lifetime
//     of the pool's app clients, which the caller computes, and the
//     refresh interval covers other instances, which may sign with the
//     old key until they next re-read the set;
//   - the next key, already published, becomes active;
//   - a new next key is generated and published;
//   - retired keys whose NotAfter has passed are dropped.
//
// A key signs only once it has been in the JWKS for PublishFor (plus
// MaxRefreshInterval, within which every instance starts serving it), so
// that every verifier's cached copy of the JWKS holds it before the first
// token it signs: Rotate returns a *NotReadyError, changing nothing, while
// the next key is younger. The one exception is the set's first version,
// as Ensure wrote it: its next keys are in every JWKS ever served.
//
// alg is the pool's signing algorithm. When the next key has another
// algorithm it never signs: Rotate replaces it with a next key of alg and
// leaves the active key signing, so a pool switches algorithm at the first
// rotation after the new key's ReadyAt.
//
// With ifVersion > 0 Rotate is a compare-and-swap: it returns
// ErrAlreadyRotated, changing nothing, unless the stored set is still at
// that version. Instances that all observed the same version and decide to
// rotate therefore rotate once between them (Dex signer/rotation.go,
// errAlreadyRotated). ifVersion 0 rotates unconditionally.
func (k *Keys) Rotate(ctx context.Context, poolID, alg string, maxTokenTTL time.Duration, ifVersion int64) (RotateResult, error) {
	if err := checkAlg(alg); err != nil {
		return RotateResult{}, err
	}
	if maxTokenTTL < 0 {
		maxTokenTTL = 0
	}
	retireFor := maxTokenTTL + k.refresh
	seen, err := k.st.GetKeySet(ctx, poolID)
	if errors.Is(err, store.ErrNotFound) {
		return RotateResult{}, fmt.Errorf("%w: pool %s", ErrNoKeys, poolID)
	}
	if err != nil {
		return RotateResult{}, fmt.Errorf("token: read key set of pool %s: %w", poolID, err)
	}
	if ifVersion > 0 && seen.Version != ifVersion {
		return RotateResult{}, fmt.Errorf("%w: pool %s is at version %d, not %d", ErrAlreadyRotated, poolID, seen.Version, ifVersion)
	}
	// Generate outside the transaction: one new next key per use.
	var need [len(uses)]int
	for i := range need {
		need[i] = 1
	}
	supply, err := newKeySupply(k.generate, alg, need)
	if err != nil {
		return RotateResult{}, err
	}

	var res RotateResult
	err = k.st.UpdateKeySet(ctx, poolID, func(set store.KeySet) (store.KeySet, error) {
		if ifVersion > 0 && set.Version != ifVersion {
			return set, fmt.Errorf("%w: pool %s is at version %d, not %d", ErrAlreadyRotated, poolID, set.Version, ifVersion)
		}
		if len(set.Keys) == 0 {
			return set, fmt.Errorf("%w: pool %s", ErrNoKeys, poolID)
		}
		now := k.now()
		if err := k.checkNextReady(set, alg, now); err != nil {
			return set, err
		}
		res = RotateResult{Version: set.Version + 1, ReadyAt: now.Add(k.publishFor())}
		cur := supply.cursor()
		keys := make([]store.SigningKey, 0, len(set.Keys)+len(uses))
		switching := nextReady(set, alg)
		var activated [len(uses)]bool
		for _, sk := range set.Keys {
			ui, uerr := useIndex(sk.Use)
			switch {
			case uerr != nil:
				res.Dropped = append(res.Dropped, info(sk, now))
				continue
			case sk.State == store.KeyActive && switching[ui]:
				sk.State = store.KeyRetired
				sk.NotAfter = now.Add(retireFor)
				res.Retired = append(res.Retired, info(sk, now))
			case sk.State == store.KeyActive:
				// No next key of alg is published for this use: the
				// active key keeps signing until the new next key has
				// been published for PublishFor.
			case sk.State == store.KeyNext && sk.Alg == alg:
				if activated[ui] {
					res.Dropped = append(res.Dropped, info(sk, now))
					continue
				}
				activated[ui] = true
				sk.State = store.KeyActive
				res.Activated = append(res.Activated, info(sk, now))
			case sk.State == store.KeyNext:
				res.Dropped = append(res.Dropped, info(sk, now)) // never signed
				continue
			case !now.Before(sk.NotAfter):
				res.Dropped = append(res.Dropped, info(sk, now))
				continue
			}
			keys = append(keys, sk)
		}
		for ui, use := range uses {
			priv, err := cur.take(ui)
			if err != nil {
				return set, err
			}
			sk, err := newSigningKey(k.box, poolID, use, alg, store.KeyNext, priv, now)
			if err != nil {
				return set, err
			}
			keys = append(keys, sk)
			res.Created = append(res.Created, info(sk, now))
		}
		set.Keys = keys
		return set, nil
	})
	if err != nil {
		if errors.Is(err, ErrAlreadyRotated) || errors.Is(err, ErrNoKeys) || errors.Is(err, ErrKeyNotReady) {
			return RotateResult{}, err
		}
		return RotateResult{}, fmt.Errorf("token: rotate keys of pool %s: %w", poolID, err)
	}
	k.expire(poolID)
	return res, nil
}

// nextReady reports, per use, whether the set holds a next key of alg.
func nextReady(set store.KeySet, alg string) (ready [len(uses)]bool) {
	for _, sk := range set.Keys {
		if sk.State != store.KeyNext || sk.Alg != alg {
			continue
		}
		if ui, err := useIndex(sk.Use); err == nil {
			ready[ui] = true
		}
	}
	return ready
}

// publishFor is how long after its creation a key may start signing: by
// then every instance, re-reading the set at least every
// MaxRefreshInterval, has served it for PublishFor.
func (k *Keys) publishFor() time.Duration { return PublishFor + MaxRefreshInterval }

// checkNextReady returns a *NotReadyError when a next key of alg that
// Rotate would activate has not been published for publishFor.
func (k *Keys) checkNextReady(set store.KeySet, alg string, now time.Time) error {
	if set.Version <= 1 {
		// The set as Ensure first wrote it: its next keys are in every
		// JWKS document ever served for the pool.
		return nil
	}
	for _, sk := range set.Keys {
		if sk.State != store.KeyNext || sk.Alg != alg {
			continue
		}
		if readyAt := sk.CreatedAt.Add(k.publishFor()); now.Before(readyAt) {
			return &NotReadyError{PoolID: set.PoolID, KID: sk.KID, Use: sk.Use, ReadyAt: readyAt}
		}
	}
	return nil
}
