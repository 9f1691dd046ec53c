package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/linkpool/linkpool/internal/store"
)

const samlKeyColumns = `pool_id, sealed, certificate, created_at`

func scanSAMLKey(row pgx.Row) (store.SAMLKey, error) {
	var k store.SAMLKey
	err := row.Scan(&k.PoolID, &k.Sealed, &k.Certificate, (*utcTime)(&k.CreatedAt))
	return k, err
}

// GetSAMLKey returns the pool's SAML key pair.
func (db *DB) GetSAMLKey(ctx context.Context, poolID string) (store.SAMLKey, error) {
	k, err := scanSAMLKey(db.pool.QueryRow(ctx, `SELECT `+samlKeyColumns+` FROM saml_keys WHERE pool_id = $1`, poolID))
	return k, wrap("get saml key", err)
}

// EnsureSAMLKey inserts k unless its pool has a key, then reads the
// pool's key. A concurrent inserter's ON CONFLICT DO NOTHING waits on
// the primary key until the first commits; the read that follows is a
// new statement at READ COMMITTED and sees the committed row. So of
// instances racing to create the key, the first insert wins and every
// one returns it.
func (db *DB) EnsureSAMLKey(ctx context.Context, k store.SAMLKey) (store.SAMLKey, error) {
	const op = "ensure saml key"
	var out store.SAMLKey
	err := db.inTx(ctx, op, func(tx pgx.Tx) error {
		// A missing pool violates the foreign key: store.ErrNotFound.
		if _, err := tx.Exec(ctx, `INSERT INTO saml_keys (`+samlKeyColumns+`) VALUES ($1, $2, $3, $4)
			ON CONFLICT (pool_id) DO NOTHING`, k.PoolID, k.Sealed, k.Certificate, ts(k.CreatedAt)); err != nil {
			return wrap(op, err)
		}
		var err error
		out, err = scanSAMLKey(tx.QueryRow(ctx, `SELECT `+samlKeyColumns+` FROM saml_keys WHERE pool_id = $1`, k.PoolID))
		return wrap(op, err)
	})
	return out, err
}

// SAMLKey loads a pool's SAML key pair (bulk load, Load) with a plain
// statement: there is one per pool.
func (l *loader) SAMLKey(k store.SAMLKey) error {
	const op = "load saml key"
	if err := l.flush(); err != nil {
		return err
	}
	_, err := l.tx.Exec(l.ctx, `INSERT INTO saml_keys (`+samlKeyColumns+`) VALUES ($1, $2, $3, $4)`,
		k.PoolID, k.Sealed, k.Certificate, ts(k.CreatedAt))
	return wrap(op, err)
}
