package apptest

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
)

// JWTClaims returns the claims of a JWT's payload without verifying it:
// for tests that read what a token says once other tests have verified
// how it is signed.
func JWTClaims(t testing.TB, jwt string) map[string]any {
	t.Helper()
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", jwt)
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatalf("JWT payload: %v", err)
	}
	var claims map[string]any
	if err := json.Unmarshal(raw, &claims); err != nil {
		t.Fatalf("JWT payload: %v", err)
	}
	return claims
}
