package sqlite

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"strconv"
	"time"

	"github.com/linkpool/linkpool/internal/store"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migration is one embedded schema change: migrations/<version>_<name>.sql.
type migration struct {
	version int
	name    string
	sql     string
}

var migrationName = regexp.MustCompile(`^(\d{4})_([a-z0-9_]+)\.sql$`)

// MigrationError reports an embedded migration that cannot be applied.
type MigrationError struct {
	Version int
	Name    string
	Err     error
}

func (e *MigrationError) Error() string {
	return fmt.Sprintf("sqlite: migration %04d_%s: %v", e.Version, e.Name, e.Err)
}

func (e *MigrationError) Unwrap() error { return e.Err }

// migrations returns the embedded migrations ordered by version.
func migrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, fmt.Errorf("sqlite: read migrations: %w", err)
	}
	var out []migration
	for _, e := range entries {
		m := migrationName.FindStringSubmatch(e.Name())
		if m == nil {
			return nil, fmt.Errorf("sqlite: migration file %q is not named NNNN_name.sql", e.Name())
		}
		v, _ := strconv.Atoi(m[1])
		body, err := migrationFiles.ReadFile("migrations/" + e.Name())
		if err != nil {
			return nil, fmt.Errorf("sqlite: read migration %s: %w", e.Name(), err)
		}
		out = append(out, migration{version: v, name: m[2], sql: string(body)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	for i := 1; i < len(out); i++ {
		if out[i].version == out[i-1].version {
			return nil, fmt.Errorf("sqlite: two migrations with version %d", out[i].version)
		}
	}
	return out, nil
}

const createMigrationsTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version    INTEGER NOT NULL PRIMARY KEY,
	name       TEXT    NOT NULL,
	applied_at INTEGER NOT NULL
) STRICT`

// Migrate applies every pending migration, each in its own transaction
// together with its schema_migrations row. Transactions are BEGIN
// IMMEDIATE, so processes migrating one file at once apply each version
// exactly once. Applied versions are skipped: running Migrate again is a
// no-op.
func (db *DB) Migrate(ctx context.Context) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	if err := db.writeTx(ctx, "create schema_migrations", func(tx *wtx) error {
		return tx.ExecScript(createMigrationsTable)
	}); err != nil {
		return fmt.Errorf("sqlite: create schema_migrations: %w", err)
	}
	for _, m := range ms {
		err := db.writeTx(ctx, "migrate", func(tx *wtx) error {
			var n int
			if err := tx.QueryRow(`SELECT count(*) FROM schema_migrations WHERE version = ?`, m.version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			if err := tx.ExecScript(m.sql); err != nil {
				return err
			}
			_, err := tx.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
				m.version, m.name, time.Now().UnixMicro())
			return err
		})
		if err != nil {
			return &MigrationError{Version: m.version, Name: m.name, Err: err}
		}
	}
	return nil
}

// appliedMigration is a schema_migrations row.
type appliedMigration struct {
	name string
	at   time.Time
}

// MigrationStatus lists the embedded migrations with the time each was
// applied (zero when pending), followed by any version recorded in the
// database that this binary does not know, ordered by version.
func (db *DB) MigrationStatus(ctx context.Context) ([]store.Migration, error) {
	ms, err := migrations()
	if err != nil {
		return nil, err
	}
	applied := map[int]appliedMigration{}
	var exists bool
	err = db.r.QueryRowContext(ctx, `SELECT count(*) > 0 FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'`).Scan(&exists)
	if err != nil {
		return nil, fmt.Errorf("sqlite: migration status: %w", err)
	}
	if !exists { // never migrated: everything is pending
		return statusOf(ms, applied), nil
	}
	rows, err := db.r.QueryContext(ctx, `SELECT version, name, applied_at FROM schema_migrations`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: migration status: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			v  int
			r  appliedMigration
			at int64
		)
		if err := rows.Scan(&v, &r.name, &at); err != nil {
			return nil, fmt.Errorf("sqlite: migration status: %w", err)
		}
		r.at = fromMicros(at)
		applied[v] = r
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: migration status: %w", err)
	}
	return statusOf(ms, applied), nil
}

// statusOf merges the embedded migrations with the applied ones.
func statusOf(ms []migration, applied map[int]appliedMigration) []store.Migration {
	var out []store.Migration
	for _, m := range ms {
		out = append(out, store.Migration{Version: m.version, Name: m.name, AppliedAt: applied[m.version].at})
		delete(applied, m.version)
	}
	for v, r := range applied {
		out = append(out, store.Migration{Version: v, Name: r.name, AppliedAt: r.at})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	return out
}
