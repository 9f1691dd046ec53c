package acme

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"golang.org/x/crypto/acme/autocert"

	"github.com/linkpool/linkpool/internal/seal"
	"github.com/linkpool/linkpool/internal/store"
)

// Cache is an autocert.Cache in the database: each value is sealed with
// the master key, bound to its cache key, so that a value cannot be moved
// to another key nor read without the master key.
type Cache struct {
	store store.Store
	box   *seal.Box
	log   *slog.Logger
	now   func() time.Time
	// seen, when set, is told of every value read or written.
	seen func(key string, data []byte)
	// gone, when set, is told of every key deleted.
	gone func(key string)
}

// NewCache returns a Cache over st sealed with box.
func NewCache(st store.Store, box *seal.Box, log *slog.Logger) *Cache {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Cache{store: st, box: box, log: log, now: time.Now}
}

var _ autocert.Cache = (*Cache)(nil)

// aad binds a sealed value to its cache key.
func aad(key string) []byte { return []byte("linkpool acme cache\x00" + key) }

// Get returns the value of key, or autocert.ErrCacheMiss. A value that
// does not open (sealed under another master key) is a miss, logged: the
// certificate is obtained again.
func (c *Cache) Get(ctx context.Context, key string) ([]byte, error) {
	sealed, err := c.store.GetACMECache(ctx, key)
	if errors.Is(err, store.ErrNotFound) {
		return nil, autocert.ErrCacheMiss
	}
	if err != nil {
		return nil, err
	}
	data, err := c.box.Open(sealed, aad(key))
	if err != nil {
		c.log.WarnContext(ctx, "stored ACME entry does not open with the master key; obtaining it again", "key", key)
		return nil, autocert.ErrCacheMiss
	}
	if c.seen != nil {
		c.seen(key, data)
	}
	return data, nil
}

// Put seals and stores data under key, replacing any value before.
func (c *Cache) Put(ctx context.Context, key string, data []byte) error {
	if err := c.store.PutACMECache(ctx, key, c.box.Seal(data, aad(key)), c.now()); err != nil {
		return err
	}
	if c.seen != nil {
		c.seen(key, data)
	}
	return nil
}

// Delete removes key; an absent key is not an error.
func (c *Cache) Delete(ctx context.Context, key string) error {
	if err := c.store.DeleteACMECache(ctx, key); err != nil {
		return err
	}
	if c.gone != nil {
		c.gone(key)
	}
	return nil
}
