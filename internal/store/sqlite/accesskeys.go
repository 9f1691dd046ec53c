package sqlite

import (
	"context"
	"time"

	"github.com/linkpool/linkpool/internal/store"
)

const accessKeyColumns = `id, sealed, description, all_pools, pool_ids, read_only, created_at, last_used_at`

// CreateAccessKey stores an access key.
func (db *DB) CreateAccessKey(ctx context.Context, k store.AccessKey) error {
	var enc encoder
	pools := k.PoolIDs
	if pools == nil {
		pools = []string{}
	}
	poolsJSON := enc.json(pools)
	if enc.err != nil {
		return wrap("create access key", enc.err)
	}
	_, err := db.exec(ctx, "create access key", `INSERT INTO access_keys (`+accessKeyColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		k.ID, blob(k.Sealed), k.Description, k.AllPools, poolsJSON, k.ReadOnly, micros(k.CreatedAt), micros(k.LastUsedAt))
	return err
}

func scanAccessKey(row scanner) (store.AccessKey, error) {
	var k store.AccessKey
	err := row.Scan(&k.ID, &k.Sealed, &k.Description, &k.AllPools, jsonCol{&k.PoolIDs}, &k.ReadOnly,
		timeCol{&k.CreatedAt}, timeCol{&k.LastUsedAt})
	if len(k.PoolIDs) == 0 {
		k.PoolIDs = nil
	}
	return k, err
}

// GetAccessKey returns the access key with the given id.
func (db *DB) GetAccessKey(ctx context.Context, id string) (store.AccessKey, error) {
	k, err := scanAccessKey(db.rq.QueryRowContext(ctx, `SELECT `+accessKeyColumns+` FROM access_keys WHERE id = ?`, id))
	if err != nil {
		return store.AccessKey{}, wrap("get access key", err)
	}
	return k, nil
}

// ListAccessKeys returns every access key, by id.
func (db *DB) ListAccessKeys(ctx context.Context) ([]store.AccessKey, error) {
	rows, err := db.rq.QueryContext(ctx, `SELECT `+accessKeyColumns+` FROM access_keys ORDER BY id`)
	if err != nil {
		return nil, wrap("list access keys", err)
	}
	defer rows.Close()
	var out []store.AccessKey
	for rows.Next() {
		k, err := scanAccessKey(rows)
		if err != nil {
			return nil, wrap("list access keys", err)
		}
		out = append(out, k)
	}
	return out, wrap("list access keys", rows.Err())
}

// TouchAccessKey records a use of the key; a later LastUsedAt stays.
func (db *DB) TouchAccessKey(ctx context.Context, id string, usedAt time.Time) error {
	return db.execOne(ctx, "touch access key", `UPDATE access_keys SET last_used_at = max(last_used_at, ?) WHERE id = ?`,
		micros(usedAt), id)
}

// DeleteAccessKey deletes the access key.
func (db *DB) DeleteAccessKey(ctx context.Context, id string) error {
	return db.execOne(ctx, "delete access key", `DELETE FROM access_keys WHERE id = ?`, id)
}
