package cli

import (
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

func TestDeriveMemoryLimit(t *testing.T) {
	const mib = 1 << 20
	env := func(kv ...string) func(string) string {
		return func(k string) string {
			for i := 0; i+1 < len(kv); i += 2 {
				if kv[i] == k {
					return kv[i+1]
				}
			}
			return ""
		}
	}
	tests := []struct {
		name   string
		getenv func(string) string
		flag   int64
		conc   int
		memKiB uint32
		want   memoryLimit
	}{
		{"two hashes of 19 MiB", env(), 0, 2, 19 * 1024, memoryLimit{64*mib + 2*19*mib*5/4, "derived"}},
		{"four hashes of 19 MiB", env(), 0, 4, 19 * 1024, memoryLimit{64*mib + 4*19*mib*5/4, "derived"}},
		{"one hash of 64 MiB", env(), 0, 1, 64 * 1024, memoryLimit{64*mib + 80*mib, "derived"}},
		{"default concurrency is GOMAXPROCS", env(), 0, 0, 16 * 1024,
			memoryLimit{64*mib + int64(runtime.GOMAXPROCS(0))*20*mib, "derived"}},
		{"flag in MiB", env(), 300, 2, 19 * 1024, memoryLimit{300 * mib, "--memory-limit"}},
		{"flag -1 sets none", env(), -1, 2, 19 * 1024, memoryLimit{0, "none"}},
		{"GOMEMLIMIT wins over the derivation", env("GOMEMLIMIT", "200MiB"), 0, 2, 19 * 1024, memoryLimit{0, "GOMEMLIMIT"}},
		{"GOMEMLIMIT wins over the flag", env("GOMEMLIMIT", "off"), 300, 2, 19 * 1024, memoryLimit{0, "GOMEMLIMIT"}},
		{"other variables do not count", env("LINKPOOL_MEMORY_LIMIT", "5"), 0, 2, 19 * 1024, memoryLimit{64*mib + 2*19*mib*5/4, "derived"}},
	}
	for _, tc := range tests {
		if got := deriveMemoryLimit(tc.getenv, tc.flag, tc.conc, tc.memKiB); got != tc.want {
			t.Errorf("%s: %+v, want %+v", tc.name, got, tc.want)
		}
	}
}

// TestServeSetsMemoryLimit: serve gives the runtime the derived soft
// memory limit while it runs, logs it once and restores the previous
// limit when it stops; GOMEMLIMIT in the environment leaves the limit to
// the runtime.
func TestServeSetsMemoryLimit(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	want := deriveMemoryLimit(func(string) string { return "" }, 0, 3, 19*1024).bytes

	s := startServe(t, "http", map[string]string{"LINKPOOL_DATA": t.TempDir()}, "--hash-concurrency", "3")
	if got := debug.SetMemoryLimit(-1); got != want {
		t.Errorf("memory limit while serving = %d, want %d", got, want)
	}
	if code := s.stop(); code != 0 {
		t.Fatalf("serve exited with %d\n%s", code, s.stderr)
	}
	if n := strings.Count(s.stderr.String(), "memory limit"); n != 1 {
		t.Errorf("%d log lines about the memory limit, want 1\n%s", n, s.stderr)
	}
	if !strings.Contains(s.stderr.String(), "source=derived limit=\"135 MiB\"") {
		t.Errorf("log does not give the derived limit of 135 MiB:\n%s", s.stderr)
	}
	if got := debug.SetMemoryLimit(-1); got != before {
		t.Errorf("memory limit after serve = %d, want the previous %d", got, before)
	}

	s = startServe(t, "http", map[string]string{"LINKPOOL_DATA": t.TempDir(), "GOMEMLIMIT": "1GiB"}, "--memory-limit", "100")
	if got := debug.SetMemoryLimit(-1); got != before {
		t.Errorf("memory limit with GOMEMLIMIT set = %d, want the runtime's %d", got, before)
	}
	s.stop()
	if !strings.Contains(s.stderr.String(), "source=GOMEMLIMIT") {
		t.Errorf("log does not name GOMEMLIMIT as the source:\n%s", s.stderr)
	}
}
