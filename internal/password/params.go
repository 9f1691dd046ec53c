package password

import "fmt"

// Params are argon2id cost parameters (RFC 9106 §3.1).
type Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes
	Threads uint8  // lanes
}

// DefaultParams is the OWASP Password Storage Cheat Sheet minimum for
// argon2id: m=19 MiB, t=2, p=1.
var DefaultParams = Params{Memory: 19 * 1024, Time: 2, Threads: 1}

// Validate reports an error wrapping ErrUnsafeParams when p is too weak to
// be a password hash or costly enough to exhaust the server: memory must
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
