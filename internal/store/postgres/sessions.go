package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/linkpool/linkpool/internal/store"
)

const sessionColumns = `id, secret_hash, pool_id, sub, identity_provider, second_factor, auth_time, created_at, expires_at`

func scanSession(row pgx.Row) (store.Session, error) {
	var s store.Session
	err := row.Scan(&s.ID, &s.SecretHash, &s.PoolID, &s.Sub, &s.IdentityProvider, &s.SecondFactor,
		(*utcTime)(&s.AuthTime), (*utcTime)(&s.CreatedAt), (*utcTime)(&s.ExpiresAt))
	return s, err
}

// CreateSession stores a new hosted-UI session of an existing pool.
func (db *DB) CreateSession(ctx context.Context, s store.Session) error {
	_, err := db.pool.Exec(ctx, `INSERT INTO sessions (`+sessionColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		s.ID, s.SecretHash, s.PoolID, s.Sub, s.IdentityProvider, s.SecondFactor, ts(s.AuthTime), ts(s.CreatedAt), ts(s.ExpiresAt))
	return wrap("create session", err)
}

// GetSession returns the session with the given id, expired ones
// included: the caller judges ExpiresAt at its own clock.
func (db *DB) GetSession(ctx context.Context, id string) (store.Session, error) {
	s, err := scanSession(db.pool.QueryRow(ctx, `SELECT `+sessionColumns+` FROM sessions WHERE id = $1`, id))
	return s, wrap("get session", err)
}

// DeleteSession deletes one session.
func (db *DB) DeleteSession(ctx context.Context, id string) error {
	tag, err := db.pool.Exec(ctx, `DELETE FROM sessions WHERE id = $1`, id)
	if err != nil {
		return wrap("delete session", err)
	}
	if tag.RowsAffected() == 0 {
		return notFound("delete session")
	}
	return nil
}

// DeleteUserSessions deletes every session of the user, if any (global
// sign-out).
func (db *DB) DeleteUserSessions(ctx context.Context, poolID, sub string) error {
	_, err := db.pool.Exec(ctx, `DELETE FROM sessions WHERE pool_id = $1 AND sub = $2`, poolID, sub)
	return wrap("delete user sessions", err)
}
