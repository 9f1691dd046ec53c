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
// alg is the pool's signing algorithm. When the next key has another
// algorithm it never signs: a new active key with alg replaces it, so a
// pool switches algorithm at its next rotation.
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
	// Generate outside the transaction: one next key per use, plus an
	// active key where no next key of alg is waiting.
	var need [len(uses)]int
	for i := range need {
		need[i] = 1
	}
	for i, ok := range nextReady(seen, alg) {
		if !ok {
			need[i]++
		}
	}
	supply, err := newKeySupply(alg, need)
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
		res = RotateResult{Version: set.Version + 1}
		now := k.now()
		cur := supply.cursor()
		keys := make([]store.SigningKey, 0, len(set.Keys)+len(uses))
		var activated [len(uses)]bool
		for _, sk := range set.Keys {
			switch {
			case sk.State == store.KeyActive:
				sk.State = store.KeyRetired
				sk.NotAfter = now.Add(retireFor)
				res.Retired = append(res.Retired, info(sk, now))
			case sk.State == store.KeyNext && sk.Alg == alg:
				ui, err := useIndex(sk.Use)
				if err != nil || activated[ui] {
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
			states := []string{store.KeyNext}
			if !activated[ui] {
				states = append(states, store.KeyActive)
			}
			for _, state := range states {
				priv, err := cur.take(ui)
				if err != nil {
					return set, err
				}
				sk, err := newSigningKey(k.box, poolID, use, alg, state, priv, now)
				if err != nil {
					return set, err
				}
				keys = append(keys, sk)
				if state == store.KeyActive {
					res.Activated = append(res.Activated, info(sk, now))
				} else {
					res.Created = append(res.Created, info(sk, now))
				}
			}
		}
		set.Keys = keys
		return set, nil
	})
	if err != nil {
		if errors.Is(err, ErrAlreadyRotated) || errors.Is(err, ErrNoKeys) {
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
