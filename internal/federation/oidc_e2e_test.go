package federation_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/federation"
	"github.com/linkpool/linkpool/internal/federation/fedtest"
	"github.com/linkpool/linkpool/internal/pool"
)

// oidcEnv is a pool federating with the zitadel OpenID provider of
// fedtest as "Corp", and a client that lists COGNITO and Corp.
func oidcEnv(t *testing.T) (*env, *fedtest.OP) {
	t.Helper()
	e := newEnv(t)
	op := fedtest.NewOP(t)
	op.AddClient("linkpool", "op-client-secret", e.base+federation.OIDCCallbackPath)
	e.addProvider(t, pool.IdentityProvider{
		ProviderName: "Corp", ProviderType: pool.ProviderOIDC,
		ProviderDetails: map[string]string{
			pool.DetailClientID: "linkpool", pool.DetailClientSecret: "op-client-secret",
			pool.DetailAuthorizeScopes: "openid email profile", pool.DetailOIDCIssuer: op.Issuer(),
			pool.DetailAttributesRequestMethod: "GET",
		},
		AttributeMapping: map[string]string{"username": "sub", "email": "email", "name": "name", "given_name": "given_name"},
		IdpIdentifiers:   []string{"corp.example"},
	})
	e.addClient(t, pool.ProviderCognito, "Corp")
	return e, op
}

func TestOIDCProviderSignIn(t *testing.T) {
	e, op := oidcEnv(t)

	// Through the hosted page's button.
	b := newBrowser(t)
	page := b.run(t, e.authorizeURL())
	if page.Status != http.StatusOK || !strings.Contains(page.Body, "signInFormUsername") {
		t.Fatalf("sign-in page: %d", page.Status)
	}
	got := b.run(t, providerLink(t, page.Body, e.base, "Corp"))
	s := e.exchange(t, got.Callback)
	e.checkFederated(t, s, "Corp", pool.ProviderOIDC, fedtest.DefaultUser.Subject)
	if s.Claims["email"] != fedtest.DefaultUser.Email || s.Claims["name"] != fedtest.DefaultUser.Name || s.Claims["email_verified"] != false {
		t.Fatalf("mapped claims: %v", s.Claims)
	}

	// Through idp_identifier, a second sign-in with changed attributes.
	u := fedtest.DefaultUser
	u.Email, u.Name = "ada@new.example.com", "Ada King"
	op.SetUser(u)
	got = newBrowser(t).run(t, e.authorizeURL("idp_identifier", "corp.example"))
	s = e.exchange(t, got.Callback)
	if s.Claims["email"] != u.Email || s.Claims["name"] != u.Name {
		t.Fatalf("second sign-in did not update the attributes: %v", s.Claims)
	}
	if n := e.userCount(t); n != 1 {
		t.Fatalf("users = %d, want 1", n)
	}

	// A local user linked to another subject at Corp signs in as itself.
	ctx := context.Background()
	local, err := e.a.Accounts.AdminCreateUser(ctx, e.pool, account.AdminCreateUserInput{
		Username: "grace", TemporaryPassword: "Corr3ct-Horse", Permanent: true,
		Attributes: map[string]string{"email": "grace@example.com"}, EmailVerified: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.a.Accounts.AdminLinkProviderForUser(ctx, e.pool,
		account.ProviderUser{ProviderName: account.ProviderCognitoUser, ProviderAttributeValue: "grace"},
		account.ProviderUser{ProviderName: "Corp", ProviderAttributeName: pool.SubjectAttribute, ProviderAttributeValue: "grace-at-corp"},
	); err != nil {
		t.Fatalf("AdminLinkProviderForUser: %v", err)
	}
	op.SetUser(fedtest.User{Subject: "grace-at-corp", Email: "grace@corp.example", Name: "Grace Hopper"})
	got = newBrowser(t).run(t, e.authorizeURL("identity_provider", "Corp"))
	s = e.exchange(t, got.Callback)
	if s.Claims["sub"] != local.User.Sub || s.Claims["cognito:username"] != "grace" {
		t.Fatalf("linked sign-in landed on %v / %v, want grace", s.Claims["sub"], s.Claims["cognito:username"])
	}
	if s.Claims["email"] != "grace@example.com" || s.Claims["name"] != "Grace Hopper" {
		t.Fatalf("linked user's claims: %v", s.Claims)
	}
	if n := e.userCount(t); n != 2 {
		t.Fatalf("users = %d, want 2", n)
	}
	e.a.Log.NoSecrets(t, "eyJ") // no token (JWT) of any kind in the log
}

// providerCallback starts a sign-in at Corp in b and plays the provider,
// returning the callback's parameters without sending them.
func providerCallback(t *testing.T, e *env, b *browser) fedtest.Callback {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, e.authorizeURL("identity_provider", "Corp"), nil)
	resp, err := b.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("authorize: %d", resp.StatusCode)
	}
	return fedtest.Authorize(t, nil, resp.Header.Get("Location"))
}

