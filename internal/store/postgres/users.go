package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
)

const userColumns = `pool_id, sub, username, username_key, email_key, attributes,
	status, enabled, password_hash, password_set_at, failed_logins, locked_until,
	pending_code, tokens_valid_after, created_at, updated_at, srp_salt, srp_verifier, identities, mfa`

const userValues = `($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)`

// userArgs returns the column values of u in userColumns order.
func userArgs(u *pool.User) ([]any, error) {
	attrs, err := encodeJSON(u.Attributes)
	if err != nil {
		return nil, err
	}
	var code []byte
	if u.Code != nil {
		c := *u.Code
		c.ExpiresAt, c.SentAt, c.DayStart = utc(c.ExpiresAt), utc(c.SentAt), utc(c.DayStart)
		if code, err = encodeJSON(c); err != nil {
			return nil, err
		}
	}
	var ids []byte
	if len(u.Identities) > 0 {
		if ids, err = encodeJSON(u.Identities); err != nil {
			return nil, err
		}
	}
	mfa, err := encodeJSON(u.MFA)
	if err != nil {
		return nil, err
	}
	return []any{
		u.PoolID, u.Sub, u.Username, u.UsernameKey, u.EmailKey, attrs,
		u.Status, u.Enabled, u.PasswordHash, ts(u.PasswordSetAt), u.FailedLogins, ts(u.LockedUntil),
		code, ts(u.TokensValidAfter), ts(u.CreatedAt), ts(u.UpdatedAt), u.SRPSalt, blob(u.SRPVerifier), ids, mfa,
	}, nil
}

func scanUser(row pgx.Row) (pool.User, error) {
	var (
		u                     pool.User
		attrs, code, ids, mfa []byte
	)
	err := row.Scan(
		&u.PoolID, &u.Sub, &u.Username, &u.UsernameKey, &u.EmailKey, &attrs,
		&u.Status, &u.Enabled, &u.PasswordHash, (*utcTime)(&u.PasswordSetAt), &u.FailedLogins, (*utcTime)(&u.LockedUntil),
		&code, (*utcTime)(&u.TokensValidAfter), (*utcTime)(&u.CreatedAt), (*utcTime)(&u.UpdatedAt), &u.SRPSalt, &u.SRPVerifier, &ids, &mfa,
	)
	if err != nil {
		return pool.User{}, err
	}
	if len(u.SRPVerifier) == 0 {
		u.SRPVerifier = nil
	}
	if err := decodeJSON(attrs, &u.Attributes); err != nil {
		return pool.User{}, err
	}
	if err := decodeJSON(mfa, &u.MFA); err != nil {
		return pool.User{}, err
	}
	if err := decodeJSON(ids, &u.Identities); err != nil {
		return pool.User{}, err
	}
	if len(u.Identities) == 0 {
		u.Identities = nil
	}
	if code != nil {
		u.Code = new(pool.PendingCode)
		if err := decodeJSON(code, u.Code); err != nil {
			return pool.User{}, err
		}
	}
	return u, nil
}

// CreateUser stores a new user of an existing pool. The primary key
// (pool, sub) and the unique indexes on (pool, username key) and on
// (pool, non-empty email key) reject a taken sub, username or email with
// store.ErrAlreadyExists, and so does the primary key of user_identities
// a taken identity (useridentities.go), whose rows are written in the
// same transaction. A user without identities is a single statement.
func (db *DB) CreateUser(ctx context.Context, u pool.User) error {
	const op = "create user"
	args, err := userArgs(&u)
	if err != nil {
		return wrap(op, err)
	}
	if len(u.Identities) == 0 {
		_, err = db.pool.Exec(ctx, `INSERT INTO users (`+userColumns+`) VALUES `+userValues, args...)
		return wrap(op, err)
	}
	return db.inTx(ctx, op, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO users (`+userColumns+`) VALUES `+userValues, args...); err != nil {
			return err
		}
		return linkIdentities(ctx, tx, u.PoolID, u.Sub, nil, u.Identities)
	})
}

// GetUser returns the user with the given sub.
func (db *DB) GetUser(ctx context.Context, poolID, sub string) (pool.User, error) {
	u, err := scanUser(db.pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users
		WHERE pool_id = $1 AND sub = $2`, poolID, sub))
	return u, wrap("get user", err)
}

