package cli

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store/postgres/pgtest"
)

// harnessWith returns a harness over a fresh data directory with extra
// environment.
func harnessWith(t *testing.T, env map[string]string) *adminHarness {
	h := newAdminHarness(t)
	for k, v := range env {
		h.env[k] = v
	}
	return h
}

// TestExportImport moves a deployment SQLite → PostgreSQL → SQLite with
// the commands, through a file and through a pipe: the client secret
// still opens and the users are there; exports of source and targets
// hold the same records.
func TestExportImport(t *testing.T) {
	if testing.Short() {
		t.Skip("slow export and import: -short")
	}
	src := newAdminHarness(t)
	setup := okJSON[alexaSetup](src, "init", "alexa", "--vendor-id", "M2TESTVENDOR", "--json")
	src.ok("user", "create", "--pool", setup.PoolID, "--username", "carol", "--password", "Corr3ct-Horse!", "--permanent")
	key := filepath.Join(src.dir, "master.key")

	file := filepath.Join(t.TempDir(), "linkpool.export")
	r := src.run("export", "--out", file)
	if r.code != 0 || !strings.Contains(r.stderr, "exported 1 pools") {
		t.Fatalf("export: exit %d\n%s", r.code, r.stderr)
	}
	if fi, err := os.Stat(file); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("export file: %v, mode %v; want 0600", err, fi.Mode())
	}
	if leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(file), ".*.tmp")); len(leftovers) != 0 {
		t.Fatalf("temporary files left: %v", leftovers)
	}

	pg := harnessWith(t, map[string]string{"LINKPOOL_DATABASE_URL": pgtest.URL(t), "LINKPOOL_MASTER_KEY_FILE": key})
	if out := pg.ok("import", "--in", file); !strings.Contains(out, "imported 1 pools, 0 domains, 1 clients, 1 key sets, 1 users") {
		t.Fatalf("import into PostgreSQL printed %q", out)
	}
	checkMoved(t, pg, setup)

	exported := pg.run("export")
	if exported.code != 0 {
		t.Fatalf("export from PostgreSQL: %s", exported.stderr)
	}
	dst := harnessWith(t, map[string]string{"LINKPOOL_MASTER_KEY_FILE": key})
	if r := dst.exec(exported.stdout, "import"); r.code != 0 {
		t.Fatalf("import from standard input: exit %d\n%s", r.code, r.stderr)
	}
	checkMoved(t, dst, setup)
	original, _ := os.ReadFile(file)
	final := dst.run("export")
	if a, b := recordLines(string(original)), recordLines(final.stdout); a != b {
		t.Fatalf("after two moves the records differ:\n%s\n%s", a, b)
	}

	// A second import into the same database is refused.
	dst.fails(1, "not empty", "import", "--in", file)
}

// checkMoved checks that the moved deployment has the pool, the user and
// the client, whose sealed secret opens with the shared master key.
func checkMoved(t *testing.T, h *adminHarness, setup alexaSetup) {
	t.Helper()
	c := okJSON[clientView](h, "client", "show", "--client", setup.ClientID, "--reveal-secret")
	if c.ClientSecret != setup.ClientSecret {
		t.Fatal("the client secret does not open after the move")
	}
	if out := h.ok("user", "show", "--pool", setup.PoolID, "--username", "carol"); !strings.Contains(out, pool.StatusConfirmed) {
		t.Fatalf("user show after the move:\n%s", out)
	}
}

// recordLines returns an export's records, sorted, without the header.
func recordLines(export string) string {
	lines := strings.Split(strings.TrimSpace(export), "\n")[1:]
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}

// TestImportRefusals: an import that cannot be right stops before it
// writes anything, with a message that says why.
func TestImportRefusals(t *testing.T) {
	src := newAdminHarness(t)
	src.createPool()
	file := filepath.Join(t.TempDir(), "linkpool.export")
	src.ok("export", "--out", file)

	t.Run("another master key", func(t *testing.T) {
		other := filepath.Join(t.TempDir(), "other.key")
		src.ok("keys", "master-key", "--out", other)
		h := harnessWith(t, map[string]string{"LINKPOOL_MASTER_KEY_FILE": other})
		h.fails(1, "does not open with this master key", "import", "--in", file)
		if pools := h.ok("pool", "list"); strings.Contains(pools, "Test") {
			t.Fatalf("a refused import left pools:\n%s", pools)
		}
	})
	t.Run("no master key", func(t *testing.T) {
		h := newAdminHarness(t)
		h.fails(2, "needs the master key of the exporting deployment", "import", "--in", file)
		if _, err := os.Stat(filepath.Join(h.dir, "master.key")); err == nil {
			t.Fatal("a refused import created a master key")
		}
	})
	t.Run("new master key", func(t *testing.T) {
		// With the exporting deployment's key as the source, the
		// target seals everything again with its own new key.
		fresh := filepath.Join(t.TempDir(), "new.key")
		src.ok("keys", "master-key", "--out", fresh)
		h := harnessWith(t, map[string]string{"LINKPOOL_MASTER_KEY_FILE": fresh})
		h.ok("import", "--in", file, "--source-master-key-file", filepath.Join(src.dir, "master.key"))
		moved := h.run("export")
		again := harnessWith(t, map[string]string{"LINKPOOL_MASTER_KEY_FILE": fresh})
		if r := again.exec(moved.stdout, "import"); r.code != 0 {
			t.Fatalf("the re-keyed export does not import with the new key: %s", r.stderr)
		}
		old := harnessWith(t, map[string]string{"LINKPOOL_MASTER_KEY_FILE": filepath.Join(src.dir, "master.key")})
		if r := old.exec(moved.stdout, "import"); r.code != 1 || !strings.Contains(r.stderr, "does not open with this master key") {
			t.Fatalf("the re-keyed export imports with the old key: exit %d\n%s", r.code, r.stderr)
		}
		h2 := harnessWith(t, map[string]string{"LINKPOOL_MASTER_KEY_FILE": fresh})
		h2.fails(2, "--source-master-key-file", "import", "--in", file, "--source-master-key-file", filepath.Join(t.TempDir(), "absent.key"))
	})
	t.Run("not an export", func(t *testing.T) {
		h := harnessWith(t, map[string]string{"LINKPOOL_MASTER_KEY_FILE": filepath.Join(src.dir, "master.key")})
		if r := h.exec("this is not an export\n", "import"); r.code != 1 || !strings.Contains(r.stderr, "not a linkpool export") {
			t.Fatalf("import of garbage: exit %d\n%s", r.code, r.stderr)
		}
	})
	t.Run("missing file", func(t *testing.T) {
		h := harnessWith(t, map[string]string{"LINKPOOL_MASTER_KEY_FILE": filepath.Join(src.dir, "master.key")})
		h.fails(1, "--in", "import", "--in", filepath.Join(t.TempDir(), "absent"))
	})
	t.Run("export into a missing directory", func(t *testing.T) {
		src.fails(1, "--out", "export", "--out", filepath.Join(t.TempDir(), "no", "such", "dir", "x"))
	})
}
