package sqlite

import (
	"context"
	"time"
)

// GetACMECache returns the sealed value of an automatic-certificate cache
// entry.
func (db *DB) GetACMECache(ctx context.Context, key string) ([]byte, error) {
	var sealed []byte
	if err := db.rq.QueryRowContext(ctx, `SELECT sealed FROM acme_cache WHERE key = ?`, key).Scan(&sealed); err != nil {
		return nil, wrap("get acme cache", err)
	}
	return sealed, nil
}

// PutACMECache stores or replaces an automatic-certificate cache entry.
func (db *DB) PutACMECache(ctx context.Context, key string, sealed []byte, updatedAt time.Time) error {
	_, err := db.exec(ctx, "put acme cache", `INSERT INTO acme_cache (key, sealed, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET sealed = excluded.sealed, updated_at = excluded.updated_at`,
		key, blob(sealed), micros(updatedAt))
	return err
}

// DeleteACMECache deletes an automatic-certificate cache entry, if any.
func (db *DB) DeleteACMECache(ctx context.Context, key string) error {
	_, err := db.exec(ctx, "delete acme cache", `DELETE FROM acme_cache WHERE key = ?`, key)
	return err
}
