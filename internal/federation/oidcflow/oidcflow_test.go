package oidcflow_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/federation/fedtest"
	"github.com/linkpool/linkpool/internal/federation/oidcflow"
	"github.com/linkpool/linkpool/internal/federation/upstream"
	"github.com/linkpool/linkpool/internal/pool"
)

// redirectURI is the pool's callback; the tests collect the parameters
// the provider sends there without calling it.
const redirectURI = "http://127.0.0.1:9/oauth2/idpresponse"

// signIn runs Begin, plays the browser at the provider, and runs Finish.
func signIn(t *testing.T, c *oidcflow.Client, cfg oidcflow.Config) (oidcflow.Result, fedtest.Callback, error) {
	t.Helper()
	authURL, p, err := c.Begin(context.Background(), cfg)
	if err != nil {
		t.Fatalf("Begin: %v", err)
	}
	cb := fedtest.Authorize(t, nil, authURL)
	res, err := c.Finish(context.Background(), cfg, p, cb.Params)
	if err != nil {
		noSecrets(t, err, cb.Params.Get("code"))
	}
	return res, cb, err
}

// wantKind fails unless err is an *upstream.Error of kind.
func wantKind(t *testing.T, err error, kind upstream.Kind) *upstream.Error {
	t.Helper()
	var e *upstream.Error
	if !errors.As(err, &e) {
		t.Fatalf("error = %v (%T), want an *upstream.Error of kind %v", err, err, kind)
	}
	if e.Kind != kind {
		t.Fatalf("error kind = %v (%v), want %v", e.Kind, err, kind)
	}
	return e
}

// noSecrets fails if err or what it wraps quotes the authorization code.
func noSecrets(t *testing.T, err error, code string) {
	t.Helper()
	for e := err; e != nil; e = errors.Unwrap(e) {
		if code != "" && strings.Contains(e.Error(), code) {
			t.Errorf("error %q contains the authorization code", e.Error())
		}
	}
}

func cfg(typ string, details map[string]string) oidcflow.Config {
	return oidcflow.Config{Type: typ, Details: details, RedirectURI: redirectURI}
}

func opConfig(op *fedtest.OP, extra map[string]string) oidcflow.Config {
	op.AddClient("linkpool", "s3cret", redirectURI)
	d := map[string]string{
		pool.DetailClientID: "linkpool", pool.DetailClientSecret: "s3cret",
		pool.DetailAuthorizeScopes: "openid,email profile", pool.DetailOIDCIssuer: op.Issuer(),
	}
	for k, v := range extra {
		d[k] = v
	}
	return cfg(pool.ProviderOIDC, d)
}

func TestOIDCSignIn(t *testing.T) {
	for _, method := range []string{"GET", "POST"} {
		t.Run(method, func(t *testing.T) {
			op := fedtest.NewOP(t)
			c := oidcflow.New(nil)
			conf := opConfig(op, map[string]string{pool.DetailAttributesRequestMethod: method})
			authURL, p, err := c.Begin(context.Background(), conf)
			if err != nil {
				t.Fatal(err)
			}
			q := mustQuery(t, authURL)
			if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || q.Get("nonce") != p.Nonce || p.Nonce == "" {
				t.Errorf("authorization request %v: want PKCE S256 and the nonce", q)
			}
			if q.Get("scope") != "openid email profile" {
				t.Errorf("scope = %q, want the comma-separated scopes space-separated", q.Get("scope"))
			}
			cb := fedtest.Authorize(t, nil, authURL)
			res, err := c.Finish(context.Background(), conf, p, cb.Params)
			if err != nil {
				t.Fatal(err)
			}
			u := fedtest.DefaultUser
			if res.Subject != u.Subject {
				t.Errorf("Subject = %q, want %q", res.Subject, u.Subject)
			}
			if got := op.UserInfoMethods(); len(got) != 1 || got[0] != method {
				t.Errorf("user-info calls %v, want one %s", got, method)
			}
			for k, want := range map[string]string{"sub": u.Subject, "email": u.Email, "email_verified": "true", "given_name": u.GivenName, "iss": op.Issuer(), "aud": `["linkpool"]`} {
				if res.Claims[k] != want {
					t.Errorf("Claims[%s] = %q, want %q (claims %v)", k, res.Claims[k], want, res.Claims)
				}
			}
		})
	}
}

