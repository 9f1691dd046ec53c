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

// sessionEnv is a pool with two identity providers (Google, Amazon), a
// password user "ada", and three app clients: local (COGNITO only),
// social (Google only) and amazon (LoginWithAmazon only). e.client is
// local.
type sessionEnv struct {
	*env
	google, amazon *fedtest.Provider
	social, alexa  pool.Client
	socialSecret   string
}

func newSessionEnv(t *testing.T, editPool ...func(*pool.Pool)) *sessionEnv {
	t.Helper()
	e := newEnv(t)
	if len(editPool) > 0 {
		e.pool = e.a.Pool(t, "us-east-1", "Fed2", editPool...)
		e.base = e.a.URL + "/" + e.pool.ID
	}
	s := &sessionEnv{env: e}
	s.google = fedtest.NewGoogle(t, e.base+federation.OIDCCallbackPath)
	s.amazon = fedtest.NewAmazon(t, e.base+federation.OIDCCallbackPath)
	e.addProvider(t, pool.IdentityProvider{ProviderName: pool.ProviderGoogle, ProviderType: pool.ProviderGoogle, ProviderDetails: s.google.Details(),
		AttributeMapping: map[string]string{"username": pool.SubjectClaim(pool.ProviderGoogle), "email": "email"}})
	e.addProvider(t, pool.IdentityProvider{ProviderName: pool.ProviderLoginWithAmazon, ProviderType: pool.ProviderLoginWithAmazon, ProviderDetails: s.amazon.Details(),
		AttributeMapping: map[string]string{"username": pool.SubjectClaim(pool.ProviderLoginWithAmazon), "email": "email"}})
	s.social, s.socialSecret = e.a.Client(t, e.pool, "social", []string{clientCallback}, func(c *pool.Client) {
		c.SupportedIdentityProviders = []string{pool.ProviderGoogle}
	})
	s.alexa, _ = e.a.Client(t, e.pool, "alexa", []string{clientCallback}, func(c *pool.Client) {
		c.SupportedIdentityProviders = []string{pool.ProviderLoginWithAmazon}
	})
	e.addClient(t, pool.ProviderCognito)
	if _, err := e.a.Accounts.AdminCreateUser(context.Background(), e.pool, account.AdminCreateUserInput{
		Username: "ada", TemporaryPassword: "Corr3ct-Horse", Permanent: true,
		Attributes: map[string]string{"email": "ada@example.com"}, EmailVerified: true,
	}); err != nil {
		t.Fatal(err)
	}
	return s
}

// authorizeFor is the authorization URL of client c.
func (s *sessionEnv) authorizeFor(c pool.Client, extra ...string) string {
	return strings.Replace(s.authorizeURL(extra...), "client_id="+s.client.ID, "client_id="+c.ID, 1)
}

// csrf returns the browser's CSRF cookie (a page must have been shown).
func (s *sessionEnv) csrf(t *testing.T, b *browser) string {
	t.Helper()
	u, _ := url.Parse(s.base + "/")
	for _, ck := range b.hc.Jar.Cookies(u) {
		if ck.Name == "lp_csrf" {
			return ck.Value
		}
	}
	t.Fatal("no CSRF cookie")
	return ""
}

// passwordSignIn signs ada in on the pool's form at pageURL (/login with
// or without an authorization query) and goes on.
func (s *sessionEnv) passwordSignIn(t *testing.T, b *browser, pageURL string) end {
	t.Helper()
	page := b.run(t, pageURL)
	return submitLogin(t, b, pageURL, page, "ada", "Corr3ct-Horse")
}

// silent asserts that an authorization in b completes at once from the
// session (no page, no provider): the first answer is the client's
// callback with a code.
func silent(t *testing.T, b *browser, authURL string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, authURL, nil)
	resp, err := b.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || loc == nil || !strings.HasPrefix(loc.String(), clientCallback) || loc.Query().Get("code") == "" {
		t.Fatalf("authorize with a session: %d %s, want the client's callback with a code", resp.StatusCode, resp.Header.Get("Location"))
	}
}

// signInPage asserts that a journey ended on the hosted sign-in page,
// not at the client.
func signInPage(t *testing.T, got end, want string) {
	t.Helper()
	if got.Callback != nil || got.Status != http.StatusOK || !strings.Contains(got.Body, want) {
		t.Fatalf("ended with %d %v, want the sign-in page with %q:\n%.600s", got.Status, got.Callback, want, got.Body)
	}
}

