package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"github.com/linkpool/linkpool/internal/store"
)

// signingKey is store.SigningKey as stored in the key set's JSON column,
// times in unix microseconds.
type signingKey struct {
	KID       string `json:"kid"`
	Use       string `json:"use"`
	Alg       string `json:"alg"`
	State     string `json:"state"`
	Sealed    []byte `json:"sealed"`
	Public    []byte `json:"public"`
	CreatedAt int64  `json:"created_at"`
	NotAfter  int64  `json:"not_after"`
}

func encodeKeys(keys []store.SigningKey) []signingKey {
	out := make([]signingKey, len(keys))
	for i, k := range keys {
		out[i] = signingKey{KID: k.KID, Use: k.Use, Alg: k.Alg, State: k.State, Sealed: k.Sealed, Public: k.Public,
			CreatedAt: micros(k.CreatedAt), NotAfter: micros(k.NotAfter)}
	}
	return out
}

func decodeKeys(keys []signingKey) []store.SigningKey {
	if len(keys) == 0 {
		return nil
	}
	out := make([]store.SigningKey, len(keys))
	for i, k := range keys {
		out[i] = store.SigningKey{KID: k.KID, Use: k.Use, Alg: k.Alg, State: k.State, Sealed: k.Sealed, Public: k.Public,
			CreatedAt: fromMicros(k.CreatedAt), NotAfter: fromMicros(k.NotAfter)}
	}
	return out
}

func scanKeySet(row scanner) (store.KeySet, error) {
	var (
		ks   store.KeySet
		keys []signingKey
	)
	err := row.Scan(&ks.PoolID, &ks.Version, jsonCol{&keys}, timeCol{&ks.UpdatedAt})
	ks.Keys = decodeKeys(keys)
	return ks, err
}

const keySetColumns = `pool_id, version, keys, updated_at`

// GetKeySet returns the pool's signing keys.
func (db *DB) GetKeySet(ctx context.Context, poolID string) (store.KeySet, error) {
	ks, err := scanKeySet(db.rq.QueryRowContext(ctx, `SELECT `+keySetColumns+` FROM key_sets WHERE pool_id = ?`, poolID))
	return ks, wrap("get key set", err)
}

// UpdateKeySet runs fn on the pool's key set (version 0 without keys when
// there is none) and stores the result with the version incremented, in
// one writer transaction. Instances racing to rotate are serialised, so
// each sees its predecessor's result and a compare-and-swap on Version in
// fn lets exactly one of them rotate.
func (db *DB) UpdateKeySet(ctx context.Context, poolID string, fn func(store.KeySet) (store.KeySet, error)) error {
	const op = "update key set"
	return db.writeTx(ctx, op, func(tx *wtx) error {
		old, err := scanKeySet(tx.QueryRow(`SELECT `+keySetColumns+` FROM key_sets WHERE pool_id = ?`, poolID))
		switch {
		case errors.Is(err, sql.ErrNoRows):
			old = store.KeySet{PoolID: poolID}
		case err != nil:
			return wrap(op, err)
		}
		ks, err := fn(old)
		if err != nil {
			return err
		}
		var e encoder
		keys := e.json(encodeKeys(ks.Keys))
		if e.err != nil {
			return wrap(op, e.err)
		}
		// A missing pool violates the foreign key: store.ErrNotFound.
		_, err = tx.Exec(`INSERT INTO key_sets (`+keySetColumns+`) VALUES (?, ?, ?, ?)
			ON CONFLICT (pool_id) DO UPDATE SET version = excluded.version, keys = excluded.keys,
				updated_at = excluded.updated_at`,
			poolID, old.Version+1, keys, micros(ks.UpdatedAt))
		return wrap(op, err)
	})
}
