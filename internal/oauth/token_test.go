package oauth_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/token"
)

func pkcePair() (verifier, challenge string) {
	verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk" + "extra-entropy-0123456789"
	sum := sha256.Sum256([]byte(verifier))
	return verifier, base64.RawURLEncoding.EncodeToString(sum[:])
}

func TestCodeExchangeBothClientAuthSchemes(t *testing.T) {
	for _, scheme := range []string{"HTTP_BASIC", "REQUEST_BODY_CREDENTIALS"} {
		t.Run(scheme, func(t *testing.T) {
			h := newHarness(t)
			code := h.authorize(t, h.authQuery("nonce", "n-0S6"))
			form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {alexaRedirect}}
			var r tokenReply
			if scheme == "HTTP_BASIC" {
				r = h.post(t, "/oauth2/token", form, h.client.ID, h.secret)
			} else {
				form.Set("client_id", h.client.ID)
				form.Set("client_secret", h.secret)
				r = h.post(t, "/oauth2/token", form, "", "")
			}
			if r.Status != http.StatusOK {
				t.Fatalf("status %d error %q", r.Status, r.Error)
			}
			if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type %q", ct)
			}
			if cc := r.Header.Get("Cache-Control"); cc != "no-store" {
				t.Errorf("Cache-Control %q, want no-store", cc)
			}
			if r.TokenType != "Bearer" || r.ExpiresIn != 3600 || r.RefreshToken == "" || r.IDToken == "" {
				t.Fatalf("reply %+v", r)
			}
			at := h.claims(t, "access", r.AccessToken)
			want := map[string]any{"token_use": "access", "client_id": h.client.ID, "sub": h.user.Sub,
				"username": "alice", "iss": h.issuer, "scope": "openid email profile", "version": float64(2)}
			for k, v := range want {
				if at[k] != v {
					t.Errorf("access %s = %v, want %v", k, at[k], v)
				}
			}
			if _, ok := at["aud"]; ok {
				t.Error("access token has aud; Cognito access tokens carry client_id only")
			}
			id := h.claims(t, "id", r.IDToken)
			if id["aud"] != h.client.ID || id["token_use"] != "id" || id["nonce"] != "n-0S6" ||
				id["cognito:username"] != "alice" || id["email"] != "alice@example.com" || id["email_verified"] != true {
				t.Errorf("id token claims %v", id)
			}
			if id["at_hash"] != token.AtHash(r.AccessToken, "RS256") {
				t.Errorf("at_hash %v", id["at_hash"])
			}
			if id["origin_jti"] != at["origin_jti"] || at["origin_jti"] == nil {
				t.Errorf("origin_jti id=%v access=%v", id["origin_jti"], at["origin_jti"])
			}
		})
	}
}

func TestCodeExchangeWithPKCE(t *testing.T) {
	h := newHarness(t)
	verifier, challenge := pkcePair()
	code := h.authorize(t, h.authQuery("code_challenge", challenge, "code_challenge_method", "S256"))
	r := h.exchange(t, code, "code_verifier", verifier)
	if r.Status != http.StatusOK || r.AccessToken == "" {
		t.Fatalf("status %d error %q", r.Status, r.Error)
	}
}

func TestGroupsInTokens(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	for _, g := range []string{"admins", "family"} {
		if err := h.st.CreateGroup(ctx, pool.Group{PoolID: h.pool.ID, Name: g, CreatedAt: h.clock.Now(), UpdatedAt: h.clock.Now()}); err != nil {
			t.Fatal(err)
		}
		if err := h.st.AddUserToGroup(ctx, h.pool.ID, g, h.user.Sub); err != nil {
			t.Fatal(err)
		}
	}
	r := h.exchange(t, h.authorize(t, h.authQuery()))
	at := h.claims(t, "access", r.AccessToken)
	groups, _ := at["cognito:groups"].([]any)
	if len(groups) != 2 {
		t.Fatalf("cognito:groups = %v", at["cognito:groups"])
	}
}

