package oidcflow_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/linkpool/linkpool/internal/federation/fedtest"
	"github.com/linkpool/linkpool/internal/federation/oidcflow"
	"github.com/linkpool/linkpool/internal/federation/upstream"
	"github.com/linkpool/linkpool/internal/pool"
)

// TestAppleUserFieldEmail: the user form field is not signed (the person
// signing in can write it), so an email in it is ignored; only the name
// is taken from it. The email comes from the verified ID token alone.
func TestAppleUserFieldEmail(t *testing.T) {
	a := fedtest.NewApple(t, redirectURI)
	c := oidcflow.New(nil)
	d := a.Details()
	d[pool.DetailAuthorizeScopes] = "name" // no email scope: the ID token has no email
	conf := cfg(pool.ProviderSignInWithApple, d)
	authURL, p, err := c.Begin(context.Background(), conf)
	if err != nil {
		t.Fatal(err)
	}
	cb := fedtest.Authorize(t, nil, authURL)
	cb.Params.Set("user", `{"name":{"firstName":"Eve","lastName":"Forger"},"email":"victim@example.com"}`)
	res, err := c.Finish(context.Background(), conf, p, cb.Params)
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := res.Claims["email"]; ok {
		t.Errorf("Claims[email] = %q, taken from the unsigned user field", v)
	}
	if res.Claims["given_name"] != "Eve" || res.Claims["family_name"] != "Forger" {
		t.Errorf("claims %v: want the name of the user field", res.Claims)
	}
}

// TestAppleRejects: Apple's ID token is held to the same checks as any
// other: nonce, audience, expiry, issuer, signature, algorithm.
func TestAppleRejects(t *testing.T) {
	for name, tc := range map[string]struct {
		knobs fedtest.Knobs
		desc  string
	}{
		"nonce mismatch":     {fedtest.Knobs{BadNonce: true}, "nonce"},
		"wrong audience":     {fedtest.Knobs{WrongAudience: true}, "audience"},
		"expired":            {fedtest.Knobs{Expired: true}, "expired"},
		"wrong issuer":       {fedtest.Knobs{WrongIssuer: true}, "issuer"},
		"tampered signature": {fedtest.Knobs{TamperSignature: true}, "signature"},
		"alg none":           {fedtest.Knobs{AlgNone: true}, "not valid"},
		"HS256":              {fedtest.Knobs{HS256: true}, "not valid"},
	} {
		t.Run(name, func(t *testing.T) {
			a := fedtest.NewApple(t, redirectURI)
			a.Set(tc.knobs)
			res, _, err := signIn(t, oidcflow.New(nil), cfg(pool.ProviderSignInWithApple, a.Details()))
			if e := wantKind(t, err, upstream.Invalid); !strings.Contains(e.Description, tc.desc) {
				t.Errorf("Description = %q, want it to say %q", e.Description, tc.desc)
			}
			if res.Subject != "" {
				t.Errorf("Subject = %q", res.Subject)
			}
		})
	}
}

// TestStateMismatchSocial: Login with Amazon and Facebook, which have no
// ID token and hence no nonce, are held to the state.
func TestStateMismatchSocial(t *testing.T) {
	for _, typ := range []string{pool.ProviderLoginWithAmazon, pool.ProviderFacebook} {
		for name, edit := range map[string]func(url.Values){
			"forged":  func(q url.Values) { q.Set("state", "forged") },
			"missing": func(q url.Values) { q.Del("state") },
			"twice":   func(q url.Values) { q.Add("state", "forged") },
		} {
			t.Run(typ+" "+name, func(t *testing.T) {
				var p *fedtest.Provider
				if typ == pool.ProviderFacebook {
					p = fedtest.NewFacebook(t, redirectURI)
				} else {
					p = fedtest.NewAmazon(t, redirectURI)
				}
				conf := cfg(typ, p.Details())
				c := oidcflow.New(nil)
				authURL, pending, err := c.Begin(context.Background(), conf)
				if err != nil {
					t.Fatal(err)
				}
				cb := fedtest.Authorize(t, nil, authURL)
				edit(cb.Params)
				_, err = c.Finish(context.Background(), conf, pending, cb.Params)
				if e := wantKind(t, err, upstream.Invalid); !strings.Contains(e.Description, "state") {
					t.Errorf("Description = %q, want the state", e.Description)
				}
			})
		}
	}
}
