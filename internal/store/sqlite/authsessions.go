package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/linkpool/linkpool/internal/store"
)

// ConsumeAuthSession records a challenge session as answered; the
// primary key makes exactly one of concurrent calls insert the row.
func (db *DB) ConsumeAuthSession(ctx context.Context, id string, expiresAt time.Time) error {
	const op = "consume auth session"
	res, err := db.exec(ctx, op, `INSERT INTO consumed_auth_sessions (id, expires_at) VALUES (?, ?)
		ON CONFLICT (id) DO NOTHING`, id, micros(expiresAt))
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return wrap(op, err)
	}
	if n == 0 {
		return fmt.Errorf("%s: %w", op, store.ErrConflict)
	}
	return nil
}
