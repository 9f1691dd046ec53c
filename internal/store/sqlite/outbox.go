package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/linkpool/linkpool/internal/store"
)

const outboxColumns = `id, sealed, attempts, next_attempt_at, lease_until, created_at`

// EnqueueMail stores a mail for delivery.
func (db *DB) EnqueueMail(ctx context.Context, m store.OutboxMail) error {
	_, err := db.exec(ctx, "enqueue mail", `INSERT INTO mail_outbox (`+outboxColumns+`) VALUES (?, ?, ?, ?, ?, ?)`,
		m.ID, blob(m.Sealed), m.Attempts, micros(m.NextAttemptAt), micros(m.LeaseUntil), micros(m.CreatedAt))
	return err
}

// ClaimMail leases up to limit due mails. A reader looks for a due row
// first, so that an idle poll does not take the write lock; the claim is
// one statement on the single writer connection, hence atomic against
// every other claimer.
func (db *DB) ClaimMail(ctx context.Context, now, leaseUntil time.Time, limit int) ([]store.OutboxMail, error) {
	const op = "claim mail"
	at := micros(now)
	var one int
	err := db.rq.QueryRowContext(ctx, `SELECT 1 FROM mail_outbox WHERE next_attempt_at <= ? LIMIT 1`, at).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, wrap(op, err)
	}
	var out []store.OutboxMail
	err = db.writeTx(ctx, op, func(tx *wtx) error {
		out = out[:0]
		rows, err := tx.Query(`UPDATE mail_outbox SET attempts = attempts + 1, lease_until = ?1, next_attempt_at = ?1
			WHERE id IN (SELECT id FROM mail_outbox WHERE next_attempt_at <= ?2 ORDER BY next_attempt_at LIMIT ?3)
			RETURNING `+outboxColumns, micros(leaseUntil), at, limit)
		if err != nil {
			return wrap(op, err)
		}
		defer rows.Close()
		for rows.Next() {
			var m store.OutboxMail
			if err := rows.Scan(&m.ID, &m.Sealed, &m.Attempts, timeCol{&m.NextAttemptAt}, timeCol{&m.LeaseUntil}, timeCol{&m.CreatedAt}); err != nil {
				return wrap(op, err)
			}
			out = append(out, m)
		}
		return wrap(op, rows.Err())
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// RetryMail ends the lease leaseUntil on the mail and makes it due at next.
func (db *DB) RetryMail(ctx context.Context, id string, leaseUntil, next time.Time) error {
	return db.execOne(ctx, "retry mail", `UPDATE mail_outbox SET lease_until = 0, next_attempt_at = ? WHERE id = ? AND lease_until = ?`,
		micros(next), id, micros(leaseUntil))
}

// DeleteMail deletes the mail.
func (db *DB) DeleteMail(ctx context.Context, id string) error {
	return db.execOne(ctx, "delete mail", `DELETE FROM mail_outbox WHERE id = ?`, id)
}
