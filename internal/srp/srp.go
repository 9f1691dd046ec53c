package srp

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"math/big"
	"strings"
	"time"
)

// nHex is the 3072-bit MODP prime of RFC 3526 §4 (RFC 5054 Appendix A).
const nHex = "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD1" +
	"29024E088A67CC74020BBEA63B139B22514A08798E3404DD" +
	"EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245" +
	"E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED" +
	"EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3D" +
	"C2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F" +
	"83655D23DCA3AD961C62F356208552BB9ED529077096966D" +
	"670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B" +
	"E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9" +
	"DE2BCBF6955817183995497CEA956AE515D2261898FA0510" +
	"15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64" +
	"ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7" +
	"ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6B" +
	"F12FFA06D98A0864D87602733EC86A64521F2B18177B200C" +
	"BBE117577A615D6C770988C0BAD946E208E24FA074E5AB31" +
	"43DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF"

var (
	// N is the group's prime modulus, g its generator and k the SRP-6a
	// multiplier H(PadHex(N) | PadHex(g)).
	N, _ = new(big.Int).SetString(nHex, 16)
	g    = big.NewInt(2)
	k    = hexHashInt(PadHex(N) + PadHex(g))
)

// info is the HKDF info of the derived key, followed by the counter byte
// 1 (one block of output).
const info = "Caldera Derived Key"

// KeySize is the length of the derived key.
const KeySize = 16

// SaltSize is the length of the salts NewSalt returns.
const SaltSize = 16

// TimestampLayout is Cognito's TIMESTAMP, "EEE MMM d HH:mm:ss UTC yyyy"
// (the day of the month not zero-padded), in Go's notation.
const TimestampLayout = "Mon Jan 2 15:04:05 UTC 2006"

// maxHexLen bounds the hex of A: a value mod N has at most 768 digits;
// a few more allow leading zeros.
const maxHexLen = 1024

// Errors of the parsers.
var (
	ErrBadA         = errors.New("srp: SRP_A is not a hex number")
	ErrIllegalA     = errors.New("srp: SRP_A mod N is 0")
	ErrZeroU        = errors.New("srp: u is 0")
	ErrBadTimestamp = errors.New("srp: TIMESTAMP is not of the form EEE MMM d HH:mm:ss UTC yyyy")
)

// PadHex is amazon-cognito-identity-js's padHex for non-negative values:
// lower-case hex of even length, with "00" in front when the first digit
// is 8 or more (so the value reads as positive two's complement).
func PadHex(x *big.Int) string {
	s := x.Text(16)
	if len(s)%2 == 1 {
		s = "0" + s
	}
	if s[0] >= '8' {
		s = "00" + s
	}
	return s
}

// Hash returns the hex SHA-256 of b.
func Hash(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// hexHashInt hashes the bytes a hex string encodes and returns the hash
// as a number. The strings hashed here are all of even length.
func hexHashInt(h string) *big.Int {
	b, err := hex.DecodeString(h)
	if err != nil {
		panic("srp: odd hex: " + err.Error())
	}
	sum := sha256.Sum256(b)
	return new(big.Int).SetBytes(sum[:])
}

// PoolName is the part of a pool id after the underscore (the id
// without its region), the name the clients hash.
func PoolName(poolID string) string {
	if _, name, ok := strings.Cut(poolID, "_"); ok {
		return name
	}
	return poolID
}

// NewSalt returns a random salt as the hex the challenge carries
// (PadHex of SaltSize random bytes).
func NewSalt() string {
	b := make([]byte, SaltSize)
	_, _ = rand.Read(b)
	return PadHex(new(big.Int).SetBytes(b))
}

// ParseHex reads a hex number as the clients send it (SALT, SRP_A,
// SRP_B: any case, no sign, no prefix, at most 1024 digits).
func ParseHex(s string) (*big.Int, bool) {
	if s == "" || len(s) > maxHexLen {
		return nil, false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return nil, false
		}
	}
	return new(big.Int).SetString(s, 16)
}

