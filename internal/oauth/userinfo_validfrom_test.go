package oauth_test

import (
	"context"
	"maps"
	"testing"
	"time"

	"github.com/linkpool/linkpool/verify"
)

// TestUserInfoRefusesNotYetValidTokens: userInfo applies the verify
// package's rule to iat and nbf, so a pool-signed access token that is not
// yet valid is refused exactly as the skill's Verifier refuses it, and a
// token without iat (which the global sign-out check relies on) is refused.
func TestUserInfoRefusesNotYetValidTokens(t *testing.T) {
	h := newHarness(t)
	r := h.exchange(t, h.authorize(t, h.authQuery("scope", "openid")))
	genuine := h.claims(t, "access", r.AccessToken)
	now := h.clock.Now()
	l := verify.DefaultLeeway
	tests := []struct {
		name   string
		change map[string]any // nil value: delete the claim
		want   int
	}{
		{name: "iat and nbf an hour ahead", change: map[string]any{"iat": now.Add(time.Hour).Unix(), "nbf": now.Add(time.Hour).Unix(), "exp": now.Add(2 * time.Hour).Unix()}, want: 401},
		{name: "iat past the leeway", change: map[string]any{"iat": now.Add(l + time.Second).Unix()}, want: 401},
		{name: "nbf past the leeway", change: map[string]any{"nbf": now.Add(l + time.Second).Unix()}, want: 401},
		{name: "no iat", change: map[string]any{"iat": nil}, want: 401},
		{name: "iat and nbf at the leeway", change: map[string]any{"iat": now.Add(l).Unix(), "nbf": now.Add(l).Unix()}, want: 200},
		{name: "nbf in the past", change: map[string]any{"nbf": now.Add(-time.Minute).Unix()}, want: 200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := maps.Clone(genuine)
			for k, v := range tc.change {
				if v == nil {
					delete(c, k)
				} else {
					c[k] = v
				}
			}
			tok, err := h.keys.Sign(context.Background(), h.pool.ID, "access", c)
			if err != nil {
				t.Fatal(err)
			}
			st, hdr, body := h.userInfo(t, tok)
			if st != tc.want {
				t.Fatalf("userInfo: %d %v, want %d", st, body, tc.want)
			}
			if st == 401 && (body["error"] != "invalid_token" || hdr.Get("WWW-Authenticate") == "") {
				t.Fatalf("userInfo: %v (WWW-Authenticate %q), want invalid_token", body, hdr.Get("WWW-Authenticate"))
			}
			if st == 200 && body["sub"] != h.user.Sub {
				t.Fatalf("userInfo: %v, want sub %s", body, h.user.Sub)
			}
		})
	}
}
