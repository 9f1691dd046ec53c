package federation_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/linkpool/linkpool/internal/federation"
	"github.com/linkpool/linkpool/internal/federation/fedtest"
	"github.com/linkpool/linkpool/internal/pool"
)

// The social providers are tested against fedtest's loopback stand-ins,
// which follow each provider's published protocol; the real services
// were not called.
func TestSocialProviderSignIn(t *testing.T) {
	for _, tc := range []struct {
		typ   string
		start func(testing.TB, string) *fedtest.Provider
		label string
	}{
		{pool.ProviderLoginWithAmazon, fedtest.NewAmazon, "Continue with Amazon"},
		{pool.ProviderGoogle, fedtest.NewGoogle, "Continue with Google"},
		{pool.ProviderFacebook, fedtest.NewFacebook, "Continue with Facebook"},
		{pool.ProviderSignInWithApple, fedtest.NewApple, "Continue with Apple"},
	} {
		t.Run(tc.typ, func(t *testing.T) {
			e := newEnv(t)
			prov := tc.start(t, e.base+federation.OIDCCallbackPath)
			e.addProvider(t, pool.IdentityProvider{
				ProviderName: tc.typ, ProviderType: tc.typ, ProviderDetails: prov.Details(),
				AttributeMapping: map[string]string{"username": pool.SubjectClaim(tc.typ), "email": "email"},
			})
			// A client of the provider alone: no local form.
			e.addClient(t, tc.typ)
			b := newBrowser(t)
			page := b.run(t, e.authorizeURL())
			if page.Status != 200 || strings.Contains(page.Body, "signInFormPassword") || !strings.Contains(page.Body, tc.label) {
				t.Fatalf("sign-in page (%d) must show %q and no password form:\n%s", page.Status, tc.label, page.Body)
			}
			// Nor does the client take a password post (with a valid CSRF token).
			var csrf string
			base, _ := url.Parse(e.base + "/")
			for _, ck := range b.hc.Jar.Cookies(base) {
				if ck.Name == "lp_csrf" {
					csrf = ck.Value
				}
			}
			loginURL := strings.Replace(e.authorizeURL(), "/oauth2/authorize?", "/login?", 1)
			if got := b.post(t, loginURL, url.Values{"_csrf": {csrf}, "username": {"x"}, "password": {"Corr3ct-Horse"}}); got.Status != http.StatusBadRequest ||
				!strings.Contains(got.Body, "signs you in through the providers") {
				t.Fatalf("password post for a client without COGNITO: %d %v", got.Status, got.Callback)
			}
			s := e.exchange(t, b.run(t, providerLink(t, page.Body, e.base, tc.typ)).Callback)
			e.checkFederated(t, s, tc.typ, tc.typ, fedtest.DefaultUser.Subject)
			if s.Claims["email"] != fedtest.DefaultUser.Email {
				t.Fatalf("email claim = %v", s.Claims["email"])
			}
			u := fedtest.DefaultUser
			u.Email = "ada@second.example"
			prov.SetUser(u)
			s = e.exchange(t, newBrowser(t).run(t, e.authorizeURL("identity_provider", tc.typ)).Callback)
			if s.Claims["email"] != u.Email {
				t.Fatalf("second sign-in email = %v", s.Claims["email"])
			}
			if n := e.userCount(t); n != 1 {
				t.Fatalf("users = %d, want 1", n)
			}
			e.a.Log.NoSecrets(t, prov.ClientSecret, "eyJ")
		})
	}
}

func TestSocialProviderNegative(t *testing.T) {
	e := newEnv(t)
	google := fedtest.NewGoogle(t, e.base+federation.OIDCCallbackPath)
	e.addProvider(t, pool.IdentityProvider{ProviderName: pool.ProviderGoogle, ProviderType: pool.ProviderGoogle, ProviderDetails: google.Details()})
	e.addClient(t, pool.ProviderCognito, pool.ProviderGoogle)
	for _, tc := range []struct {
		name  string
		knobs fedtest.Knobs
		code  string
	}{
		{"nonce mismatch", fedtest.Knobs{BadNonce: true}, "invalid_request"},
		{"wrong audience", fedtest.Knobs{WrongAudience: true}, "invalid_request"},
		{"tampered signature", fedtest.Knobs{TamperSignature: true}, "invalid_request"},
		{"expired ID token", fedtest.Knobs{Expired: true}, "invalid_request"},
		{"token endpoint error", fedtest.Knobs{TokenError: "invalid_grant"}, "invalid_request"},
		{"denied", fedtest.Knobs{Deny: true}, "access_denied"},
		// Only RFC 6749 §4.1.2.1's codes pass through; anything else is
		// access_denied.
		{"denied, RFC 6749 code", fedtest.Knobs{DenyCode: "temporarily_unavailable"}, "temporarily_unavailable"},
		{"denied, provider's own code", fedtest.Knobs{DenyCode: "user_cancelled_login"}, "access_denied"},
		{"denied, token endpoint's code", fedtest.Knobs{DenyCode: "invalid_grant"}, "access_denied"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			google.Set(tc.knobs)
			defer google.Set(fedtest.Knobs{})
			errorCallback(t, newBrowser(t).run(t, e.authorizeURL("identity_provider", pool.ProviderGoogle)), tc.code)
		})
	}
	if n := e.userCount(t); n != 0 {
		t.Fatalf("users = %d after failed sign-ins, want 0", n)
	}
	e.a.Log.NoSecrets(t, google.ClientSecret, "eyJ")
}
