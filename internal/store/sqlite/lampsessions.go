package sqlite

import (
	"context"
	"time"

	"github.com/linkpool/linkpool/internal/smarthome/skillstore"
)

const lampSessionColumns = `id, secret_hash, owner, name, origin_jti, sealed_tokens, created_at, checked_at, expires_at`

// CreateLampSession stores a /lamps sign-in.
func (db *DB) CreateLampSession(ctx context.Context, s skillstore.LampSession) error {
	_, err := db.exec(ctx, "create lamp session", `INSERT INTO lamp_sessions (`+lampSessionColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		s.ID, s.SecretHash, s.Owner, s.Name, s.OriginJTI, blob(s.SealedTokens), micros(s.CreatedAt), micros(s.CheckedAt), micros(s.ExpiresAt))
	return err
}

// GetLampSession returns the session with the given id.
func (db *DB) GetLampSession(ctx context.Context, id string) (skillstore.LampSession, error) {
	var s skillstore.LampSession
	err := db.rq.QueryRowContext(ctx, `SELECT `+lampSessionColumns+` FROM lamp_sessions WHERE id = ?`, id).
		Scan(&s.ID, &s.SecretHash, &s.Owner, &s.Name, &s.OriginJTI, &s.SealedTokens,
			timeCol{&s.CreatedAt}, timeCol{&s.CheckedAt}, timeCol{&s.ExpiresAt})
	if len(s.SealedTokens) == 0 {
		s.SealedTokens = nil
	}
	return s, wrap("get lamp session", err)
}

// TouchLampSession records a re-check of the session's user.
func (db *DB) TouchLampSession(ctx context.Context, id string, sealedTokens []byte, checkedAt time.Time) error {
	return db.execOne(ctx, "touch lamp session", `UPDATE lamp_sessions SET sealed_tokens = ?, checked_at = ? WHERE id = ?`,
		blob(sealedTokens), micros(checkedAt), id)
}

// DeleteLampSession deletes the session.
func (db *DB) DeleteLampSession(ctx context.Context, id string) error {
	return db.execOne(ctx, "delete lamp session", `DELETE FROM lamp_sessions WHERE id = ?`, id)
}

// DeleteExpiredLampSessions deletes the sessions whose expiry is at or
// before now, as GarbageCollect does for the hosted-UI sessions.
func (db *DB) DeleteExpiredLampSessions(ctx context.Context, now time.Time) (int64, error) {
	const op = "delete expired lamp sessions"
	r, err := db.exec(ctx, op, `DELETE FROM lamp_sessions WHERE expires_at <= ? AND expires_at <> 0`, micros(now))
	if err != nil {
		return 0, err
	}
	n, err := r.RowsAffected()
	return n, wrap(op, err)
}
