package verify_test

import (
	"errors"
	"testing"
	"time"

	"github.com/linkpool/linkpool/verify"
)

// TestCheckValidFrom pins the rule Verify and the pool's userInfo share:
// iat and nbf may lie up to the leeway in the future, not a second more;
// an absent nbf (the zero time) is not checked.
func TestCheckValidFrom(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	l := verify.DefaultLeeway
	tests := []struct {
		name     string
		iat, nbf time.Time
		wantErr  bool
	}{
		{name: "now, no nbf", iat: now},
		{name: "past", iat: now.Add(-time.Hour), nbf: now.Add(-time.Hour)},
		{name: "iat at the leeway", iat: now.Add(l)},
		{name: "nbf at the leeway", iat: now, nbf: now.Add(l)},
		{name: "iat past the leeway", iat: now.Add(l + time.Second), wantErr: true},
		{name: "nbf past the leeway", iat: now, nbf: now.Add(l + time.Second), wantErr: true},
		{name: "both an hour ahead", iat: now.Add(time.Hour), nbf: now.Add(time.Hour), wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := verify.CheckValidFrom(now, tc.iat, tc.nbf, l)
			if tc.wantErr {
				if !errors.Is(err, verify.ErrNotYetValid) || !errors.Is(err, verify.ErrInvalid) {
					t.Fatalf("CheckValidFrom = %v, want ErrNotYetValid", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("CheckValidFrom = %v, want nil", err)
			}
		})
	}
}
