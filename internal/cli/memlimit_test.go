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
		{"two hashes of 19 MiB", env(), 0, 2, 19 * 1024, memoryLimit{64*mib + 2*19*mib*8/5, "derived", 70}},
		{"four hashes of 19 MiB", env(), 0, 4, 19 * 1024, memoryLimit{64*mib + 4*19*mib*8/5, "derived", 70}},
		{"one hash of 64 MiB", env(), 0, 1, 64 * 1024, memoryLimit{64*mib + 64*mib*8/5, "derived", 70}},
		{"default concurrency is GOMAXPROCS", env(), 0, 0, 16 * 1024,
			memoryLimit{64*mib + int64(runtime.GOMAXPROCS(0))*16*mib*8/5, "derived", 70}},
		{"GOGC in the environment is left alone", env("GOGC", "100"), 0, 2, 19 * 1024, memoryLimit{64*mib + 2*19*mib*8/5, "derived", 0}},
		{"flag in MiB", env(), 300, 2, 19 * 1024, memoryLimit{300 * mib, "--memory-limit", 0}},
		{"flag -1 sets none", env(), -1, 2, 19 * 1024, memoryLimit{0, "none", 0}},
		{"GOMEMLIMIT wins over the derivation", env("GOMEMLIMIT", "200MiB"), 0, 2, 19 * 1024, memoryLimit{0, "GOMEMLIMIT", 0}},
		{"GOMEMLIMIT wins over the flag", env("GOMEMLIMIT", "off"), 300, 2, 19 * 1024, memoryLimit{0, "GOMEMLIMIT", 0}},
		{"other variables do not count", env("LINKPOOL_MEMORY_LIMIT", "5"), 0, 2, 19 * 1024, memoryLimit{64*mib + 2*19*mib*8/5, "derived", 70}},
	}
	for _, tc := range tests {
		if got := deriveMemoryLimit(tc.getenv, tc.flag, tc.conc, tc.memKiB); got != tc.want {
			t.Errorf("%s: %+v, want %+v", tc.name, got, tc.want)
		}
	}
}

// TestServeSetsMemoryLimit: serve gives the runtime the derived soft
// memory limit and GOGC while it runs, logs them once and restores the
// previous settings when it stops; GOMEMLIMIT in the environment leaves
// the limit to the runtime.
func TestServeSetsMemoryLimit(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	beforeGC := gcPercent()
	if beforeGC == derivedGCPercent {
		t.Fatalf("GOGC is already %d: the test cannot tell whether serve sets it", beforeGC)
	}
	want := deriveMemoryLimit(func(string) string { return "" }, 0, 3, 19*1024).bytes

	s := startServe(t, "http", map[string]string{"LINKPOOL_DATA": t.TempDir()}, "--hash-concurrency", "3")
	if got := debug.SetMemoryLimit(-1); got != want {
		t.Errorf("memory limit while serving = %d, want %d", got, want)
	}
	if got := gcPercent(); got != derivedGCPercent {
		t.Errorf("GOGC while serving = %d, want %d", got, derivedGCPercent)
	}
	if code := s.stop(); code != 0 {
		t.Fatalf("serve exited with %d\n%s", code, s.stderr)
	}
	if n := strings.Count(s.stderr.String(), "memory limit"); n != 1 {
		t.Errorf("%d log lines about the memory limit, want 1\n%s", n, s.stderr)
	}
	if !strings.Contains(s.stderr.String(), "source=derived limit=\"155 MiB\" gogc=70") {
		t.Errorf("log does not give the derived limit of 155 MiB and GOGC 70:\n%s", s.stderr)
	}
	if got := debug.SetMemoryLimit(-1); got != before {
		t.Errorf("memory limit after serve = %d, want the previous %d", got, before)
	}
	if got := gcPercent(); got != beforeGC {
		t.Errorf("GOGC after serve = %d, want the previous %d", got, beforeGC)
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

// gcPercent returns the runtime's GOGC without changing it.
func gcPercent() int {
	p := debug.SetGCPercent(100)
	debug.SetGCPercent(p)
	return p
}
