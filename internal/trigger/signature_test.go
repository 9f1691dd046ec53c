package trigger_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/trigger"
)

func TestVerify(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	key := []byte(secret)
	body := []byte(`{"version":"1","triggerSource":"PreSignUp_SignUp"}`)
	ts := strconv.FormatInt(now.Unix(), 10)
	sig := trigger.Sign(key, ts, body)
	m := hmac.New(sha256.New, key)
	m.Write([]byte(ts + "." + string(body)))
	if want := "v1=" + hex.EncodeToString(m.Sum(nil)); sig != want {
		t.Fatalf("Sign = %q, want v1= and the hex HMAC-SHA256 of timestamp.body: %q", sig, want)
	}
	tests := []struct {
		name      string
		key       []byte
		timestamp string
		signature string
		body      []byte
		now       time.Time
		want      error
	}{
		{"valid", key, ts, sig, body, now, nil},
		{"valid at the edge of tolerance", key, ts, sig, body, now.Add(trigger.DefaultTolerance), nil},
		{"valid among others", key, ts, "v0=abc, v1=" + sig[3:40] + "00, " + sig, body, now, nil},
		{"tampered body", key, ts, sig, []byte(`{"version":"1","triggerSource":"PreSignUp_AdminCreateUser"}`), now, trigger.ErrSignature},
		{"body with a trailing newline", key, ts, sig, append(append([]byte(nil), body...), '\n'), now, trigger.ErrSignature},
		{"another secret", []byte("another-secret"), ts, sig, body, now, trigger.ErrSignature},
		{"timestamp changed", key, strconv.FormatInt(now.Unix()+1, 10), sig, body, now, trigger.ErrSignature},
		{"old timestamp", key, ts, sig, body, now.Add(trigger.DefaultTolerance + time.Second), trigger.ErrTimestamp},
		{"future timestamp", key, ts, sig, body, now.Add(-trigger.DefaultTolerance - time.Second), trigger.ErrTimestamp},
		{"no timestamp", key, "", sig, body, now, trigger.ErrTimestamp},
		{"timestamp not a number", key, "yesterday", sig, body, now, trigger.ErrTimestamp},
		{"no signature", key, ts, "", body, now, trigger.ErrSignature},
		{"unknown version", key, ts, "v2=" + sig[3:], body, now, trigger.ErrSignature},
		{"not hex", key, ts, "v1=zz" + sig[5:], body, now, trigger.ErrSignature},
		{"upper-case hex", key, ts, "v1=" + strings.ToUpper(sig[3:]), body, now, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := trigger.Verify(tc.key, tc.timestamp, tc.signature, tc.body, tc.now, 0)
			if !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
				t.Fatalf("Verify = %v, want %v", err, tc.want)
			}
		})
	}
	if err := trigger.Verify(key, ts, sig, body, now.Add(time.Minute), 30*time.Second); !errors.Is(err, trigger.ErrTimestamp) {
		t.Fatalf("Verify with a 30 s tolerance a minute later = %v, want ErrTimestamp", err)
	}
}