// TestTokenErrors covers every error path of the token endpoint. Each case
// asserts the status, the error code and that no grant was created or
// changed, apart from what the case is about.
func TestTokenErrors(t *testing.T) {
	if testing.Short() {
		t.Skip("slow token error matrix: -short")
	}
	type result struct {
		status int
		code   string
	}
	cases := []struct {
		name   string
		mutate func(*pool.Client)
		run    func(t *testing.T, h *harness) tokenReply
		want   result
		// grantsAfter is the expected number of unrevoked grants.
		grantsAfter int
	}{
		{
			name: "reused code revokes tokens issued from it",
			run: func(t *testing.T, h *harness) tokenReply {
				code := h.authorize(t, h.authQuery())
				if r := h.exchange(t, code); r.Status != 200 {
					t.Fatalf("first exchange: %d %s", r.Status, r.Error)
				}
				return h.exchange(t, code)
			},
			want: result{400, "invalid_grant"}, grantsAfter: 0,
		},
		{
			name: "unknown code",
			run: func(t *testing.T, h *harness) tokenReply {
				return h.exchange(t, "5f1e1a4e-0000-4000-8000-000000000000")
			},
			want: result{400, "invalid_grant"},
		},
		{
			name: "expired code",
			run: func(t *testing.T, h *harness) tokenReply {
				code := h.authorize(t, h.authQuery())
				h.clock.Advance(5*time.Minute + time.Second)
				return h.exchange(t, code)
			},
			want: result{400, "invalid_grant"},
		},
		{
			name: "wrong PKCE verifier",
			run: func(t *testing.T, h *harness) tokenReply {
				_, challenge := pkcePair()
				code := h.authorize(t, h.authQuery("code_challenge", challenge, "code_challenge_method", "S256"))
				return h.exchange(t, code, "code_verifier", strings.Repeat("x", 50))
			},
			want: result{400, "invalid_grant"},
		},
		{
			name: "missing PKCE verifier",
			run: func(t *testing.T, h *harness) tokenReply {
				_, challenge := pkcePair()
				code := h.authorize(t, h.authQuery("code_challenge", challenge, "code_challenge_method", "S256"))
				return h.exchange(t, code)
			},
			want: result{400, "invalid_grant"},
		},
		{
			name: "verifier for a code issued without challenge",
			run: func(t *testing.T, h *harness) tokenReply {
				v, _ := pkcePair()
				return h.exchange(t, h.authorize(t, h.authQuery()), "code_verifier", v)
			},
			want: result{400, "invalid_grant"},
		},
		{
			name: "redirect_uri differs from the authorization request",
			run: func(t *testing.T, h *harness) tokenReply {
				code := h.authorize(t, h.authQuery())
				return h.post(t, "/oauth2/token", url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {"http://localhost:3000/cb"}}, h.client.ID, h.secret)
			},
			want: result{400, "invalid_grant"},
		},
		{
			name: "wrong secret",
			run: func(t *testing.T, h *harness) tokenReply {
				code := h.authorize(t, h.authQuery())
				return h.post(t, "/oauth2/token", url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {alexaRedirect}}, h.client.ID, h.secret+"x")
			},
			want: result{401, "invalid_client"},
		},
		{
			name: "wrong secret in body",
			run: func(t *testing.T, h *harness) tokenReply {
				code := h.authorize(t, h.authQuery())
				return h.post(t, "/oauth2/token", url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {alexaRedirect}, "client_id": {h.client.ID}, "client_secret": {"nope"}}, "", "")
			},
			want: result{401, "invalid_client"},
		},
		{
			name: "missing secret",
			run: func(t *testing.T, h *harness) tokenReply {
				code := h.authorize(t, h.authQuery())
				return h.post(t, "/oauth2/token", url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {alexaRedirect}, "client_id": {h.client.ID}}, "", "")
			},
			want: result{401, "invalid_client"},
		},
		{
			name: "unknown client",
			run: func(t *testing.T, h *harness) tokenReply {
				return h.post(t, "/oauth2/token", url.Values{"grant_type": {"authorization_code"}, "code": {"x"}, "redirect_uri": {alexaRedirect}}, pool.NewClientID(), "secret")
			},
			want: result{401, "invalid_client"},
		},
		{
			name: "two client authentication methods",
			run: func(t *testing.T, h *harness) tokenReply {
				code := h.authorize(t, h.authQuery())
				return h.post(t, "/oauth2/token", url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {alexaRedirect}, "client_secret": {h.secret}}, h.client.ID, h.secret)
			},
			want: result{400, "invalid_request"},
		},
		{
			name: "code of another client",
			run: func(t *testing.T, h *harness) tokenReply {
				code := h.authorize(t, h.authQuery())
				other := h.newClient(t, func(c *pool.Client) { c.Name = "other"; c.SealedSecret = nil })
				return h.post(t, "/oauth2/token", url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {alexaRedirect}, "client_id": {other.ID}}, "", "")
			},
			want: result{400, "invalid_grant"},
		},
		{
			name: "disabled user",
			run: func(t *testing.T, h *harness) tokenReply {
				code := h.authorize(t, h.authQuery())
				h.setUser(t, func(u *pool.User) { u.Enabled = false })
				return h.exchange(t, code)
			},
			want: result{400, "invalid_grant"},
		},
		{
			name: "unconfirmed user",
			run: func(t *testing.T, h *harness) tokenReply {
				code := h.authorize(t, h.authQuery())
				h.setUser(t, func(u *pool.User) { u.Status = pool.StatusUnconfirmed })
				return h.exchange(t, code)
			},
			want: result{400, "invalid_grant"},
		},
		{
			name: "refresh after revoke",
			run: func(t *testing.T, h *harness) tokenReply {
				r := h.exchange(t, h.authorize(t, h.authQuery()))
				if rv := h.post(t, "/oauth2/revoke", url.Values{"token": {r.RefreshToken}}, h.client.ID, h.secret); rv.Status != 200 {
					t.Fatalf("revoke: %d %s", rv.Status, rv.Error)
				}
				return h.refresh(t, r.RefreshToken)
			},
			want: result{400, "invalid_grant"}, grantsAfter: 0,
		},
		{
			name: "refresh of a disabled user",
			run: func(t *testing.T, h *harness) tokenReply {
				r := h.exchange(t, h.authorize(t, h.authQuery()))
				h.setUser(t, func(u *pool.User) { u.Enabled = false })
				return h.refresh(t, r.RefreshToken)
			},
			want: result{400, "invalid_grant"}, grantsAfter: 1,
		},
		{
			name: "refresh after global sign-out",
			run: func(t *testing.T, h *harness) tokenReply {
				r := h.exchange(t, h.authorize(t, h.authQuery()))
				h.clock.Advance(time.Second)
				h.setUser(t, func(u *pool.User) { u.TokensValidAfter = h.clock.Now() })
				return h.refresh(t, r.RefreshToken)
			},
			want: result{400, "invalid_grant"}, grantsAfter: 1,
		},
		{
			name: "garbage refresh token",
			run:  func(t *testing.T, h *harness) tokenReply { return h.refresh(t, "not-a-token") },
			want: result{400, "invalid_grant"},
		},
		{
			name: "refresh token with a wrong secret",
			run: func(t *testing.T, h *harness) tokenReply {
				r := h.exchange(t, h.authorize(t, h.authQuery()))
				id, _, _ := strings.Cut(r.RefreshToken, ".")
				return h.refresh(t, id+"."+strings.Repeat("A", 43))
			},
			want: result{400, "invalid_grant"}, grantsAfter: 1,
		},
		{
			name: "missing refresh_token",
			run: func(t *testing.T, h *harness) tokenReply {
				return h.post(t, "/oauth2/token", url.Values{"grant_type": {"refresh_token"}}, h.client.ID, h.secret)
			},
			want: result{400, "invalid_request"},
		},
		{
			name:   "client without the code flow",
			mutate: func(c *pool.Client) { c.AllowedOAuthFlows = []string{pool.FlowImplicit} },
			run: func(t *testing.T, h *harness) tokenReply {
				return h.post(t, "/oauth2/token", url.Values{"grant_type": {"authorization_code"}, "code": {"x"}, "redirect_uri": {alexaRedirect}}, h.client.ID, h.secret)
			},
			want: result{400, "unauthorized_client"},
		},
		{
			name: "client_credentials on a code client",
			run: func(t *testing.T, h *harness) tokenReply {
				return h.post(t, "/oauth2/token", url.Values{"grant_type": {"client_credentials"}}, h.client.ID, h.secret)
			},
			want: result{400, "unauthorized_client"},
		},
		{
			name: "unsupported grant type",
			run: func(t *testing.T, h *harness) tokenReply {
				return h.post(t, "/oauth2/token", url.Values{"grant_type": {"password"}, "username": {"alice"}}, h.client.ID, h.secret)
			},
			want: result{400, "unsupported_grant_type"},
		},
		{
			name: "missing grant type",
			run: func(t *testing.T, h *harness) tokenReply {
				return h.post(t, "/oauth2/token", url.Values{}, h.client.ID, h.secret)
			},
			want: result{400, "invalid_request"},
		},
		{
			name: "repeated parameter",
			run: func(t *testing.T, h *harness) tokenReply {
				return h.post(t, "/oauth2/token", url.Values{"grant_type": {"authorization_code", "authorization_code"}}, h.client.ID, h.secret)
			},
			want: result{400, "invalid_request"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var h *harness
			if tc.mutate != nil {
				h = newHarness(t, tc.mutate)
			} else {
				h = newHarness(t)
			}
			before := h.user
			r := tc.run(t, h)
			if r.Status != tc.want.status || r.Error != tc.want.code {
				t.Fatalf("got %d %q, want %d %q", r.Status, r.Error, tc.want.status, tc.want.code)
			}
			if r.AccessToken != "" || r.RefreshToken != "" {
				t.Error("error response carries tokens")
			}
			if cc := r.Header.Get("Cache-Control"); cc != "no-store" {
				t.Errorf("Cache-Control %q", cc)
			}
			if tc.want.status == 401 && r.Header.Get("WWW-Authenticate") == "" && strings.Contains(tc.name, "secret") && !strings.Contains(tc.name, "body") && !strings.Contains(tc.name, "missing") {
				t.Error("401 to HTTP Basic without WWW-Authenticate")
			}
			live := 0
			for _, g := range h.grants(t) {
				if !g.Revoked() {
					live++
				}
			}
			if live != tc.grantsAfter {
				t.Errorf("%d live grants, want %d", live, tc.grantsAfter)
			}
			after, err := h.st.GetUser(context.Background(), h.pool.ID, h.user.Sub)
			if err != nil {
				t.Fatal(err)
			}
			if after.FailedLogins != before.FailedLogins || after.PasswordHash != before.PasswordHash {
				t.Error("token endpoint changed the user")
			}
		})
	}
}

