package federation_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/federation"
	"github.com/linkpool/linkpool/internal/pool"
)

var signInAction = regexp.MustCompile(`<form method="post" action="([^"]*)" id="signInForm">`)

// submitLogin fills in linkpool's hosted sign-in form on page (reached
// at pageURL) and goes on.
func submitLogin(t *testing.T, b *browser, pageURL string, page end, username, password string) end {
	t.Helper()
	m := signInAction.FindStringSubmatch(page.Body)
	if m == nil {
		t.Fatalf("no sign-in form (%d):\n%.800s", page.Status, page.Body)
	}
	form := url.Values{"username": {username}, "password": {password}}
	for _, in := range hiddenTag.FindAllString(page.Body, -1) {
		n, v := attrName.FindStringSubmatch(in), attrValue.FindStringSubmatch(in)
		if n != nil && v != nil {
			form.Set(html.UnescapeString(n[1]), html.UnescapeString(v[1]))
		}
	}
	base, _ := url.Parse(pageURL)
	action, err := base.Parse(html.UnescapeString(m[1]))
	if err != nil {
		t.Fatal(err)
	}
	return b.post(t, action.String(), form)
}

// TestLinkpoolPoolAsProvider: pool B of the same server is pool A's
// OpenID Connect provider "PoolB"; B's hosted sign-in page signs the
// user in, and pool A gets a federated user.
func TestLinkpoolPoolAsProvider(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	poolB := e.a.Pool(t, "us-east-1", "Upstream")
	clientB, secretB := e.a.Client(t, poolB, "pool-a", []string{e.base + federation.OIDCCallbackPath}, func(c *pool.Client) {
		c.SupportedIdentityProviders = []string{pool.ProviderCognito}
	})
	if _, err := e.a.Accounts.AdminCreateUser(ctx, poolB, account.AdminCreateUserInput{
		Username: "henry", TemporaryPassword: "Corr3ct-Horse", Permanent: true,
		Attributes: map[string]string{"email": "henry@upstream.example", "name": "Henry"}, EmailVerified: true,
	}); err != nil {
		t.Fatal(err)
	}
	e.addProvider(t, pool.IdentityProvider{
		ProviderName: "PoolB", ProviderType: pool.ProviderOIDC,
		ProviderDetails: map[string]string{
			pool.DetailClientID: clientB.ID, pool.DetailClientSecret: secretB,
			pool.DetailAuthorizeScopes: "openid email profile", pool.DetailOIDCIssuer: e.a.Server.URL + "/" + poolB.ID,
			pool.DetailAttributesRequestMethod: "GET",
		},
		AttributeMapping: map[string]string{"username": "sub", "email": "email", "name": "name"},
	})
	e.addClient(t, pool.ProviderCognito, "PoolB")

	b := newBrowser(t)
	page := b.run(t, e.authorizeURL())
	link := providerLink(t, page.Body, e.base, "PoolB")
	// The button leads to pool B's sign-in page.
	req, _ := http.NewRequest(http.MethodGet, link, nil)
	var loginURL string
	for range 5 {
		resp, err := b.hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		loc, err := req.URL.Parse(resp.Header.Get("Location"))
		if resp.StatusCode != http.StatusFound || err != nil {
			t.Fatalf("%s: %d", req.URL, resp.StatusCode)
		}
		if loc.Path == "/"+poolB.ID+"/login" {
			loginURL = loc.String()
			break
		}
		req, _ = http.NewRequest(http.MethodGet, loc.String(), nil)
	}
	if loginURL == "" {
		t.Fatal("never reached pool B's sign-in page")
	}
	loginPage := b.run(t, loginURL)
	s := e.exchange(t, submitLogin(t, b, loginURL, loginPage, "henry", "Corr3ct-Horse").Callback)
	upstream, err := e.a.DB.GetUserByUsername(ctx, poolB.ID, poolB.UsernameKey("henry"))
	if err != nil {
		t.Fatal(err)
	}
	e.checkFederated(t, s, "PoolB", pool.ProviderOIDC, upstream.Sub)
	if s.Claims["email"] != "henry@upstream.example" || s.Claims["name"] != "Henry" {
		t.Fatalf("mapped claims: %v", s.Claims)
	}

	// Pool B's session signs the user in again without a form, and a
	// changed attribute upstream reaches pool A.
	if err := e.a.Accounts.AdminUpdateUserAttributes(ctx, poolB, "henry", map[string]string{"name": "Henry V"}); err != nil {
		t.Fatal(err)
	}
	s = e.exchange(t, b.run(t, e.authorizeURL("identity_provider", "PoolB")).Callback)
	if s.Claims["name"] != "Henry V" {
		t.Fatalf("second sign-in name = %v", s.Claims["name"])
	}
	if n := e.userCount(t); n != 1 {
		t.Fatalf("users of pool A = %d, want 1", n)
	}
	e.a.Log.NoSecrets(t, "eyJ") // no token (JWT) of any kind in the log
}
