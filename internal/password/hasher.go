package password

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"fmt"
	"runtime"
	"sync/atomic"

	"golang.org/x/crypto/argon2"

	"github.com/linkpool/linkpool/internal/tracing"
)

// MaxPasswordBytes caps the password length. Cognito passwords are at most
// 256 characters (CreateUserPool PasswordPolicy), which is at most 1024
// bytes of UTF-8.
const MaxPasswordBytes = 1024

// Hasher hashes and verifies passwords with a bound on how many argon2id
// computations run at once. It is safe for concurrent use.
type Hasher struct {
	params Params
	sem    chan struct{}
	active atomic.Int64
	total  atomic.Int64
	dummy  phc

	// onCompute, when set by tests, runs while the semaphore is held and
	// returns the function to run once the computation ends.
	onCompute func() (done func())
}

// NewHasher returns a Hasher that hashes new passwords with p and runs at
// most maxConcurrent argon2id computations at once; maxConcurrent <= 0
// means GOMAXPROCS: argon2id is CPU-bound, so more at once than cores
// adds memory (Params.Memory each) and no throughput. Zero fields of p take their DefaultParams value.
// Params that fail Validate make Hash fail, never Verify.
func NewHasher(p Params, maxConcurrent int) *Hasher {
	if p.Memory == 0 {
		p.Memory = DefaultParams.Memory
	}
	if p.Time == 0 {
		p.Time = DefaultParams.Time
	}
	if p.Threads == 0 {
		p.Threads = DefaultParams.Threads
	}
	if maxConcurrent <= 0 {
		maxConcurrent = runtime.GOMAXPROCS(0)
	}
	h := &Hasher{params: p, sem: make(chan struct{}, maxConcurrent)}
	// The dummy costs exactly what a freshly hashed password costs. Its
	// key matches no password (argon2 output is never all zeroes in
	// practice), and computing it is unnecessary: VerifyDummy does the
	// work and discards the answer.
	h.dummy = phc{params: p, salt: make([]byte, saltLen), key: make([]byte, keyLen)}
	copy(h.dummy.salt, "linkpool-dummy!!")
	return h
}

// Params returns the parameters new hashes are made with.
func (h *Hasher) Params() Params { return h.params }

// InFlight returns how many argon2id computations are running now, for
// metrics. It never exceeds the Hasher's concurrency bound.
func (h *Hasher) InFlight() int { return int(h.active.Load()) }

// Computations returns how many argon2id computations (Hash, Verify and
// VerifyDummy alike) have started since the Hasher was made, for metrics
// and for tests that check an operation spends the same work whatever
// its input.
func (h *Hasher) Computations() int64 { return h.total.Load() }

// Hash returns the PHC string of a new argon2id hash of pw with a fresh
// 16-byte random salt. It waits for a free slot and returns ctx.Err() if
// ctx ends first.
func (h *Hasher) Hash(ctx context.Context, pw string) (_ string, err error) {
	ctx, span := tracing.Start(ctx, "password.hash")
	defer func() { tracing.End(span, err) }()
	if len(pw) > MaxPasswordBytes {
		return "", fmt.Errorf("%w: more than %d bytes", ErrTooLong, MaxPasswordBytes)
	}
	if err := h.params.Validate(); err != nil {
		return "", err
	}
	salt := make([]byte, saltLen)
	_, _ = rand.Read(salt) // never fails (crypto/rand, Go 1.24+)
	key, err := h.compute(ctx, pw, h.params, salt, keyLen)
	if err != nil {
		return "", err
	}
	return phc{params: h.params, salt: salt, key: key}.encode(), nil
}

// Verify reports whether pw matches the PHC string, using the parameters
// recorded in it. A string that is not a well-formed argon2id hash, or
// whose parameters are out of range, yields an error wrapping
// ErrMalformedHash or ErrUnsafeParams rather than false: the stored value
// is broken, which is not the user's fault. The comparison is constant
// time. It waits for a free slot and returns ctx.Err() if ctx ends first.
func (h *Hasher) Verify(ctx context.Context, stored, pw string) (bool, error) {
	p, err := parsePHC(stored)
	if err != nil {
		return false, err
	}
	if len(pw) > MaxPasswordBytes {
		// Hash refuses such passwords, so none can match.
		return false, nil
	}
	return h.verify(ctx, p, pw)
}

// VerifyDummy spends the work of a Verify against a hash made with the
// Hasher's parameters and discards the result. Sign-in calls it when the
// user does not exist, so that an unknown username costs as much time as
// a known one and timing does not reveal which usernames are registered
// (OWASP Authentication Cheat Sheet, "Authentication Responses").
func (h *Hasher) VerifyDummy(ctx context.Context, pw string) {
	if len(pw) > MaxPasswordBytes {
		return
	}
	_, _ = h.verify(ctx, h.dummy, pw)
}

func (h *Hasher) verify(ctx context.Context, p phc, pw string) (_ bool, err error) {
	ctx, span := tracing.Start(ctx, "password.verify")
	defer func() { tracing.End(span, err) }()
	key, err := h.compute(ctx, pw, p.params, p.salt, uint32(len(p.key)))
	if err != nil {
		return false, err
	}
	return subtle.ConstantTimeCompare(key, p.key) == 1, nil
}

// NeedsRehash reports whether a stored hash should be replaced after the
// next successful sign-in: it is unreadable, or made with parameters,
// salt or key length other than the Hasher's current ones.
func (h *Hasher) NeedsRehash(stored string) bool {
	p, err := parsePHC(stored)
	if err != nil {
		return true
	}
	return p.params != h.params || len(p.salt) != saltLen || len(p.key) != keyLen
}

// compute runs argon2id inside the concurrency bound.
func (h *Hasher) compute(ctx context.Context, pw string, p Params, salt []byte, n uint32) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	select {
	case h.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-h.sem }()
	h.total.Add(1)
	h.active.Add(1)
	defer h.active.Add(-1)
	if h.onCompute != nil {
		defer h.onCompute()()
	}
	// argon2.IDKey allocates its p.Memory KiB work area on every call and
	// has no way to be given one, so the area cannot be reused: it is
	// garbage once the hash is done, and the runtime zeroes it again for
	// the next (5 to 10 % of the hash's CPU time at 19 MiB). The
	// semaphore bounds how many areas are in use at once, and the soft
	// memory limit `serve` sets (internal/cli) how much garbage they leave.
	return argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, n), nil
}
