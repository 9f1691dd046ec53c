package token

import (
	"context"
	"errors"
	"fmt"

	"github.com/linkpool/linkpool/internal/store"
)

// errComplete aborts a key-set update that has nothing to add.
var errComplete = errors.New("key set complete")

// Ensure makes sure the pool has a key set: for each use, ID and access,
// an active key that signs and a next key that is published in the JWKS
// before it ever signs. Keys of a new set use alg. Ensure is idempotent and
// safe to call from several instances at once: the set is completed inside
// one store.UpdateKeySet, which sees the latest set, so exactly one set is
// created. An existing set is left alone even if its algorithm differs
// from alg; Rotate changes algorithms.
func (k *Keys) Ensure(ctx context.Context, poolID, alg string) error {
	if err := checkAlg(alg); err != nil {
		return err
	}
	set, err := k.st.GetKeySet(ctx, poolID)
	switch {
	case err == nil:
		if missingKeys(set) == ([len(uses)][2]bool{}) {
			return nil
		}
	case !errors.Is(err, store.ErrNotFound):
		return fmt.Errorf("token: read key set of pool %s: %w", poolID, err)
	}
	// Callers in this process share one generation per pool.
	_, err, _ = k.ensures.Do(poolID, func() (any, error) {
		return nil, k.ensure(context.WithoutCancel(ctx), poolID, alg, set)
	})
	return err
}

// missingKeys reports, per use, whether the set lacks an active key and
// whether it lacks a next key.
func missingKeys(set store.KeySet) (missing [len(uses)][2]bool) {
	var have [len(uses)][2]bool
	for _, sk := range set.Keys {
		ui, err := useIndex(sk.Use)
		if err != nil {
			continue
		}
		switch sk.State {
		case store.KeyActive:
			have[ui][0] = true
		case store.KeyNext:
			have[ui][1] = true
		}
	}
	for i := range missing {
		missing[i] = [2]bool{!have[i][0], !have[i][1]}
	}
	return missing
}

func (k *Keys) ensure(ctx context.Context, poolID, alg string, seen store.KeySet) error {
	// Generate what the set we saw lacks before opening the transaction.
	var need [len(uses)]int
	for i, m := range missingKeys(seen) {
		for _, missing := range m {
			if missing {
				need[i]++
			}
		}
	}
	supply, err := newKeySupply(k.generate, alg, need)
	if err != nil {
		return err
	}
	err = k.st.UpdateKeySet(ctx, poolID, func(set store.KeySet) (store.KeySet, error) {
		missing := missingKeys(set)
		if missing == ([len(uses)][2]bool{}) {
			return set, errComplete // another instance won the race
		}
		// Keys added to an existing set keep the set's algorithm.
		setAlg := alg
		for _, sk := range set.Keys {
			if sk.State == store.KeyActive {
				setAlg = sk.Alg
				break
			}
		}
		src := supply
		if setAlg != src.alg {
			// Generated on demand by the cursor.
			src = &keySupply{alg: setAlg}
		}
		cur := src.cursor()
		now := k.now()
		keys := append([]store.SigningKey(nil), set.Keys...)
		for ui, use := range uses {
			for si, state := range []string{store.KeyActive, store.KeyNext} {
				if !missing[ui][si] {
					continue
				}
				priv, err := cur.take(ui)
				if err != nil {
					return set, err
				}
				sk, err := newSigningKey(k.box, poolID, use, setAlg, state, priv, now)
				if err != nil {
					return set, err
				}
				keys = append(keys, sk)
			}
		}
		set.Keys = keys
		return set, nil
	})
	if errors.Is(err, errComplete) {
		err = nil
	}
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("token: pool %s: %w", poolID, err)
		}
		return fmt.Errorf("token: create keys of pool %s: %w", poolID, err)
	}
	k.expire(poolID)
	return nil
}
