package postgres

import (
	"context"
	"time"

	"github.com/linkpool/linkpool/internal/smarthome/skillstore"
)

const lampSessionColumns = `id, secret_hash, owner, name, origin_jti, sealed_tokens, created_at, checked_at, expires_at`

// CreateLampSession stores a /lamps sign-in.
func (db *DB) CreateLampSession(ctx context.Context, s skillstore.LampSession) error {
	_, err := db.pool.Exec(ctx, `INSERT INTO lamp_sessions (`+lampSessionColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		s.ID, s.SecretHash, s.Owner, s.Name, s.OriginJTI, s.SealedTokens, ts(s.CreatedAt), ts(s.CheckedAt), ts(s.ExpiresAt))
	return wrap("create lamp session", err)
}

// GetLampSession returns the session with the given id, expired ones
// included: the caller judges ExpiresAt at its own clock.
func (db *DB) GetLampSession(ctx context.Context, id string) (skillstore.LampSession, error) {
	var s skillstore.LampSession
	err := db.pool.QueryRow(ctx, `SELECT `+lampSessionColumns+` FROM lamp_sessions WHERE id = $1`, id).
		Scan(&s.ID, &s.SecretHash, &s.Owner, &s.Name, &s.OriginJTI, &s.SealedTokens,
			(*utcTime)(&s.CreatedAt), (*utcTime)(&s.CheckedAt), (*utcTime)(&s.ExpiresAt))
	if err != nil {
		return skillstore.LampSession{}, wrap("get lamp session", err)
	}
	if len(s.SealedTokens) == 0 {
		s.SealedTokens = nil
	}
	return s, nil
}

// TouchLampSession records a re-check of the session's user.
func (db *DB) TouchLampSession(ctx context.Context, id string, sealedTokens []byte, checkedAt time.Time) error {
	tag, err := db.pool.Exec(ctx, `UPDATE lamp_sessions SET sealed_tokens = $1, checked_at = $2 WHERE id = $3`,
		sealedTokens, ts(checkedAt), id)
	if err != nil {
		return wrap("touch lamp session", err)
	}
	if tag.RowsAffected() == 0 {
		return notFound("touch lamp session")
	}
	return nil
}

// DeleteLampSession deletes the session.
func (db *DB) DeleteLampSession(ctx context.Context, id string) error {
	tag, err := db.pool.Exec(ctx, `DELETE FROM lamp_sessions WHERE id = $1`, id)
	if err != nil {
		return wrap("delete lamp session", err)
	}
	if tag.RowsAffected() == 0 {
		return notFound("delete lamp session")
	}
	return nil
}

// DeleteExpiredLampSessions deletes the sessions that expired before now,
// as GarbageCollect does for the hosted-UI sessions.
func (db *DB) DeleteExpiredLampSessions(ctx context.Context, now time.Time) (int64, error) {
	tag, err := db.pool.Exec(ctx, `DELETE FROM lamp_sessions WHERE expires_at < $1`, ts(now))
	if err != nil {
		return 0, wrap("delete expired lamp sessions", err)
	}
	return tag.RowsAffected(), nil
}
