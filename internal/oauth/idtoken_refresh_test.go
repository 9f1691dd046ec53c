package oauth_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
)

// rawRefresh posts a refresh_token grant and returns the status and the
// members of the JSON answer.
func (h *harness) rawRefresh(t *testing.T, rt string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, h.srv.URL+"/oauth2/token", strings.NewReader(formRefresh(rt).Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(h.client.ID, h.secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("refresh: non-JSON answer %q", body)
	}
	return resp.StatusCode, m
}

func keysOf(m map[string]any) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// TestRefreshIDTokenSetting: with IDTokenOnRefresh on (the default) a
// refresh returns an ID token and signs two JWTs; off, it returns
// access_token, expires_in and token_type only and signs exactly one.
// The code exchange returns the ID token either way. Signatures are
// counted by the real signer (token.Keys.Signed).
func TestRefreshIDTokenSetting(t *testing.T) {
	for _, tc := range []struct {
		name       string
		on         bool
		wantKeys   []string
		signatures uint64
	}{
		{"on", true, []string{"access_token", "expires_in", "id_token", "token_type"}, 2},
		{"off", false, []string{"access_token", "expires_in", "token_type"}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, func(c *pool.Client) { c.IDTokenOnRefresh = tc.on })
			before := h.keys.Signed()
			first := h.exchange(t, h.authorize(t, h.authQuery()))
			if first.Status != 200 || first.IDToken == "" || first.RefreshToken == "" {
				t.Fatalf("code exchange: %+v", first)
			}
			if n := h.keys.Signed() - before; n != 2 {
				t.Fatalf("code exchange signed %d JWTs, want 2 (access and ID token)", n)
			}
			h.claims(t, store.UseID, first.IDToken)

			before = h.keys.Signed()
			status, m := h.rawRefresh(t, first.RefreshToken)
			if status != 200 {
				t.Fatalf("refresh: %d %v", status, m)
			}
			if got := keysOf(m); !slices.Equal(got, tc.wantKeys) {
				t.Fatalf("refresh answer members %v, want %v", got, tc.wantKeys)
			}
			if n := h.keys.Signed() - before; n != tc.signatures {
				t.Fatalf("refresh signed %d JWTs, want %d", n, tc.signatures)
			}
			access, _ := m["access_token"].(string)
			if c := h.claims(t, store.UseAccess, access); c["token_use"] != "access" || c["sub"] != h.user.Sub {
				t.Fatalf("access token claims %v", c)
			}
			if m["token_type"] != "Bearer" || m["expires_in"] != float64(3600) {
				t.Fatalf("refresh answer %v", m)
			}
			if tc.on {
				id, _ := m["id_token"].(string)
				if c := h.claims(t, store.UseID, id); c["token_use"] != "id" || c["aud"] != h.client.ID {
					t.Fatalf("ID token claims %v", c)
				}
			}
		})
	}
}

// TestRefreshIDTokenOffRotating: under rotation the answer without an ID
// token still carries the new refresh token, which works in turn.
func TestRefreshIDTokenOffRotating(t *testing.T) {
	h := newHarness(t, func(c *pool.Client) {
		c.IDTokenOnRefresh = false
		c.RefreshTokenRotation = pool.RefreshTokenRotation{Feature: pool.RotationEnabled, RetryGracePeriodSeconds: 10}
	})
	first := h.exchange(t, h.authorize(t, h.authQuery()))
	if first.IDToken == "" {
		t.Fatalf("code exchange without ID token: %+v", first)
	}
	before := h.keys.Signed()
	status, m := h.rawRefresh(t, first.RefreshToken)
	if status != 200 {
		t.Fatalf("refresh: %d %v", status, m)
	}
	want := []string{"access_token", "expires_in", "refresh_token", "token_type"}
	if got := keysOf(m); !slices.Equal(got, want) {
		t.Fatalf("refresh answer members %v, want %v", got, want)
	}
	if n := h.keys.Signed() - before; n != 1 {
		t.Fatalf("rotating refresh signed %d JWTs, want 1", n)
	}
	next, _ := m["refresh_token"].(string)
	if next == "" || next == first.RefreshToken {
		t.Fatalf("no new refresh token: %v", m)
	}
	if again := h.refresh(t, next); again.Status != 200 || again.IDToken != "" || again.AccessToken == "" {
		t.Fatalf("refresh with the rotated token: %+v", again)
	}
}