// TestSessionOnlyForClientsOfItsSignIn: a hosted session completes
// authorizations only for clients whose SupportedIdentityProviders list
// how it signed in; for other clients the browser signs in anew.
func TestSessionOnlyForClientsOfItsSignIn(t *testing.T) {
	s := newSessionEnv(t)
	login := strings.Replace(s.authorizeURL(), "/oauth2/authorize?", "/login?", 1)

	t.Run("password session, provider-only clients", func(t *testing.T) {
		b := newBrowser(t)
		if cb := s.passwordSignIn(t, b, login).Callback; cb == nil || cb.Query().Get("code") == "" {
			t.Fatalf("password sign-in: %v", cb)
		}
		silent(t, b, s.authorizeURL())
		signInPage(t, b.run(t, s.authorizeFor(s.social)), "Continue with Google")
		signInPage(t, b.run(t, s.authorizeFor(s.alexa)), "Continue with Amazon")
		// identity_provider= goes to the provider, whose user it is.
		got := s.exchangeFor(t, s.social, b.run(t, s.authorizeFor(s.social, "identity_provider", pool.ProviderGoogle)).Callback)
		if got.Claims["cognito:username"] != pool.FederatedUsername(pool.ProviderGoogle, fedtest.DefaultUser.Subject) {
			t.Fatalf("cognito:username = %v", got.Claims["cognito:username"])
		}
	})
	t.Run("Google session, COGNITO-only and other-provider clients", func(t *testing.T) {
		b := newBrowser(t)
		if cb := b.run(t, s.authorizeFor(s.social, "identity_provider", pool.ProviderGoogle)).Callback; cb == nil || cb.Query().Get("code") == "" {
			t.Fatalf("Google sign-in: %v", cb)
		}
		silent(t, b, s.authorizeFor(s.social))
		signInPage(t, b.run(t, s.authorizeURL()), "signInFormPassword")
		signInPage(t, b.run(t, s.authorizeFor(s.alexa)), "Continue with Amazon")
		// The pool's form then signs in the password user, for this client.
		if cb := s.passwordSignIn(t, b, login).Callback; cb == nil || cb.Query().Get("code") == "" {
			t.Fatalf("password sign-in after a Google session: %v", cb)
		}
	})
	t.Run("password post on a plain /login", func(t *testing.T) {
		b := newBrowser(t)
		got := s.passwordSignIn(t, b, s.base+"/login")
		if got.Callback != nil || got.Status != http.StatusOK {
			t.Fatalf("plain sign-in: %d %v", got.Status, got.Callback)
		}
		signInPage(t, b.run(t, s.authorizeFor(s.social)), "Continue with Google")
		signInPage(t, b.run(t, s.authorizeFor(s.alexa)), "Continue with Amazon")
		silent(t, b, s.authorizeURL())
	})
}

// exchangeFor redeems a code of client c (social).
func (s *sessionEnv) exchangeFor(t *testing.T, c pool.Client, cb *url.URL) signedIn {
	t.Helper()
	e := *s.env
	e.client = c
	e.secret = s.socialSecret
	return e.exchange(t, cb)
}

// TestSignUpForProviderOnlyClient: the pool's sign-up and confirmation
// never complete an authorization for a client without COGNITO.
func TestSignUpForProviderOnlyClient(t *testing.T) {
	t.Run("auto-confirmed sign-up", func(t *testing.T) {
		s := newSessionEnv(t, func(p *pool.Pool) { p.AutoConfirmSignUp = true })
		q := "?" + strings.SplitN(s.authorizeFor(s.social), "?", 2)[1]
		b := newBrowser(t)
		b.run(t, s.base+"/login"+q)
		before := s.userCount(t)
		got := b.post(t, s.base+"/signup"+q, url.Values{"_csrf": {s.csrf(t, b)}, "username": {"bob"}, "email": {"bob@example.com"}, "password": {"Corr3ct-Horse"}})
		if got.Callback != nil || got.Status != http.StatusBadRequest {
			t.Fatalf("sign-up for a provider-only client: %d %v", got.Status, got.Callback)
		}
		if n := s.userCount(t); n != before {
			t.Fatalf("users = %d after a refused sign-up, want %d", n, before)
		}
		signInPage(t, b.run(t, s.authorizeFor(s.social)), "Continue with Google")
	})
	t.Run("confirmation", func(t *testing.T) {
		s := newSessionEnv(t)
		local := "?" + strings.SplitN(s.authorizeURL(), "?", 2)[1]
		social := "?" + strings.SplitN(s.authorizeFor(s.social), "?", 2)[1]
		b := newBrowser(t)
		b.run(t, s.base+"/signup"+local)
		got := b.post(t, s.base+"/signup"+local, url.Values{"_csrf": {s.csrf(t, b)}, "username": {"carol"}, "email": {"carol@example.com"}, "password": {"Corr3ct-Horse"}})
		if got.Callback != nil || got.Status != http.StatusOK {
			t.Fatalf("sign-up: %d %v", got.Status, got.Callback)
		}
		code := s.a.Mail.LastCode(t, "carol@example.com")
		got = b.post(t, s.base+"/confirm"+social, url.Values{"_csrf": {s.csrf(t, b)}, "username": {"carol"}, "code": {code}})
		if got.Callback != nil {
			t.Fatalf("confirmation for a provider-only client went to the client: %v", got.Callback)
		}
		u, err := s.a.DB.GetUserByUsername(context.Background(), s.pool.ID, s.pool.UsernameKey("carol"))
		if err != nil || u.Status != pool.StatusConfirmed {
			t.Fatalf("carol: %v %v, want confirmed", u.Status, err)
		}
		signInPage(t, b.run(t, s.authorizeFor(s.social)), "Continue with Google")
	})
}

