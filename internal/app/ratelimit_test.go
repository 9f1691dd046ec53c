package app_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/linkpool/linkpool/internal/app"
	"github.com/linkpool/linkpool/internal/web"
)

// tightTokenLimit gives every limiter key of the token endpoint a burst
// of two requests and (practically) no refill, behind a trusted proxy on
// loopback so that tests choose the client address with X-Forwarded-For.
func tightTokenLimit(t *testing.T) func(*app.Config) {
	return func(c *app.Config) {
		proxies, err := web.ParseProxies("127.0.0.1,::1")
		if err != nil {
			t.Fatal(err)
		}
		c.Proxies = proxies
		c.TokenRatePerMinute, c.TokenBurst = 0.0001, 2
	}
}

// postToken posts a client-credentials request for clientID with secret
// from the client address from, and returns the status.
func postToken(t *testing.T, s *stack, from, clientID, secret string) int {
	t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {clientID}, "client_secret": {secret}}
	req, _ := http.NewRequest(http.MethodPost, s.issuer+"/oauth2/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if from != "" {
		req.Header.Set("X-Forwarded-For", from)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestTokenLimitGroupsIPv6Prefix protects the token endpoint's address
// limit from a client that rotates through the addresses of its IPv6
// /64: they share one budget, while another /64 and IPv4 addresses keep
// their own.
func TestTokenLimitGroupsIPv6Prefix(t *testing.T) {
	s := newStack(t, tightTokenLimit(t))
	for i, from := range []string{"2001:db8:1:2::1", "2001:db8:1:2:ffff::9"} {
		if got := postToken(t, s, from, s.client.ID, "wrong"); got != http.StatusUnauthorized {
			t.Fatalf("request %d from %s: status %d, want 401 within the burst", i, from, got)
		}
	}
	if got := postToken(t, s, "2001:db8:1:2:aaaa:bbbb:cccc:dddd", s.client.ID, "wrong"); got != http.StatusTooManyRequests {
		t.Fatalf("third request from the same /64: status %d, want 429", got)
	}
	for _, from := range []string{"2001:db8:1:3::1", "192.0.2.1", "192.0.2.2"} {
		if got := postToken(t, s, from, s.client.ID, "wrong"); got != http.StatusUnauthorized {
			t.Fatalf("request from %s: status %d, want 401 (own budget)", from, got)
		}
	}
}

// TestTokenEndpointServesKnownClientUnderFlood protects linked users from
// a flood of bad token requests sent from their client's own address
// (Alexa calls from a few shared Amazon addresses): requests that
// authenticate a confidential client have that client's budget, so the
// code exchange and the refresh still succeed, while the flood stays
// limited.
func TestTokenEndpointServesKnownClientUnderFlood(t *testing.T) {
	s := newStack(t, tightTokenLimit(t))
	ctx := oidc.ClientContext(context.Background(), http.DefaultClient)
	provider, err := oidc.NewProvider(ctx, s.issuer)
	if err != nil {
		t.Fatalf("discovery: %v", err)
	}
	cfg := oauth2.Config{
		ClientID: s.client.ID, ClientSecret: s.secret, RedirectURL: rpCallback,
		Endpoint: provider.Endpoint(), Scopes: []string{oidc.ScopeOpenID, "email"},
	}
	cb := signIn(t, browser(t), cfg.AuthCodeURL("st"), "carol", "Corr3ct-Horse!")

	refused := 0
	for range 20 {
		if postToken(t, s, "", s.client.ID, "wrong") == http.StatusTooManyRequests {
			refused++
		}
	}
	if refused != 18 {
		t.Fatalf("%d of 20 flood requests refused, want 18 (burst 2)", refused)
	}
	tok, err := cfg.Exchange(ctx, cb.Query().Get("code"))
	if err != nil {
		t.Fatalf("code exchange under a flood: %v", err)
	}
	if _, err := cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token(); err != nil {
		t.Fatalf("refresh under a flood: %v", err)
	}
	if got := postToken(t, s, "", s.client.ID, "wrong"); got != http.StatusTooManyRequests {
		t.Fatalf("wrong secret under a flood: status %d, want 429", got)
	}
}

// TestTokenLimitIPv6PrefixConfigurable protects the operator's choice of
// grouping: with a /48, addresses of different /64s in one /48 share a
// budget.
func TestTokenLimitIPv6PrefixConfigurable(t *testing.T) {
	s := newStack(t, tightTokenLimit(t), func(c *app.Config) { c.RateLimitIPv6Prefix = 48 })
	for _, from := range []string{"2001:db8:1:2::1", "2001:db8:1:3::1"} {
		if got := postToken(t, s, from, s.client.ID, "wrong"); got != http.StatusUnauthorized {
			t.Fatalf("request from %s: status %d, want 401 within the burst", from, got)
		}
	}
	if got := postToken(t, s, "2001:db8:1:ffff::1", s.client.ID, "wrong"); got != http.StatusTooManyRequests {
		t.Fatalf("third request from the same /48: status %d, want 429", got)
	}
	if got := postToken(t, s, "2001:db8:2::1", s.client.ID, "wrong"); got != http.StatusUnauthorized {
		t.Fatalf("request from another /48: status %d, want 401", got)
	}
}
