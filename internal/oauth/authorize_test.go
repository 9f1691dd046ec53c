package oauth_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/linkpool/linkpool/internal/oauth"
	"github.com/linkpool/linkpool/internal/pool"
)

func TestParseAuthorize(t *testing.T) {
	h := newHarness(t)
	_, challenge := pkcePair()
	cases := []struct {
		name string
		q    func(q url.Values)
		code string
		// redirect: whether the error may be redirected to the client.
		redirect bool
		scopes   string
	}{
		{name: "ok", q: func(url.Values) {}, scopes: "openid email profile"},
		{name: "no scope means every allowed scope", q: func(q url.Values) { q.Del("scope") }, scopes: "openid email profile"},
		{name: "scopes not allowed are ignored", q: func(q url.Values) { q.Set("scope", "openid phone lamps/x") }, scopes: "openid"},
		{name: "email needs openid", q: func(q url.Values) { q.Set("scope", "email profile aws.cognito.signin.user.admin") }, code: "invalid_scope", redirect: true},
		{name: "unregistered redirect_uri", q: func(q url.Values) { q.Set("redirect_uri", "https://evil.example/cb") }, code: "redirect_mismatch"},
		{name: "redirect_uri differing only by a trailing slash", q: func(q url.Values) { q.Set("redirect_uri", alexaRedirect+"/") }, code: "redirect_mismatch"},
		{name: "unknown client", q: func(q url.Values) { q.Set("client_id", pool.NewClientID()) }, code: "redirect_mismatch"},
		{name: "malformed client", q: func(q url.Values) { q.Set("client_id", "../x") }, code: "redirect_mismatch"},
		{name: "missing redirect_uri", q: func(q url.Values) { q.Del("redirect_uri") }, code: "redirect_mismatch"},
		{name: "missing response_type", q: func(q url.Values) { q.Del("response_type") }, code: "invalid_request", redirect: true},
		{name: "implicit not allowed", q: func(q url.Values) { q.Set("response_type", "token") }, code: "unauthorized_client", redirect: true},
		{name: "unknown response_type", q: func(q url.Values) { q.Set("response_type", "id_token") }, code: "unsupported_response_type", redirect: true},
		{name: "PKCE plain is refused", q: func(q url.Values) { q.Set("code_challenge", challenge); q.Set("code_challenge_method", "plain") }, code: "invalid_request", redirect: true},
		{name: "PKCE challenge without method", q: func(q url.Values) { q.Set("code_challenge", challenge) }, code: "invalid_request", redirect: true},
		{name: "PKCE method without challenge", q: func(q url.Values) { q.Set("code_challenge_method", "S256") }, code: "invalid_request", redirect: true},
		{name: "PKCE S256", q: func(q url.Values) { q.Set("code_challenge", challenge); q.Set("code_challenge_method", "S256") }, scopes: "openid email profile"},
		{name: "repeated state", q: func(q url.Values) { q.Add("state", "again") }, code: "invalid_request", redirect: true},
		{name: "identity provider named (resolved by the federation service)", q: func(q url.Values) { q.Set("identity_provider", "Google") }, scopes: "openid email profile"},
		{name: "repeated identity_provider", q: func(q url.Values) { q["identity_provider"] = []string{"Google", "Corp"} }, code: "invalid_request", redirect: true},
		{name: "repeated idp_identifier", q: func(q url.Values) { q["idp_identifier"] = []string{"a", "b"} }, code: "invalid_request", redirect: true},
		{name: "huge state", q: func(q url.Values) { q.Set("state", strings.Repeat("s", 5000)) }, code: "invalid_request", redirect: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			q := h.authQuery()
			tc.q(q)
			req, err := h.svc.ParseAuthorize(context.Background(), h.pool, q)
			if tc.code == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				if got := strings.Join(req.Scopes, " "); got != tc.scopes {
					t.Fatalf("scopes %q, want %q", got, tc.scopes)
				}
				return
			}
			var e *oauth.Error
			if !errors.As(err, &e) || e.Code != tc.code {
				t.Fatalf("got %v, want %s", err, tc.code)
			}
			if tc.redirect != (e.Redirect != "") {
				t.Fatalf("redirect %q, want redirectable=%v", e.Redirect, tc.redirect)
			}
			if e.Redirect != "" {
				u, err := url.Parse(e.Redirect)
				params := u.Query()
				if q.Get("response_type") == "token" {
					params, _ = url.ParseQuery(u.Fragment)
				}
				if err != nil || !strings.HasPrefix(e.Redirect, alexaRedirect) || params.Get("error") != tc.code {
					t.Fatalf("redirect %q", e.Redirect)
				}
				if q.Get("state") == "st-123" && params.Get("state") != "st-123" {
					t.Fatalf("state not echoed in %q", e.Redirect)
				}
			}
		})
	}
}

