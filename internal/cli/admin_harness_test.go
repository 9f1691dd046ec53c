package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/linkpool/linkpool/internal/pool"
)

// adminHarness runs linkpool commands in process against a SQLite data
// directory of its own, with a map as the environment.
type adminHarness struct {
	t   *testing.T
	dir string
	env map[string]string
}

func newAdminHarness(t *testing.T) *adminHarness {
	t.Helper()
	dir := t.TempDir()
	return &adminHarness{t: t, dir: dir, env: map[string]string{"LINKPOOL_DATA": dir}}
}

type cmdResult struct {
	code   int
	stdout string
	stderr string
}

// exec runs linkpool with args and stdin.
func (h *adminHarness) exec(stdin string, args ...string) cmdResult {
	var out, errb bytes.Buffer
	e := &env{
		stdin:  strings.NewReader(stdin),
		stdout: &out,
		stderr: &errb,
		getenv: func(k string) string { return h.env[k] },
	}
	code := e.main(context.Background(), args)
	return cmdResult{code: code, stdout: out.String(), stderr: errb.String()}
}

func (h *adminHarness) run(args ...string) cmdResult { return h.exec("", args...) }

// ok runs a command that must succeed and returns its standard output.
func (h *adminHarness) ok(args ...string) string {
	h.t.Helper()
	r := h.run(args...)
	if r.code != 0 {
		h.t.Fatalf("linkpool %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r.stdout
}

// fails runs a command that must exit with code and print want (when not
// empty) on standard error.
func (h *adminHarness) fails(code int, want string, args ...string) cmdResult {
	h.t.Helper()
	r := h.run(args...)
	if r.code != code {
		h.t.Fatalf("linkpool %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.code, code, r.stdout, r.stderr)
	}
	if want != "" && !strings.Contains(r.stderr, want) {
		h.t.Fatalf("linkpool %s: stderr does not mention %q:\n%s", strings.Join(args, " "), want, r.stderr)
	}
	return r
}

// okJSON runs a command with --json and decodes its output into T.
func okJSON[T any](h *adminHarness, args ...string) T {
	h.t.Helper()
	out := h.ok(append(args, "--json")...)
	var v T
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		h.t.Fatalf("linkpool %s --json: %v\n%s", strings.Join(args, " "), err, out)
	}
	return v
}

// createPool creates an ES256 pool (fast key generation) named Test.
func (h *adminHarness) createPool(extra ...string) pool.Pool {
	h.t.Helper()
	args := append([]string{"pool", "create", "--name", "Test", "--signing-alg", "ES256"}, extra...)
	return okJSON[pool.Pool](h, args...)
}
