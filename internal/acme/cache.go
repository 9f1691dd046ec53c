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
// to another key nor read without the master key. Entries are kept per
// CA directory (StoreKey): certificates of the staging CA are not served
// once the production CA is configured, and the other way round.
type Cache struct {
	store     store.Store
	box       *seal.Box
	directory string
	log       *slog.Logger
	now       func() time.Time
	// seen, when set, is told of every value read or written.
	seen func(key string, data []byte)
	// gone, when set, is told of every key deleted.
	gone func(key string)
}

// NewCache returns a Cache of the CA at directory over st, sealed with
// box.
func NewCache(st store.Store, box *seal.Box, directory string, log *slog.Logger) *Cache {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Cache{store: st, box: box, directory: directory, log: log, now: time.Now}
}

// StoreKey is the database key of autocert's cache key for the CA at
// directory.
func StoreKey(directory, key string) string { return directory + "#" + key }

var _ autocert.Cache = (*Cache)(nil)

// aad binds a sealed value to its cache key.
func aad(key string) []byte { return []byte("linkpool acme cache\x00" + key) }

// Get returns the value of key, or autocert.ErrCacheMiss. A value that
// does not open (sealed under another master key) is a miss, logged: the
// certificate is obtained again.
func (c *Cache) Get(ctx context.Context, key string) ([]byte, error) {
	sk := StoreKey(c.directory, key)
	sealed, err := c.store.GetACMECache(ctx, sk)
	if errors.Is(err, store.ErrNotFound) {
		return nil, autocert.ErrCacheMiss
	}
	if err != nil {
		return nil, err
	}
	data, err := c.box.Open(sealed, aad(sk))
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
	sk := StoreKey(c.directory, key)
	if err := c.store.PutACMECache(ctx, sk, c.box.Seal(data, aad(sk)), c.now()); err != nil {
		return err
	}
	if c.seen != nil {
		c.seen(key, data)
	}
	return nil
}

// Delete removes key; an absent key is not an error.
func (c *Cache) Delete(ctx context.Context, key string) error {
	if err := c.store.DeleteACMECache(ctx, StoreKey(c.directory, key)); err != nil {
		return err
	}
	if c.gone != nil {
		c.gone(key)
	}
	return nil
}
