package sqlite_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/linkpool/linkpool/internal/pool"
)

// immutable makes files immutable (chattr +i), which refuses writes even
// to root and even through descriptors opened before, until mutable is
// called; the test's cleanup makes them mutable again. Where chattr is
// missing or the file system has no such attribute the test is skipped,
// and fails under CI=true.
func immutable(t *testing.T, files ...string) (mutable func()) {
	t.Helper()
	chattr := func(flag string) error {
		out, err := exec.Command("chattr", append([]string{flag}, files...)...).CombinedOutput()
		if err != nil {
			return &chattrError{err: err, out: string(out)}
		}
		return nil
	}
	if err := chattr("+i"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("cannot make the database immutable (CI=true, so this fails instead of skipping): %v", err)
		}
		t.Skipf("cannot make the database immutable here (needs chattr, root and a file system with the i attribute): %v", err)
	}
	done := false
	mutable = func() {
		if !done {
			done = true
			if err := chattr("-i"); err != nil {
				t.Errorf("chattr -i: %v", err)
			}
		}
	}
	t.Cleanup(mutable)
	return mutable
}

type chattrError struct {
	err error
	out string
}

func (e *chattrError) Error() string { return e.err.Error() + ": " + e.out }

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

	mutable := immutable(t, path, path+"-wal")
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
