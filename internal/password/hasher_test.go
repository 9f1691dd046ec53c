package password_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"golang.org/x/crypto/argon2"

	"github.com/linkpool/linkpool/internal/password"
)

// cheap keeps tests that hash many times fast; DefaultParams is covered by
// the round-trip test.
var cheap = password.Params{Memory: 64, Time: 1, Threads: 1}

var phcPattern = regexp.MustCompile(`^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)

func TestHashVerifyRoundTrip(t *testing.T) {
	ctx := context.Background()
	h := password.NewHasher(password.DefaultParams, 0)
	tests := []struct {
		name string
		pw   string
	}{
		{name: "ascii", pw: "correct horse battery staple"},
		{name: "unicode", pw: "pässwörd-密码-🔑"},
		{name: "empty", pw: ""},
		{name: "max length", pw: strings.Repeat("x", password.MaxPasswordBytes)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			stored, err := h.Hash(ctx, tc.pw)
			if err != nil {
				t.Fatalf("Hash: %v", err)
			}
			if !phcPattern.MatchString(stored) {
				t.Fatalf("Hash = %q, not an OWASP-parameter argon2id PHC string", stored)
			}
			if tc.pw != "" && strings.Contains(stored, tc.pw) {
				t.Fatal("PHC string contains the password")
			}
			ok, err := h.Verify(ctx, stored, tc.pw)
			if err != nil || !ok {
				t.Fatalf("Verify(right password) = %v, %v; want true, nil", ok, err)
			}
			ok, err = h.Verify(ctx, stored, tc.pw+"!")
			if err != nil || ok {
				t.Fatalf("Verify(wrong password) = %v, %v; want false, nil", ok, err)
			}
			if h.NeedsRehash(stored) {
				t.Fatal("NeedsRehash = true for a hash made with current params")
			}
		})
	}
}

func TestHashSaltsEachPassword(t *testing.T) {
	h := password.NewHasher(cheap, 0)
	a, err := h.Hash(context.Background(), "same")
	if err != nil {
		t.Fatal(err)
	}
	b, err := h.Hash(context.Background(), "same")
	if err != nil {
		t.Fatal(err)
	}
	if a == b {
		t.Fatal("two hashes of one password are equal; salt is not random")
	}
}

// TestVerifyReferenceEncoding checks that a PHC string built directly from
// x/crypto/argon2 output, as other argon2id implementations write it,
// verifies, and that the parameters are taken from the string rather than
// from the Hasher.
func TestVerifyReferenceEncoding(t *testing.T) {
	salt := []byte("0123456789abcdef")
	key := argon2.IDKey([]byte("hunter2"), salt, 3, 256, 2, 24)
	stored := fmt.Sprintf("$argon2id$v=19$m=256,t=3,p=2$%s$%s",
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))

	h := password.NewHasher(password.DefaultParams, 1)
	ok, err := h.Verify(context.Background(), stored, "hunter2")
	if err != nil || !ok {
		t.Fatalf("Verify = %v, %v; want true, nil", ok, err)
	}
	if !h.NeedsRehash(stored) {
		t.Fatal("NeedsRehash = false for a hash with other params and key length")
	}
}

func TestVerifyRejectsMalformed(t *testing.T) {
	salt := base64.RawStdEncoding.EncodeToString([]byte("0123456789abcdef"))
	key := base64.RawStdEncoding.EncodeToString(make([]byte, 32))
	tail := "$" + salt + "$" + key
	tests := []struct {
		name   string
		stored string
	}{
		{name: "empty", stored: ""},
		{name: "plain text", stored: "hunter2"},
		{name: "bcrypt", stored: "$2b$10$abcdefghijklmnopqrstuuabcdefghijklmnopqrstuvwxyz01234"},
		{name: "argon2i", stored: "$argon2i$v=19$m=64,t=1,p=1" + tail},
		{name: "argon2d", stored: "$argon2d$v=19$m=64,t=1,p=1" + tail},
		{name: "old version", stored: "$argon2id$v=16$m=64,t=1,p=1" + tail},
		{name: "missing version", stored: "$argon2id$m=64,t=1,p=1" + tail},
		{name: "params out of order", stored: "$argon2id$v=19$t=1,m=64,p=1" + tail},
		{name: "missing param", stored: "$argon2id$v=19$m=64,t=1" + tail},
		{name: "extra param", stored: "$argon2id$v=19$m=64,t=1,p=1,k=2" + tail},
		{name: "negative param", stored: "$argon2id$v=19$m=-64,t=1,p=1" + tail},
		{name: "leading zero", stored: "$argon2id$v=19$m=064,t=1,p=1" + tail},
		{name: "non-numeric", stored: "$argon2id$v=19$m=lots,t=1,p=1" + tail},
		{name: "overflow uint32", stored: "$argon2id$v=19$m=4294967296,t=1,p=1" + tail},
		{name: "padded salt", stored: "$argon2id$v=19$m=64,t=1,p=1$" + salt + "==$" + key},
		{name: "bad salt chars", stored: "$argon2id$v=19$m=64,t=1,p=1$!!!!$" + key},
		{name: "url base64 hash", stored: "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + strings.Repeat("_", 43)},
		{name: "missing hash", stored: "$argon2id$v=19$m=64,t=1,p=1$" + salt},
		{name: "trailing field", stored: "$argon2id$v=19$m=64,t=1,p=1" + tail + "$x"},
		{name: "no leading dollar", stored: "argon2id$v=19$m=64,t=1,p=1" + tail},
		{name: "huge", stored: "$argon2id$v=19$m=64,t=1,p=1$" + strings.Repeat("A", 4096) + "$" + key},
	}
	h := password.NewHasher(cheap, 1)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ok, err := h.Verify(context.Background(), tc.stored, "pw")
			if !errors.Is(err, password.ErrMalformedHash) {
				t.Fatalf("Verify error = %v, want ErrMalformedHash", err)
			}
			if ok {
				t.Fatal("Verify returned true with an error")
			}
			if !h.NeedsRehash(tc.stored) {
				t.Fatal("NeedsRehash = false for an unreadable hash")
			}
		})
	}
}

// TestVerifyRejectsCraftedParams: a stored hash must not be able to make
// the server allocate gigabytes or spin for minutes. Were these accepted,
// the test process itself would stall or run out of memory.
func TestVerifyRejectsCraftedParams(t *testing.T) {
	salt16 := base64.RawStdEncoding.EncodeToString([]byte("0123456789abcdef"))
	key32 := base64.RawStdEncoding.EncodeToString(make([]byte, 32))
	build := func(params, salt, key string) string {
		return "$argon2id$v=19$" + params + "$" + salt + "$" + key
	}
	tests := []struct {
		name   string
		stored string
	}{
		{name: "memory 4 TiB", stored: build("m=4294967295,t=1,p=1", salt16, key32)},
		{name: "memory just over 1 GiB", stored: build("m=1048577,t=1,p=1", salt16, key32)},
		{name: "time huge", stored: build("m=64,t=4294967295,p=1", salt16, key32)},
		{name: "time 101", stored: build("m=64,t=101,p=1", salt16, key32)},
		{name: "time zero", stored: build("m=64,t=0,p=1", salt16, key32)},
		{name: "threads zero", stored: build("m=64,t=1,p=0", salt16, key32)},
		{name: "threads 255", stored: build("m=4096,t=1,p=255", salt16, key32)},
		{name: "threads beyond uint8", stored: build("m=65536,t=1,p=4096", salt16, key32)},
		{name: "memory below 8 KiB per lane", stored: build("m=8,t=1,p=2", salt16, key32)},
		{name: "salt too short", stored: build("m=64,t=1,p=1", base64.RawStdEncoding.EncodeToString([]byte("1234")), key32)},
		{name: "salt too long", stored: build("m=64,t=1,p=1", base64.RawStdEncoding.EncodeToString(make([]byte, 65)), key32)},
		{name: "key too short", stored: build("m=64,t=1,p=1", salt16, base64.RawStdEncoding.EncodeToString(make([]byte, 8)))},
		{name: "key too long", stored: build("m=64,t=1,p=1", salt16, base64.RawStdEncoding.EncodeToString(make([]byte, 200)))},
	}
	var computed atomic.Int64
	h := password.NewHasher(cheap, 1)
	password.SetComputeHook(h, func() func() { computed.Add(1); return func() {} })
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ok, err := h.Verify(context.Background(), tc.stored, "pw")
			if !errors.Is(err, password.ErrUnsafeParams) {
				t.Fatalf("Verify error = %v, want ErrUnsafeParams", err)
			}
			if ok {
				t.Fatal("Verify returned true with an error")
			}
		})
	}
	if n := computed.Load(); n != 0 {
		t.Fatalf("%d argon2id computations ran for rejected hashes, want 0", n)
	}
}

func TestHashRejects(t *testing.T) {
	tests := []struct {
		name    string
		params  password.Params
		pw      string
		wantErr error
	}{
		{name: "password too long", params: cheap, pw: strings.Repeat("x", password.MaxPasswordBytes+1), wantErr: password.ErrTooLong},
		{name: "memory too large", params: password.Params{Memory: 2 << 20, Time: 1, Threads: 1}, pw: "pw", wantErr: password.ErrUnsafeParams},
		{name: "time too large", params: password.Params{Memory: 64, Time: 1000, Threads: 1}, pw: "pw", wantErr: password.ErrUnsafeParams},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := password.NewHasher(tc.params, 1)
			got, err := h.Hash(context.Background(), tc.pw)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("Hash error = %v, want %v", err, tc.wantErr)
			}
			if got != "" {
				t.Fatalf("Hash returned %q with an error", got)
			}
		})
	}
}

func TestVerifyOverlongPasswordIsFalse(t *testing.T) {
	h := password.NewHasher(cheap, 1)
	stored, err := h.Hash(context.Background(), "pw")
	if err != nil {
		t.Fatal(err)
	}
	ok, err := h.Verify(context.Background(), stored, strings.Repeat("x", password.MaxPasswordBytes+1))
	if ok || err != nil {
		t.Fatalf("Verify(overlong) = %v, %v; want false, nil", ok, err)
	}
}

func TestNewHasherDefaultsZeroParams(t *testing.T) {
	h := password.NewHasher(password.Params{}, 1)
	if got := h.Params(); got != password.DefaultParams {
		t.Fatalf("Params() = %+v, want %+v", got, password.DefaultParams)
	}
}

// TestDefaultParamsMeetOWASP pins the parameters of new hashes at or
// above OWASP's minimum, and MeetsOWASP to the cheat sheet's settings.
func TestDefaultParamsMeetOWASP(t *testing.T) {
	if !password.DefaultParams.MeetsOWASP() {
		t.Errorf("DefaultParams %+v are below OWASP's minimum", password.DefaultParams)
	}
	if len(password.OWASPSettings) != 5 {
		t.Errorf("OWASPSettings has %d settings, want the cheat sheet's 5", len(password.OWASPSettings))
	}
	for _, c := range []struct {
		p    password.Params
		want bool
	}{
		{password.Params{Memory: 19 * 1024, Time: 2, Threads: 1}, true},
		{password.Params{Memory: 46 * 1024, Time: 1, Threads: 1}, true},
		{password.Params{Memory: 7 * 1024, Time: 5, Threads: 1}, true},
		{password.Params{Memory: 64 * 1024, Time: 3, Threads: 4}, true},
		{password.Params{Memory: 19*1024 - 1, Time: 2, Threads: 1}, false},
		{password.Params{Memory: 45 * 1024, Time: 1, Threads: 1}, false},
		{password.Params{Memory: 19 * 1024, Time: 1, Threads: 1}, false},
		{password.Params{Memory: 7*1024 - 1, Time: 100, Threads: 1}, false},
		{cheap, false},
	} {
		if got := c.p.MeetsOWASP(); got != c.want {
			t.Errorf("%+v.MeetsOWASP() = %v, want %v", c.p, got, c.want)
		}
	}
}

func TestNeedsRehash(t *testing.T) {
	ctx := context.Background()
	old, err := password.NewHasher(cheap, 1).Hash(ctx, "pw")
	if err != nil {
		t.Fatal(err)
	}
	h := password.NewHasher(password.Params{Memory: 128, Time: 1, Threads: 1}, 1)
	cur, err := h.Hash(ctx, "pw")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		stored string
		want   bool
	}{
		{name: "current params", stored: cur, want: false},
		{name: "weaker memory", stored: old, want: true},
		{name: "garbage", stored: "nope", want: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := h.NeedsRehash(tc.stored); got != tc.want {
				t.Fatalf("NeedsRehash = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestVerifyDummyDoesTheWork(t *testing.T) {
	h := password.NewHasher(password.DefaultParams, 1)
	var computed atomic.Int64
	password.SetComputeHook(h, func() func() { computed.Add(1); return func() {} })
	h.VerifyDummy(context.Background(), "whatever")
	if n := computed.Load(); n != 1 {
		t.Fatalf("VerifyDummy ran %d argon2id computations, want 1", n)
	}
}

// holdSlots returns a Hasher whose computations block inside the
// concurrency bound until release is closed; entered receives one value
// per computation that got a slot.
func holdSlots(maxConcurrent int) (h *password.Hasher, entered chan struct{}, release chan struct{}, maxSeen *atomic.Int64) {
	h = password.NewHasher(cheap, maxConcurrent)
	entered = make(chan struct{}, 1024)
	release = make(chan struct{})
	maxSeen = new(atomic.Int64)
	var cur atomic.Int64
	password.SetComputeHook(h, func() func() {
		n := cur.Add(1)
		for {
			m := maxSeen.Load()
			if n <= m || maxSeen.CompareAndSwap(m, n) {
				break
			}
		}
		entered <- struct{}{}
		<-release
		return func() { cur.Add(-1) }
	})
	return h, entered, release, maxSeen
}

func TestContextCancelledWhileWaiting(t *testing.T) {
	h, entered, release, _ := holdSlots(1)
	stored, err := password.NewHasher(cheap, 1).Hash(context.Background(), "pw")
	if err != nil {
		t.Fatal(err)
	}

	holder := make(chan error, 1)
	go func() {
		_, err := h.Hash(context.Background(), "holder")
		holder <- err
	}()
	<-entered // the only slot is now taken

	tests := []struct {
		name string
		call func(ctx context.Context) error
	}{
		{name: "Hash", call: func(ctx context.Context) error { _, err := h.Hash(ctx, "pw"); return err }},
		{name: "Verify", call: func(ctx context.Context) error { _, err := h.Verify(ctx, stored, "pw"); return err }},
	}
	for _, tc := range tests {
		t.Run(tc.name+" cancelled", func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- tc.call(ctx) }()
			cancel()
			if err := <-done; !errors.Is(err, context.Canceled) {
				t.Fatalf("error = %v, want context.Canceled", err)
			}
		})
		t.Run(tc.name+" deadline", func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 1)
			defer cancel()
			if err := tc.call(ctx); !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("error = %v, want context.DeadlineExceeded", err)
			}
		})
	}
	if n := h.InFlight(); n != 1 {
		t.Fatalf("InFlight = %d while one computation holds the slot, want 1", n)
	}
	close(release)
	if err := <-holder; err != nil {
		t.Fatalf("holder: %v", err)
	}
	if n := h.InFlight(); n != 0 {
		t.Fatalf("InFlight = %d after all work ended, want 0", n)
	}
}

func TestContextAlreadyCancelledWithFreeSlot(t *testing.T) {
	h := password.NewHasher(cheap, 4)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := h.Hash(ctx, "pw"); !errors.Is(err, context.Canceled) {
		t.Fatalf("Hash error = %v, want context.Canceled", err)
	}
}

func TestConcurrencyBound(t *testing.T) {
	tests := []struct {
		name          string
		maxConcurrent int
		want          int
		callers       int
	}{
		{name: "one", maxConcurrent: 1, want: 1, callers: 5},
		{name: "three", maxConcurrent: 3, want: 3, callers: 12},
		{name: "default is GOMAXPROCS", maxConcurrent: 0, want: runtime.GOMAXPROCS(0), callers: runtime.GOMAXPROCS(0) + 5},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, entered, release, maxSeen := holdSlots(tc.maxConcurrent)
			var wg sync.WaitGroup
			errs := make(chan error, tc.callers)
			for range tc.callers {
				wg.Go(func() {
					if _, err := h.Hash(context.Background(), "pw"); err != nil {
						errs <- err
					}
				})
			}
			for range tc.want {
				<-entered
			}
			// Every slot is held; the remaining callers queue.
			if n := h.InFlight(); n != tc.want {
				t.Fatalf("InFlight = %d with all slots held, want %d", n, tc.want)
			}
			close(release)
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Fatalf("Hash: %v", err)
			}
			if got := maxSeen.Load(); got != int64(tc.want) {
				t.Fatalf("max simultaneous computations = %d, want %d", got, tc.want)
			}
			if n := h.InFlight(); n != 0 {
				t.Fatalf("InFlight = %d after all work ended, want 0", n)
			}
		})
	}
}
