package sqlite

import "testing"

// For the external tests (package sqlite_test), which can use apptest.

// HoldWriter is holdWriter without a statement of its own.
func HoldWriter(t *testing.T, db *DB) (release func()) { return holdWriter(t, db, nil) }

// QueueWrite is queue.
func QueueWrite(db *DB, write func() error) <-chan error { return queue(db, write) }
