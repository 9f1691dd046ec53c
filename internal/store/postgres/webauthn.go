package postgres

import (
	"context"
	"fmt"
	"math"

	"github.com/jackc/pgx/v5"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
)

const webAuthnColumns = `pool_id, id, sub, public_key, attestation_type, aaguid, sign_count, transports,
	attachment, user_present, user_verified, backup_eligible, backup_state, name, rp_id, created_at, last_used_at`

func scanWebAuthnCredential(row pgx.Row) (pool.WebAuthnCredential, error) {
	var (
		c         pool.WebAuthnCredential
		signCount int64
	)
	err := row.Scan(&c.PoolID, &c.ID, &c.Sub, &c.PublicKey, &c.AttestationType, &c.AAGUID, &signCount,
		&c.Transports, &c.Attachment, &c.UserPresent, &c.UserVerified, &c.BackupEligible, &c.BackupState,
		&c.Name, &c.RelyingPartyID, (*utcTime)(&c.CreatedAt), (*utcTime)(&c.LastUsedAt))
	if err != nil {
		return pool.WebAuthnCredential{}, err
	}
	if signCount < 0 || signCount > math.MaxUint32 {
		return pool.WebAuthnCredential{}, fmt.Errorf("sign count %d out of range", signCount)
	}
	c.SignCount = uint32(signCount)
	if len(c.AAGUID) == 0 {
		c.AAGUID = nil
	}
	if len(c.Transports) == 0 {
		c.Transports = nil
	}
	return c, nil
}

// webAuthnArgs returns the column values of c in webAuthnColumns order.
func webAuthnArgs(c pool.WebAuthnCredential) []any {
	var (
		aaguid     []byte
		transports []string
	)
	if len(c.AAGUID) > 0 {
		aaguid = c.AAGUID
	}
	if len(c.Transports) > 0 {
		transports = c.Transports
	}
	return []any{c.PoolID, blob(c.ID), c.Sub, blob(c.PublicKey), c.AttestationType, aaguid, int64(c.SignCount), transports,
		c.Attachment, c.UserPresent, c.UserVerified, c.BackupEligible, c.BackupState,
		c.Name, c.RelyingPartyID, ts(c.CreatedAt), ts(c.LastUsedAt)}
}

const webAuthnValues = `($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`

// CreateWebAuthnCredential stores a new passkey. A credential id the
// pool has is store.ErrAlreadyExists (the primary key); a user that does
// not exist store.ErrNotFound (the foreign key).
func (db *DB) CreateWebAuthnCredential(ctx context.Context, c pool.WebAuthnCredential) error {
	_, err := db.pool.Exec(ctx, `INSERT INTO webauthn_credentials (`+webAuthnColumns+`) VALUES `+webAuthnValues,
		webAuthnArgs(c)...)
	return wrap("create webauthn credential", err)
}

// GetWebAuthnCredential returns the pool's credential with the id.
func (db *DB) GetWebAuthnCredential(ctx context.Context, poolID string, id []byte) (pool.WebAuthnCredential, error) {
	c, err := scanWebAuthnCredential(db.pool.QueryRow(ctx, `SELECT `+webAuthnColumns+`
		FROM webauthn_credentials WHERE pool_id = $1 AND id = $2`, poolID, blob(id)))
	return c, wrap("get webauthn credential", err)
}