// GetUserByUsername returns the user whose UsernameKey is usernameKey.
func (db *DB) GetUserByUsername(ctx context.Context, poolID, usernameKey string) (pool.User, error) {
	u, err := scanUser(db.pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users
		WHERE pool_id = $1 AND username_key = $2`, poolID, usernameKey))
	return u, wrap("get user by username", err)
}

// GetUserByEmail returns the user whose EmailKey is emailKey. The empty
// key, which users of pools without email sign-in have, matches nobody.
func (db *DB) GetUserByEmail(ctx context.Context, poolID, emailKey string) (pool.User, error) {
	const op = "get user by email"
	if emailKey == "" {
		return pool.User{}, notFound(op)
	}
	u, err := scanUser(db.pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users
		WHERE pool_id = $1 AND email_key = $2 AND email_key <> ''`, poolID, emailKey))
	return u, wrap(op, err)
}

// ListUsers returns one page of the pool's users ordered by username key.
func (db *DB) ListUsers(ctx context.Context, poolID string, opts store.ListOptions) (store.Page[pool.User], error) {
	const op = "list users"
	scope := "users/" + poolID
	after, err := pageKey(op, scope, opts.PageToken)
	if err != nil {
		return store.Page[pool.User]{}, err
	}
	limit := store.PageLimit(opts)
	rows, err := db.pool.Query(ctx, `SELECT `+userColumns+` FROM users
		WHERE pool_id = $1 AND username_key > $2 ORDER BY username_key LIMIT $3`,
		poolID, after, limit+1)
	if err != nil {
		return store.Page[pool.User]{}, wrap(op, err)
	}
	page, err := collectPage(rows, scope, limit, scanUser, userPageKey)
	return page, wrap(op, err)
}

func userPageKey(u *pool.User) string { return u.UsernameKey }

// UpdateUser runs fn on the locked user and stores the result under the
// same pool and sub; a changed PoolID or Sub in the result is ignored. A
// new username or email key, or an identity, that another user holds
// fails with store.ErrAlreadyExists. The identities' index rows follow
// the user's in the same transaction: those removed are freed, those
// added taken.
func (db *DB) UpdateUser(ctx context.Context, poolID, sub string, fn func(pool.User) (pool.User, error)) error {
	const op = "update user"
	return db.inTx(ctx, op, func(tx pgx.Tx) error {
		cur, err := scanUser(tx.QueryRow(ctx, `SELECT `+userColumns+` FROM users
			WHERE pool_id = $1 AND sub = $2 FOR UPDATE`, poolID, sub))
		if err != nil {
			return wrap(op, err)
		}
		next, err := fn(cur)
		if err != nil {
			return &callbackError{err}
		}
		next.PoolID, next.Sub = cur.PoolID, cur.Sub
		args, err := userArgs(&next)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE users SET (`+userColumns+`) = `+userValues+`
			WHERE pool_id = $1 AND sub = $2`, args...); err != nil {
			return err
		}
		return linkIdentities(ctx, tx, poolID, sub, cur.Identities, next.Identities)
	})
}

// DeleteUser deletes the user with its group memberships, identity links
// and passkeys (by foreign key), its sessions and its refresh tokens, in
// one transaction.
func (db *DB) DeleteUser(ctx context.Context, poolID, sub string) error {
	const op = "delete user"
	return db.inTx(ctx, op, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM users WHERE pool_id = $1 AND sub = $2`, poolID, sub)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return notFound(op)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE pool_id = $1 AND sub = $2`, poolID, sub); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `DELETE FROM refresh_tokens WHERE pool_id = $1 AND sub = $2`, poolID, sub)
		return err
	})
}
