package sqlite_test

import (
	"database/sql"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
	"github.com/linkpool/linkpool/internal/store/sqlite"
)

// embeddedMigrations counts the migration files shipped in the package.
func embeddedMigrations(t *testing.T) int {
	t.Helper()
	files, err := filepath.Glob("migrations/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("no migration files: %v", err)
	}
	return len(files)
}

func countMigrationRows(t *testing.T, path string) int {
	t.Helper()
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var n int
	if err := raw.QueryRowContext(t.Context(), `SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func checkApplied(t *testing.T, status []store.Migration, want int) {
	t.Helper()
	if len(status) != want {
		t.Fatalf("MigrationStatus lists %d migrations, want %d", len(status), want)
	}
	for i, m := range status {
		if m.AppliedAt.IsZero() {
			t.Errorf("migration %04d_%s is pending after Open", m.Version, m.Name)
		}
		if i > 0 && m.Version <= status[i-1].Version {
			t.Errorf("MigrationStatus out of order: %d after %d", m.Version, status[i-1].Version)
		}
		if m.Name == "" {
			t.Errorf("migration %d has no name", m.Version)
		}
	}
	if status[0].Version != 1 || status[0].Name != "init" {
		t.Errorf("first migration = %04d_%s, want 0001_init", status[0].Version, status[0].Name)
	}
}

// TestMigrateRerun: migrations apply once; running them again, in the
// same process or on reopening the file, changes nothing.
func TestMigrateRerun(t *testing.T) {
	ctx := t.Context()
	want := embeddedMigrations(t)
	path := filepath.Join(t.TempDir(), "linkpool.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	first, err := db.MigrationStatus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	checkApplied(t, first, want)
	p := pool.NewPool("eu-west-1", "kept", time.Now())
	if err := db.CreatePool(ctx, p); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := db.Migrate(ctx); err != nil {
			t.Fatalf("Migrate again: %v", err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db = openPath(t, path)
	again, err := db.MigrationStatus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i := range first {
		if again[i] != first[i] {
			t.Errorf("migration status changed on reopen: %+v, was %+v", again[i], first[i])
		}
	}
	if n := countMigrationRows(t, path); n != want {
		t.Fatalf("schema_migrations has %d rows, want %d", n, want)
	}
	if _, err := db.GetPool(ctx, p.ID); err != nil {
		t.Fatalf("data lost across reopen: %v", err)
	}
}

// TestMigrateConcurrentOpen: processes starting together on a new file
// apply each migration exactly once.
func TestMigrateConcurrentOpen(t *testing.T) {
	want := embeddedMigrations(t)
	path := filepath.Join(t.TempDir(), "linkpool.db")
	const n = 4
	errs := make([]error, n)
	dbs := make([]*sqlite.DB, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			dbs[i], errs[i] = sqlite.Open(t.Context(), path)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("Open %d: %v", i, err)
		}
		defer dbs[i].Close()
	}
	if got := countMigrationRows(t, path); got != want {
		t.Fatalf("schema_migrations has %d rows, want %d", got, want)
	}
	status, err := dbs[n-1].MigrationStatus(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	checkApplied(t, status, want)
}

// TestMigrationStatusUnknownVersion: a version recorded by a newer binary
// is listed, not hidden.
func TestMigrationStatusUnknownVersion(t *testing.T) {
	path := filepath.Join(t.TempDir(), "linkpool.db")
	db := openPath(t, path)
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	at := time.Date(2030, 1, 2, 3, 4, 5, 6000, time.UTC)
	if _, err := raw.ExecContext(t.Context(), `INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'future', ?)`, at.UnixMicro()); err != nil {
		t.Fatal(err)
	}
	status, err := db.MigrationStatus(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	last := status[len(status)-1]
	if last.Version != 9999 || last.Name != "future" || !last.AppliedAt.Equal(at) {
		t.Fatalf("last status entry = %+v, want version 9999 'future' applied at %v", last, at)
	}
}

// TestOpenNoMigrate: status on a database that was never migrated lists
// every migration as pending and applies none; Migrate then applies them.
func TestOpenNoMigrate(t *testing.T) {
	ctx := t.Context()
	want := embeddedMigrations(t)
	path := filepath.Join(t.TempDir(), "linkpool.db")
	db, err := sqlite.OpenNoMigrate(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Ping(ctx); err != nil {
		t.Fatalf("Ping before migrating: %v", err)
	}
	status, err := db.MigrationStatus(ctx)
	if err != nil {
		t.Fatalf("MigrationStatus before migrating: %v", err)
	}
	if len(status) != want {
		t.Fatalf("MigrationStatus lists %d migrations, want %d", len(status), want)
	}
	for _, m := range status {
		if !m.AppliedAt.IsZero() {
			t.Fatalf("migration %04d_%s applied by OpenNoMigrate", m.Version, m.Name)
		}
	}
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	status, err = db.MigrationStatus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	checkApplied(t, status, want)
}

// TestOpenOddPath: characters that mean something in a URI are part of
// the file name, not of the connection string.
func TestOpenOddPath(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a b?c#d%20e&_pragma=query_only(1)")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "linkpool.db")
	db := openPath(t, path)
	if err := db.CreatePool(t.Context(), pool.NewPool("eu-west-1", "odd", time.Now())); err != nil {
		t.Fatalf("write to a database under %q: %v", dir, err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("database file not at the given path: %v", err)
	}
}
