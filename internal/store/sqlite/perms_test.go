//go:build unix

package sqlite_test

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store/sqlite"
)

// TestOpenCreatesDatabaseFilesOwnerOnly protects the database against other
// local users: under the common umask 022, in a directory others may list,
// a new database and the -wal and -shm files SQLite creates next to it must
// still be readable by their owner only. SQLite alone would create them
// 0644.
func TestOpenCreatesDatabaseFilesOwnerOnly(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "linkpool.db")
	db, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// A write, so that the WAL and its index certainly exist.
	if err := db.CreatePool(t.Context(), pool.NewPool("eu-west-1", "perms", time.Now())); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(f)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if perm := fi.Mode().Perm(); perm != 0o600 {
			t.Errorf("%s has mode %04o, want 0600", filepath.Base(f), perm)
		}
	}
}
