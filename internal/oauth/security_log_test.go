package oauth_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// warning returns the one WARN record with message msg in h's log.
func (h *harness) warning(t *testing.T, msg string) map[string]any {
	t.Helper()
	var found []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(h.log.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if m["msg"] == msg && m["level"] == "WARN" {
			found = append(found, m)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d warnings %q, want 1; log:\n%s", len(found), msg, h.log.String())
	}
	return found[0]
}

// TestSecurityEventsNameTheirGrant: the warning for a refresh token reused
// after its grace period names the pool, client and grant; the one for a
// replayed authorization code names the pool, client and user. Neither
// holds a token or code.
func TestSecurityEventsNameTheirGrant(t *testing.T) {
	t.Run("refresh token reused", func(t *testing.T) {
		h := newHarness(t, rotating)
		a := h.exchange(t, h.authorize(t, h.authQuery())).RefreshToken
		b := h.mustRefresh(t, "A→B", a)
		h.clock.Advance(time.Minute)
		if r := h.refresh(t, a); r.Error != "invalid_grant" {
			t.Fatalf("A after its grace period: %d %s", r.Status, r.Error)
		}
		m := h.warning(t, "rotated refresh token reused after its grace period; grant revoked")
		if m["pool"] != h.pool.ID || m["client_id"] != h.client.ID || m["grant"] != grantID(a) {
			t.Fatalf("reuse warning %v, want pool %s client %s grant %s", m, h.pool.ID, h.client.ID, grantID(a))
		}
		h.log.NoSecrets(t, a, b, h.secret)
	})
	t.Run("code replayed", func(t *testing.T) {
		h := newHarness(t)
		code := h.authorize(t, h.authQuery())
		first := h.exchange(t, code)
		if r := h.exchange(t, code); r.Error != "invalid_grant" {
			t.Fatalf("replayed code: %d %s", r.Status, r.Error)
		}
		m := h.warning(t, "authorization code replayed; tokens issued from it revoked")
		if m["pool"] != h.pool.ID || m["client_id"] != h.client.ID || m["sub"] != h.user.Sub || m["grants_revoked"] != float64(1) {
			t.Fatalf("replay warning %v", m)
		}
		h.log.NoSecrets(t, code, first.RefreshToken, first.AccessToken, h.secret)
	})
}
