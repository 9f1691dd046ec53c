package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/linkpool/linkpool/internal/store"
	"github.com/linkpool/linkpool/internal/store/postgres"
	"github.com/linkpool/linkpool/internal/store/sqlite"
)

func runMigrate(ctx context.Context, e *env, args []string) error {
	return subcommands(ctx, e, "migrate", args, map[string]func(context.Context, *env, []string) error{
		"status": runMigrateStatus,
		"up":     runMigrateUp,
	})
}

// migrator is what both SQL backends offer for schema migrations.
type migrator interface {
	Migrate(ctx context.Context) error
	MigrationStatus(ctx context.Context) ([]store.Migration, error)
	Close() error
}

var (
	_ migrator = (*sqlite.DB)(nil)
	_ migrator = (*postgres.DB)(nil)
)

// openMigrator opens the configured database without applying
// migrations. With create false a missing SQLite file is an error rather
// than a new empty database.
func openMigrator(ctx context.Context, sf *storageFlags, create bool, log *slog.Logger) (migrator, error) {
	if sf.database != "" {
		if !sf.postgres() {
			return nil, usagef("--database-url must be a postgres:// URL")
		}
		return postgres.OpenNoMigrate(ctx, sf.database)
	}
	path := filepath.Join(sf.data, "linkpool.db")
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) && !create {
		return nil, fmt.Errorf("no database at %s: 'linkpool migrate up' or 'linkpool serve' creates it", path)
	}
	path, err := sf.sqliteFile(log)
	if err != nil {
		return nil, err
	}
	return sqlite.OpenNoMigrate(ctx, path)
}

// migrationView is one migration as printed by --json.
type migrationView struct {
	Version   int        `json:"version"`
	Name      string     `json:"name"`
	AppliedAt *time.Time `json:"applied_at"`
}

func printMigrations(e *env, asJSON bool, ms []store.Migration) error {
	if asJSON {
		out := make([]migrationView, 0, len(ms))
		for _, m := range ms {
			v := migrationView{Version: m.Version, Name: m.Name}
			if !m.AppliedAt.IsZero() {
				at := m.AppliedAt
				v.AppliedAt = &at
			}
			out = append(out, v)
		}
		return printJSON(e.stdout, out)
	}
	rows := make([][]string, 0, len(ms))
	for _, m := range ms {
		applied := "pending"
		if !m.AppliedAt.IsZero() {
			applied = fmtTime(m.AppliedAt)
		}
		rows = append(rows, []string{fmt.Sprintf("%04d", m.Version), m.Name, applied})
	}
	return printTable(e.stdout, []string{"VERSION", "NAME", "APPLIED"}, rows)
}

func runMigrateStatus(ctx context.Context, e *env, args []string) error {
	c := newAdminCmd(e, "migrate status", true)
	if err := c.parse(args); err != nil {
		return err
	}
	db, err := openMigrator(ctx, &c.storage, false, warnLogger(c.e.stderr))
	if err != nil {
		return err
	}
	defer db.Close()
	ms, err := db.MigrationStatus(ctx)
	if err != nil {
		return err
	}
	return printMigrations(e, c.json, ms)
}

// runMigrateUp applies pending migrations. The server does the same at
// start; running it first lets a deployment migrate once, before new
// instances start, and see what was applied.
func runMigrateUp(ctx context.Context, e *env, args []string) error {
	c := newAdminCmd(e, "migrate up", true)
	if err := c.parse(args); err != nil {
		return err
	}
	db, err := openMigrator(ctx, &c.storage, true, warnLogger(c.e.stderr))
	if err != nil {
		return err
	}
	defer db.Close()
	// A database that was never migrated has no status to read yet:
	// everything is pending. A real failure resurfaces in Migrate.
	before, berr := db.MigrationStatus(ctx)
	if err := db.Migrate(ctx); err != nil {
		return err
	}
	after, err := db.MigrationStatus(ctx)
	if err != nil {
		return err
	}
	if c.json {
		return printMigrations(e, true, after)
	}
	applied := 0
	for _, m := range after {
		if !m.AppliedAt.IsZero() && (berr != nil || wasPending(before, m.Version)) {
			applied++
		}
	}
	if applied == 0 {
		fmt.Fprintln(e.stdout, "The database is up to date.")
	} else {
		fmt.Fprintf(e.stdout, "Applied %d migration(s).\n", applied)
	}
	fmt.Fprintln(e.stdout)
	return printMigrations(e, false, after)
}

// wasPending reports whether version was listed as pending.
func wasPending(status []store.Migration, version int) bool {
	for _, m := range status {
		if m.Version == version {
			return m.AppliedAt.IsZero()
		}
	}
	return true
}