func TestOIDCExplicitEndpoints(t *testing.T) {
	op := fedtest.NewOP(t)
	// Endpoints given in the details are used without discovery.
	conf := opConfig(op, map[string]string{
		pool.DetailAuthorizeURL: op.Issuer() + "/authorize", pool.DetailTokenURL: op.Issuer() + "/oauth/token",
		pool.DetailJWKSURI: op.Issuer() + "/keys", pool.DetailAttributesURL: op.Issuer() + "/userinfo",
	})
	res, _, err := signIn(t, oidcflow.New(nil), conf)
	if err != nil {
		t.Fatal(err)
	}
	if res.Claims["email"] != fedtest.DefaultUser.Email {
		t.Errorf("claims %v: want the user info's email", res.Claims)
	}
}

func TestOIDCDenied(t *testing.T) {
	op := fedtest.NewOP(t)
	conf := opConfig(op, nil)
	op.Deny()
	_, _, err := signIn(t, oidcflow.New(nil), conf)
	if e := wantKind(t, err, upstream.Denied); e.Code != "access_denied" {
		t.Errorf("Code = %q, want access_denied", e.Code)
	}
}

func TestOIDCProviderDown(t *testing.T) {
	op := fedtest.NewOP(t)
	conf := opConfig(op, nil)
	c := oidcflow.New(nil)
	authURL, p, err := c.Begin(context.Background(), conf)
	if err != nil {
		t.Fatal(err)
	}
	cb := fedtest.Authorize(t, nil, authURL)
	op.Stop()
	_, err = c.Finish(context.Background(), conf, p, cb.Params)
	wantKind(t, err, upstream.Unavailable)
	noSecrets(t, err, cb.Params.Get("code"))
	// A new sign-in cannot even discover the provider.
	_, _, err = oidcflow.New(nil).Begin(context.Background(), conf)
	wantKind(t, err, upstream.Unavailable)
}

func TestGoogleSignIn(t *testing.T) {
	g := fedtest.NewGoogle(t, redirectURI)
	res, _, err := signIn(t, oidcflow.New(nil), cfg(pool.ProviderGoogle, g.Details()))
	if err != nil {
		t.Fatal(err)
	}
	u := fedtest.DefaultUser
	want := map[string]string{
		"sub": u.Subject, "email": u.Email, "email_verified": "true", "name": u.Name, "given_name": u.GivenName,
		"family_name": u.FamilyName, "picture": "https://example.com/ada.png", "azp": g.ClientID,
	}
	for k, v := range want {
		if res.Claims[k] != v {
			t.Errorf("Claims[%s] = %q, want %q", k, res.Claims[k], v)
		}
	}
	if res.Subject != u.Subject {
		t.Errorf("Subject = %q", res.Subject)
	}
}

func TestAmazonSignIn(t *testing.T) {
	a := fedtest.NewAmazon(t, redirectURI)
	c := oidcflow.New(nil)
	conf := cfg(pool.ProviderLoginWithAmazon, a.Details())
	authURL, p, err := c.Begin(context.Background(), conf)
	if err != nil {
		t.Fatal(err)
	}
	if q := mustQuery(t, authURL); q.Get("code_challenge_method") != "S256" || q.Get("nonce") != "" || p.Nonce != "" {
		t.Errorf("authorization request %v: want PKCE and no nonce", q)
	}
	cb := fedtest.Authorize(t, nil, authURL)
	res, err := c.Finish(context.Background(), conf, p, cb.Params)
	if err != nil {
		t.Fatal(err)
	}
	u := fedtest.DefaultUser
	if res.Subject != u.Subject || res.Claims["user_id"] != u.Subject || res.Claims["email"] != u.Email ||
		res.Claims["name"] != u.Name || res.Claims["postal_code"] != u.PostalCode {
		t.Errorf("result %+v: want the Amazon profile of %+v", res, u)
	}
}

