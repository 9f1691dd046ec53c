package app_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/app"
	"github.com/linkpool/linkpool/internal/apptest"
	"github.com/linkpool/linkpool/internal/pool"
)

// stack is the whole server over a real SQLite file on a loopback port
// (apptest.New), on the wall clock unless opts set one.
type stack struct {
	app    *app.App
	srv    *httptest.Server
	pool   pool.Pool
	client pool.Client
	secret string
	issuer string
}

const rpCallback = "http://localhost:4000/callback"

func newStack(t *testing.T, opts ...func(*app.Config)) *stack {
	t.Helper()
	ctx := context.Background()
	// The development sender, which logs mail, as the server's default.
	wall := func(c *app.Config) { c.Now, c.Mailer = nil, nil }
	kit := apptest.New(t, append([]func(*app.Config){wall}, opts...)...)
	s := &stack{app: kit.App, srv: kit.Server}
	s.pool = kit.Pool(t, "eu-west-1", "RP test")
	s.client, s.secret = kit.Client(t, s.pool, "web", []string{rpCallback}, func(c *pool.Client) {
		c.LogoutURLs = []string{"http://localhost:4000/signed-out"}
	})
	_, err := s.app.Accounts.AdminCreateUser(ctx, s.pool, account.AdminCreateUserInput{
		Username: "carol", TemporaryPassword: "Corr3ct-Horse!", Permanent: true, EmailVerified: true,
		Attributes: map[string]string{"email": "carol@example.com", "name": "Carol"},
	})
	if err != nil {
		t.Fatal(err)
	}
	s.issuer = kit.URL + "/" + s.pool.ID
	return s
}

// browser is a cookie-keeping HTTP client that stops at the relying
// party's callback, the way the Alexa app's web view hands the redirect
// back.
func browser(t *testing.T) *http.Client { return apptest.Browser("http://localhost:4000/") }

// signIn opens authURL, submits the hosted login form as a browser would,
// and returns the final redirect to the relying party.
func signIn(t *testing.T, b *http.Client, authURL, username, password string) *url.URL {
	t.Helper()
	return apptest.Redirect(t, apptest.SignIn(t, b, authURL, username, password))
}

