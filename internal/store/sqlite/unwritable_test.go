package sqlite_test

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/linkpool/linkpool/internal/apptest"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store/sqlite"
)

// TestUnwritableFile: the database file and its WAL become unwritable
// while the store is open. Writes fail as backend errors and reads go on;
// Ping, which reads while writes work, fails from the first failed write
// until the file is writable again, and then writes work again.
func TestUnwritableFile(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "linkpool.db")
	db := openPath(t, path)
	f := seed(t, db)
	if err := db.Ping(ctx); err != nil {
		t.Fatalf("Ping before: %v", err)
	}
	bump := func(u pool.User) (pool.User, error) {
		u.FailedLogins++
		return u, nil
	}

	mutable := apptest.Immutable(t, path, path+"-wal")
	// Before any write has failed Ping only reads, and reads work.
	if err := db.Ping(ctx); err != nil {
		t.Fatalf("Ping before the first failed write: %v", err)
	}
	mustBackendError(t, "UpdateUser on an unwritable file", db.UpdateUser(ctx, f.pool.ID, f.user.Sub, bump))
	mustBackendError(t, "CreatePool on an unwritable file", db.CreatePool(ctx, pool.NewPool("eu-west-1", "new", f.code.CreatedAt)))
	if _, err := db.GetUser(ctx, f.pool.ID, f.user.Sub); err != nil {
		t.Fatalf("GetUser on an unwritable file: %v", err)
	}
	for range 2 {
		mustBackendError(t, "Ping while writes fail", db.Ping(ctx))
	}

	mutable()
	if err := db.Ping(ctx); err != nil {
		t.Fatalf("Ping once the file is writable again: %v", err)
	}
	if err := db.UpdateUser(ctx, f.pool.ID, f.user.Sub, bump); err != nil {
		t.Fatalf("UpdateUser once the file is writable again: %v", err)
	}
	u, err := db.GetUser(ctx, f.pool.ID, f.user.Sub)
	if err != nil || u.FailedLogins != 1 {
		t.Fatalf("after recovery FailedLogins = %d, %v; want 1 (the failed update must not have counted)", u.FailedLogins, err)
	}
}

// TestGroupCommitUnwritableFile: the file becomes unwritable while a
// batch of writes waits for the writer. Every write of the batch fails as
// a backend error and none is stored; Ping reports the failure, and
// writes work again once the file is writable.
func TestGroupCommitUnwritableFile(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "linkpool.db")
	db := openPath(t, path)
	f := seed(t, db)
	bump := func(u pool.User) (pool.User, error) {
		u.FailedLogins++
		return u, nil
	}
	release := sqlite.HoldWriter(t, db)
	var results []<-chan error
	for range 4 {
		results = append(results, sqlite.QueueWrite(db, func() error { return db.UpdateUser(ctx, f.pool.ID, f.user.Sub, bump) }))
	}
	results = append(results, sqlite.QueueWrite(db, func() error {
		return db.CreatePool(ctx, pool.NewPool("eu-west-1", "new", f.code.CreatedAt))
	}))
	mutable := apptest.Immutable(t, path, path+"-wal")
	release()
	for i, r := range results {
		mustBackendError(t, fmt.Sprintf("write %d of a batch on an unwritable file", i), <-r)
	}
	mustBackendError(t, "Ping while writes fail", db.Ping(ctx))

	mutable()
	u, err := db.GetUser(ctx, f.pool.ID, f.user.Sub)
	if err != nil || u.FailedLogins != 0 {
		t.Fatalf("FailedLogins = %d, %v after a failed batch; want 0", u.FailedLogins, err)
	}
	if err := db.Ping(ctx); err != nil {
		t.Fatalf("Ping once the file is writable again: %v", err)
	}
	if err := db.UpdateUser(ctx, f.pool.ID, f.user.Sub, bump); err != nil {
		t.Fatalf("UpdateUser once the file is writable again: %v", err)
	}
}
