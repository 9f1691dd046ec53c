package postgres

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
	tag, err := db.pool.Exec(ctx, `INSERT INTO consumed_auth_sessions (id, expires_at) VALUES ($1, $2)
		ON CONFLICT (id) DO NOTHING`, id, ts(expiresAt))
	if err != nil {
		return wrap(op, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("%s: %w", op, store.ErrConflict)
	}
	return nil
}