// TestRelyingParty drives the pool with golang.org/x/oauth2 and
// github.com/coreos/go-oidc/v3 exactly as a third-party application does:
// discovery, authorization through the hosted login form, the code
// exchange with both client authentication schemes, ID token verification,
// userInfo, refresh, revocation and logout.
func TestRelyingParty(t *testing.T) {
	for _, style := range []oauth2.AuthStyle{oauth2.AuthStyleInHeader, oauth2.AuthStyleInParams} {
		t.Run(fmt.Sprintf("authstyle-%d", style), func(t *testing.T) {
			s := newStack(t)
			ctx := oidc.ClientContext(context.Background(), http.DefaultClient)
			provider, err := oidc.NewProvider(ctx, s.issuer)
			if err != nil {
				t.Fatalf("discovery: %v", err)
			}
			cfg := oauth2.Config{
				ClientID: s.client.ID, ClientSecret: s.secret, RedirectURL: rpCallback,
				Endpoint: provider.Endpoint(), Scopes: []string{oidc.ScopeOpenID, "email", "profile"},
			}
			cfg.Endpoint.AuthStyle = style
			verifier := oauth2.GenerateVerifier()
			b := browser(t)
			authURL := cfg.AuthCodeURL("state-xyz", oidc.Nonce("nonce-abc"), oauth2.S256ChallengeOption(verifier))
			cb := signIn(t, b, authURL, "carol", "Corr3ct-Horse!")
			if got := cb.Scheme + "://" + cb.Host + cb.Path; got != rpCallback || cb.Query().Get("state") != "state-xyz" {
				t.Fatalf("callback %s", cb)
			}
			tok, err := cfg.Exchange(ctx, cb.Query().Get("code"), oauth2.VerifierOption(verifier))
			if err != nil {
				t.Fatalf("exchange: %v", err)
			}
			rawID, _ := tok.Extra("id_token").(string)
			idt, err := provider.Verifier(&oidc.Config{ClientID: s.client.ID}).Verify(ctx, rawID)
			if err != nil {
				t.Fatalf("ID token: %v", err)
			}
			if idt.Nonce != "nonce-abc" {
				t.Fatalf("nonce %q", idt.Nonce)
			}
			if err := idt.VerifyAccessToken(tok.AccessToken); err != nil {
				t.Fatalf("at_hash: %v", err)
			}
			var claims struct {
				Username string `json:"cognito:username"`
				Email    string `json:"email"`
				Verified bool   `json:"email_verified"`
				TokenUse string `json:"token_use"`
			}
			if err := idt.Claims(&claims); err != nil || claims.Username != "carol" || claims.Email != "carol@example.com" || !claims.Verified || claims.TokenUse != "id" {
				t.Fatalf("claims %+v %v", claims, err)
			}
			ui, err := provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
			if err != nil {
				t.Fatalf("userInfo: %v", err)
			}
			if ui.Email != "carol@example.com" || !ui.EmailVerified || ui.Subject != idt.Subject {
				t.Fatalf("userInfo %+v", ui)
			}

			// Refresh through the token source once the access token expired.
			expired := *tok
			expired.Expiry = time.Now().Add(-time.Minute)
			fresh, err := cfg.TokenSource(ctx, &expired).Token()
			if err != nil {
				t.Fatalf("refresh: %v", err)
			}
			if fresh.AccessToken == tok.AccessToken || fresh.RefreshToken != tok.RefreshToken {
				t.Fatalf("refresh: new access token expected, refresh token kept (no rotation)")
			}

			// Silent re-authorization inside the hosted session.
			again := signIn(t, b, cfg.AuthCodeURL("state-2"), "", "")
			if again.Query().Get("code") == "" || again.Query().Get("state") != "state-2" {
				t.Fatalf("silent re-authorization: %s", again)
			}

			// Revocation kills the refresh token and the tokens minted from it.
			form := url.Values{"token": {tok.RefreshToken}}
			req, _ := http.NewRequest(http.MethodPost, s.issuer+"/oauth2/revoke", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.SetBasicAuth(s.client.ID, s.secret)
			resp, err := http.DefaultClient.Do(req)
			if err != nil || resp.StatusCode != 200 {
				t.Fatalf("revoke: %v %v", resp, err)
			}
			resp.Body.Close()
			if _, err := cfg.TokenSource(ctx, &expired).Token(); err == nil || !strings.Contains(err.Error(), "invalid_grant") {
				t.Fatalf("refresh after revoke: %v", err)
			}
			if _, err := provider.UserInfo(ctx, oauth2.StaticTokenSource(fresh)); err == nil {
				t.Fatal("userInfo accepted a token of a revoked grant")
			}

			// Cognito-style logout clears the hosted session.
			logout := s.issuer + "/logout?" + url.Values{"client_id": {s.client.ID}, "logout_uri": {"http://localhost:4000/signed-out"}}.Encode()
			resp, err = b.Get(logout)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "http://localhost:4000/signed-out" {
				t.Fatalf("logout: %d %s", resp.StatusCode, resp.Header.Get("Location"))
			}
			resp, err = b.Get(cfg.AuthCodeURL("state-3"))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 || !strings.HasSuffix(resp.Request.URL.Path, "/login") {
				t.Fatalf("after logout the login form must show again: %d %s", resp.StatusCode, resp.Request.URL)
			}
		})
	}
}

// TestWrongPasswordShowsInlineError checks the failure path a user sees in
// the Alexa app: the login page again, with the error on the page.
func TestWrongPasswordShowsInlineError(t *testing.T) {
	s := newStack(t)
	b := browser(t)
	authURL := s.issuer + "/oauth2/authorize?" + url.Values{"client_id": {s.client.ID}, "redirect_uri": {rpCallback}, "response_type": {"code"}, "scope": {"openid"}, "state": {"x"}}.Encode()
	p := apptest.SignIn(t, b, authURL, "carol", "wrong-Password1!")
	body := []byte(p.Body)
	if p.Status == http.StatusFound || !strings.Contains(string(body), `id="errorMessage"`) || !strings.Contains(string(body), "Incorrect username or password.") {
		t.Fatalf("wrong password: %d %s", p.Status, body)
	}
	if strings.Contains(string(body), "alert(") {
		t.Fatal("error shown with a JavaScript alert")
	}
}
