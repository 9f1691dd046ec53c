package sqlite

import "context"

// ConfigVersion returns the configuration version that the triggers of
// migrations 0011 and 0013 raise with every write to pools, clients,
// domains, groups and identity providers.
func (db *DB) ConfigVersion(ctx context.Context) (int64, error) {
	var v int64
	err := db.rq.QueryRowContext(ctx, `SELECT version FROM config_version WHERE id = 1`).Scan(&v)
	return v, wrap("config version", err)
}

// ConfigWrites counts this handle's writes to pools, clients, domains,
// groups and identity providers (store.Store.ConfigWrites).
func (db *DB) ConfigWrites() uint64 { return db.configWrites.Load() }

// configWrote is deferred by every write to pools, clients, domains,
// groups and identity providers.
func (db *DB) configWrote() { db.configWrites.Add(1) }
