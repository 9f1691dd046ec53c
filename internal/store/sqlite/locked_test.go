package sqlite_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store/sqlite"
	"github.com/linkpool/linkpool/internal/store/sqlite/sqlitetest"
)

// TestLockWaitEndsWithContext holds the write lock of the file from
// another connection (BEGIN IMMEDIATE), as another process would. A
// write waits for it only until its context's deadline, not for the busy
// timeout, and fails with the context's error; reads go on meanwhile, and
// the writer works again once the lock is released.
func TestLockWaitEndsWithContext(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "linkpool.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	f := seed(t, db)

	release := sqlitetest.HoldWriteLock(t, path)

	wctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	err = db.CreatePool(wctx, pool.NewPool("eu-west-1", "q", time.Now()))
	mustBackendError(t, "CreatePool while another connection holds the write lock", err)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("CreatePool while locked: %v, want the context's deadline", err)
	}
	if _, err := db.GetPool(ctx, f.pool.ID); err != nil {
		t.Fatalf("a read while another connection holds the write lock: %v", err)
	}

	release()
	if err := db.CreatePool(ctx, pool.NewPool("eu-west-1", "r", time.Now())); err != nil {
		t.Fatalf("a write after the lock was released: %v", err)
	}
}
