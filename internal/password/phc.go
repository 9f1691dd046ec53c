package password

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Errors returned by Verify and Hash. They are wrapped with a reason; test
// with errors.Is.
var (
	// ErrMalformedHash: the stored string is not an argon2id PHC string
	// this package can read.
	ErrMalformedHash = errors.New("password: malformed hash")
	// ErrUnsafeParams: the cost parameters are outside the accepted range
	// (too weak to hash with, or large enough to exhaust the server).
	ErrUnsafeParams = errors.New("password: cost parameters out of range")
	// ErrTooLong: the password exceeds MaxPasswordBytes.
	ErrTooLong = errors.New("password: too long")
)

// Limits on parameters accepted from a stored PHC string. They are far
// above anything this package produces and far below what would let one
// crafted hash stall or exhaust the server.
const (
	maxMemoryKiB = 1 << 20 // 1 GiB
	maxTime      = 100
	maxThreads   = 64
	minSaltLen   = 8 // RFC 9106 §3.1: at least 8 bytes, 16 recommended
	maxSaltLen   = 64
	minKeyLen    = 16
	maxKeyLen    = 128
	// maxPHCLen bounds the string before it is parsed at all.
	maxPHCLen = 512
)

const (
	saltLen = 16
	keyLen  = 32
)

var b64 = base64.RawStdEncoding.Strict()

// phc is a decoded argon2id PHC string.
type phc struct {
	params Params
	salt   []byte
	key    []byte
}

// encode renders the PHC string for an argon2id hash
// (PHC string format; argon2 reference implementation encoding).
func (p phc) encode() string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.params.Memory, p.params.Time, p.params.Threads,
		b64.EncodeToString(p.salt), b64.EncodeToString(p.key))
}

// parsePHC decodes and range-checks an argon2id PHC string. Nothing in the
// returned error repeats the input.
func parsePHC(s string) (phc, error) {
	if len(s) > maxPHCLen {
		return phc{}, fmt.Errorf("%w: too long", ErrMalformedHash)
	}
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" {
		return phc{}, fmt.Errorf("%w: want 5 '$'-separated fields", ErrMalformedHash)
	}
	if parts[1] != "argon2id" {
		return phc{}, fmt.Errorf("%w: algorithm is not argon2id", ErrMalformedHash)
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return phc{}, fmt.Errorf("%w: unsupported argon2 version", ErrMalformedHash)
	}
	params, err := parseParams(parts[3])
	if err != nil {
		return phc{}, err
	}
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return phc{}, fmt.Errorf("%w: salt is not unpadded base64", ErrMalformedHash)
	}
	key, err := b64.DecodeString(parts[5])
	if err != nil {
		return phc{}, fmt.Errorf("%w: hash is not unpadded base64", ErrMalformedHash)
	}
	if len(salt) < minSaltLen || len(salt) > maxSaltLen {
		return phc{}, fmt.Errorf("%w: salt length %d", ErrUnsafeParams, len(salt))
	}
	if len(key) < minKeyLen || len(key) > maxKeyLen {
		return phc{}, fmt.Errorf("%w: hash length %d", ErrUnsafeParams, len(key))
	}
	return phc{params: params, salt: salt, key: key}, nil
}

// parseParams reads "m=<KiB>,t=<passes>,p=<lanes>" in that order.
func parseParams(s string) (Params, error) {
	fields := strings.Split(s, ",")
	if len(fields) != 3 {
		return Params{}, fmt.Errorf("%w: want m=,t=,p= parameters", ErrMalformedHash)
	}
	var vals [3]uint64
	for i, name := range []string{"m=", "t=", "p="} {
		v, ok := strings.CutPrefix(fields[i], name)
		if !ok || v == "" || (len(v) > 1 && v[0] == '0') {
			return Params{}, fmt.Errorf("%w: bad %s parameter", ErrMalformedHash, strings.TrimSuffix(name, "="))
		}
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return Params{}, fmt.Errorf("%w: bad %s parameter", ErrMalformedHash, strings.TrimSuffix(name, "="))
		}
		vals[i] = n
	}
	if vals[2] > maxThreads {
		return Params{}, fmt.Errorf("%w: p=%d", ErrUnsafeParams, vals[2])
	}
	p := Params{Memory: uint32(vals[0]), Time: uint32(vals[1]), Threads: uint8(vals[2])}
	if err := p.Validate(); err != nil {
		return Params{}, err
	}
	return p, nil
}
