package postgres

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/linkpool/linkpool/internal/store"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrationLockID keys the session-level advisory lock that serialises
// migration runs across instances: "linkpool" read as a big-endian int64.
const migrationLockID int64 = 7811896436377743212

// unlockTimeout bounds the release of the migration lock, which runs
// even when the caller's context is already done.
const unlockTimeout = 5 * time.Second

// migration is one embedded schema change.
type migration struct {
	version int
	name    string
	sql     string
}

var migrationFileName = regexp.MustCompile(`^([0-9]{4})_([a-z0-9_]+)\.sql$`)

// loadMigrations returns the embedded migrations ordered by version. A
// file name that is not NNNN_name.sql or a repeated version is an error.
func loadMigrations(fsys fs.FS) ([]migration, error) {
	entries, err := fs.ReadDir(fsys, "migrations")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, e := range entries {
		m := migrationFileName.FindStringSubmatch(e.Name())
		if m == nil {
			return nil, fmt.Errorf("migration file %q is not named NNNN_name.sql", e.Name())
		}
		version, _ := strconv.Atoi(m[1])
		body, err := fs.ReadFile(fsys, "migrations/"+e.Name())
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: version, name: m[2], sql: string(body)})
	}
	slices.SortFunc(ms, func(a, b migration) int { return a.version - b.version })
	for i := 1; i < len(ms); i++ {
		if ms[i].version == ms[i-1].version {
			return nil, fmt.Errorf("migration version %d appears twice", ms[i].version)
		}
	}
	return ms, nil
}

// Migrate applies the pending migrations in version order, each in its
// own transaction together with its schema_migrations row, so a failed
// migration leaves the schema at the previous version.
//
// The run holds pg_advisory_lock(migrationLockID) on a dedicated
// connection: instances starting together queue on the lock, and each
// reads schema_migrations only once it holds it, so every migration is
// applied exactly once. Closing the session (a crash) releases the lock.
func (db *DB) Migrate(ctx context.Context) error {
	const op = "migrate"
	ms, err := loadMigrations(migrationFiles)
	if err != nil {
		return &Error{Op: op, Err: err}
	}
	conn, err := db.pool.Acquire(ctx)
	if err != nil {
		return wrap(op, err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, migrationLockID); err != nil {
		return wrap(op, err)
	}
	defer func() {
		uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), unlockTimeout)
		defer cancel()
		if _, err := conn.Exec(uctx, `SELECT pg_advisory_unlock($1)`, migrationLockID); err != nil {
			// Ending the session is the other way to release the lock;
			// the pool discards the closed connection.
			_ = conn.Conn().Close(uctx)
		}
	}()

	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version    INTEGER PRIMARY KEY,
			name       TEXT NOT NULL,
			applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
		)`); err != nil {
		return wrap(op, err)
	}
	rows, err := conn.Query(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return wrap(op, err)
	}
	applied, err := pgx.CollectRows(rows, pgx.RowTo[int])
	if err != nil {
		return wrap(op, err)
	}
	for _, m := range ms {
		if slices.Contains(applied, m.version) {
			continue
		}
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			// A script has no parameters, so pgx sends it with the
			// simple query protocol, which allows several statements.
			if _, err := tx.Exec(ctx, m.sql); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, m.version, m.name)
			return err
		})
		if err != nil {
			return wrap(fmt.Sprintf("%s %04d_%s", op, m.version, m.name), err)
		}
	}
	return nil
}

// MigrationStatus lists every migration this binary embeds, with the time
// it was applied or the zero time when it is pending, followed by any
// migration recorded in the database that this binary does not know (the
// database was migrated by a newer version). It changes nothing.
func (db *DB) MigrationStatus(ctx context.Context) ([]store.Migration, error) {
	const op = "migration status"
	ms, err := loadMigrations(migrationFiles)
	if err != nil {
		return nil, &Error{Op: op, Err: err}
	}
	var recorded []store.Migration
	var exists bool
	if err := db.pool.QueryRow(ctx, `SELECT to_regclass('schema_migrations') IS NOT NULL`).Scan(&exists); err != nil {
		return nil, wrap(op, err)
	}
	if exists {
		rows, err := db.pool.Query(ctx, `SELECT version, name, applied_at FROM schema_migrations ORDER BY version`)
		if err != nil {
			return nil, wrap(op, err)
		}
		recorded, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.Migration, error) {
			var m store.Migration
			err := row.Scan(&m.Version, &m.Name, (*utcTime)(&m.AppliedAt))
			return m, err
		})
		if err != nil {
			return nil, wrap(op, err)
		}
	}
	out := make([]store.Migration, 0, len(ms))
	for _, m := range ms {
		s := store.Migration{Version: m.version, Name: m.name}
		if i := slices.IndexFunc(recorded, func(r store.Migration) bool { return r.Version == m.version }); i >= 0 {
			s.AppliedAt = recorded[i].AppliedAt
		}
		out = append(out, s)
	}
	for _, r := range recorded {
		if !slices.ContainsFunc(ms, func(m migration) bool { return m.version == r.Version }) {
			out = append(out, r)
		}
	}
	return out, nil
}
