package postgres

import (
	"context"
	"time"
)

// GetACMECache returns the sealed value of an automatic-certificate cache
// entry.
func (db *DB) GetACMECache(ctx context.Context, key string) ([]byte, error) {
	var sealed []byte
	if err := db.pool.QueryRow(ctx, `SELECT sealed FROM acme_cache WHERE key = $1`, key).Scan(&sealed); err != nil {
		return nil, wrap("get acme cache", err)
	}
	return sealed, nil
}

// PutACMECache stores or replaces an automatic-certificate cache entry.
func (db *DB) PutACMECache(ctx context.Context, key string, sealed []byte, updatedAt time.Time) error {
	_, err := db.pool.Exec(ctx, `INSERT INTO acme_cache (key, sealed, updated_at) VALUES ($1, $2, $3)
		ON CONFLICT (key) DO UPDATE SET sealed = EXCLUDED.sealed, updated_at = EXCLUDED.updated_at`,
		key, sealed, ts(updatedAt))
	return wrap("put acme cache", err)
}

// DeleteACMECache deletes an automatic-certificate cache entry, if any.
func (db *DB) DeleteACMECache(ctx context.Context, key string) error {
	_, err := db.pool.Exec(ctx, `DELETE FROM acme_cache WHERE key = $1`, key)
	return wrap("delete acme cache", err)
}
