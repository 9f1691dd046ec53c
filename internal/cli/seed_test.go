package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSeed: `linkpool seed` writes an export that `linkpool import` loads
// with the same master key, and a private users file that starts with
// the pool and client and holds a refresh token for each linked user.
func TestSeed(t *testing.T) {
	h := newAdminHarness(t)
	key := filepath.Join(t.TempDir(), "seed.key")
	h.ok("keys", "master-key", "--out", key)
	dir := t.TempDir()
	export, users := filepath.Join(dir, "seed.jsonl"), filepath.Join(dir, "users.jsonl")

	h.fails(2, "--master-key-file is required", "seed", "--users-out", users)
	h.fails(2, "--users-out is required", "seed", "--master-key-file", key)
	h.fails(2, "--links at most --users", "seed", "--master-key-file", key, "--users-out", users, "--users", "2", "--links", "3")
	h.fails(2, "--signing-alg", "seed", "--master-key-file", key, "--users-out", users, "--signing-alg", "HS256")

	r := h.run("seed", "--master-key-file", key, "--users", "5", "--links", "3", "--out", export, "--users-out", users)
	if r.code != 0 || !strings.Contains(r.stderr, "5 users") || !strings.Contains(r.stderr, "3 refresh tokens") {
		t.Fatalf("seed: exit %d\n%s", r.code, r.stderr)
	}
	for _, f := range []string{export, users} {
		if fi, err := os.Stat(f); err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("%s: %v, mode %v; want 0600", f, err, fi.Mode())
		}
	}
	b, err := os.ReadFile(users)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	var head struct {
		PoolID       string `json:"pool_id"`
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
		Password     string `json:"password"`
	}
	if err := json.Unmarshal([]byte(lines[0]), &head); err != nil || head.PoolID == "" || head.ClientSecret == "" || head.Password != seedPassword {
		t.Fatalf("users file starts with %q (%v)", lines[0], err)
	}
	if len(lines) != 6 || !strings.Contains(lines[3], `"refresh_token":"`) || strings.Contains(lines[4], "refresh_token") {
		t.Fatalf("users file:\n%s", b)
	}

	dst := harnessWith(t, map[string]string{"LINKPOOL_MASTER_KEY_FILE": key})
	// --check reads the export and opens no database.
	if out := dst.ok("import", "--check", "--in", export); !strings.Contains(out, "valid export of 1 pools") {
		t.Fatalf("import --check printed %q", out)
	}
	if _, err := os.Stat(filepath.Join(dst.dir, "linkpool.db")); !os.IsNotExist(err) {
		t.Fatalf("import --check created a database: %v", err)
	}
	other := filepath.Join(t.TempDir(), "other.key")
	h.ok("keys", "master-key", "--out", other)
	dst.fails(1, "does not open with this master key", "import", "--check", "--in", export, "--master-key-file", other)
	if out := dst.ok("import", "--in", export); !strings.Contains(out, "1 clients, 1 key sets, 5 users, 0 groups, 0 memberships, 3 refresh tokens") {
		t.Fatalf("import printed %q", out)
	}
	if out := dst.ok("user", "show", "--pool", head.PoolID, "--username", "user0000004"); !strings.Contains(out, "user0000004@example.com") {
		t.Fatalf("user show:\n%s", out)
	}
	c := okJSON[clientView](dst, "client", "show", "--client", head.ClientID, "--reveal-secret")
	if c.ClientSecret != head.ClientSecret {
		t.Fatal("the client secret in the users file does not match the imported client's")
	}
}
