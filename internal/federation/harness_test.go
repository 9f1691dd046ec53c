package federation_test

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/linkpool/linkpool/internal/app"
	"github.com/linkpool/linkpool/internal/apptest"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
)

// clientCallback is the app client's redirect URI: the browser stops
// when it is sent there.
const clientCallback = "https://client.example/cb"

// env is the whole app with one pool and one app client that lists the
// providers a test adds.
type env struct {
	a      *apptest.App
	pool   pool.Pool
	client pool.Client
	secret string
	base   string // the pool's base URL
}

func newEnv(t testing.TB, edit ...func(*app.Config)) *env {
	t.Helper()
	if testing.Short() {
		t.Skip("federation end-to-end test: -short")
	}
	a := apptest.New(t, func(c *app.Config) {
		c.Now = nil // real providers check token times against the wall clock
		c.FederationClient = &http.Client{Transport: &http.Transport{Proxy: nil}}
		for _, f := range edit {
			f(c)
		}
	})
	p := a.Pool(t, "us-east-1", "Fed")
	return &env{a: a, pool: p, base: a.URL + "/" + p.ID}
}

// addClient creates the app client with the given SupportedIdentityProviders.
func (e *env) addClient(t testing.TB, providers ...string) {
	t.Helper()
	e.client, e.secret = e.a.Client(t, e.pool, "web", []string{clientCallback}, func(c *pool.Client) {
		c.SupportedIdentityProviders = providers
	})
}

// addProvider creates an identity provider through the admin service.
func (e *env) addProvider(t testing.TB, idp pool.IdentityProvider) pool.IdentityProvider {
	t.Helper()
	idp.PoolID = e.pool.ID
	out, err := e.a.Admin.CreateIdentityProvider(context.Background(), idp)
	if err != nil {
		t.Fatalf("CreateIdentityProvider(%s): %v", idp.ProviderName, err)
	}
	for _, k := range pool.SecretDetails {
		if v := idp.ProviderDetails[k]; v != "" {
			e.a.Log.Secret(v)
		}
	}
	return out
}

// authorizeURL is the client's authorization request, with extra
// parameters.
func (e *env) authorizeURL(extra ...string) string {
	q := url.Values{
		"client_id": {e.client.ID}, "redirect_uri": {clientCallback}, "response_type": {"code"},
		"scope": {"openid email profile"}, "state": {"client-state"}, "nonce": {"client-nonce"},
	}
	for i := 0; i+1 < len(extra); i += 2 {
		q.Set(extra[i], extra[i+1])
	}
	return e.base + "/oauth2/authorize?" + q.Encode()
}

func (e *env) userCount(t *testing.T) int {
	t.Helper()
	page, err := e.a.DB.ListUsers(context.Background(), e.pool.ID, store.ListOptions{Limit: store.MaxPageSize})
	if err != nil {
		t.Fatal(err)
	}
	return len(page.Items)
}

// browser follows redirects and posts auto-submitting forms (a provider's
// form_post page, a SAML IdP's HTTP-POST form), with cookies, until it is
// sent to the client's callback or a page ends the journey.
type browser struct {
	hc *http.Client
}

