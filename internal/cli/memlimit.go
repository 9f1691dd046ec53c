package cli

import (
	"fmt"
	"log/slog"
	"runtime"
	"runtime/debug"

	"github.com/linkpool/linkpool/internal/password"
)

// memoryLimitBase is the part of the derived soft memory limit that is
// not password hashing: the server's own heap (caches, connections,
// requests in flight) with room to spare.
const memoryLimitBase = 64 << 20

// memoryLimitHashFactor is the room per argon2id work area in the
// derived limit: a finished hash's 19 MiB is garbage until the next
// collection, so more than the areas in use is reachable. With
// derivedGCPercent the heap goal mostly stays below the limit, which is a
// backstop that seldom decides a collection.
const memoryLimitHashFactor = 1.6

// derivedGCPercent is the GOGC `serve` sets with the derived limit.
// When the limit decides collections (as with GOGC=100 and a limit of
// 1.25 work areas per hash), the heap runs at the limit: the runtime
// returns pages to the kernel on every cycle and the next hash's work
// area faults them back in, a few hundred page faults per sign-in. At 70,
// with the limit's room of memoryLimitHashFactor, the heap goal mostly lies
// below the limit: collections come a little more often, the pages stay
// mapped, and page faults, scavenging and collection together take about
// 5 % of the server's CPU under sign-in load instead of about 9 %, at the
// same peak memory (BenchmarkSignIn in test/cluster measures both).
// Workloads without hashes pay for it with about 1.5 times as many
// collections of a small heap, about 1 % of the CPU under refreshes.
const derivedGCPercent = 70

// memoryLimit is the soft memory limit `serve` gives the Go runtime, and
// where it comes from. A zero limit means none is set. gcPercent, when
// not zero, is the GOGC to set with it.
type memoryLimit struct {
	bytes     int64
	source    string // "GOMEMLIMIT", "--memory-limit", "derived" or "none"
	gcPercent int
}

// deriveMemoryLimit decides the soft memory limit from the environment's
// GOMEMLIMIT, which wins (the runtime has already applied it), the
// --memory-limit flag in MiB (-1: none, 0: derived) and the hash bound:
// memoryLimitBase plus hashConcurrency argon2id work areas of memKiB,
// each with memoryLimitHashFactor headroom, and then derivedGCPercent
// unless GOGC is in the environment. hashConcurrency <= 0 means the
// server's default, GOMAXPROCS.
func deriveMemoryLimit(getenv func(string) string, flagMiB int64, hashConcurrency int, memKiB uint32) memoryLimit {
	if getenv("GOMEMLIMIT") != "" {
		return memoryLimit{source: "GOMEMLIMIT"}
	}
	switch {
	case flagMiB < 0:
		return memoryLimit{source: "none"}
	case flagMiB > 0:
		return memoryLimit{bytes: flagMiB << 20, source: "--memory-limit"}
	}
	if hashConcurrency <= 0 {
		hashConcurrency = runtime.GOMAXPROCS(0)
	}
	hashes := float64(hashConcurrency) * float64(memKiB) * 1024 * memoryLimitHashFactor
	m := memoryLimit{bytes: memoryLimitBase + int64(hashes), source: "derived"}
	if getenv("GOGC") == "" {
		m.gcPercent = derivedGCPercent
	}
	return m
}

// applyMemoryLimit sets the soft memory limit of the serve flags, logs it
// once and returns the function that restores the previous limit.
func applyMemoryLimit(log *slog.Logger, getenv func(string) string, f *serveFlags) (restore func()) {
	m := deriveMemoryLimit(getenv, f.memoryLimitMiB, f.hashConcurrency, password.DefaultParams.Memory)
	current := debug.SetMemoryLimit(-1) // reads the limit without changing it
	switch m.source {
	case "GOMEMLIMIT":
		log.Info("memory limit", "source", m.source, "limit", mib(current))
		return func() {}
	case "none":
		log.Info("memory limit", "source", m.source)
		return func() {}
	}
	prev := debug.SetMemoryLimit(m.bytes)
	if m.gcPercent == 0 {
		log.Info("memory limit", "source", m.source, "limit", mib(m.bytes))
		return func() { debug.SetMemoryLimit(prev) }
	}
	prevGC := debug.SetGCPercent(m.gcPercent)
	log.Info("memory limit", "source", m.source, "limit", mib(m.bytes), "gogc", m.gcPercent)
	return func() {
		debug.SetGCPercent(prevGC)
		debug.SetMemoryLimit(prev)
	}
}

func mib(n int64) string { return fmt.Sprintf("%d MiB", n>>20) }