func TestFacebookSignIn(t *testing.T) {
	f := fedtest.NewFacebook(t, redirectURI)
	c := oidcflow.New(nil)
	conf := cfg(pool.ProviderFacebook, f.Details())
	authURL, p, err := c.Begin(context.Background(), conf)
	if err != nil {
		t.Fatal(err)
	}
	if q := mustQuery(t, authURL); q.Get("code_challenge") != "" || q.Get("nonce") != "" || q.Get("scope") != "public_profile,email" {
		t.Errorf("authorization request %v: want no PKCE, no nonce, comma-separated scopes", q)
	}
	cb := fedtest.Authorize(t, nil, authURL)
	res, err := c.Finish(context.Background(), conf, p, cb.Params)
	if err != nil {
		t.Fatal(err)
	}
	u := fedtest.DefaultUser
	if res.Subject != u.Subject || res.Claims["id"] != u.Subject || res.Claims["email"] != u.Email ||
		res.Claims["first_name"] != u.GivenName || res.Claims["last_name"] != u.FamilyName {
		t.Errorf("result %+v: want the Graph profile of %+v", res, u)
	}
	var pic struct {
		Data struct {
			URL string `json:"url"`
		} `json:"data"`
	}
	if err := json.Unmarshal([]byte(res.Claims["picture"]), &pic); err != nil || pic.Data.URL == "" {
		t.Errorf("picture = %q: want the JSON object", res.Claims["picture"])
	}

	// Without the email scope, the Graph API is not asked for the email.
	d := f.Details()
	d[pool.DetailAuthorizeScopes] = "public_profile"
	res, _, err = signIn(t, c, cfg(pool.ProviderFacebook, d))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := res.Claims["email"]; ok {
		t.Errorf("claims %v: no email without the email scope", res.Claims)
	}
}

func TestAppleSignIn(t *testing.T) {
	a := fedtest.NewApple(t, redirectURI)
	c := oidcflow.New(nil)
	conf := cfg(pool.ProviderSignInWithApple, a.Details())
	authURL, p, err := c.Begin(context.Background(), conf)
	if err != nil {
		t.Fatal(err)
	}
	if q := mustQuery(t, authURL); q.Get("response_mode") != "form_post" || q.Get("nonce") == "" {
		t.Errorf("authorization request %v: want form_post and a nonce", q)
	}
	cb := fedtest.Authorize(t, nil, authURL)
	if cb.Method != http.MethodPost {
		t.Errorf("callback method = %s, want Apple's form_post", cb.Method)
	}
	res, err := c.Finish(context.Background(), conf, p, cb.Params)
	if err != nil {
		t.Fatal(err)
	}
	u := fedtest.DefaultUser
	for k, v := range map[string]string{"sub": u.Subject, "email": u.Email, "email_verified": "true", "given_name": u.GivenName, "family_name": u.FamilyName} {
		if res.Claims[k] != v {
			t.Errorf("first sign-in: Claims[%s] = %q, want %q", k, res.Claims[k], v)
		}
	}

	// Apple sends the name on the first sign-in only.
	res, cb, err = signIn(t, c, conf)
	if err != nil {
		t.Fatal(err)
	}
	if cb.Params.Has("user") || res.Claims["given_name"] != "" || res.Claims["email"] != u.Email {
		t.Errorf("second sign-in: claims %v, callback has user %v: want the ID token's claims only", res.Claims, cb.Params.Has("user"))
	}
}

func TestAppleClientSecretWrongKey(t *testing.T) {
	a := fedtest.NewApple(t, redirectURI)
	other := fedtest.NewApple(t, redirectURI) // another developer account's key
	d := a.Details()
	d[pool.DetailPrivateKey] = other.Details()[pool.DetailPrivateKey]
	_, _, err := signIn(t, oidcflow.New(nil), cfg(pool.ProviderSignInWithApple, d))
	if e := wantKind(t, err, upstream.Invalid); e.Code != "invalid_client" {
		t.Errorf("Code = %q, want invalid_client", e.Code)
	}
}