// TestParseAuthorizeIdentityProviders: a client that lists providers but
// not COGNITO is valid now; it may not ask for COGNITO.
func TestParseAuthorizeIdentityProviders(t *testing.T) {
	h := newHarness(t)
	c := h.newClient(t, func(c *pool.Client) { c.SupportedIdentityProviders = []string{"Corp"} })
	q := h.authQuery("client_id", c.ID)
	req, err := h.svc.ParseAuthorize(context.Background(), h.pool, q)
	if err != nil {
		t.Fatalf("client without COGNITO: %v", err)
	}
	if req.IdentityProvider != "" || req.IdpIdentifier != "" {
		t.Fatalf("provider %q / %q without parameters", req.IdentityProvider, req.IdpIdentifier)
	}
	req, err = h.svc.ParseAuthorize(context.Background(), h.pool, h.authQuery("client_id", c.ID, "identity_provider", "Corp", "idp_identifier", "corp.example"))
	if err != nil || req.IdentityProvider != "Corp" || req.IdpIdentifier != "corp.example" {
		t.Fatalf("ParseAuthorize = %+v, %v", req, err)
	}
	_, err = h.svc.ParseAuthorize(context.Background(), h.pool, h.authQuery("client_id", c.ID, "identity_provider", "COGNITO"))
	var e *oauth.Error
	if !errors.As(err, &e) || e.Code != "unauthorized_client" || e.Redirect == "" {
		t.Fatalf("COGNITO for a client without it: %v", err)
	}
}

// TestCompleteOnlyForListedProvider: Complete issues nothing to a client
// that does not list how the user signed in (COGNITO or the provider),
// code or implicit tokens alike.
func TestCompleteOnlyForListedProvider(t *testing.T) {
	h := newHarness(t)
	corp := h.newClient(t, func(c *pool.Client) {
		c.SupportedIdentityProviders = []string{"Corp"}
		c.AllowedOAuthFlows = []string{pool.FlowCode, pool.FlowImplicit}
	})
	ctx := context.Background()
	for _, tc := range []struct {
		q        url.Values
		provider string
	}{
		{h.authQuery(), "Corp"},
		{h.authQuery(), ""},
		{h.authQuery("client_id", corp.ID), pool.ProviderCognito},
		{h.authQuery("client_id", corp.ID, "response_type", "token"), pool.ProviderCognito},
		{h.authQuery("client_id", corp.ID), "Other"},
	} {
		req, err := h.svc.ParseAuthorize(ctx, h.pool, tc.q)
		if err != nil {
			t.Fatal(err)
		}
		loc, err := h.svc.Complete(ctx, req, h.user, h.clock.Now(), tc.provider)
		var e *oauth.Error
		if !errors.As(err, &e) || e.Code != "unauthorized_client" || loc != "" {
			t.Fatalf("client %v, signed in with %q: %q, %v; want unauthorized_client", req.Client.SupportedIdentityProviders, tc.provider, loc, err)
		}
		u, _ := url.Parse(e.Redirect)
		q := u.Query()
		if req.ResponseType == oauth.ResponseToken {
			q, _ = url.ParseQuery(u.Fragment)
		}
		if q.Get("error") != "unauthorized_client" || q.Get("state") != "st-123" || q.Get("code") != "" {
			t.Fatalf("redirect %s", e.Redirect)
		}
	}
	req, _ := h.svc.ParseAuthorize(ctx, h.pool, h.authQuery("client_id", corp.ID))
	if loc, err := h.svc.Complete(ctx, req, h.user, h.clock.Now(), "Corp"); err != nil || !strings.Contains(loc, "code=") {
		t.Fatalf("Corp for a Corp client: %q, %v", loc, err)
	}
}

func TestCompleteRedirectCarriesStateAndCode(t *testing.T) {
	h := newHarness(t)
	long := strings.Repeat("A2SAAEAE-opaque+/=", 40)
	loc := h.complete(t, h.authQuery("state", long), h.user)
	u, err := url.Parse(loc)
	if err != nil {
		t.Fatal(err)
	}
	if got := u.Scheme + "://" + u.Host + u.Path; got != alexaRedirect {
		t.Fatalf("redirect to %s", got)
	}
	if u.Query().Get("state") != long || len(u.Query().Get("code")) != 36 {
		t.Fatalf("query %v", u.Query())
	}
}

func TestImplicitGrant(t *testing.T) {
	h := newHarness(t, func(c *pool.Client) { c.AllowedOAuthFlows = []string{pool.FlowCode, pool.FlowImplicit} })
	loc := h.complete(t, h.authQuery("response_type", "token", "nonce", "abc"), h.user)
	u, _ := url.Parse(loc)
	if u.RawQuery != "" {
		t.Fatalf("implicit tokens must travel in the fragment: %s", loc)
	}
	f, _ := url.ParseQuery(u.Fragment)
	if f.Get("access_token") == "" || f.Get("id_token") == "" || f.Get("token_type") != "Bearer" || f.Get("expires_in") != "3600" || f.Get("state") != "st-123" {
		t.Fatalf("fragment %v", f)
	}
	if f.Get("refresh_token") != "" {
		t.Fatal("implicit grant must not return a refresh token")
	}
	if st, _, _ := h.userInfo(t, f.Get("access_token")); st != 200 {
		t.Fatalf("userInfo with implicit token: %d", st)
	}
}
