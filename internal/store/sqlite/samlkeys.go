package sqlite

import (
	"context"

	"github.com/linkpool/linkpool/internal/store"
)

const samlKeyColumns = `pool_id, sealed, certificate, created_at`

func scanSAMLKey(row scanner) (store.SAMLKey, error) {
	var k store.SAMLKey
	err := row.Scan(&k.PoolID, &k.Sealed, &k.Certificate, timeCol{&k.CreatedAt})
	return k, err
}

// GetSAMLKey returns the pool's SAML key pair.
func (db *DB) GetSAMLKey(ctx context.Context, poolID string) (store.SAMLKey, error) {
	k, err := scanSAMLKey(db.rq.QueryRowContext(ctx, `SELECT `+samlKeyColumns+` FROM saml_keys WHERE pool_id = ?`, poolID))
	return k, wrap("get saml key", err)
}

// EnsureSAMLKey inserts k unless its pool has a key and reads the pool's
// key back, in one writer transaction: of instances racing to create
// the key, the first insert wins and every one returns it.
func (db *DB) EnsureSAMLKey(ctx context.Context, k store.SAMLKey) (store.SAMLKey, error) {
	const op = "ensure saml key"
	var out store.SAMLKey
	err := db.writeTx(ctx, op, func(tx *wtx) error {
		// A missing pool violates the foreign key: store.ErrNotFound.
		if _, err := tx.Exec(`INSERT INTO saml_keys (`+samlKeyColumns+`) VALUES (?, ?, ?, ?)
			ON CONFLICT (pool_id) DO NOTHING`, k.PoolID, k.Sealed, k.Certificate, micros(k.CreatedAt)); err != nil {
			return wrap(op, err)
		}
		var err error
		out, err = scanSAMLKey(tx.QueryRow(`SELECT `+samlKeyColumns+` FROM saml_keys WHERE pool_id = ?`, k.PoolID))
		return wrap(op, err)
	})
	return out, err
}

// SAMLKey loads a pool's SAML key pair (bulk load, Load).
func (l *loader) SAMLKey(k store.SAMLKey) error {
	return l.exec("load saml key", `INSERT INTO saml_keys (`+samlKeyColumns+`) VALUES (?, ?, ?, ?)`,
		k.PoolID, k.Sealed, k.Certificate, micros(k.CreatedAt))
}