func (h *harness) setUser(t *testing.T, fn func(*pool.User)) {
	t.Helper()
	err := h.st.UpdateUser(context.Background(), h.pool.ID, h.user.Sub, func(u pool.User) (pool.User, error) {
		fn(&u)
		return u, nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestWrongContentType(t *testing.T) {
	h := newHarness(t)
	req, _ := http.NewRequest(http.MethodPost, h.srv.URL+"/oauth2/token", strings.NewReader(`{"grant_type":"client_credentials"}`))
	req.Header.Set("Content-Type", "application/json")
	req.SetBasicAuth(h.client.ID, h.secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Fatalf("status %d", resp.StatusCode)
	}
}

func TestRefreshWithoutRotation(t *testing.T) {
	h := newHarness(t)
	first := h.exchange(t, h.authorize(t, h.authQuery()))
	at0 := h.claims(t, "access", first.AccessToken)
	for i := 0; i < 3; i++ {
		h.clock.Advance(2 * time.Hour)
		r := h.refresh(t, first.RefreshToken)
		if r.Status != 200 {
			t.Fatalf("refresh %d: %d %s", i, r.Status, r.Error)
		}
		if r.RefreshToken != "" {
			t.Fatal("refresh response carries a refresh token although rotation is off (Cognito omits it)")
		}
		if r.IDToken == "" {
			t.Fatal("no ID token on refresh with openid")
		}
		at := h.claims(t, "access", r.AccessToken)
		if at["auth_time"] != at0["auth_time"] || at["origin_jti"] != at0["origin_jti"] || at["jti"] == at0["jti"] {
			t.Fatalf("auth_time/origin_jti must be kept and jti renewed: %v vs %v", at, at0)
		}
	}
}

func TestRefreshRotationWithGrace(t *testing.T) {
	h := newHarness(t, func(c *pool.Client) {
		c.RefreshTokenRotation = pool.RefreshTokenRotation{Feature: pool.RotationEnabled, RetryGracePeriodSeconds: 30}
	})
	first := h.exchange(t, h.authorize(t, h.authQuery()))
	second := h.refresh(t, first.RefreshToken)
	if second.Status != 200 || second.RefreshToken == "" || second.RefreshToken == first.RefreshToken {
		t.Fatalf("rotation: %+v", second)
	}
	// A retry with the previous token inside the grace period works.
	h.clock.Advance(10 * time.Second)
	retry := h.refresh(t, first.RefreshToken)
	if retry.Status != 200 || retry.RefreshToken == "" {
		t.Fatalf("retry in grace: %d %s", retry.Status, retry.Error)
	}
	// The newest token keeps working.
	third := h.refresh(t, retry.RefreshToken)
	if third.Status != 200 {
		t.Fatalf("newest token: %d %s", third.Status, third.Error)
	}
	// The original token after the grace period: reuse, the grant dies.
	h.clock.Advance(time.Minute)
	if r := h.refresh(t, first.RefreshToken); r.Status != 400 || r.Error != "invalid_grant" {
		t.Fatalf("reuse after grace: %d %s", r.Status, r.Error)
	}
	if r := h.refresh(t, third.RefreshToken); r.Status != 400 || r.Error != "invalid_grant" {
		t.Fatalf("grant not revoked after reuse: %d %s", r.Status, r.Error)
	}
}

func TestRotatedTokenKeepsOriginalExpiry(t *testing.T) {
	h := newHarness(t, func(c *pool.Client) {
		c.RefreshTokenRotation = pool.RefreshTokenRotation{Feature: pool.RotationEnabled}
		c.RefreshTokenValidity = 2
		c.TokenValidityUnits.RefreshToken = pool.UnitHours
	})
	r := h.exchange(t, h.authorize(t, h.authQuery()))
	h.clock.Advance(90 * time.Minute)
	r = h.refresh(t, r.RefreshToken)
	if r.Status != 200 {
		t.Fatalf("refresh: %d %s", r.Status, r.Error)
	}
	h.clock.Advance(31 * time.Minute)
	if r := h.refresh(t, r.RefreshToken); r.Error != "invalid_grant" {
		t.Fatalf("rotated token outlived the original expiry: %d %s", r.Status, r.Error)
	}
}

func TestClientCredentials(t *testing.T) {
	h := newHarness(t)
	m2m := h.newClient(t, func(c *pool.Client) {
		c.Name = "m2m"
		c.CallbackURLs, c.LogoutURLs = nil, nil
		c.AllowedOAuthFlows = []string{pool.FlowClientCredentials}
		c.AllowedOAuthScopes = []string{"lamps/read", "lamps/write"}
	})
	secret, err := h.box.Open(m2m.SealedSecret, m2m.SecretAAD())
	if err != nil {
		t.Fatal(err)
	}
	r := h.post(t, "/oauth2/token", url.Values{"grant_type": {"client_credentials"}, "scope": {"lamps/read"}}, m2m.ID, string(secret))
	if r.Status != 200 || r.IDToken != "" || r.RefreshToken != "" {
		t.Fatalf("reply %+v", r)
	}
	at := h.claims(t, "access", r.AccessToken)
	if at["sub"] != m2m.ID || at["scope"] != "lamps/read" || at["username"] != nil {
		t.Fatalf("claims %v", at)
	}
	r = h.post(t, "/oauth2/token", url.Values{"grant_type": {"client_credentials"}}, m2m.ID, string(secret))
	if at := h.claims(t, "access", r.AccessToken); at["scope"] != "lamps/read lamps/write" {
		t.Fatalf("default scope %v", at["scope"])
	}
	r = h.post(t, "/oauth2/token", url.Values{"grant_type": {"client_credentials"}, "scope": {"openid"}}, m2m.ID, string(secret))
	if r.Status != 400 || r.Error != "invalid_scope" {
		t.Fatalf("scope not allowed: %d %s", r.Status, r.Error)
	}
}

func TestRevocation(t *testing.T) {
	h := newHarness(t)
	r := h.exchange(t, h.authorize(t, h.authQuery()))
	if st, _, _ := h.userInfo(t, r.AccessToken); st != 200 {
		t.Fatalf("userInfo before revoke: %d", st)
	}
	if rv := h.post(t, "/oauth2/revoke", url.Values{"token": {r.RefreshToken}}, h.client.ID, h.secret); rv.Status != 200 {
		t.Fatalf("revoke: %d %s", rv.Status, rv.Error)
	}
	if st, hdr, _ := h.userInfo(t, r.AccessToken); st != 401 || !strings.Contains(hdr.Get("WWW-Authenticate"), "invalid_token") {
		t.Fatalf("userInfo after revoke: %d %q", st, hdr.Get("WWW-Authenticate"))
	}
	for name, tc := range map[string]struct {
		form   url.Values
		status int
		code   string
	}{
		"unknown token is 200":   {url.Values{"token": {"AAAAAAAAAAAAAAAAAAAAAA." + strings.Repeat("B", 43)}}, 200, ""},
		"malformed token is 200": {url.Values{"token": {"garbage"}}, 200, ""},
		"access token":           {url.Values{"token": {r.AccessToken}}, 400, "unsupported_token_type"},
		"missing token":          {url.Values{}, 400, "invalid_request"},
		"already revoked is 200": {url.Values{"token": {r.RefreshToken}}, 200, ""},
	} {
		t.Run(name, func(t *testing.T) {
			rv := h.post(t, "/oauth2/revoke", tc.form, h.client.ID, h.secret)
			if rv.Status != tc.status || rv.Error != tc.code {
				t.Fatalf("got %d %q, want %d %q", rv.Status, rv.Error, tc.status, tc.code)
			}
		})
	}
	if rv := h.post(t, "/oauth2/revoke", url.Values{"token": {r.RefreshToken}}, h.client.ID, "wrong"); rv.Status != 401 || rv.Error != "invalid_client" {
		t.Fatalf("wrong secret: %d %s", rv.Status, rv.Error)
	}
}

func TestRevocationDisabled(t *testing.T) {
	h := newHarness(t, func(c *pool.Client) { c.EnableTokenRevocation = false })
	r := h.exchange(t, h.authorize(t, h.authQuery()))
	rv := h.post(t, "/oauth2/revoke", url.Values{"token": {r.RefreshToken}}, h.client.ID, h.secret)
	if rv.Status != 400 || rv.Error != "invalid_request" {
		t.Fatalf("got %d %s", rv.Status, rv.Error)
	}
	if g := h.grants(t); len(g) != 1 || g[0].Revoked() {
		t.Fatal("grant changed")
	}
}

func TestUserInfo(t *testing.T) {
	h := newHarness(t)
	r := h.exchange(t, h.authorize(t, h.authQuery("scope", "openid email")))
	st, _, m := h.userInfo(t, r.AccessToken)
	if st != 200 {
		t.Fatalf("status %d", st)
	}
	// Cognito's quirk, kept for compatibility: verified flags are strings.
	if m["email_verified"] != "true" || m["email"] != "alice@example.com" || m["username"] != "alice" || m["sub"] != h.user.Sub {
		t.Fatalf("userInfo %v", m)
	}
	if _, ok := m["name"]; ok {
		t.Error("profile attribute released without the profile scope")
	}
	r = h.exchange(t, h.authorize(t, h.authQuery("scope", "openid")))
	_, _, m = h.userInfo(t, r.AccessToken)
	if m["name"] != "Alice" || m["custom:tier"] != "gold" {
		t.Errorf("openid alone must release all readable attributes: %v", m)
	}

	// Tampered and foreign tokens.
	parts := strings.Split(r.AccessToken, ".")
	tampered := parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"x","token_use":"access"}`)) + "." + parts[2]
	other := newHarness(t)
	foreign := other.exchange(t, other.authorize(t, other.authQuery())).AccessToken
	for name, tok := range map[string]string{"tampered": tampered, "foreign key": foreign, "garbage": "abc", "id token": r.IDToken} {
		if st, _, _ := h.userInfo(t, tok); st != 401 {
			t.Errorf("%s: status %d, want 401", name, st)
		}
	}
	h.clock.Advance(2 * time.Hour)
	if st, _, _ := h.userInfo(t, r.AccessToken); st != 401 {
		t.Errorf("expired token: status %d", st)
	}
}

func TestDatabaseOutageIsNeverInvalidGrant(t *testing.T) {
	h := newHarness(t)
	r := h.exchange(t, h.authorize(t, h.authQuery()))
	code := h.authorize(t, h.authQuery())
	h.st.Close()
	for name, reply := range map[string]tokenReply{
		"refresh": h.refresh(t, r.RefreshToken),
		"code":    h.exchange(t, code),
	} {
		if reply.Status != http.StatusServiceUnavailable || reply.Error != "temporarily_unavailable" {
			t.Errorf("%s during outage: %d %q, want 503 temporarily_unavailable", name, reply.Status, reply.Error)
		}
	}
}

func TestDiscoveryAndJWKS(t *testing.T) {
	h := newHarness(t)
	resp, err := http.Get(h.srv.URL + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var d map[string]any
	if err := jsonDecode(resp, &d); err != nil {
		t.Fatal(err)
	}
	if d["issuer"] != h.issuer || d["token_endpoint"] != h.srv.URL+"/oauth2/token" || d["userinfo_endpoint"] != h.srv.URL+"/oauth2/userInfo" || d["end_session_endpoint"] != h.srv.URL+"/logout" {
		t.Fatalf("discovery %v", d)
	}
	if pk, _ := d["code_challenge_methods_supported"].([]any); len(pk) != 1 || pk[0] != "S256" {
		t.Fatalf("PKCE methods %v", d["code_challenge_methods_supported"])
	}
	resp2, err := http.Get(h.srv.URL + "/.well-known/jwks.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp2.Body.Close()
	var jwks struct {
		Keys []map[string]any `json:"keys"`
	}
	if err := jsonDecode(resp2, &jwks); err != nil {
		t.Fatal(err)
	}
	// Active and next keys for both uses.
	if len(jwks.Keys) != 4 {
		t.Fatalf("%d keys in JWKS", len(jwks.Keys))
	}
	var kids []string
	for _, k := range jwks.Keys {
		kid, _ := k["kid"].(string)
		if len(kid) != 44 || k["alg"] != "RS256" || k["use"] != "sig" || k["d"] != nil {
			t.Errorf("key %v", k)
		}
		kids = append(kids, kid)
	}
	slices.Sort(kids)
	if len(slices.Compact(kids)) != 4 {
		t.Error("duplicate kids")
	}
}

func TestGrantStoredBeforeResponse(t *testing.T) {
	h := newHarness(t)
	r := h.exchange(t, h.authorize(t, h.authQuery()))
	id, _, _ := strings.Cut(r.RefreshToken, ".")
	rt, err := h.st.GetRefreshToken(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if rt.SecretHash == "" || strings.Contains(rt.SecretHash, strings.SplitN(r.RefreshToken, ".", 2)[1]) {
		t.Fatal("refresh secret must be stored hashed")
	}
	if !rt.ExpiresAt.Equal(h.clock.Now().Add(30 * 24 * time.Hour)) {
		t.Errorf("refresh expiry %v", rt.ExpiresAt)
	}
}
