package sqlite

import (
	"context"
	"database/sql"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
)

const userColumns = `pool_id, sub, username, username_key, email_key, attributes, status,
	enabled, password_hash, password_set_at, failed_logins, locked_until, pending_code,
	tokens_valid_after, created_at, updated_at, srp_salt, srp_verifier, identities, mfa`

// pendingCode is pool.PendingCode as stored, with times in unix
// microseconds like every other time column.
type pendingCode struct {
	Purpose   string `json:"purpose"`
	Hash      string `json:"hash"`
	ExpiresAt int64  `json:"expires_at"`
	Attempts  int    `json:"attempts"`
	SentAt    int64  `json:"sent_at"`
	DayStart  int64  `json:"day_start,omitempty"`
	DaySent   int    `json:"day_sent,omitempty"`
	DayMisses int    `json:"day_misses,omitempty"`
}

func encodePendingCode(c *pool.PendingCode) *pendingCode {
	if c == nil {
		return nil
	}
	return &pendingCode{
		Purpose: c.Purpose, Hash: c.Hash, ExpiresAt: micros(c.ExpiresAt), Attempts: c.Attempts, SentAt: micros(c.SentAt),
		DayStart: micros(c.DayStart), DaySent: c.DaySent, DayMisses: c.DayMisses,
	}
}

func (c *pendingCode) decode() *pool.PendingCode {
	if c == nil {
		return nil
	}
	return &pool.PendingCode{
		Purpose: c.Purpose, Hash: c.Hash, ExpiresAt: fromMicros(c.ExpiresAt), Attempts: c.Attempts, SentAt: fromMicros(c.SentAt),
		DayStart: fromMicros(c.DayStart), DaySent: c.DaySent, DayMisses: c.DayMisses,
	}
}

func scanUser(row scanner) (pool.User, error) {
	var (
		u    pool.User
		code *pendingCode
	)
	err := row.Scan(&u.PoolID, &u.Sub, &u.Username, &u.UsernameKey, &u.EmailKey, jsonCol{&u.Attributes}, &u.Status,
		&u.Enabled, &u.PasswordHash, timeCol{&u.PasswordSetAt}, &u.FailedLogins, timeCol{&u.LockedUntil}, jsonCol{&code},
		timeCol{&u.TokensValidAfter}, timeCol{&u.CreatedAt}, timeCol{&u.UpdatedAt}, &u.SRPSalt, &u.SRPVerifier,
		jsonCol{&u.Identities}, jsonCol{&u.MFA})
	if len(u.SRPVerifier) == 0 {
		u.SRPVerifier = nil
	}
	if len(u.Identities) == 0 {
		u.Identities = nil
	}
	u.Code = code.decode()
	return u, err
}

// userValues returns the columns after pool_id and sub, in userColumns
// order.
func userValues(u pool.User) ([]any, error) {
	var e encoder
	v := []any{u.Username, u.UsernameKey, u.EmailKey, e.json(u.Attributes), u.Status,
		u.Enabled, u.PasswordHash, micros(u.PasswordSetAt), u.FailedLogins, micros(u.LockedUntil),
		e.json(encodePendingCode(u.Code)), micros(u.TokensValidAfter), micros(u.CreatedAt), micros(u.UpdatedAt),
		u.SRPSalt, blob(u.SRPVerifier), identitiesValue(&e, u.Identities), e.json(u.MFA)}
	return v, e.err
}

// CreateUser stores a new user with the index rows of its identities
// (useridentities.go), in one transaction. The sub, the UsernameKey, a
// non-empty EmailKey and each identity are unique in the pool (UNIQUE
// constraints and primary keys, so concurrent sign-ups cannot both win).
func (db *DB) CreateUser(ctx context.Context, u pool.User) error {
	const op = "create user"
	v, err := userValues(u)
	if err != nil {
		return wrap(op, err)
	}
	return db.writeTx(ctx, op, func(tx *wtx) error {
		if _, err := tx.Exec(`INSERT INTO users (`+userColumns+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, append([]any{u.PoolID, u.Sub}, v...)...); err != nil {
			return wrap(op, err)
		}
		return wrap(op, linkIdentities(tx, u.PoolID, u.Sub, nil, u.Identities))
	})
}

