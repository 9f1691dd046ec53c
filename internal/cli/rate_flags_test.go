package cli

import (
	"net/http"
	"net/http/cookiejar"
	"testing"

	"github.com/linkpool/linkpool/internal/apptest"
)

// TestServeHostedPageRateLimitFlags protects the configuration of the
// hosted-page rate limits: the value of --login-user-rate-limit (here from
// its environment variable) and of --login-rate-limit reach the limiters
// of the sign-in page.
func TestServeHostedPageRateLimitFlags(t *testing.T) {
	if testing.Short() {
		t.Skip("slow serve test: -short")
	}
	data := t.TempDir()
	s := startServe(t, "http", map[string]string{"LINKPOOL_DATA": data, "LINKPOOL_LOGIN_USER_RATE_LIMIT": "0.001,1"},
		"--demo", "--login-rate-limit", "0.001,3")
	post := func(username string) int {
		t.Helper()
		jar, _ := cookiejar.New(nil)
		resp := signInThrough(t, &http.Client{Jar: jar}, s.url+"/lamps", username, "Wr0ng-guess!")
		resp.Body.Close()
		return resp.StatusCode
	}
	// One failure per address and username, three posts per address.
	for i, tt := range []struct {
		username string
		want     int
	}{
		{"ann", http.StatusBadRequest},
		{"ann", http.StatusTooManyRequests},
		{"bob", http.StatusBadRequest},
		{"cyd", http.StatusTooManyRequests},
	} {
		if got := post(tt.username); got != tt.want {
			t.Fatalf("post %d (%s): status %d, want %d", i+1, tt.username, got, tt.want)
		}
	}
}

func TestServeRateLimitFlagErrors(t *testing.T) {
	h := newAdminHarness(t)
	for _, bad := range []string{"60", "60,0", "x,5", "-1,5", "NaN,5"} {
		h.fails(2, "signup-rate-limit", "serve", "--signup-rate-limit", bad, "--addr", apptest.FreeAddr(t), "--admin-addr", "")
	}
	h.env["LINKPOOL_FORGOT_PASSWORD_RATE_LIMIT"] = "5"
	h.fails(2, "LINKPOOL_FORGOT_PASSWORD_RATE_LIMIT", "serve", "--addr", apptest.FreeAddr(t), "--admin-addr", "")
}