// startAt starts a sign-in in b with the authorization URL authURL (with
// identity_provider) and plays the provider, returning its answer
// without sending it.
func startAt(t *testing.T, b *browser, authURL string) fedtest.Callback {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, authURL, nil)
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

// TestCallbackRechecksClientProviders: a provider removed from the
// client while the browser was at it no longer completes the sign-in.
func TestCallbackRechecksClientProviders(t *testing.T) {
	s := newSessionEnv(t)
	b := newBrowser(t)
	cb := startAt(t, b, s.authorizeFor(s.social, "identity_provider", pool.ProviderGoogle))
	if _, err := s.a.Admin.UpdateUserPoolClient(context.Background(), s.pool.ID, s.social.ID, func(c *pool.Client) {
		c.SupportedIdentityProviders = []string{pool.ProviderLoginWithAmazon}
	}); err != nil {
		t.Fatal(err)
	}
	errorCallback(t, b.run(t, s.base+federation.OIDCCallbackPath+"?"+cb.Params.Encode()), "invalid_request")
	signInPage(t, b.run(t, s.authorizeFor(s.social)), "Continue with Amazon")
}

// federationCookies returns the names of b's state cookies.
func (s *sessionEnv) federationCookies(b *browser) []string {
	u, _ := url.Parse(s.base + "/")
	var out []string
	for _, ck := range b.hc.Jar.Cookies(u) {
		if strings.HasPrefix(ck.Name, "lp_federation") {
			out = append(out, ck.Name)
		}
	}
	return out
}

// TestInterleavedSignIns: two sign-ins at providers in one browser (two
// tabs) both complete, each with its own state cookie, used up by its
// callback; a browser keeps only a few pending ones.
func TestInterleavedSignIns(t *testing.T) {
	s := newSessionEnv(t)
	s.amazon.SetUser(fedtest.User{Subject: "amzn1.account.TWO", Email: "two@example.com", Name: "Two"})
	b := newBrowser(t)
	one := startAt(t, b, s.authorizeFor(s.social, "identity_provider", pool.ProviderGoogle, "state", "tab-one"))
	two := startAt(t, b, s.authorizeFor(s.alexa, "identity_provider", pool.ProviderLoginWithAmazon, "state", "tab-two"))
	if n := len(s.federationCookies(b)); n != 2 {
		t.Fatalf("state cookies %v, want one per sign-in", s.federationCookies(b))
	}
	for _, tc := range []struct {
		cb    fedtest.Callback
		state string
	}{{one, "tab-one"}, {two, "tab-two"}} {
		got := b.run(t, s.base+federation.OIDCCallbackPath+"?"+tc.cb.Params.Encode())
		if got.Callback == nil || got.Callback.Query().Get("code") == "" || got.Callback.Query().Get("state") != tc.state {
			t.Fatalf("callback of %s: %d %v\n%.400s", tc.state, got.Status, got.Callback, got.Body)
		}
	}
	if c := s.federationCookies(b); len(c) != 0 {
		t.Fatalf("state cookies %v after both callbacks, want none", c)
	}
	for range 6 {
		startAt(t, b, s.authorizeFor(s.social, "identity_provider", pool.ProviderGoogle))
	}
	if c := s.federationCookies(b); len(c) > 3 {
		t.Fatalf("state cookies %v, want at most 3", c)
	}
}

// TestInterleavedSAMLSignIns: SAML sign-ins pick their state cookie by
// RelayState.
func TestInterleavedSAMLSignIns(t *testing.T) {
	e, idp := samlEnv(t)
	b := newBrowser(t)
	first := samlPost(t, e, idp, b)
	second := samlPost(t, e, idp, b)
	for i, p := range []fedtest.SAMLPost{first, second} {
		if got := b.post(t, p.Action, p.Form); got.Callback == nil || got.Callback.Query().Get("code") == "" {
			t.Fatalf("SAML sign-in %d: %d %v\n%.400s", i+1, got.Status, got.Callback, got.Body)
		}
	}
}