// GetUser returns the user with the given sub.
func (db *DB) GetUser(ctx context.Context, poolID, sub string) (pool.User, error) {
	u, err := scanUser(db.rq.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE pool_id = ? AND sub = ?`, poolID, sub))
	return u, wrap("get user", err)
}

// GetUserByUsername returns the user whose UsernameKey is usernameKey.
func (db *DB) GetUserByUsername(ctx context.Context, poolID, usernameKey string) (pool.User, error) {
	u, err := scanUser(db.rq.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE pool_id = ? AND username_key = ?`, poolID, usernameKey))
	return u, wrap("get user by username", err)
}

// GetUserByEmail returns the user whose EmailKey is emailKey. An empty key
// matches nobody.
func (db *DB) GetUserByEmail(ctx context.Context, poolID, emailKey string) (pool.User, error) {
	const op = "get user by email"
	if emailKey == "" {
		return pool.User{}, wrap(op, sql.ErrNoRows)
	}
	// The email_key <> '' term lets SQLite use the partial unique index.
	u, err := scanUser(db.rq.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users
		WHERE pool_id = ? AND email_key = ? AND email_key <> ''`, poolID, emailKey))
	return u, wrap(op, err)
}

// ListUsers lists the pool's users ordered by sub.
func (db *DB) ListUsers(ctx context.Context, poolID string, opts store.ListOptions) (store.Page[pool.User], error) {
	const op = "list users"
	after, fetch, err := pageArgs(op, "users/"+poolID, opts)
	if err != nil {
		return store.Page[pool.User]{}, err
	}
	items, err := queryAll(ctx, db.rq, op, scanUser,
		`SELECT `+userColumns+` FROM users WHERE pool_id = ? AND sub > ? ORDER BY sub LIMIT ?`, poolID, after, fetch)
	if err != nil {
		return store.Page[pool.User]{}, err
	}
	return makePage(items, "users/"+poolID, opts, func(u pool.User) string { return u.Sub }), nil
}

// UpdateUser runs fn on the stored user and stores the result; the pool
// and the sub do not change. A new UsernameKey, EmailKey or identity that
// another user holds fails with store.ErrAlreadyExists. The identities'
// index rows follow the user's in the same transaction: those removed are
// freed, those added taken.
func (db *DB) UpdateUser(ctx context.Context, poolID, sub string, fn func(pool.User) (pool.User, error)) error {
	const op = "update user"
	return db.writeTx(ctx, op, func(tx *wtx) error {
		old, err := scanUser(tx.QueryRow(`SELECT `+userColumns+` FROM users WHERE pool_id = ? AND sub = ?`, poolID, sub))
		if err != nil {
			return wrap(op, err)
		}
		u, err := fn(old)
		if err != nil {
			return err
		}
		v, err := userValues(u)
		if err != nil {
			return wrap(op, err)
		}
		_, err = tx.Exec(`UPDATE users SET username = ?, username_key = ?, email_key = ?,
			attributes = ?, status = ?, enabled = ?, password_hash = ?, password_set_at = ?,
			failed_logins = ?, locked_until = ?, pending_code = ?, tokens_valid_after = ?,
			created_at = ?, updated_at = ?, srp_salt = ?, srp_verifier = ?, identities = ?, mfa = ?
			WHERE pool_id = ? AND sub = ?`, append(v, poolID, sub)...)
		if err != nil {
			return wrap(op, err)
		}
		return wrap(op, linkIdentities(tx, poolID, sub, old.Identities, u.Identities))
	})
}

// DeleteUser deletes the user with its sessions and refresh tokens; group
// memberships, identity links and passkeys go by foreign-key cascade.
func (db *DB) DeleteUser(ctx context.Context, poolID, sub string) error {
	const op = "delete user"
	return db.writeTx(ctx, op, func(tx *wtx) error {
		res, err := tx.Exec(`DELETE FROM users WHERE pool_id = ? AND sub = ?`, poolID, sub)
		if err != nil {
			return wrap(op, err)
		}
		if err := mustAffect(op, res); err != nil {
			return err
		}
		if _, err := tx.Exec(`DELETE FROM sessions WHERE pool_id = ? AND sub = ?`, poolID, sub); err != nil {
			return wrap(op, err)
		}
		_, err = tx.Exec(`DELETE FROM refresh_tokens WHERE pool_id = ? AND sub = ?`, poolID, sub)
		return wrap(op, err)
	})
}
