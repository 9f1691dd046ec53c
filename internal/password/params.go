package password

import "fmt"

// Params are argon2id cost parameters (RFC 9106 §3.1).
type Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes
	Threads uint8  // lanes
}

// DefaultParams is the OWASP Password Storage Cheat Sheet minimum for
// argon2id: m=19 MiB, t=2, p=1. It is what every hash a deployment makes
// uses: `serve` has no setting for other parameters.
var DefaultParams = Params{Memory: 19 * 1024, Time: 2, Threads: 1}

// OWASPSettings are the argon2id settings the OWASP Password Storage
// Cheat Sheet gives as its minimum, all equally strong: less memory is
// made up for with more passes. All use one lane.
var OWASPSettings = []Params{
	{Memory: 46 * 1024, Time: 1, Threads: 1},
	{Memory: 19 * 1024, Time: 2, Threads: 1},
	{Memory: 12 * 1024, Time: 3, Threads: 1},
	{Memory: 9 * 1024, Time: 4, Threads: 1},
	{Memory: 7 * 1024, Time: 5, Threads: 1},
}

// MeetsOWASP reports whether p costs at least as much memory and as many
// passes as one of OWASPSettings. Lanes do not count: more lanes split
// the same memory and passes over threads, which shortens a hash but
// not the work of a guess.
func (p Params) MeetsOWASP() bool {
	for _, o := range OWASPSettings {
		if p.Memory >= o.Memory && p.Time >= o.Time {
			return true
		}
	}
	return false
}

// Validate reports an error wrapping ErrUnsafeParams when p is too weak to
// be a password hash or costly enough to exhaust the server. It is the
// range Hash and Verify accept, not a recommendation (tests hash with
// cheap parameters; a stored hash may be weaker than OWASP's minimum,
// and NeedsRehash replaces it at the next sign-in): memory must
// be at least 8 KiB per lane (RFC 9106 §3.1) and at most 1 GiB, time 1 to
// 100 passes, threads 1 to 64.
func (p Params) Validate() error {
	switch {
	case p.Threads < 1 || p.Threads > maxThreads:
		return fmt.Errorf("%w: p=%d", ErrUnsafeParams, p.Threads)
	case p.Time < 1 || p.Time > maxTime:
		return fmt.Errorf("%w: t=%d", ErrUnsafeParams, p.Time)
	case p.Memory < 8*uint32(p.Threads) || p.Memory > maxMemoryKiB:
		return fmt.Errorf("%w: m=%d", ErrUnsafeParams, p.Memory)
	}
	return nil
}
