package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/linkpool/linkpool/internal/store"
)

const accessKeyColumns = `id, sealed, description, all_pools, pool_ids, read_only, created_at, last_used_at`

// CreateAccessKey stores an access key.
func (db *DB) CreateAccessKey(ctx context.Context, k store.AccessKey) error {
	_, err := db.pool.Exec(ctx, `INSERT INTO access_keys (`+accessKeyColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		k.ID, k.Sealed, k.Description, k.AllPools, k.PoolIDs, k.ReadOnly, ts(k.CreatedAt), ts(k.LastUsedAt))
	return wrap("create access key", err)
}

func scanAccessKey(row pgx.Row) (store.AccessKey, error) {
	var k store.AccessKey
	err := row.Scan(&k.ID, &k.Sealed, &k.Description, &k.AllPools, &k.PoolIDs, &k.ReadOnly,
		(*utcTime)(&k.CreatedAt), (*utcTime)(&k.LastUsedAt))
	if len(k.PoolIDs) == 0 {
		k.PoolIDs = nil
	}
	return k, err
}

// GetAccessKey returns the access key with the given id.
func (db *DB) GetAccessKey(ctx context.Context, id string) (store.AccessKey, error) {
	k, err := scanAccessKey(db.pool.QueryRow(ctx, `SELECT `+accessKeyColumns+` FROM access_keys WHERE id = $1`, id))
	if err != nil {
		return store.AccessKey{}, wrap("get access key", err)
	}
	return k, nil
}

// ListAccessKeys returns every access key, by id.
func (db *DB) ListAccessKeys(ctx context.Context) ([]store.AccessKey, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+accessKeyColumns+` FROM access_keys ORDER BY id COLLATE "C"`)
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
	tag, err := db.pool.Exec(ctx, `UPDATE access_keys SET last_used_at = GREATEST(last_used_at, $1) WHERE id = $2`, ts(usedAt), id)
	if err != nil {
		return wrap("touch access key", err)
	}
	if tag.RowsAffected() == 0 {
		return notFound("touch access key")
	}
	return nil
}

// DeleteAccessKey deletes the access key.
func (db *DB) DeleteAccessKey(ctx context.Context, id string) error {
	tag, err := db.pool.Exec(ctx, `DELETE FROM access_keys WHERE id = $1`, id)
	if err != nil {
		return wrap("delete access key", err)
	}
	if tag.RowsAffected() == 0 {
		return notFound("delete access key")
	}
	return nil
}
