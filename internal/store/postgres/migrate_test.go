package postgres_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/linkpool/linkpool/internal/store/postgres"
	"github.com/linkpool/linkpool/internal/store/postgres/pgtest"
)

// connect opens a plain connection for inspecting a test database.
func connect(t *testing.T, url string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { _ = conn.Close(context.Background()) })
	return conn
}

// tableExists reports whether the table is visible on the search path.
func tableExists(t *testing.T, conn *pgx.Conn, name string) bool {
	t.Helper()
	var ok bool
	if err := conn.QueryRow(t.Context(), `SELECT to_regclass($1) IS NOT NULL`, name).Scan(&ok); err != nil {
		t.Fatalf("to_regclass(%s): %v", name, err)
	}
	return ok
}

// TestMigrateConcurrently starts five instances on one fresh database at
// once, some through Open and some through OpenNoMigrate plus Migrate.
// The advisory lock must let all of them succeed and apply every
// migration exactly once.
func TestMigrateConcurrently(t *testing.T) {
	url := pgtest.URL(t)
	const instances = 5
	var (
		wg    sync.WaitGroup
		start = make(chan struct{})
		dbs   = make([]*postgres.DB, instances)
		errs  = make([]error, instances)
	)
	for i := range instances {
		wg.Go(func() {
			<-start
			if i%2 == 0 {
				dbs[i], errs[i] = postgres.Open(t.Context(), url)
				return
			}
			dbs[i], errs[i] = postgres.OpenNoMigrate(t.Context(), url)
			if errs[i] == nil {
				errs[i] = dbs[i].Migrate(t.Context())
			}
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("instance %d: %v", i, err)
		}
		if dbs[i] != nil {
			t.Cleanup(func() { _ = dbs[i].Close() })
		}
	}
	if t.Failed() {
		t.FailNow()
	}

	status, err := dbs[0].MigrationStatus(t.Context())
	if err != nil {
		t.Fatalf("MigrationStatus: %v", err)
	}
	if len(status) == 0 {
		t.Fatal("MigrationStatus lists no migrations")
	}
	conn := connect(t, url)
	rows, err := conn.Query(t.Context(), `SELECT version, count(*) FROM schema_migrations GROUP BY version ORDER BY version`)
	if err != nil {
		t.Fatalf("read schema_migrations: %v", err)
	}
	type count struct{ Version, N int }
	counts, err := pgx.CollectRows(rows, pgx.RowToStructByPos[count])
	if err != nil {
		t.Fatalf("read schema_migrations: %v", err)
	}
	if len(counts) != len(status) {
		t.Fatalf("schema_migrations has %d versions, the binary embeds %d", len(counts), len(status))
	}
	for i, c := range counts {
		if c.N != 1 {
			t.Errorf("migration %d recorded %d times, want once", c.Version, c.N)
		}
		if c.Version != status[i].Version {
			t.Errorf("schema_migrations[%d] is version %d, want %d", i, c.Version, status[i].Version)
		}
	}
	for _, m := range status {
		if m.AppliedAt.IsZero() {
			t.Errorf("migration %04d_%s still pending after five migrating opens", m.Version, m.Name)
		}
	}
	if !tableExists(t, conn, "users") {
		t.Error("table users missing after migration")
	}
}

// TestMigrationStatus follows a database from empty to migrated: status
// without changes, migration, a second migration that changes nothing,
// and a migration recorded by a newer binary.
func TestMigrationStatus(t *testing.T) {
	url := pgtest.URL(t)
	conn := connect(t, url)
	db, err := postgres.OpenNoMigrate(t.Context(), url)
	if err != nil {
		t.Fatalf("OpenNoMigrate: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })

	pending, err := db.MigrationStatus(t.Context())
	if err != nil {
		t.Fatalf("MigrationStatus on an empty database: %v", err)
	}
	if len(pending) == 0 || pending[0].Version != 1 || pending[0].Name != "init" {
		t.Fatalf("MigrationStatus = %+v, want 0001_init first", pending)
	}
	for i, m := range pending {
		if !m.AppliedAt.IsZero() {
			t.Errorf("migration %d applied before Migrate", m.Version)
		}
		if i > 0 && m.Version <= pending[i-1].Version {
			t.Errorf("migrations out of order: %d after %d", m.Version, pending[i-1].Version)
		}
	}
	for _, table := range []string{"schema_migrations", "pools"} {
		if tableExists(t, conn, table) {
			t.Errorf("OpenNoMigrate and MigrationStatus created table %s", table)
		}
	}

	if err := db.Migrate(t.Context()); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	applied, err := db.MigrationStatus(t.Context())
	if err != nil {
		t.Fatalf("MigrationStatus after Migrate: %v", err)
	}
	if len(applied) != len(pending) {
		t.Fatalf("MigrationStatus lists %d migrations after Migrate, %d before", len(applied), len(pending))
	}
	for _, m := range applied {
		if m.AppliedAt.IsZero() || m.AppliedAt.Location() != time.UTC {
			t.Errorf("migration %d: AppliedAt = %v, want a UTC time", m.Version, m.AppliedAt)
		}
	}

	if err := db.Migrate(t.Context()); err != nil {
		t.Fatalf("second Migrate: %v", err)
	}
	again, err := db.MigrationStatus(t.Context())
	if err != nil {
		t.Fatalf("MigrationStatus after second Migrate: %v", err)
	}
	for i := range again {
		if !again[i].AppliedAt.Equal(applied[i].AppliedAt) {
			t.Errorf("migration %d re-applied: %v, then %v", again[i].Version, applied[i].AppliedAt, again[i].AppliedAt)
		}
	}

	if _, err := conn.Exec(t.Context(), `INSERT INTO schema_migrations (version, name) VALUES (9999, 'from_the_future')`); err != nil {
		t.Fatalf("record a future migration: %v", err)
	}
	future, err := db.MigrationStatus(t.Context())
	if err != nil {
		t.Fatalf("MigrationStatus with a future migration: %v", err)
	}
	last := future[len(future)-1]
	if len(future) != len(applied)+1 || last.Version != 9999 || last.Name != "from_the_future" || last.AppliedAt.IsZero() {
		t.Fatalf("MigrationStatus = %+v, want the known migrations then 9999 from_the_future", future)
	}
}
