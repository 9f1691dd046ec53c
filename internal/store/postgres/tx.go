package postgres

import (
	"context"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5"
)

// maxAttempts bounds how often a transaction aborted by a serialization
// failure or a deadlock is run.
const maxAttempts = 5

// callbackError carries an error returned by the caller's update function
// through the transaction, so that it reaches the caller unchanged, as
// store.Store requires, instead of being mapped or retried.
type callbackError struct{ err error }

func (e *callbackError) Error() string { return e.err.Error() }

// inTx runs body in a READ COMMITTED transaction and commits it. When
// PostgreSQL aborts the transaction with a serialization failure or a
// deadlock, body runs again, up to maxAttempts times, after a short
// randomised pause. Errors from the caller's update function (returned
// by body as *callbackError) come back unchanged; others are wrapped
// with op.
func (db *DB) inTx(ctx context.Context, op string, body func(pgx.Tx) error) error {
	var err error
	for attempt := 1; ; attempt++ {
		err = db.runTx(ctx, body)
		if err == nil || attempt == maxAttempts || !retryable(err) {
			break
		}
		pause := time.Duration(attempt) * time.Duration(1+rand.IntN(5)) * time.Millisecond
		select {
		case <-ctx.Done():
			return wrap(op, ctx.Err())
		case <-time.After(pause):
		}
	}
	if cb, ok := err.(*callbackError); ok {
		return cb.err
	}
	return wrap(op, err)
}

func (db *DB) runTx(ctx context.Context, body func(pgx.Tx) error) error {
	// READ COMMITTED explicitly, whatever default_transaction_isolation
	// says: the row locks, not snapshot checks, serialise updates.
	tx, err := db.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
	if err != nil {
		return err
	}
	if err := body(tx); err != nil {
		// The body's error is the one worth reporting; a failed
		// rollback leaves a broken connection that pgx discards.
		_ = tx.Rollback(ctx)
		return err
	}
	return tx.Commit(ctx)
}
