package federation_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/linkpool/linkpool/internal/federation"
	"github.com/linkpool/linkpool/internal/federation/fedtest"
	"github.com/linkpool/linkpool/internal/pool"
)

// samlEnv is a pool federating with fedtest's crewjam/saml IdP as "Okta",
// which trusts the pool by the pool's own /saml2/metadata.
func samlEnv(t *testing.T) (*env, *fedtest.SAMLIdP) {
	t.Helper()
	e := newEnv(t)
	idp := fedtest.NewSAMLIdP(t)
	e.addProvider(t, pool.IdentityProvider{
		ProviderName: "Okta", ProviderType: pool.ProviderSAML,
		ProviderDetails:  map[string]string{pool.DetailMetadataURL: idp.MetadataURL},
		AttributeMapping: map[string]string{"username": pool.SAMLNameID, "email": fedtest.SAMLAttrEmail, "name": fedtest.SAMLAttrName},
	})
	e.addClient(t, pool.ProviderCognito, "Okta")
	resp, err := http.Get(e.base + "/saml2/metadata")
	if err != nil {
		t.Fatal(err)
	}
	md, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(md), federation.SPEntityID(e.pool.ID)) ||
		!strings.Contains(string(md), e.base+federation.SAMLCallbackPath) {
		t.Fatalf("SP metadata: %d %s", resp.StatusCode, md)
	}
	if err := idp.TrustSP(md); err != nil {
		t.Fatal(err)
	}
	return e, idp
}

func TestSAMLProviderSignIn(t *testing.T) {
	e, idp := samlEnv(t)
	b := newBrowser(t)
	page := b.run(t, e.authorizeURL())
	got := b.run(t, providerLink(t, page.Body, e.base, "Okta"))
	s := e.exchange(t, got.Callback)
	nameID := idp.User().NameID
	e.checkFederated(t, s, "Okta", pool.ProviderSAML, nameID)
	if s.Claims["email"] != idp.User().Email || s.Claims["name"] != idp.User().Name {
		t.Fatalf("mapped claims: %v", s.Claims)
	}

	u := idp.User()
	u.Name = "Jane Roe"
	idp.SetUser(u)
	s = e.exchange(t, newBrowser(t).run(t, e.authorizeURL("identity_provider", "Okta")).Callback)
	if s.Claims["name"] != "Jane Roe" {
		t.Fatalf("second sign-in did not update the name: %v", s.Claims)
	}
	if n := e.userCount(t); n != 1 {
		t.Fatalf("users = %d, want 1", n)
	}
	e.a.Log.NoSecrets(t)
}

// samlPost starts a sign-in at Okta in b and returns the IdP's form,
// not yet posted.
func samlPost(t *testing.T, e *env, idp *fedtest.SAMLIdP, b *browser) fedtest.SAMLPost {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, e.authorizeURL("identity_provider", "Okta"), nil)
	resp, err := b.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("authorize: %d", resp.StatusCode)
	}
	post, err := idp.SignIn(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	return post
}

func TestSAMLProviderNegative(t *testing.T) {
	e, idp := samlEnv(t)
	// A provider whose metadata server is down.
	down := httptest.NewServer(http.NotFoundHandler())
	downURL := down.URL + "/metadata"
	down.Close()
	e.addProvider(t, pool.IdentityProvider{ProviderName: "Down", ProviderType: pool.ProviderSAML,
		ProviderDetails: map[string]string{pool.DetailMetadataURL: downURL}})
	e.addClient(t, pool.ProviderCognito, "Okta", "Down")
	t.Run("metadata unreachable", func(t *testing.T) {
		errorCallback(t, newBrowser(t).run(t, e.authorizeURL("identity_provider", "Down")), "invalid_request")
	})
	for _, tc := range []struct {
		name  string
		knobs fedtest.SAMLKnobs
	}{
		{"unsigned assertion and response", fedtest.SAMLKnobs{UnsignedAssertion: true, UnsignedResponse: true}},
		{"tampered assertion", fedtest.SAMLKnobs{Tamper: true}},
		{"wrong audience", fedtest.SAMLKnobs{WrongAudience: true}},
		{"answer to another request", fedtest.SAMLKnobs{OtherRequestID: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			idp.SetKnobs(tc.knobs)
			defer idp.SetKnobs(fedtest.SAMLKnobs{})
			b := newBrowser(t)
			post := samlPost(t, e, idp, b)
			errorCallback(t, b.post(t, post.Action, post.Form), "invalid_request")
		})
	}
	t.Run("IdP refuses", func(t *testing.T) {
		idp.SetKnobs(fedtest.SAMLKnobs{Status: "urn:oasis:names:tc:SAML:2.0:status:Responder", SecondStatus: "urn:oasis:names:tc:SAML:2.0:status:AuthnFailed"})
		defer idp.SetKnobs(fedtest.SAMLKnobs{})
		b := newBrowser(t)
		post := samlPost(t, e, idp, b)
		got := b.post(t, post.Action, post.Form)
		if got.Callback == nil || got.Callback.Query().Get("error") == "" {
			t.Fatalf("refused sign-in ended %d %v", got.Status, got.Callback)
		}
	})
	if n := e.userCount(t); n != 0 {
		t.Fatalf("users = %d after refused assertions, want 0", n)
	}
	t.Run("replayed assertion", func(t *testing.T) {
		b := newBrowser(t)
		post := samlPost(t, e, idp, b)
		ck := stateCookie(t, e, b)
		if got := b.post(t, post.Action, post.Form); got.Callback == nil || got.Callback.Query().Get("code") == "" {
			t.Fatalf("first post: %d %v", got.Status, got.Callback)
		}
		// The same assertion with a fresh state of this browser: the
		// assertion's id was consumed.
		b2 := newBrowser(t)
		_ = samlPost(t, e, idp, b2)
		got := b2.post(t, post.Action, post.Form)
		if got.Callback == nil || got.Callback.Query().Get("code") != "" {
			t.Fatalf("replayed assertion with a new state: %d %v", got.Status, got.Callback)
		}
		// The same post with the used state cookie.
		req, _ := http.NewRequest(http.MethodPost, post.Action, strings.NewReader(post.Form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(ck)
		errorPage(t, newBrowser(t).do(t, req))
	})
	if n := e.userCount(t); n != 1 {
		t.Fatalf("users = %d, want 1", n)
	}
	e.a.Log.NoSecrets(t, "eyJ", "SAMLResponse=", "<saml")
}