func TestAppleBadPrivateKey(t *testing.T) {
	a := fedtest.NewApple(t, redirectURI)
	d := a.Details()
	d[pool.DetailPrivateKey] = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"
	_, _, err := signIn(t, oidcflow.New(nil), cfg(pool.ProviderSignInWithApple, d))
	// A configuration fault of the pool, not the user's: never Invalid.
	wantKind(t, err, upstream.Unavailable)
}

// TestFinishRejects runs the negative cases against the Google stand-in
// (discovery, ID token, user info), each asserting the error's kind.
func TestFinishRejects(t *testing.T) {
	cases := []struct {
		name   string
		knobs  fedtest.Knobs
		client *http.Client
		params func(url.Values)
		kind   upstream.Kind
		code   string
		desc   string // in the Description
	}{
		{name: "state mismatch", params: func(q url.Values) { q.Set("state", "forged") }, kind: upstream.Invalid, desc: "state"},
		{name: "no state", params: func(q url.Values) { q.Del("state") }, kind: upstream.Invalid, desc: "state"},
		{name: "no code", params: func(q url.Values) { q.Del("code") }, kind: upstream.Invalid, desc: "no authorization code"},
		{name: "access denied", knobs: fedtest.Knobs{Deny: true}, kind: upstream.Denied, code: "access_denied"},
		{name: "nonce mismatch", knobs: fedtest.Knobs{BadNonce: true}, kind: upstream.Invalid, desc: "nonce"},
		{name: "wrong audience", knobs: fedtest.Knobs{WrongAudience: true}, kind: upstream.Invalid, desc: "audience"},
		{name: "tampered signature", knobs: fedtest.Knobs{TamperSignature: true}, kind: upstream.Invalid, desc: "signature"},
		{name: "expired ID token", knobs: fedtest.Knobs{Expired: true}, kind: upstream.Invalid, desc: "expired"},
		{name: "wrong issuer", knobs: fedtest.Knobs{WrongIssuer: true}, kind: upstream.Invalid, desc: "wrong issuer"},
		{name: "alg none", knobs: fedtest.Knobs{AlgNone: true}, kind: upstream.Invalid, desc: "ID token is not valid"},
		{name: "HS256 with the public key", knobs: fedtest.Knobs{HS256: true}, kind: upstream.Invalid, desc: "ID token is not valid"},
		{name: "invalid_grant", knobs: fedtest.Knobs{TokenError: "invalid_grant"}, kind: upstream.Invalid, code: "invalid_grant"},
		{name: "user info of another user", knobs: fedtest.Knobs{UserInfoSubject: "someone-else"}, kind: upstream.Invalid, desc: "subject of the user info"},
		{name: "oversized response", knobs: fedtest.Knobs{Oversized: true}, kind: upstream.Unavailable, desc: "larger than"},
		{name: "slow provider", knobs: fedtest.Knobs{Slow: true}, client: &http.Client{Timeout: 200 * time.Millisecond}, kind: upstream.Unavailable, desc: "could not be reached"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := fedtest.NewGoogle(t, redirectURI)
			conf := cfg(pool.ProviderGoogle, g.Details())
			c := oidcflow.New(tc.client)
			authURL, p, err := c.Begin(context.Background(), conf)
			if err != nil {
				t.Fatal(err)
			}
			g.Set(tc.knobs)
			cb := fedtest.Authorize(t, nil, authURL)
			if tc.params != nil {
				tc.params(cb.Params)
			}
			_, err = c.Finish(context.Background(), conf, p, cb.Params)
			t.Logf("%v", err)
			e := wantKind(t, err, tc.kind)
			if !strings.Contains(e.Description, tc.desc) {
				t.Errorf("Description = %q, want it to say %q", e.Description, tc.desc)
			}
			if tc.code != "" && e.Code != tc.code {
				t.Errorf("Code = %q, want %q", e.Code, tc.code)
			}
			noSecrets(t, err, cb.Params.Get("code"))
		})
	}
}

