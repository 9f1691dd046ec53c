package app_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/linkpool/linkpool/internal/app"
	"github.com/linkpool/linkpool/internal/testclock"
)

// TestOutageAnswersStayJSONAfterCachesExpire closes the database under a
// running server. The token, revocation and userInfo endpoints answer
// 503 temporarily_unavailable in JSON with Retry-After, and the hosted
// pages an HTML 503 page, both at once (the pool still cached) and after
// the pool cache has expired, for as long as the outage lasts: Alexa
// reads the token endpoint's JSON, and a plain-text answer is not one.
func TestOutageAnswersStayJSONAfterCachesExpire(t *testing.T) {
	clock := testclock.New(time.Now())
	s := newStack(t, func(c *app.Config) { c.Now = clock.Now })
	ctx := context.Background()
	cfg := oauth2.Config{
		ClientID: s.client.ID, ClientSecret: s.secret, RedirectURL: rpCallback, Scopes: []string{"openid", "email"},
		Endpoint: oauth2.Endpoint{AuthURL: s.issuer + "/oauth2/authorize", TokenURL: s.issuer + "/oauth2/token"},
	}
	cb := signIn(t, browser(t), cfg.AuthCodeURL("st"), "carol", "Corr3ct-Horse!")
	tok, err := cfg.Exchange(ctx, cb.Query().Get("code"))
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}

	if err := s.app.Store.Close(); err != nil {
		t.Fatal(err)
	}
	form := func(v url.Values) (string, io.Reader) {
		return "application/x-www-form-urlencoded", strings.NewReader(v.Encode())
	}
	api := []struct {
		name string
		req  func() *http.Request
	}{
		{"token", func() *http.Request {
			ct, body := form(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken},
				"client_id": {s.client.ID}, "client_secret": {s.secret}})
			r, _ := http.NewRequest(http.MethodPost, s.issuer+"/oauth2/token", body)
			r.Header.Set("Content-Type", ct)
			return r
		}},
		{"revoke", func() *http.Request {
			ct, body := form(url.Values{"token": {tok.RefreshToken}, "client_id": {s.client.ID}, "client_secret": {s.secret}})
			r, _ := http.NewRequest(http.MethodPost, s.issuer+"/oauth2/revoke", body)
			r.Header.Set("Content-Type", ct)
			return r
		}},
		{"userInfo", func() *http.Request {
			r, _ := http.NewRequest(http.MethodGet, s.issuer+"/oauth2/userInfo", nil)
			r.Header.Set("Authorization", "Bearer "+tok.AccessToken)
			return r
		}},
	}
	probe := func(when string) {
		t.Helper()
		for _, a := range api {
			resp, err := http.DefaultClient.Do(a.req())
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			var body struct{ Error string }
			if resp.StatusCode != http.StatusServiceUnavailable || json.Unmarshal(b, &body) != nil || body.Error != "temporarily_unavailable" ||
				!strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") || resp.Header.Get("Retry-After") == "" {
				t.Errorf("%s %s: %d %s %q (Retry-After %q), want 503 JSON temporarily_unavailable with Retry-After",
					when, a.name, resp.StatusCode, resp.Header.Get("Content-Type"), b, resp.Header.Get("Retry-After"))
			}
		}
		resp, err := browser(t).Get(cfg.AuthCodeURL("st2"))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusServiceUnavailable || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") ||
			!strings.Contains(string(b), "<html") || resp.Header.Get("Retry-After") == "" {
			t.Errorf("%s authorize page: %d %s %q, want an HTML 503 page with Retry-After", when, resp.StatusCode, resp.Header.Get("Content-Type"), b)
		}
	}
	probe("at once")
	clock.Advance(time.Minute) // past the pool cache
	probe("after the caches expired")
}
