package sqlitetest

import (
	"context"
	"database/sql"
	"testing"
)

// HoldWriteLock takes the write lock of the database file at path from a
// connection of its own (BEGIN IMMEDIATE), as another process would, and
// returns the function that releases it. The lock is released when the
// test ends at the latest.
func HoldWriteLock(t testing.TB, path string) (release func()) {
	t.Helper()
	ctx := context.Background()
	other, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	lock, err := other.Conn(ctx)
	if err != nil {
		other.Close()
		t.Fatal(err)
	}
	if _, err := lock.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		lock.Close()
		other.Close()
		t.Fatal(err)
	}
	released := false
	release = func() {
		if released {
			return
		}
		released = true
		if _, err := lock.ExecContext(ctx, "ROLLBACK"); err != nil {
			t.Errorf("release the write lock: %v", err)
		}
		lock.Close()
		other.Close()
	}
	t.Cleanup(release)
	return release
}
