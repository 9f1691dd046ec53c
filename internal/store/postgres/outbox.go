package postgres

import (
	"context"
	"time"

	"github.com/linkpool/linkpool/internal/store"
)

const outboxColumns = `id, sealed, attempts, next_attempt_at, lease_until, created_at`

// EnqueueMail stores a mail for delivery.
func (db *DB) EnqueueMail(ctx context.Context, m store.OutboxMail) error {
	_, err := db.pool.Exec(ctx, `INSERT INTO mail_outbox (`+outboxColumns+`) VALUES ($1, $2, $3, $4, $5, $6)`,
		m.ID, m.Sealed, m.Attempts, ts(m.NextAttemptAt), ts(m.LeaseUntil), ts(m.CreatedAt))
	return wrap("enqueue mail", err)
}

// ClaimMail leases up to limit due mails in one statement. FOR UPDATE
// SKIP LOCKED passes over rows another claimer is taking, so concurrent
// claimers neither wait for each other nor claim the same row.
func (db *DB) ClaimMail(ctx context.Context, now, leaseUntil time.Time, limit int) ([]store.OutboxMail, error) {
	const op = "claim mail"
	rows, err := db.pool.Query(ctx, `UPDATE mail_outbox m SET attempts = m.attempts + 1, lease_until = $2, next_attempt_at = $2
		FROM (SELECT id FROM mail_outbox WHERE next_attempt_at <= $1 ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED) due
		WHERE m.id = due.id
		RETURNING m.id, m.sealed, m.attempts, m.next_attempt_at, m.lease_until, m.created_at`,
		ts(now), ts(leaseUntil), limit)
	if err != nil {
		return nil, wrap(op, err)
	}
	defer rows.Close()
	var out []store.OutboxMail
	for rows.Next() {
		var m store.OutboxMail
		if err := rows.Scan(&m.ID, &m.Sealed, &m.Attempts, (*utcTime)(&m.NextAttemptAt), (*utcTime)(&m.LeaseUntil), (*utcTime)(&m.CreatedAt)); err != nil {
			return nil, wrap(op, err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap(op, err)
	}
	return out, nil
}

// RetryMail ends the lease leaseUntil on the mail and makes it due at next.
func (db *DB) RetryMail(ctx context.Context, id string, leaseUntil, next time.Time) error {
	tag, err := db.pool.Exec(ctx, `UPDATE mail_outbox SET lease_until = NULL, next_attempt_at = $1 WHERE id = $2 AND lease_until = $3`,
		ts(next), id, ts(leaseUntil))
	if err != nil {
		return wrap("retry mail", err)
	}
	if tag.RowsAffected() == 0 {
		return notFound("retry mail")
	}
	return nil
}

// DeleteMail deletes the mail.
func (db *DB) DeleteMail(ctx context.Context, id string) error {
	tag, err := db.pool.Exec(ctx, `DELETE FROM mail_outbox WHERE id = $1`, id)
	if err != nil {
		return wrap("delete mail", err)
	}
	if tag.RowsAffected() == 0 {
		return notFound("delete mail")
	}
	return nil
}
