package cli

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/linkpool/linkpool/internal/apptest"
	"github.com/linkpool/linkpool/internal/store/postgres/pgtest"
)

// noKeyFile fails the test when a master key file exists at path, and
// removes it so that the next command again finds none.
func noKeyFile(t *testing.T, path, after string) {
	t.Helper()
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("after %s: a master key exists at %s (stat: %v)", after, path, err)
		_ = os.Remove(path)
	}
}

// wantMissingKey checks that a refused command named the key path and
// --master-key-file.
func wantMissingKey(t *testing.T, r cmdResult, path, what string) {
	t.Helper()
	if r.code != 1 {
		t.Errorf("%s: exit %d, want 1\nstderr:\n%s", what, r.code, r.stderr)
	}
	for _, want := range []string{path, "--master-key-file"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("%s: the error does not mention %q:\n%s", what, want, r.stderr)
		}
	}
}

// TestExistingDatabaseNeverGetsNewMasterKey protects a SQLite data
// directory whose master key is missing: serve, pool list and export stop
// with an error naming the key path and --master-key-file instead of
// creating a new key that opens none of the sealed secrets.
func TestExistingDatabaseNeverGetsNewMasterKey(t *testing.T) {
	h := newAdminHarness(t)
	h.createPool()
	key := filepath.Join(h.dir, "master.key")
	if err := os.Remove(key); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"serve", "--addr", apptest.FreeAddr(t), "--admin-addr", ""},
		{"pool", "list"},
		{"export", "--out", filepath.Join(t.TempDir(), "export.jsonl")},
	} {
		what := strings.Join(args, " ")
		wantMissingKey(t, h.run(args...), key, what)
		noKeyFile(t, key, what)
	}

	// An explicit --master-key-file that does not exist is refused alike.
	elsewhere := filepath.Join(t.TempDir(), "master.key")
	wantMissingKey(t, h.run("pool", "list", "--master-key-file", elsewhere), elsewhere, "pool list --master-key-file")
	noKeyFile(t, elsewhere, "pool list --master-key-file")
}

// TestEmptyStoreGetsNewMasterKey protects the first start: a data
// directory whose database holds nothing yet still gets a key, also
// when an earlier command created the database and its key was removed.
func TestEmptyStoreGetsNewMasterKey(t *testing.T) {
	h := newAdminHarness(t)
	key := filepath.Join(h.dir, "master.key")
	h.ok("pool", "list")
	wantMode(t, key, 0o600)
	if err := os.Remove(key); err != nil {
		t.Fatal(err)
	}
	r := h.run("pool", "list")
	if r.code != 0 || !strings.Contains(r.stderr, "created master key "+key) {
		t.Fatalf("pool list on an empty database without a key: exit %d\n%s", r.code, r.stderr)
	}
	wantMode(t, key, 0o600)
	h.createPool()
}

// TestPostgresDatabaseWithoutMasterKeyRefused protects a PostgreSQL
// database holding linkpool's data: when the key file it was used with is
// missing, or none is given, commands stop with an error naming
// --master-key-file and create no key.
func TestPostgresDatabaseWithoutMasterKeyRefused(t *testing.T) {
	h := newAdminHarness(t)
	h.env["LINKPOOL_DATABASE_URL"] = pgtest.URL(t)
	key := filepath.Join(t.TempDir(), "master.key")
	h.ok("keys", "master-key", "--out", key)
	h.env["LINKPOOL_MASTER_KEY_FILE"] = key
	h.createPool()
	delete(h.env, "LINKPOOL_MASTER_KEY_FILE")
	if err := os.Remove(key); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"serve", "--addr", apptest.FreeAddr(t), "--admin-addr", ""},
		{"pool", "list"},
		{"export"},
	} {
		what := strings.Join(args, " ") + " --master-key-file"
		wantMissingKey(t, h.run(append(args, "--master-key-file", key)...), key, what)
		noKeyFile(t, key, what)
	}
	r := h.fails(1, "--master-key-file", "pool", "list")
	noKeyFile(t, filepath.Join(h.dir, "master.key"), "pool list without a key file")
	if r.stdout != "" {
		t.Errorf("pool list printed %q", r.stdout)
	}
}

// TestMasterKeyFileFromEnvironmentIsAKeyFile protects the key file named
// by LINKPOOL_MASTER_KEY_FILE: it is checked like --master-key-file (a
// missing file gets the missing-key error, a file others may read is
// refused), not read as the value of --master-key.
func TestMasterKeyFileFromEnvironmentIsAKeyFile(t *testing.T) {
	h := newAdminHarness(t)
	h.createPool()
	key := filepath.Join(h.dir, "master.key")
	moved := filepath.Join(t.TempDir(), "master.key")
	if err := os.Rename(key, moved); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(t.TempDir(), "absent.key")
	h.env["LINKPOOL_MASTER_KEY_FILE"] = missing
	wantMissingKey(t, h.run("pool", "list"), missing, "pool list with LINKPOOL_MASTER_KEY_FILE")
	noKeyFile(t, missing, "pool list with LINKPOOL_MASTER_KEY_FILE")
	noKeyFile(t, key, "pool list with LINKPOOL_MASTER_KEY_FILE")

	if err := os.Chmod(moved, 0o644); err != nil {
		t.Fatal(err)
	}
	h.env["LINKPOOL_MASTER_KEY_FILE"] = moved
	h.fails(1, "chmod 600 "+moved, "pool", "list")
	if err := os.Chmod(moved, 0o600); err != nil {
		t.Fatal(err)
	}
	h.ok("pool", "list")
}
