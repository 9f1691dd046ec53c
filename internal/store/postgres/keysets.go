package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/linkpool/linkpool/internal/store"
)

// readKeySet reads the pool's key set, keys in stored order, in one
// statement so that version and keys come from one snapshot. found is
// false when the pool has no key set.
func readKeySet(ctx context.Context, q interface {
	Query(context.Context, string, ...any) (pgx.Rows, error)
}, poolID string) (ks store.KeySet, found bool, err error) {
	rows, err := q.Query(ctx, `SELECT ks.version, ks.updated_at, k.kid, k.use, k.alg, k.state, k.sealed,
			k.public, k.created_at, k.not_after
		FROM key_sets ks
		LEFT JOIN signing_keys k ON k.pool_id = ks.pool_id
		WHERE ks.pool_id = $1
		ORDER BY k.ordinal`, poolID)
	if err != nil {
		return store.KeySet{}, false, err
	}
	defer rows.Close()
	ks.PoolID = poolID
	for rows.Next() {
		var (
			k                    store.SigningKey
			kid, use, alg, state pgtype.Text
		)
		err := rows.Scan(&ks.Version, (*utcTime)(&ks.UpdatedAt), &kid, &use, &alg, &state,
			&k.Sealed, &k.Public, (*utcTime)(&k.CreatedAt), (*utcTime)(&k.NotAfter))
		if err != nil {
			return store.KeySet{}, false, err
		}
		found = true
		if kid.Valid {
			k.KID, k.Use, k.Alg, k.State = kid.String, use.String, alg.String, state.String
			ks.Keys = append(ks.Keys, k)
		}
	}
	return ks, found, rows.Err()
}

// GetKeySet returns the pool's signing keys, or store.ErrNotFound when
// none were ever stored.
func (db *DB) GetKeySet(ctx context.Context, poolID string) (store.KeySet, error) {
	ks, found, err := readKeySet(ctx, db.pool, poolID)
	if err != nil {
		return store.KeySet{}, wrap("get key set", err)
	}
	if !found {
		return store.KeySet{}, notFound("get key set")
	}
	return ks, nil
}

// UpdateKeySet runs fn on the pool's key set and stores the result with
// the version increased by one.
//
// Updaters of one pool are serialised by the key_sets row lock. When the
// pool has no key set yet, the transaction first inserts an empty one
// (version 0) with ON CONFLICT DO NOTHING: a concurrent inserter waits on
// the primary key until the first commits, then finds the row and queues
// on its lock. Either way fn sees the latest committed set, so of several
// instances racing to rotate, exactly one rotates and the others see its
// result (the compare-and-swap Dex's key rotation relies on).
func (db *DB) UpdateKeySet(ctx context.Context, poolID string, fn func(store.KeySet) (store.KeySet, error)) error {
	const op = "update key set"
	return db.inTx(ctx, op, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO key_sets (pool_id, version) VALUES ($1, 0)
			ON CONFLICT (pool_id) DO NOTHING`, poolID); err != nil {
			return wrap(op, err)
		}
		// Lock first, read after: at READ COMMITTED the read then takes a
		// snapshot in which the previous holder's keys are committed. A
		// locking read joined with signing_keys would re-check only the
		// key_sets row and could return the previous holder's old keys.
		if _, err := tx.Exec(ctx, `SELECT 1 FROM key_sets WHERE pool_id = $1 FOR UPDATE`, poolID); err != nil {
			return err
		}
		cur, _, err := readKeySet(ctx, tx, poolID)
		if err != nil {
			return err
		}
		next, err := fn(cur)
		if err != nil {
			return &callbackError{err}
		}
		if _, err := tx.Exec(ctx, `UPDATE key_sets SET version = $2, updated_at = $3 WHERE pool_id = $1`,
			poolID, cur.Version+1, ts(next.UpdatedAt)); err != nil {
			return err
		}
		var b pgx.Batch
		b.Queue(`DELETE FROM signing_keys WHERE pool_id = $1`, poolID)
		for i, k := range next.Keys {
			b.Queue(`INSERT INTO signing_keys (pool_id, kid, ordinal, use, alg, state, sealed, public,
					created_at, not_after)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
				poolID, k.KID, i, k.Use, k.Alg, k.State, k.Sealed, k.Public, ts(k.CreatedAt), ts(k.NotAfter))
		}
		return wrap(op, tx.SendBatch(ctx, &b).Close())
	})
}
