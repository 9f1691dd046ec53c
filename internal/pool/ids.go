package pool

import (
	"crypto/rand"
	"math/big"
	"regexp"

	"github.com/google/uuid"
)

const (
	alnum      = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	lowerAlnum = "0123456789abcdefghijklmnopqrstuvwxyz"
)

var (
	poolIDPattern   = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]+_[0-9a-zA-Z]{9}$`)
	clientIDPattern = regexp.MustCompile(`^[a-z0-9]{26}$`)
	regionPattern   = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]+$`)
)

// randomString returns n characters drawn uniformly from alphabet using
// crypto/rand.
func randomString(alphabet string, n int) string {
	b := make([]byte, n)
	max := big.NewInt(int64(len(alphabet)))
	for i := range b {
		v, err := rand.Int(rand.Reader, max)
		if err != nil {
			panic("pool: crypto/rand failed: " + err.Error())
		}
		b[i] = alphabet[v.Int64()]
	}
	return string(b)
}

// NewPoolID returns a Cognito-shaped user pool id: "<region>_<9 alnum>",
// for example "us-east-1_EKSqdiVrc".
func NewPoolID(region string) string {
	return region + "_" + randomString(alnum, 9)
}

// NewClientID returns a 26-character lower-case alphanumeric app client id,
// the shape Cognito uses.
func NewClientID() string { return randomString(lowerAlnum, 26) }

// NewClientSecret returns a 52-character lower-case alphanumeric secret.
// The alphabet is URL-safe, so the secret survives HTTP Basic and form
// encoding unchanged, whichever way a client encodes it.
func NewClientSecret() string { return randomString(lowerAlnum, 52) }

// NewSub returns a new user subject: a random (version 4) UUID.
func NewSub() string { return uuid.NewString() }

// ValidPoolID reports whether id has the shape of a pool id.
func ValidPoolID(id string) bool { return poolIDPattern.MatchString(id) }

// ValidClientID reports whether id has the shape of an app client id.
func ValidClientID(id string) bool { return clientIDPattern.MatchString(id) }

// ValidRegion reports whether r looks like an AWS region name.
func ValidRegion(r string) bool { return regionPattern.MatchString(r) }

// RegionOf returns the region part of a pool id.
func RegionOf(poolID string) string {
	for i := len(poolID) - 1; i >= 0; i-- {
		if poolID[i] == '_' {
			return poolID[:i]
		}
	}
	return ""
}
