//go:build unix

package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/linkpool/linkpool/internal/apptest"
)

// withUmask sets the process umask for the test; the tests that use it
// do not run in parallel.
func withUmask(t *testing.T, mask int) {
	old := syscall.Umask(mask)
	t.Cleanup(func() { syscall.Umask(old) })
}

func wantMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != want {
		t.Errorf("%s has mode %04o, want %04o", path, perm, want)
	}
}

// TestExistingDataDirectoryMadePrivate protects a data directory that the
// operator created before the first start (mkdir under umask 022, or a
// volume mount): the first command must leave it and the new database
// readable by the owner only.
func TestExistingDataDirectoryMadePrivate(t *testing.T) {
	withUmask(t, 0o022)
	h := newAdminHarness(t)
	if err := os.Chmod(h.dir, 0o755); err != nil {
		t.Fatal(err)
	}
	h.createPool()
	wantMode(t, h.dir, 0o700)
	wantMode(t, filepath.Join(h.dir, "linkpool.db"), 0o600)
	wantMode(t, filepath.Join(h.dir, "master.key"), 0o600)
}

// TestReadableDatabaseFilesFixedWithWarning protects a database that an
// older version or a careless copy left readable by others: every command
// that opens it makes the directory 0700 and the database and its -wal and
// -shm files 0600 before SQLite opens them, and warns naming each path
// and its old mode.
func TestReadableDatabaseFilesFixedWithWarning(t *testing.T) {
	withUmask(t, 0o022)
	h := newAdminHarness(t)
	h.createPool()
	db := filepath.Join(h.dir, "linkpool.db")
	old := map[string]os.FileMode{h.dir: 0o755, db: 0o644, db + "-wal": 0o640, db + "-shm": 0o666}
	for _, f := range []string{db + "-wal", db + "-shm"} {
		// SQLite removes both when the last connection closes; empty
		// ones are what a crash leaves behind at worst.
		if err := os.WriteFile(f, nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for path, mode := range old {
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
	}
	r := h.run("pool", "list")
	if r.code != 0 {
		t.Fatalf("pool list: exit %d\n%s", r.code, r.stderr)
	}
	for path, mode := range old {
		want := os.FileMode(0o600)
		if path == h.dir {
			want = 0o700
		}
		if _, err := os.Stat(path); err == nil {
			wantMode(t, path, want)
		}
		if line := warningFor(r.stderr, path); !strings.Contains(line, fmt.Sprintf("%04o", mode)) {
			t.Errorf("no warning naming %s and its old mode %04o in:\n%s", path, mode, r.stderr)
		}
	}
	// Once private, nothing more to say.
	if r := h.run("pool", "list"); r.code != 0 || strings.Contains(r.stderr, "WARN") {
		t.Fatalf("second run: exit %d\n%s", r.code, r.stderr)
	}
}

// warningFor returns the line of stderr that names path, or "".
func warningFor(stderr, path string) string {
	for line := range strings.SplitSeq(stderr, "\n") {
		if strings.Contains(line, "path="+path+" ") || strings.HasSuffix(line, "path="+path) {
			return line
		}
	}
	return ""
}

// TestUnchangeableDataDirectoryRefused protects against running on a data
// directory that stays open to other users: when its mode cannot be
// changed (here: an immutable directory, which even root cannot chmod) the
// command refuses to start and says what to run.
func TestUnchangeableDataDirectoryRefused(t *testing.T) {
	h := newAdminHarness(t)
	if err := os.Chmod(h.dir, 0o755); err != nil {
		t.Fatal(err)
	}
	apptest.Immutable(t, h.dir)
	r := h.fails(1, "run 'chmod 700 "+h.dir+"'", "pool", "list")
	if !strings.Contains(r.stderr, "mode 0755") {
		t.Errorf("the error does not name the old mode:\n%s", r.stderr)
	}
	wantMode(t, h.dir, 0o755)
}

// TestModesNotChangedThroughLinks protects the files a link in the data
// directory points to: a -wal link planted while the directory was open
// to others (say, to /etc/passwd, with linkpool run as root) must not make
// linkpool change its target's mode. The command refuses instead.
func TestModesNotChangedThroughLinks(t *testing.T) {
	h := newAdminHarness(t)
	h.createPool()
	target := filepath.Join(t.TempDir(), "passwd")
	if err := os.WriteFile(target, []byte("root:x:0:0::/root:/bin/sh\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(target, 0o644); err != nil {
		t.Fatal(err)
	}
	wal := filepath.Join(h.dir, "linkpool.db-wal")
	if err := os.Symlink(target, wal); err != nil {
		t.Fatal(err)
	}
	h.fails(1, wal+" has mode 0644", "pool", "list")
	wantMode(t, target, 0o644)
}
