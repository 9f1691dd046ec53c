package postgres

import "context"

// ConfigVersion returns the configuration version that the triggers of
// migrations 0010 and 0012 raise with every row written to pools,
// clients, domains, groups or identity providers.
func (db *DB) ConfigVersion(ctx context.Context) (int64, error) {
	var v int64
	err := db.pool.QueryRow(ctx, `SELECT version FROM config_version WHERE id = 1`).Scan(&v)
	return v, wrap("config version", err)
}

// ConfigWrites counts this handle's writes to pools, clients, domains,
// groups and identity providers (store.Store.ConfigWrites).
func (db *DB) ConfigWrites() uint64 { return db.configWrites.Load() }

// configWrote is deferred by every write to pools, clients, domains,
// groups and identity providers.
func (db *DB) configWrote() { db.configWrites.Add(1) }
