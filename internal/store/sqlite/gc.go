package sqlite

import (
	"context"
	"time"

	"github.com/linkpool/linkpool/internal/store"
)

// GarbageCollect deletes authorization codes, refresh tokens, sessions
// and consumed challenge sessions whose expiry is at or before now, and outbox mail created
// store.OutboxMaxAge or longer before now, in one transaction.
// Redeemed codes stay until they expire, so that a replayed code is still
// recognised. A zero expiry (stored as 0) means none and is never
// collected.
func (db *DB) GarbageCollect(ctx context.Context, now time.Time) (store.GCResult, error) {
	const op = "garbage collect"
	at := micros(now)
	var res store.GCResult
	err := db.writeTx(ctx, op, func(tx *wtx) error {
		for _, q := range []struct {
			table string
			n     *int64
		}{
			{"auth_codes", &res.AuthCodes},
			{"refresh_tokens", &res.RefreshTokens},
			{"sessions", &res.Sessions},
			{"consumed_auth_sessions", &res.AuthSessions},
		} {
			r, err := tx.Exec(`DELETE FROM `+q.table+` WHERE expires_at <= ? AND expires_at <> 0`, at)
			if err != nil {
				return wrap(op, err)
			}
			if *q.n, err = r.RowsAffected(); err != nil {
				return wrap(op, err)
			}
		}
		r, err := tx.Exec(`DELETE FROM mail_outbox WHERE created_at <= ?`, micros(now.Add(-store.OutboxMaxAge)))
		if err != nil {
			return wrap(op, err)
		}
		if res.Mail, err = r.RowsAffected(); err != nil {
			return wrap(op, err)
		}
		return nil
	})
	if err != nil {
		return store.GCResult{}, err
	}
	return res, nil
}