// TestRefreshAPIFollowsIDTokenSetting: the Cognito API's refresh
// (RefreshAPI, behind InitiateAuth REFRESH_TOKEN_AUTH and
// GetTokensFromRefreshToken) mints the ID token when the setting is on,
// and leaves it out, with one signature, when off.
func TestRefreshAPIFollowsIDTokenSetting(t *testing.T) {
	for _, on := range []bool{true, false} {
		h := newHarness(t, func(c *pool.Client) { c.IDTokenOnRefresh = on })
		first := h.exchange(t, h.authorize(t, h.authQuery()))
		if first.RefreshToken == "" {
			t.Fatalf("code exchange: %+v", first)
		}
		before := h.keys.Signed()
		toks, err := h.svc.RefreshAPI(context.Background(), h.target(), h.client, first.RefreshToken, nil)
		if err != nil {
			t.Fatalf("on=%v: RefreshAPI: %v", on, err)
		}
		n := h.keys.Signed() - before
		switch {
		case toks.AccessToken == "" || toks.ExpiresIn != 3600:
			t.Fatalf("on=%v: tokens %+v", on, toks)
		case on && (toks.IDToken == "" || n != 2):
			t.Fatalf("on: ID token %q, %d signatures; want an ID token and 2", toks.IDToken, n)
		case !on && (toks.IDToken != "" || n != 1):
			t.Fatalf("off: ID token %q, %d signatures; want none and 1", toks.IDToken, n)
		}
	}
}

// TestRefreshIDTokenSwitch: the setting is read from the stored client on
// every refresh, so switching it changes the next refresh of an existing
// grant.
func TestRefreshIDTokenSwitch(t *testing.T) {
	h := newHarness(t)
	first := h.exchange(t, h.authorize(t, h.authQuery()))
	if r := h.refresh(t, first.RefreshToken); r.IDToken == "" {
		t.Fatalf("default client: refresh without ID token: %+v", r)
	}
	set := func(on bool) {
		err := h.st.UpdateClient(context.Background(), h.client.ID, func(c pool.Client) (pool.Client, error) {
			c.IDTokenOnRefresh = on
			return c, nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	set(false)
	if r := h.refresh(t, first.RefreshToken); r.Status != 200 || r.IDToken != "" || r.AccessToken == "" {
		t.Fatalf("switched off: %+v", r)
	}
	set(true)
	if r := h.refresh(t, first.RefreshToken); r.Status != 200 || r.IDToken == "" {
		t.Fatalf("switched on again: %+v", r)
	}
}

// TestRelyingPartyRefreshGetsIDToken: a relying party built on
// golang.org/x/oauth2 and go-oidc that expects an ID token on refresh
// gets a valid one from a client with the default setting.
func TestRelyingPartyRefreshGetsIDToken(t *testing.T) {
	h := newHarness(t)
	ctx := oidc.ClientContext(context.Background(), http.DefaultClient)
	cfg := oauth2.Config{
		ClientID: h.client.ID, ClientSecret: h.secret, RedirectURL: alexaRedirect,
		Endpoint: oauth2.Endpoint{TokenURL: h.srv.URL + "/oauth2/token", AuthStyle: oauth2.AuthStyleInHeader},
		Scopes:   []string{oidc.ScopeOpenID, "email", "profile"},
	}
	verifier := oidc.NewVerifier(h.issuer, oidc.NewRemoteKeySet(ctx, h.srv.URL+"/.well-known/jwks.json"), &oidc.Config{
		ClientID: h.client.ID, Now: h.clock.Now,
	})
	tok, err := cfg.Exchange(ctx, h.authorize(t, h.authQuery()))
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	expired := *tok
	expired.Expiry = time.Now().Add(-time.Minute)
	fresh, err := cfg.TokenSource(ctx, &expired).Token()
	if err != nil {
		t.Fatalf("refresh: %v", err)
	}
	raw, _ := fresh.Extra("id_token").(string)
	idt, err := verifier.Verify(ctx, raw)
	if err != nil {
		t.Fatalf("ID token of the refresh: %v", err)
	}
	if err := idt.VerifyAccessToken(fresh.AccessToken); err != nil {
		t.Fatalf("at_hash: %v", err)
	}
	if idt.Subject != h.user.Sub {
		t.Fatalf("sub %q, want %q", idt.Subject, h.user.Sub)
	}
}
