package confcache

import (
	"context"
	"errors"
	"sync"

	"github.com/linkpool/linkpool/internal/store"
)

// maxEntries bounds a table: past it the table starts over, so that
// lookups of names that do not exist cannot grow it without bound.
const maxEntries = 10000

// Table caches one kind of value by key, loaded by its load function; a
// load that fails with store.ErrNotFound is cached as absent.
type Table[T any] struct {
	c    *Cache
	load func(ctx context.Context, key string) (T, error)

	mu sync.RWMutex
	m  map[string]entry[T]
}

type entry[T any] struct {
	v     T
	found bool
	at    stamp
}

// NewTable returns a table of c: its entries are dropped with c's. load
// must read nothing but configuration (pools, clients, domains, groups).
func NewTable[T any](c *Cache, load func(ctx context.Context, key string) (T, error)) *Table[T] {
	return &Table[T]{c: c, load: load, m: map[string]entry[T]{}}
}

// Get returns the value of key and whether it exists, loading it when it
// is not cached or was loaded before the configuration last changed. An
// error is the load's, other than store.ErrNotFound.
func (t *Table[T]) Get(ctx context.Context, key string) (T, bool, error) {
	now := t.c.stamp()
	if !t.c.bypass.Load() {
		t.mu.RLock()
		e, ok := t.m[key]
		t.mu.RUnlock()
		if ok && e.at == now {
			return e.v, e.found, nil
		}
	}
	// now was taken before the load: if the configuration changes while
	// it runs, the entry is stale at once.
	t.c.loaded.Store(true)
	v, err := t.load(ctx, key)
	found := err == nil
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		var zero T
		return zero, false, err
	}
	t.mu.Lock()
	if len(t.m) >= maxEntries {
		clear(t.m)
	}
	t.m[key] = entry[T]{v: v, found: found, at: now}
	t.mu.Unlock()
	return v, found, nil
}