func stateCookie(t *testing.T, e *env, b *browser) *http.Cookie {
	t.Helper()
	u, _ := url.Parse(e.base + "/")
	for _, c := range b.hc.Jar.Cookies(u) {
		if strings.HasPrefix(c.Name, federation.StateCookiePrefix) {
			return c
		}
	}
	t.Fatal("no state cookie")
	return nil
}

func TestOIDCProviderNegative(t *testing.T) {
	e, op := oidcEnv(t)
	e.addProvider(t, pool.IdentityProvider{
		ProviderName: "Other", ProviderType: pool.ProviderOIDC,
		ProviderDetails: map[string]string{pool.DetailClientID: "x", pool.DetailAuthorizeScopes: "openid", pool.DetailOIDCIssuer: op.Issuer()},
	})

	t.Run("provider not in the client's list", func(t *testing.T) {
		errorCallback(t, newBrowser(t).run(t, e.authorizeURL("identity_provider", "Other")), "invalid_request")
	})
	t.Run("unknown provider", func(t *testing.T) {
		errorCallback(t, newBrowser(t).run(t, e.authorizeURL("identity_provider", "Nope")), "invalid_request")
		errorCallback(t, newBrowser(t).run(t, e.authorizeURL("idp_identifier", "nobody.example")), "invalid_request")
	})
	t.Run("state mismatch", func(t *testing.T) {
		b := newBrowser(t)
		cb := providerCallback(t, e, b)
		cb.Params.Set("state", "forged")
		errorCallback(t, b.run(t, e.base+federation.OIDCCallbackPath+"?"+cb.Params.Encode()), "invalid_request")
	})
	t.Run("no state cookie", func(t *testing.T) {
		cb := providerCallback(t, e, newBrowser(t))
		errorPage(t, newBrowser(t).run(t, e.base+federation.OIDCCallbackPath+"?"+cb.Params.Encode()))
	})
	t.Run("tampered state cookie", func(t *testing.T) {
		b := newBrowser(t)
		cb := providerCallback(t, e, b)
		ck := stateCookie(t, e, b)
		req, _ := http.NewRequest(http.MethodGet, e.base+federation.OIDCCallbackPath+"?"+cb.Params.Encode(), nil)
		v := []byte(ck.Value)
		v[len(v)/2] ^= 1
		if v[len(v)/2] == '-' || v[len(v)/2] == '_' {
			v[len(v)/2] = 'A'
		}
		req.AddCookie(&http.Cookie{Name: ck.Name, Value: string(v)})
		errorPage(t, newBrowser(t).do(t, req))
	})
	if n := e.userCount(t); n != 0 {
		t.Fatalf("users = %d after refused callbacks, want 0", n)
	}
	t.Run("replayed state", func(t *testing.T) {
		b := newBrowser(t)
		cb := providerCallback(t, e, b)
		ck := stateCookie(t, e, b)
		callback := e.base + federation.OIDCCallbackPath + "?" + cb.Params.Encode()
		first := b.run(t, callback)
		if first.Callback == nil || first.Callback.Query().Get("code") == "" {
			t.Fatalf("first callback: %d %v", first.Status, first.Callback)
		}
		req, _ := http.NewRequest(http.MethodGet, callback, nil)
		req.AddCookie(ck)
		errorPage(t, newBrowser(t).do(t, req))
	})
	before := e.userCount(t)
	t.Run("denied", func(t *testing.T) {
		op.Deny()
		errorCallback(t, newBrowser(t).run(t, e.authorizeURL("identity_provider", "Corp")), "access_denied")
	})
	t.Run("provider down", func(t *testing.T) {
		b := newBrowser(t)
		cb := providerCallback(t, e, b)
		op.Stop()
		errorCallback(t, b.run(t, e.base+federation.OIDCCallbackPath+"?"+cb.Params.Encode()), "invalid_request")
	})
	if n := e.userCount(t); n != before {
		t.Fatalf("users = %d after failed sign-ins, want %d", n, before)
	}
	e.a.Log.NoSecrets(t, "eyJ") // no token (JWT) of any kind in the log
}

// TestOIDCLongState: a long OAuth state (Alexa's are long) survives the
// round trip inside the sealed cookie; one too long for a cookie is
// refused at the start with the client's error redirect.
func TestOIDCLongState(t *testing.T) {
	e, _ := oidcEnv(t)
	long := strings.Repeat("A2SAAEAE-opaque+/=", 120) // 2,160 characters
	got := newBrowser(t).run(t, e.authorizeURL("identity_provider", "Corp", "state", long))
	if got.Callback == nil || got.Callback.Query().Get("code") == "" || got.Callback.Query().Get("state") != long {
		t.Fatalf("long state: %d %v", got.Status, got.Callback)
	}
	tooLong := strings.Repeat("s", 4000)
	got = newBrowser(t).run(t, e.authorizeURL("identity_provider", "Corp", "state", tooLong))
	if got.Callback == nil || got.Callback.Query().Get("error") != "invalid_request" || got.Callback.Query().Get("state") != tooLong {
		t.Fatalf("state too long for the cookie: %d %v", got.Status, got.Callback != nil)
	}
}
