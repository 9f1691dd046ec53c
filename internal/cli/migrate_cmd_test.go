package cli

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store/postgres/pgtest"
)

func TestMigrateSQLite(t *testing.T) {
	h := newAdminHarness(t)
	h.env["LINKPOOL_DATA"] = filepath.Join(h.dir, "new")
	h.fails(1, "no database", "migrate", "status")

	out := h.ok("migrate", "up")
	if !strings.Contains(out, "Applied") || !strings.Contains(out, "init") {
		t.Errorf("migrate up on a new database:\n%s", out)
	}
	status := okJSON[[]migrationView](h, "migrate", "status")
	if len(status) == 0 {
		t.Fatal("migrate status lists no migrations")
	}
	for _, m := range status {
		if m.Version <= 0 || m.Name == "" || m.AppliedAt == nil {
			t.Errorf("migration %+v: want version, name and applied time", m)
		}
	}
	table := h.ok("migrate", "status")
	if !strings.Contains(table, "VERSION") || !strings.Contains(table, "0001") || strings.Contains(table, "pending") {
		t.Errorf("migrate status:\n%s", table)
	}
	if out := h.ok("migrate", "up"); !strings.Contains(out, "up to date") {
		t.Errorf("second migrate up:\n%s", out)
	}
	h.fails(2, "postgres://", "migrate", "status", "--database-url", "mysql://x")
}

func TestMigratePostgres(t *testing.T) {
	url := pgtest.URL(t)
	h := newAdminHarness(t)
	h.env["LINKPOOL_DATABASE_URL"] = url

	status := okJSON[[]migrationView](h, "migrate", "status")
	if len(status) == 0 {
		t.Fatal("migrate status lists no migrations")
	}
	for _, m := range status {
		if m.AppliedAt != nil {
			t.Errorf("migration %d applied in an empty database", m.Version)
		}
	}
	if table := h.ok("migrate", "status"); !strings.Contains(table, "pending") {
		t.Errorf("migrate status of an empty database:\n%s", table)
	}
	if out := h.ok("migrate", "up"); !strings.Contains(out, "Applied") {
		t.Errorf("migrate up:\n%s", out)
	}
	for _, m := range okJSON[[]migrationView](h, "migrate", "status") {
		if m.AppliedAt == nil {
			t.Errorf("migration %d still pending after migrate up", m.Version)
		}
	}

	// Pool administration against PostgreSQL needs an explicit, shared
	// master key.
	h.fails(1, "master key", "pool", "list")
	h.env["LINKPOOL_MASTER_KEY_FILE"] = filepath.Join(t.TempDir(), "master.key")
	h.ok("keys", "master-key", "--out", h.env["LINKPOOL_MASTER_KEY_FILE"])
	p := h.createPool()
	if got := okJSON[pool.Pool](h, "pool", "show", "--pool", p.ID); got.ID != p.ID {
		t.Errorf("pool show = %+v", got)
	}
}