// ListWebAuthnCredentials lists the user's credentials by creation time,
// then id; none for a user without any (or without an account).
func (db *DB) ListWebAuthnCredentials(ctx context.Context, poolID, sub string) ([]pool.WebAuthnCredential, error) {
	const op = "list webauthn credentials"
	rows, err := db.pool.Query(ctx, `SELECT `+webAuthnColumns+` FROM webauthn_credentials
		WHERE pool_id = $1 AND sub = $2 ORDER BY created_at, id`, poolID, sub)
	if err != nil {
		return nil, wrap(op, err)
	}
	out, err := collectAll(rows, scanWebAuthnCredential)
	if err != nil {
		return nil, wrap(op, err)
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

// UpdateWebAuthnCredential runs fn on the stored credential, locked, and
// stores the result in the same transaction; the pool, the user and the
// id stay.
func (db *DB) UpdateWebAuthnCredential(ctx context.Context, poolID string, id []byte, fn func(pool.WebAuthnCredential) (pool.WebAuthnCredential, error)) error {
	const op = "update webauthn credential"
	return db.inTx(ctx, op, func(tx pgx.Tx) error {
		cur, err := scanWebAuthnCredential(tx.QueryRow(ctx, `SELECT `+webAuthnColumns+`
			FROM webauthn_credentials WHERE pool_id = $1 AND id = $2 FOR UPDATE`, poolID, blob(id)))
		if err != nil {
			return err
		}
		next, err := fn(cur)
		if err != nil {
			return &callbackError{err}
		}
		next.PoolID, next.ID, next.Sub = cur.PoolID, cur.ID, cur.Sub
		_, err = tx.Exec(ctx, `UPDATE webauthn_credentials SET (`+webAuthnColumns+`) = `+webAuthnValues+`
			WHERE pool_id = $1 AND id = $2`, webAuthnArgs(next)...)
		return err
	})
}

// DeleteWebAuthnCredential deletes one of the user's credentials;
// store.ErrNotFound unless the user has it.
func (db *DB) DeleteWebAuthnCredential(ctx context.Context, poolID, sub string, id []byte) error {
	const op = "delete webauthn credential"
	tag, err := db.pool.Exec(ctx, `DELETE FROM webauthn_credentials WHERE pool_id = $1 AND id = $2 AND sub = $3`,
		poolID, blob(id), sub)
	if err != nil {
		return wrap(op, err)
	}
	if tag.RowsAffected() == 0 {
		return notFound(op)
	}
	return nil
}

// DeleteWebAuthnCredentials deletes all of the user's credentials and
// returns how many there were.
func (db *DB) DeleteWebAuthnCredentials(ctx context.Context, poolID, sub string) (int, error) {
	tag, err := db.pool.Exec(ctx, `DELETE FROM webauthn_credentials WHERE pool_id = $1 AND sub = $2`, poolID, sub)
	if err != nil {
		return 0, wrap("delete webauthn credentials", err)
	}
	return int(tag.RowsAffected()), nil
}

// ListAllWebAuthnCredentials pages through every credential by pool,
// then id: one range scan of the primary key.
func (db *DB) ListAllWebAuthnCredentials(ctx context.Context, opts store.ListOptions) (store.Page[pool.WebAuthnCredential], error) {
	const op, scope = "list all webauthn credentials", "webauthn_credentials"
	poolID, after, err := store.PageKeyBytes(scope, opts.PageToken)
	if err != nil {
		return store.Page[pool.WebAuthnCredential]{}, &Error{Op: op, Err: err}
	}
	limit := store.PageLimit(opts)
	var rows pgx.Rows
	if opts.PageToken == "" {
		rows, err = db.pool.Query(ctx, `SELECT `+webAuthnColumns+` FROM webauthn_credentials
			ORDER BY pool_id, id LIMIT $1`, limit+1)
	} else {
		rows, err = db.pool.Query(ctx, `SELECT `+webAuthnColumns+` FROM webauthn_credentials
			WHERE (pool_id, id) > ($1, $2) ORDER BY pool_id, id LIMIT $3`, poolID, blob(after), limit+1)
	}
	if err != nil {
		return store.Page[pool.WebAuthnCredential]{}, wrap(op, err)
	}
	page, err := collectPage(rows, scope, limit, scanWebAuthnCredential,
		func(c *pool.WebAuthnCredential) string { return store.BytesKey(c.PoolID, c.ID) })
	return page, wrap(op, err)
}
