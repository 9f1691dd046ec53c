package token

import (
	"context"
	"crypto"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/linkpool/linkpool/internal/seal"
	"github.com/linkpool/linkpool/internal/store"
)

// DefaultRefreshInterval is how often a cached key set is re-read when
// KeysOptions.RefreshInterval is zero.
const DefaultRefreshInterval = 10 * time.Second

// MaxRefreshInterval is the longest RefreshInterval: a new key signs
// PublishFor + MaxRefreshInterval after its creation, so every instance
// has served it for PublishFor by then.
const MaxRefreshInterval = time.Minute

// KeysOptions configures a Keys.
type KeysOptions struct {
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// RefreshInterval is how long a cached key set is used before it is
	// re-read from the store, so that keys rotated by another instance are
	// picked up within a bounded time. Zero means DefaultRefreshInterval;
	// longer than MaxRefreshInterval means MaxRefreshInterval.
	RefreshInterval time.Duration
	// GenerateKey makes the private key of a new signing key for alg
	// (pool.AlgRS256 or pool.AlgES256); nil means a fresh RSA-2048 or
	// P-256 key from crypto/rand. Tests hand out keys generated once per
	// process (internal/apptest), since RSA generation is slow. Every key
	// it returns to one Keys must be distinct.
	GenerateKey func(alg string) (crypto.Signer, error)
}

// Keys is one process's signing-key manager for every pool: it creates and
// rotates key sets in the store and keeps the parsed keys, signers and
// JWKS documents of each pool in memory. It is safe for concurrent use.
type Keys struct {
	st      store.Store
	box     *seal.Box
	now     func() time.Time
	refresh time.Duration
	// generate makes private keys (KeysOptions.GenerateKey).
	generate func(alg string) (crypto.Signer, error)

	mu    sync.RWMutex
	pools map[string]*poolKeys

	loads   singleflight.Group // coalesces key-set reads per pool
	ensures singleflight.Group // coalesces key generation per pool

	signed atomic.Uint64 // JWTs signed by Sign
}

// NewKeys returns a key manager over st whose private keys are sealed with
// box.
func NewKeys(st store.Store, box *seal.Box, opts KeysOptions) *Keys {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.RefreshInterval <= 0 {
		opts.RefreshInterval = DefaultRefreshInterval
	}
	opts.RefreshInterval = min(opts.RefreshInterval, MaxRefreshInterval)
	if opts.GenerateKey == nil {
		opts.GenerateKey = generateKey
	}
	return &Keys{
		generate: opts.GenerateKey,
		st:       st,
		box:      box,
		now:      opts.Now,
		refresh:  opts.RefreshInterval,
		pools:    make(map[string]*poolKeys),
	}
}

// current returns the pool's parsed keys, re-reading the key set from the
// store when the cached copy is older than the refresh interval. Callers
// that arrive while a read is in flight share it.
func (k *Keys) current(ctx context.Context, poolID string) (*poolKeys, error) {
	k.mu.RLock()
	pk := k.pools[poolID]
	k.mu.RUnlock()
	if pk != nil && k.now().Sub(pk.checkedAt()) < k.refresh {
		return pk, nil
	}
	ch := k.loads.DoChan(poolID, func() (any, error) {
		// The read is shared, so it must not fail because the first
		// caller gave up; each caller still stops waiting on its own ctx.
		return k.reload(context.WithoutCancel(ctx), poolID)
	})
	select {
	case res := <-ch:
		if res.Err != nil {
			return nil, res.Err
		}
		return res.Val.(*poolKeys), nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// reload reads the pool's key set. When its version is the cached one the
// cached keys are kept and only marked fresh; otherwise the set is parsed,
// reusing the material of keys already known.
func (k *Keys) reload(ctx context.Context, poolID string) (*poolKeys, error) {
	set, err := k.st.GetKeySet(ctx, poolID)
	if errors.Is(err, store.ErrNotFound) {
		k.forget(poolID)
		return nil, fmt.Errorf("%w: pool %s", ErrNoKeys, poolID)
	}
	if err != nil {
		return nil, fmt.Errorf("token: read key set of pool %s: %w", poolID, err)
	}
	now := k.now()
	k.mu.RLock()
	prev := k.pools[poolID]
	k.mu.RUnlock()
	if prev != nil && prev.version == set.Version {
		prev.checked.Store(now.UnixNano())
		return prev, nil
	}
	pk, err := parseKeySet(k.box, set, prev, now)
	if err != nil {
		return nil, err
	}
	// Reads of one pool are single-flighted, so no older read can
	// overwrite this one; the store's answer is the truth, even an
	// older version after a database restore.
	k.mu.Lock()
	k.pools[poolID] = pk
	k.mu.Unlock()
	return pk, nil
}

// forget drops the cached keys of a pool that no longer has a key set.
func (k *Keys) forget(poolID string) {
	k.mu.Lock()
	delete(k.pools, poolID)
	k.mu.Unlock()
}

// expire makes the next use of the pool's keys re-read the store, keeping
// the parsed material for reuse. Ensure and Rotate call it after changing
// the set: this instance then signs with the new keys at once, other
// instances within the refresh interval.
func (k *Keys) expire(poolID string) {
	k.mu.RLock()
	if pk := k.pools[poolID]; pk != nil {
		pk.checked.Store(0)
	}
	k.mu.RUnlock()
}
