package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store/sqlite"
)

func TestEnvironmentFillsFlags(t *testing.T) {
	dir := t.TempDir()
	minFile := filepath.Join(dir, "min-length")
	if err := os.WriteFile(minFile, []byte("12\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		env     map[string]string
		args    []string
		wantNam string
		wantMin int
	}{
		{"variable fills a flag", map[string]string{"LINKPOOL_NAME": "FromEnv"}, nil, "FromEnv", 8},
		{"flag wins over variable", map[string]string{"LINKPOOL_NAME": "FromEnv"}, []string{"--name", "FromFlag"}, "FromFlag", 8},
		{"_FILE variable", map[string]string{"LINKPOOL_NAME": "A", "LINKPOOL_MIN_LENGTH_FILE": minFile}, nil, "A", 12},
		{"variable wins over _FILE", map[string]string{"LINKPOOL_NAME": "A", "LINKPOOL_MIN_LENGTH": "9", "LINKPOOL_MIN_LENGTH_FILE": minFile}, nil, "A", 9},
		{"flag wins over _FILE", map[string]string{"LINKPOOL_NAME": "A", "LINKPOOL_MIN_LENGTH_FILE": minFile}, []string{"--min-length", "7"}, "A", 7},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newAdminHarness(t)
			for k, v := range tc.env {
				h.env[k] = v
			}
			p := okJSON[pool.Pool](h, append([]string{"pool", "create", "--signing-alg", "ES256"}, tc.args...)...)
			if p.Name != tc.wantNam || p.PasswordPolicy.MinimumLength != tc.wantMin {
				t.Errorf("pool %q with minimum length %d, want %q and %d", p.Name, p.PasswordPolicy.MinimumLength, tc.wantNam, tc.wantMin)
			}
		})
	}

	t.Run("data directory from the environment", func(t *testing.T) {
		h := newAdminHarness(t)
		p := h.createPool()
		h.env = map[string]string{}
		h.fails(1, "does not exist", "pool", "show", "--pool", p.ID, "--data", filepath.Join(t.TempDir(), "other"))
		h.ok("pool", "show", "--pool", p.ID, "--data", h.dir)
	})
	t.Run("bad variable value", func(t *testing.T) {
		h := newAdminHarness(t)
		h.env["LINKPOOL_MIN_LENGTH"] = "many"
		h.fails(2, "LINKPOOL_MIN_LENGTH", "pool", "create", "--name", "A")
	})
	t.Run("missing _FILE", func(t *testing.T) {
		h := newAdminHarness(t)
		h.env["LINKPOOL_NAME_FILE"] = filepath.Join(dir, "absent")
		h.fails(2, "LINKPOOL_NAME_FILE", "pool", "create")
	})
}

// TestConcurrentServerHandle runs administration commands while another
// handle on the same SQLite file, as a running server holds, keeps
// writing. Every command must succeed: no "database is locked".
func TestConcurrentServerHandle(t *testing.T) {
	if testing.Short() {
		t.Skip("serve end-to-end test: -short")
	}
	h := newAdminHarness(t)
	p := h.createPool()
	ctx := context.Background()
	server, err := sqlite.Open(ctx, filepath.Join(h.dir, "linkpool.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()

	stop := make(chan struct{})
	var wg sync.WaitGroup
	var writes int
	var writeErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < 10000; i++ {
			select {
			case <-stop:
				return
			default:
			}
			now := time.Now()
			g := pool.Group{PoolID: p.ID, Name: fmt.Sprintf("server-%d", i), CreatedAt: now, UpdatedAt: now}
			if err := server.CreateGroup(ctx, g); err != nil {
				writeErr = err
				return
			}
			err := server.UpdatePool(ctx, p.ID, func(q pool.Pool) (pool.Pool, error) {
				q.UpdatedAt = time.Now()
				return q, nil
			})
			if err != nil {
				writeErr = err
				return
			}
			writes++
			// A server writes per request, not in a tight loop: SQLite's
			// busy handler is not fair, and a writer that takes the lock
			// back within microseconds would starve every other process.
			time.Sleep(2 * time.Millisecond)
		}
	}()

	for i := range 5 {
		h.ok("group", "create", "--pool", p.ID, "--name", fmt.Sprintf("cli-%d", i))
		h.ok("client", "create", "--pool", p.ID, "--name", fmt.Sprintf("client-%d", i), "--generate-secret")
		h.ok("pool", "update", "--pool", p.ID, "--min-length", fmt.Sprint(8+i))
		h.ok("user", "create", "--pool", p.ID, "--username", fmt.Sprintf("user%d", i), "--password", "Sup3r-Secret!", "--permanent")
	}
	close(stop)
	wg.Wait()
	if writeErr != nil {
		t.Fatalf("the server handle failed to write: %v", writeErr)
	}
	if writes == 0 {
		t.Fatal("the server handle wrote nothing while the commands ran")
	}
	groups := h.ok("group", "list", "--pool", p.ID)
	for i := range 5 {
		if !strings.Contains(groups, fmt.Sprintf("cli-%d", i)) {
			t.Errorf("group cli-%d missing:\n%s", i, groups)
		}
	}
	if got := okJSON[pool.Pool](h, "pool", "show", "--pool", p.ID); got.PasswordPolicy.MinimumLength != 12 {
		t.Errorf("minimum length %d, want the last update's 12", got.PasswordPolicy.MinimumLength)
	}
}
