package sqlite

import (
	"context"

	"github.com/linkpool/linkpool/internal/store"
)

const sessionColumns = `id, secret_hash, pool_id, sub, identity_provider, second_factor, auth_time, created_at, expires_at`

func scanSession(row scanner) (store.Session, error) {
	var s store.Session
	err := row.Scan(&s.ID, &s.SecretHash, &s.PoolID, &s.Sub, &s.IdentityProvider, &s.SecondFactor, timeCol{&s.AuthTime}, timeCol{&s.CreatedAt}, timeCol{&s.ExpiresAt})
	return s, err
}

// CreateSession stores a hosted-UI session.
func (db *DB) CreateSession(ctx context.Context, s store.Session) error {
	_, err := db.exec(ctx, "create session", `INSERT INTO sessions (`+sessionColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		s.ID, s.SecretHash, s.PoolID, s.Sub, s.IdentityProvider, s.SecondFactor, micros(s.AuthTime), micros(s.CreatedAt), micros(s.ExpiresAt))
	return err
}

// GetSession returns the session with the given id.
func (db *DB) GetSession(ctx context.Context, id string) (store.Session, error) {
	s, err := scanSession(db.rq.QueryRowContext(ctx, `SELECT `+sessionColumns+` FROM sessions WHERE id = ?`, id))
	return s, wrap("get session", err)
}

// DeleteSession deletes the session.
func (db *DB) DeleteSession(ctx context.Context, id string) error {
	return db.execOne(ctx, "delete session", `DELETE FROM sessions WHERE id = ?`, id)
}

// DeleteUserSessions deletes every session of the user.
func (db *DB) DeleteUserSessions(ctx context.Context, poolID, sub string) error {
	_, err := db.exec(ctx, "delete user sessions", `DELETE FROM sessions WHERE pool_id = ? AND sub = ?`, poolID, sub)
	return err
}