// X is the private value x = H(PadHex(salt) | H(poolName + userID + ":"
// + password)); salt is the hex of the challenge's SALT.
func X(salt *big.Int, poolName, userID, password string) *big.Int {
	inner := Hash([]byte(poolName + userID + ":" + password))
	return hexHashInt(PadHex(salt) + inner)
}

// Verifier returns the verifier v = g^x mod N of a password, as bytes
// (big-endian).
func Verifier(salt *big.Int, poolName, userID, password string) []byte {
	return new(big.Int).Exp(g, X(salt, poolName, userID, password), N).Bytes()
}

// ParseA reads and checks the client's SRP_A: a hex number with A mod N
// != 0.
func ParseA(s string) (*big.Int, error) {
	a, ok := ParseHex(s)
	if !ok {
		return nil, ErrBadA
	}
	if new(big.Int).Mod(a, N).Sign() == 0 {
		return nil, ErrIllegalA
	}
	return a, nil
}

// NewPrivate returns a random secret exponent (256 bits) for b or a.
func NewPrivate() *big.Int {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return new(big.Int).SetBytes(b)
}

// ServerB returns B = (k*v + g^b) mod N for the verifier v (bytes).
// When v is nil (no user to prove) it returns g^b mod N, which is as
// uniformly spread and costs the same exponentiation.
func ServerB(v []byte, b *big.Int) *big.Int {
	B := new(big.Int).Exp(g, b, N)
	if v != nil {
		kv := new(big.Int).Mul(k, new(big.Int).SetBytes(v))
		B.Add(B, kv).Mod(B, N)
	}
	return B
}

// U returns u = H(PadHex(A) | PadHex(B)).
func U(A, B *big.Int) *big.Int { return hexHashInt(PadHex(A) + PadHex(B)) }

// derive is the HKDF step shared by both sides.
func derive(S, u *big.Int) []byte {
	ikm, _ := hex.DecodeString(PadHex(S))
	salt, _ := hex.DecodeString(PadHex(u))
	key, err := hkdf.Key(sha256.New, ikm, salt, info, KeySize)
	if err != nil {
		panic("srp: hkdf: " + err.Error())
	}
	return key
}

// ServerKey returns the key the server derives from the client's A, its
// own b and B, and the verifier v (bytes): S = (A * v^u)^b mod N.
func ServerKey(A, B, b *big.Int, v []byte) ([]byte, error) {
	if new(big.Int).Mod(A, N).Sign() == 0 {
		return nil, ErrIllegalA
	}
	u := U(A, B)
	if u.Sign() == 0 {
		return nil, ErrZeroU
	}
	S := new(big.Int).Exp(new(big.Int).SetBytes(v), u, N)
	S.Mul(S, A).Mod(S, N)
	S.Exp(S, b, N)
	return derive(S, u), nil
}

// FormatTimestamp formats t (in UTC) as Cognito's TIMESTAMP.
func FormatTimestamp(t time.Time) string { return t.UTC().Format(TimestampLayout) }

// ParseTimestamp reads a TIMESTAMP. It accepts the day with or without
// zero padding, as clients send either.
func ParseTimestamp(s string) (time.Time, error) {
	if len(s) > 64 {
		return time.Time{}, ErrBadTimestamp
	}
	t, err := time.Parse(TimestampLayout, s)
	if err != nil {
		return time.Time{}, ErrBadTimestamp
	}
	return t, nil
}

// Signature is the PASSWORD_CLAIM_SIGNATURE: Base64(HMAC-SHA256(key,
// poolName + userID + secretBlock + timestamp)).
func Signature(key []byte, poolName, userID string, secretBlock []byte, timestamp string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(poolName))
	m.Write([]byte(userID))
	m.Write(secretBlock)
	m.Write([]byte(timestamp))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// VerifySignature reports, in constant time, whether sig is the
// signature Signature computes.
func VerifySignature(key []byte, poolName, userID string, secretBlock []byte, timestamp, sig string) bool {
	want := Signature(key, poolName, userID, secretBlock, timestamp)
	return subtle.ConstantTimeCompare([]byte(want), []byte(sig)) == 1
}
