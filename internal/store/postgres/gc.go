package postgres

import (
	"context"
	"time"

	"github.com/linkpool/linkpool/internal/store"
)

// GarbageCollect deletes the authorization codes, refresh tokens,
// sessions and consumed challenge sessions that expired before now, and outbox mail created more
// than store.OutboxMaxAge before now, in one statement (so one
// snapshot and one round trip) that uses the expires_at indexes. Rows
// without an expiry are kept.
func (db *DB) GarbageCollect(ctx context.Context, now time.Time) (store.GCResult, error) {
	var r store.GCResult
	err := db.pool.QueryRow(ctx, `WITH
			gc_codes AS (DELETE FROM auth_codes WHERE expires_at < $1 RETURNING 1),
			gc_tokens AS (DELETE FROM refresh_tokens WHERE expires_at < $1 RETURNING 1),
			gc_sessions AS (DELETE FROM sessions WHERE expires_at < $1 RETURNING 1),
			gc_mail AS (DELETE FROM mail_outbox WHERE created_at < $2 RETURNING 1),
			gc_auth_sessions AS (DELETE FROM consumed_auth_sessions WHERE expires_at < $1 RETURNING 1)
		SELECT (SELECT count(*) FROM gc_codes), (SELECT count(*) FROM gc_tokens), (SELECT count(*) FROM gc_sessions),
			(SELECT count(*) FROM gc_mail), (SELECT count(*) FROM gc_auth_sessions)`,
		ts(now), ts(now.Add(-store.OutboxMaxAge))).Scan(&r.AuthCodes, &r.RefreshTokens, &r.Sessions, &r.Mail, &r.AuthSessions)
	if err != nil {
		return store.GCResult{}, wrap("garbage collect", err)
	}
	return r, nil
}
