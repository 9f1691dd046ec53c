package oidcflow_test

import (
	"context"
	"testing"

	"github.com/linkpool/linkpool/internal/federation/fedtest"
	"github.com/linkpool/linkpool/internal/federation/oidcflow"
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
