package trigger

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"
)

// Headers of a webhook request.
const (
	// HeaderTimestamp is the time of sending, in decimal Unix seconds.
	HeaderTimestamp = "X-Linkpool-Timestamp"
	// HeaderSignature is "v1=" followed by the lower-case hex HMAC-SHA256,
	// keyed with the pool's signing secret, of the timestamp, a dot and
	// the body.
	HeaderSignature = "X-Linkpool-Signature"
)

// DefaultTolerance is how far a webhook's timestamp may be from the
// receiver's clock before Verify refuses it as a replay.
const DefaultTolerance = 5 * time.Minute

// Errors of Verify.
var (
	ErrSignature = errors.New("trigger: webhook signature does not match")
	ErrTimestamp = errors.New("trigger: webhook timestamp missing or out of tolerance")
)

// Sign returns the X-Linkpool-Signature value for a body sent at
// timestamp (decimal Unix seconds): "v1=" + hex(HMAC-SHA256(secret,
// timestamp + "." + body)). The secret is the signing secret as the
// administrator was given it, its bytes as they are.
func Sign(secret []byte, timestamp string, body []byte) string {
	return "v1=" + hex.EncodeToString(mac(secret, timestamp, body))
}

func mac(secret []byte, timestamp string, body []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(timestamp))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

// Verify checks a webhook request as a receiver does: the timestamp must
// be within tolerance of now (DefaultTolerance when tolerance is 0) and
// the signature (one or more comma-separated "v1=<hex>" values) must be
// the HMAC of the timestamp and the exact body bytes received. The
// comparison is constant-time. It returns ErrTimestamp or ErrSignature.
func Verify(secret []byte, timestamp, signature string, body []byte, now time.Time, tolerance time.Duration) error {
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	ts, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return ErrTimestamp
	}
	if d := now.Sub(time.Unix(ts, 0)); d > tolerance || d < -tolerance {
		return ErrTimestamp
	}
	want := mac(secret, timestamp, body)
	for v := range strings.SplitSeq(signature, ",") {
		hexSig, ok := strings.CutPrefix(strings.TrimSpace(v), "v1=")
		if !ok {
			continue
		}
		got, err := hex.DecodeString(hexSig)
		if err == nil && hmac.Equal(got, want) {
			return nil
		}
	}
	return ErrSignature
}
