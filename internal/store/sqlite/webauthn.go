package sqlite

import (
	"context"
	"fmt"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
)

const webAuthnColumns = `pool_id, id, sub, public_key, attestation_type, aaguid, sign_count, transports,
	attachment, user_present, user_verified, backup_eligible, backup_state, name, rp_id, created_at, last_used_at`

func scanWebAuthnCredential(row scanner) (pool.WebAuthnCredential, error) {
	var c pool.WebAuthnCredential
	err := row.Scan(&c.PoolID, &c.ID, &c.Sub, &c.PublicKey, &c.AttestationType, &c.AAGUID, &c.SignCount,
		jsonCol{&c.Transports}, &c.Attachment, &c.UserPresent, &c.UserVerified, &c.BackupEligible, &c.BackupState,
		&c.Name, &c.RelyingPartyID, timeCol{&c.CreatedAt}, timeCol{&c.LastUsedAt})
	if len(c.AAGUID) == 0 {
		c.AAGUID = nil
	}
	if len(c.Transports) == 0 {
		c.Transports = nil
	}
	return c, err
}

// webAuthnValues returns the columns after pool_id and id, in
// webAuthnColumns order.
func webAuthnValues(c pool.WebAuthnCredential) ([]any, error) {
	var e encoder
	transports := "[]"
	if len(c.Transports) > 0 {
		transports = e.json(c.Transports)
	}
	return []any{c.Sub, blob(c.PublicKey), c.AttestationType, blob(c.AAGUID), int64(c.SignCount), transports,
		c.Attachment, c.UserPresent, c.UserVerified, c.BackupEligible, c.BackupState,
		c.Name, c.RelyingPartyID, micros(c.CreatedAt), micros(c.LastUsedAt)}, e.err
}

// CreateWebAuthnCredential stores a new passkey. A credential id the
// pool has is store.ErrAlreadyExists (the primary key); a user that does
// not exist store.ErrNotFound (the foreign key).
func (db *DB) CreateWebAuthnCredential(ctx context.Context, c pool.WebAuthnCredential) error {
	const op = "create webauthn credential"
	v, err := webAuthnValues(c)
	if err != nil {
		return wrap(op, err)
	}
	_, err = db.exec(ctx, op, `INSERT INTO webauthn_credentials (`+webAuthnColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, append([]any{c.PoolID, blob(c.ID)}, v...)...)
	return err
}

// GetWebAuthnCredential returns the pool's credential with the id.
func (db *DB) GetWebAuthnCredential(ctx context.Context, poolID string, id []byte) (pool.WebAuthnCredential, error) {
	c, err := scanWebAuthnCredential(db.rq.QueryRowContext(ctx, `SELECT `+webAuthnColumns+`
		FROM webauthn_credentials WHERE pool_id = ? AND id = ?`, poolID, blob(id)))
	return c, wrap("get webauthn credential", err)
}

// ListWebAuthnCredentials lists the user's credentials by creation time,
// then id; none for a user without any (or without an account).
func (db *DB) ListWebAuthnCredentials(ctx context.Context, poolID, sub string) ([]pool.WebAuthnCredential, error) {
	return queryAll(ctx, db.rq, "list webauthn credentials", scanWebAuthnCredential, `SELECT `+webAuthnColumns+`
		FROM webauthn_credentials WHERE pool_id = ? AND sub = ? ORDER BY created_at, id`, poolID, sub)
}

// UpdateWebAuthnCredential runs fn on the stored credential and stores
// the result in the same transaction; the pool, the user and the id stay.
func (db *DB) UpdateWebAuthnCredential(ctx context.Context, poolID string, id []byte, fn func(pool.WebAuthnCredential) (pool.WebAuthnCredential, error)) error {
	const op = "update webauthn credential"
	return db.writeTx(ctx, op, func(tx *wtx) error {
		cur, err := scanWebAuthnCredential(tx.QueryRow(`SELECT `+webAuthnColumns+`
			FROM webauthn_credentials WHERE pool_id = ? AND id = ?`, poolID, blob(id)))
		if err != nil {
			return wrap(op, err)
		}
		next, err := fn(cur)
		if err != nil {
			return err
		}
		next.Sub = cur.Sub
		v, err := webAuthnValues(next)
		if err != nil {
			return wrap(op, err)
		}
		_, err = tx.Exec(`UPDATE webauthn_credentials SET sub = ?, public_key = ?, attestation_type = ?,
			aaguid = ?, sign_count = ?, transports = ?, attachment = ?, user_present = ?, user_verified = ?,
			backup_eligible = ?, backup_state = ?, name = ?, rp_id = ?, created_at = ?, last_used_at = ?
			WHERE pool_id = ? AND id = ?`, append(v, poolID, blob(id))...)
		return wrap(op, err)
	})
}

// DeleteWebAuthnCredential deletes one of the user's credentials;
// store.ErrNotFound unless the user has it.
func (db *DB) DeleteWebAuthnCredential(ctx context.Context, poolID, sub string, id []byte) error {
	return db.execOne(ctx, "delete webauthn credential",
		`DELETE FROM webauthn_credentials WHERE pool_id = ? AND id = ? AND sub = ?`, poolID, blob(id), sub)
}

// DeleteWebAuthnCredentials deletes all of the user's credentials and
// returns how many there were.
func (db *DB) DeleteWebAuthnCredentials(ctx context.Context, poolID, sub string) (int, error) {
	const op = "delete webauthn credentials"
	res, err := db.exec(ctx, op, `DELETE FROM webauthn_credentials WHERE pool_id = ? AND sub = ?`, poolID, sub)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), wrap(op, err)
}

// ListAllWebAuthnCredentials pages through every credential by pool,
// then id: one range scan of the primary key.
func (db *DB) ListAllWebAuthnCredentials(ctx context.Context, opts store.ListOptions) (store.Page[pool.WebAuthnCredential], error) {
	const op, scope = "list all webauthn credentials", "webauthn_credentials"
	poolID, after, err := store.PageKeyBytes(scope, opts.PageToken)
	if err != nil {
		return store.Page[pool.WebAuthnCredential]{}, fmt.Errorf("%s: sqlite: %w", op, err)
	}
	items, err := queryAll(ctx, db.rq, op, scanWebAuthnCredential, `SELECT `+webAuthnColumns+`
		FROM webauthn_credentials WHERE (pool_id, id) > (?, ?) ORDER BY pool_id, id LIMIT ?`,
		poolID, blob(after), store.PageLimit(opts)+1)
	if err != nil {
		return store.Page[pool.WebAuthnCredential]{}, err
	}
	return makePage(items, scope, opts, func(c pool.WebAuthnCredential) string { return store.BytesKey(c.PoolID, c.ID) }), nil
}
