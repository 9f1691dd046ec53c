package hostedui_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
)

// providerClient adds a client that signs users in only through the
// identity provider "Corp".
func (e *env) providerClient(t *testing.T) pool.Client {
	t.Helper()
	c := pool.NewClient(e.pool.ID, "corp-only", e.clock.Now())
	c.CallbackURLs = append([]string(nil), alexaRedirects...)
	c.AllowedOAuthFlows = []string{pool.FlowCode}
	c.AllowedOAuthFlowsUserPoolClient = true
	c.AllowedOAuthScopes = []string{pool.ScopeOpenID, pool.ScopeEmail}
	c.SupportedIdentityProviders = []string{"Corp"}
	if err := e.st.CreateClient(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestPasswordSessionNotForProviderOnlyClient: a session opened with a
// password (on the authorization's page or a plain /login) completes
// authorizations for COGNITO clients only; a client that lists only a
// provider gets the sign-in page, as without a session, and no sign-up.
func TestPasswordSessionNotForProviderOnlyClient(t *testing.T) {
	e := newEnv(t, options{})
	corp := e.providerClient(t)
	e.createUser(t, "ada", "ada@example.com", goodPW)
	corpQuery := e.authQuery(alexaRedirects[0], "client_id", corp.ID).Encode()
	expectLoginPage := func(t *testing.T, b *browser) {
		t.Helper()
		p := b.get("/oauth2/authorize?" + corpQuery)
		if p.Status != http.StatusFound || !strings.Contains(p.Location, "/login?") {
			t.Fatalf("authorize for a provider-only client with a password session: %d %s, want /login", p.Status, p.Location)
		}
	}

	t.Run("authorization page", func(t *testing.T) {
		b := e.browser()
		codeFrom(t, b.login(alexaRedirects[0], "ada", goodPW), alexaRedirects[0])
		expectLoginPage(t, b)
		codeFrom(t, b.get("/oauth2/authorize?"+e.authQuery(alexaRedirects[0]).Encode()), alexaRedirects[0])
	})
	t.Run("plain /login", func(t *testing.T) {
		b := e.browser()
		p := b.submit(b.get("/login"), map[string]string{"username": "ada", "password": goodPW})
		if p.Status != http.StatusOK || p.cookie("lp_session") == nil {
			t.Fatalf("plain sign-in: %d", p.Status)
		}
		expectLoginPage(t, b)
		codeFrom(t, b.get("/oauth2/authorize?"+e.authQuery(alexaRedirects[0]).Encode()), alexaRedirects[0])
	})
	t.Run("sign-up", func(t *testing.T) {
		b := e.browser()
		login := b.get("/login")
		form := url.Values{"_csrf": {login.csrf(t)}, "username": {"bob"}, "email": {"bob@example.com"}, "password": {goodPW}}
		if p := b.post("/signup?"+corpQuery, form, "Origin", e.srv.URL, "Sec-Fetch-Site", "same-origin"); p.Status != http.StatusBadRequest {
			t.Fatalf("sign-up for a provider-only client: %d %s", p.Status, p.Location)
		}
		if _, err := e.st.GetUserByUsername(context.Background(), e.pool.ID, e.pool.UsernameKey("bob")); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("bob after a refused sign-up: %v", err)
		}
		if p := b.get("/signup?" + corpQuery); p.Status != http.StatusBadRequest {
			t.Fatalf("sign-up page for a provider-only client: %d", p.Status)
		}
	})
}
