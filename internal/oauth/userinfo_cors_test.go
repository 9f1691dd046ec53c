package oauth_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestUserInfoCORS: a browser application on another origin can call
// userInfo with a bearer token: the preflight is answered, and answers,
// errors included, carry Access-Control-Allow-Origin.
func TestUserInfoCORS(t *testing.T) {
	h := newHarness(t)
	for _, path := range []string{"/oauth2/userInfo", "/oauth2/userinfo"} {
		req, _ := http.NewRequest(http.MethodOptions, h.srv.URL+path, nil)
		req.Header.Set("Origin", "https://app.example")
		req.Header.Set("Access-Control-Request-Method", "GET")
		req.Header.Set("Access-Control-Request-Headers", "authorization")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		hd := resp.Header
		if resp.StatusCode != http.StatusNoContent || hd.Get("Access-Control-Allow-Origin") != "*" ||
			!strings.Contains(hd.Get("Access-Control-Allow-Methods"), "GET") || !strings.Contains(hd.Get("Access-Control-Allow-Methods"), "POST") ||
			!strings.Contains(strings.ToLower(hd.Get("Access-Control-Allow-Headers")), "authorization") {
			t.Errorf("preflight %s: %d %v", path, resp.StatusCode, hd)
		}
	}
	r := h.exchange(t, h.authorize(t, h.authQuery("scope", "openid")))
	for name, tok := range map[string]string{"valid": r.AccessToken, "invalid": "abc"} {
		st, hd, _ := h.userInfo(t, tok)
		if hd.Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("%s token: status %d without Access-Control-Allow-Origin", name, st)
		}
	}
}