func newBrowser(t testing.TB) *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{hc: &http.Client{
		Jar:           jar,
		Transport:     &http.Transport{Proxy: nil},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// end is where a journey ended: the client's callback (Callback set) or
// a page (Status, Body).
type end struct {
	Callback *url.URL
	Status   int
	Body     string
}

var (
	formTag    = regexp.MustCompile(`(?is)<form[^>]*method="post"[^>]*action="([^"]*)"|<form[^>]*action="([^"]*)"[^>]*method="post"`)
	hiddenTag  = regexp.MustCompile(`(?is)<input[^>]*type="hidden"[^>]*>`)
	attrName   = regexp.MustCompile(`name="([^"]*)"`)
	attrValue  = regexp.MustCompile(`value="([^"]*)"`)
	anchorHref = regexp.MustCompile(`(?is)<a[^>]*data-provider="([^"]*)"[^>]*href="([^"]*)"|<a[^>]*href="([^"]*)"[^>]*data-provider="([^"]*)"`)
)

// run starts at start (a GET) and goes on as a browser would.
func (b *browser) run(t testing.TB, start string) end {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, start, nil)
	return b.do(t, req)
}

// post posts form to action and goes on from there.
func (b *browser) post(t testing.TB, action string, form url.Values) end {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, action, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(t, req)
}

func (b *browser) do(t testing.TB, req *http.Request) end {
	t.Helper()
	for range 20 {
		resp, err := b.hc.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", req.Method, req.URL, err)
		}
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
		resp.Body.Close()
		switch {
		case resp.StatusCode >= 300 && resp.StatusCode < 400:
			loc, err := req.URL.Parse(resp.Header.Get("Location"))
			if err != nil {
				t.Fatalf("Location: %v", err)
			}
			if strings.HasPrefix(loc.String(), clientCallback) {
				return end{Callback: loc, Status: resp.StatusCode}
			}
			req, _ = http.NewRequest(http.MethodGet, loc.String(), nil)
		case resp.StatusCode == http.StatusOK && formTag.Match(body) && !strings.Contains(string(body), "signInForm") &&
			!strings.Contains(string(body), `class="card"`):
			m := formTag.FindSubmatch(body)
			action := html.UnescapeString(string(m[1]) + string(m[2]))
			form := url.Values{}
			for _, in := range hiddenTag.FindAll(body, -1) {
				n, v := attrName.FindSubmatch(in), attrValue.FindSubmatch(in)
				if n != nil && v != nil {
					form.Set(html.UnescapeString(string(n[1])), html.UnescapeString(string(v[1])))
				}
			}
			u, err := req.URL.Parse(action)
			if err != nil {
				t.Fatalf("form action: %v", err)
			}
			req, _ = http.NewRequest(http.MethodPost, u.String(), strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		default:
			return end{Status: resp.StatusCode, Body: string(body)}
		}
	}
	t.Fatal("too many steps")
	return end{}
}

// providerLink finds the hosted sign-in page's button for a provider.
func providerLink(t *testing.T, page, base, name string) string {
	t.Helper()
	for _, m := range anchorHref.FindAllStringSubmatch(page, -1) {
		n, href := m[1], m[2]
		if n == "" {
			n, href = m[4], m[3]
		}
		if html.UnescapeString(n) == name {
			u, err := url.Parse(base)
			if err != nil {
				t.Fatal(err)
			}
			ref, err := u.Parse(html.UnescapeString(href))
			if err != nil {
				t.Fatal(err)
			}
			return ref.String()
		}
	}
	t.Fatalf("no button for %s on the sign-in page:\n%s", name, page)
	return ""
}

// signedIn is what the client gets: verified ID token claims and the
// userInfo answer.
type signedIn struct {
	Claims   map[string]any
	UserInfo map[string]any
}

// exchange redeems the code of a callback with golang.org/x/oauth2 and
// verifies the ID token with go-oidc against the pool's discovery.
func (e *env) exchange(t *testing.T, cb *url.URL) signedIn {
	t.Helper()
	if cb == nil {
		t.Fatal("the sign-in did not come back to the client")
	}
	q := cb.Query()
	if q.Get("error") != "" || q.Get("code") == "" {
		t.Fatalf("callback %s", cb)
	}
	if q.Get("state") != "client-state" {
		t.Fatalf("state %q, want client-state", q.Get("state"))
	}
	ctx := oidc.ClientContext(context.Background(), &http.Client{Transport: &http.Transport{Proxy: nil}})
	issuer := e.a.Server.URL + "/" + e.pool.ID
	provider, err := oidc.NewProvider(ctx, issuer)
	if err != nil {
		t.Fatalf("discovery: %v", err)
	}
	cfg := oauth2.Config{ClientID: e.client.ID, ClientSecret: e.secret, Endpoint: provider.Endpoint(), RedirectURL: clientCallback,
		Scopes: []string{oidc.ScopeOpenID, "email", "profile"}}
	tok, err := cfg.Exchange(ctx, q.Get("code"))
	if err != nil {
		t.Fatalf("code exchange: %v", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := provider.Verifier(&oidc.Config{ClientID: e.client.ID}).Verify(ctx, raw)
	if err != nil {
		t.Fatalf("ID token: %v", err)
	}
	if idt.Nonce != "client-nonce" {
		t.Fatalf("nonce %q", idt.Nonce)
	}
	var out signedIn
	if err := idt.Claims(&out.Claims); err != nil {
		t.Fatal(err)
	}
	ui, err := provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
	if err != nil {
		t.Fatalf("userInfo: %v", err)
	}
	if err := ui.Claims(&out.UserInfo); err != nil {
		t.Fatal(err)
	}
	return out
}

// checkFederated checks the claims of a user a provider created.
func (e *env) checkFederated(t *testing.T, s signedIn, providerName, providerType, subject string) {
	t.Helper()
	if got := s.Claims["cognito:username"]; got != pool.FederatedUsername(providerName, subject) {
		t.Fatalf("cognito:username = %v, want %s", got, pool.FederatedUsername(providerName, subject))
	}
	groups, _ := s.Claims["cognito:groups"].([]any)
	if !slices.Contains(groups, any(pool.FederatedGroup(e.pool.ID, providerName))) {
		t.Fatalf("cognito:groups = %v, want %s", s.Claims["cognito:groups"], pool.FederatedGroup(e.pool.ID, providerName))
	}
	ids, _ := s.Claims["identities"].([]any)
	if len(ids) != 1 {
		t.Fatalf("identities = %v", s.Claims["identities"])
	}
	id, _ := ids[0].(map[string]any)
	if id["userId"] != subject || id["providerName"] != providerName || id["providerType"] != providerType ||
		id["primary"] != "true" || id["issuer"] != nil {
		t.Fatalf("identity = %v", id)
	}
	if _, ok := id["dateCreated"].(string); !ok {
		t.Fatalf("dateCreated = %#v, want a string of milliseconds", id["dateCreated"])
	}
	if s, ok := s.UserInfo["identities"].(string); !ok || !strings.Contains(s, `"providerName":"`+providerName+`"`) {
		t.Fatalf("userInfo identities = %#v, want Cognito's JSON string", s)
	}
}

// errorCallback checks that a journey ended at the client with error code.
func errorCallback(t *testing.T, got end, code string) {
	t.Helper()
	if got.Callback == nil {
		t.Fatalf("ended on a page %d, want a redirect with error=%s:\n%.600s", got.Status, code, got.Body)
	}
	q := got.Callback.Query()
	if q.Get("error") != code || q.Get("error_description") == "" || q.Get("code") != "" || q.Get("state") != "client-state" {
		t.Fatalf("callback %s, want error=%s with a description and the state", got.Callback, code)
	}
}

// errorPage checks that a journey ended on the hosted error page.
func errorPage(t *testing.T, got end) {
	t.Helper()
	if got.Callback != nil || got.Status != http.StatusBadRequest {
		t.Fatalf("ended with %d %v, want the error page (400)", got.Status, got.Callback)
	}
}
