package oauth_test

import (
	"net/http"
	"net/url"
	"sync"
	"testing"
)

// TestConcurrentCodeReplayLeavesNoWorkingToken redeems each of many codes
// twice at once: one redemption is a replay, so no refresh token issued
// from the code may work afterwards, whichever request got there first
// (RFC 6749 §4.1.2, RFC 9700 §4.5).
func TestConcurrentCodeReplayLeavesNoWorkingToken(t *testing.T) {
	if testing.Short() {
		t.Skip("concurrency stress: -short")
	}
	const rounds = 32
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			h := newHarnessOn(t, be.open(t))
			survived := 0
			for round := range rounds {
				code := h.authorize(t, h.authQuery())
				form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {alexaRedirect}}
				var replies [2]tokenReply
				var errs [2]error
				var wg sync.WaitGroup
				for i := range replies {
					wg.Go(func() { replies[i], errs[i] = h.tryPost("/oauth2/token", form, h.client.ID, h.secret) })
				}
				wg.Wait()
				ok := 0
				for i, r := range replies {
					switch {
					case errs[i] != nil:
						t.Fatal(errs[i])
					case r.Status == http.StatusOK:
						ok++
					case r.Status != http.StatusBadRequest || r.Error != "invalid_grant":
						t.Fatalf("round %d: redemption %d: %d %s, want 200 or 400 invalid_grant", round, i, r.Status, r.Error)
					}
				}
				if ok > 1 {
					t.Fatalf("round %d: both redemptions of one code succeeded", round)
				}
				for _, r := range replies {
					if r.RefreshToken == "" {
						continue
					}
					if rr := h.refresh(t, r.RefreshToken); rr.Status != http.StatusBadRequest || rr.Error != "invalid_grant" {
						survived++
						t.Errorf("round %d: the refresh token of a replayed code still works: %d %s", round, rr.Status, rr.Error)
					}
				}
			}
			if survived > 0 {
				t.Logf("%d of %d rounds left a working refresh token", survived, rounds)
			}
		})
	}
}