func TestCodeReplay(t *testing.T) {
	g := fedtest.NewGoogle(t, redirectURI)
	conf := cfg(pool.ProviderGoogle, g.Details())
	c := oidcflow.New(nil)
	authURL, p, err := c.Begin(context.Background(), conf)
	if err != nil {
		t.Fatal(err)
	}
	cb := fedtest.Authorize(t, nil, authURL)
	if _, err := c.Finish(context.Background(), conf, p, cb.Params); err != nil {
		t.Fatal(err)
	}
	_, err = c.Finish(context.Background(), conf, p, cb.Params)
	if e := wantKind(t, err, upstream.Invalid); e.Code != "invalid_grant" {
		t.Errorf("Code = %q, want invalid_grant", e.Code)
	}
}

func TestProviderDownAtCallback(t *testing.T) {
	for _, start := range []func(testing.TB, string) *fedtest.Provider{fedtest.NewAmazon, fedtest.NewFacebook, fedtest.NewApple} {
		p := start(t, redirectURI)
		t.Run(p.Type, func(t *testing.T) {
			conf := cfg(p.Type, p.Details())
			c := oidcflow.New(nil)
			authURL, pend, err := c.Begin(context.Background(), conf)
			if err != nil {
				t.Fatal(err)
			}
			cb := fedtest.Authorize(t, nil, authURL)
			p.Stop()
			_, err = c.Finish(context.Background(), conf, pend, cb.Params)
			wantKind(t, err, upstream.Unavailable)
			noSecrets(t, err, cb.Params.Get("code"))
		})
	}
}

func TestBeginState(t *testing.T) {
	g := fedtest.NewGoogle(t, redirectURI)
	c := oidcflow.New(nil)
	seen := map[string]bool{}
	for range 20 {
		_, p, err := c.Begin(context.Background(), cfg(pool.ProviderGoogle, g.Details()))
		if err != nil {
			t.Fatal(err)
		}
		if len(p.State) < 22 || seen[p.State] || seen[p.Nonce] || len(p.CodeVerifier) < 43 {
			t.Fatalf("pending %+v: want fresh state and nonce of 128 bits and a 43+ character verifier", p)
		}
		seen[p.State], seen[p.Nonce] = true, true
	}
}

func TestScopes(t *testing.T) {
	got := oidcflow.Scopes(" openid,email  profile,,aws.cognito.signin.user.admin ")
	want := []string{"openid", "email", "profile", "aws.cognito.signin.user.admin"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("Scopes = %q, want %q", got, want)
	}
}

func mustQuery(t *testing.T, u string) url.Values {
	t.Helper()
	parsed, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	return parsed.Query()
}

func TestKeySetUnreachable(t *testing.T) {
	g := fedtest.NewGoogle(t, redirectURI)
	d := g.Details()
	d[pool.DetailJWKSURI] = "http://127.0.0.1:1/keys" // nothing listens on port 1
	_, _, err := signIn(t, oidcflow.New(nil), cfg(pool.ProviderGoogle, d))
	// The provider's fault, not the user's: never Invalid.
	e := wantKind(t, err, upstream.Unavailable)
	if !strings.Contains(e.Description, "key set") {
		t.Errorf("Description = %q, want it to name the key set", e.Description)
	}
}

func TestUnknownType(t *testing.T) {
	_, _, err := oidcflow.New(nil).Begin(context.Background(), cfg(pool.ProviderSAML, map[string]string{}))
	wantKind(t, err, upstream.Unavailable)
}

// TestConcurrentSignIns shares one Client (its discovery, key-set and
// Apple-secret caches) between parallel sign-ins; run with -race.
func TestConcurrentSignIns(t *testing.T) {
	c := oidcflow.New(nil)
	g := fedtest.NewGoogle(t, redirectURI)
	a := fedtest.NewApple(t, redirectURI)
	t.Run("group", func(t *testing.T) {
		for i := range 8 {
			p := g
			if i%2 == 1 {
				p = a
			}
			t.Run(p.Type, func(t *testing.T) {
				t.Parallel()
				res, _, err := signIn(t, c, cfg(p.Type, p.Details()))
				if err != nil {
					t.Fatal(err)
				}
				if res.Subject != fedtest.DefaultUser.Subject {
					t.Errorf("Subject = %q", res.Subject)
				}
			})
		}
	})
}
