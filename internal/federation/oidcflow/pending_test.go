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

// TestPendingWithoutNonceOrVerifier: a Pending that lacks the nonce or
// the PKCE verifier the provider's protocol uses (a caller that lost
// them, an authorization request stripped of them) is refused, even
// when the provider's answers carry none either.
func TestPendingWithoutNonceOrVerifier(t *testing.T) {
	for name, strip := range map[string][]string{
		"no nonce":    {"nonce"},
		"no verifier": {"code_challenge", "code_challenge_method"},
		"neither":     {"nonce", "code_challenge", "code_challenge_method"},
	} {
		t.Run(name, func(t *testing.T) {
			g := fedtest.NewGoogle(t, redirectURI)
			conf := cfg(pool.ProviderGoogle, g.Details())
			c := oidcflow.New(nil)
			authURL, p, err := c.Begin(context.Background(), conf)
			if err != nil {
				t.Fatal(err)
			}
			u, err := url.Parse(authURL)
			if err != nil {
				t.Fatal(err)
			}
			q := u.Query()
			for _, k := range strip {
				q.Del(k)
				switch k {
				case "nonce":
					p.Nonce = ""
				case "code_challenge":
					p.CodeVerifier = ""
				}
			}
			u.RawQuery = q.Encode()
			cb := fedtest.Authorize(t, nil, u.String())
			_, err = c.Finish(context.Background(), conf, p, cb.Params)
			wantKind(t, err, upstream.Invalid)
		})
	}
}

// TestPendingOfAnotherProvider: the callback URL is shared by every
// provider of a pool, so a Pending made for one provider is refused by
// another's Finish before any code is redeemed (mix-up).
func TestPendingOfAnotherProvider(t *testing.T) {
	a := fedtest.NewGoogle(t, redirectURI)
	b := fedtest.NewGoogle(t, redirectURI)
	confA := cfg(pool.ProviderGoogle, a.Details())
	c := oidcflow.New(nil)
	authURL, p, err := c.Begin(context.Background(), confA)
	if err != nil {
		t.Fatal(err)
	}
	cb := fedtest.Authorize(t, nil, authURL)
	for name, other := range map[string]oidcflow.Config{
		"another Google":     cfg(pool.ProviderGoogle, b.Details()),
		"same details, OIDC": cfg(pool.ProviderOIDC, a.Details()),
		"another client id":  cfg(pool.ProviderGoogle, with(a.Details(), pool.DetailClientID, "someone-else")),
		"another token URL":  cfg(pool.ProviderGoogle, with(a.Details(), pool.DetailTokenURL, b.URL+"/token")),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := c.Finish(context.Background(), other, p, cb.Params)
			if e := wantKind(t, err, upstream.Invalid); !strings.Contains(e.Description, "another provider") {
				t.Errorf("Description = %q, want the provider mix-up", e.Description)
			}
		})
	}
	// The Pending without its provider binding (a caller that dropped it).
	stripped := p
	stripped.Provider = ""
	_, err = c.Finish(context.Background(), confA, stripped, cb.Params)
	wantKind(t, err, upstream.Invalid)
	// The right provider still signs the user in.
	if _, err := c.Finish(context.Background(), confA, p, cb.Params); err != nil {
		t.Fatalf("Finish at the provider that began: %v", err)
	}
}

// TestCallbackIssuer: an iss parameter on the callback (RFC 9207) must
// name the expected issuer.
func TestCallbackIssuer(t *testing.T) {
	for name, tc := range map[string]struct {
		iss  func(g *fedtest.Provider) string
		fail bool
	}{
		"other issuer": {func(*fedtest.Provider) string { return "https://accounts.example.com" }, true},
		"empty":        {func(*fedtest.Provider) string { return "" }, true},
		"expected":     {func(g *fedtest.Provider) string { return g.URL }, false},
	} {
		t.Run(name, func(t *testing.T) {
			g := fedtest.NewGoogle(t, redirectURI)
			conf := cfg(pool.ProviderGoogle, g.Details())
			c := oidcflow.New(nil)
			authURL, p, err := c.Begin(context.Background(), conf)
			if err != nil {
				t.Fatal(err)
			}
			cb := fedtest.Authorize(t, nil, authURL)
			cb.Params.Set("iss", tc.iss(g))
			_, err = c.Finish(context.Background(), conf, p, cb.Params)
			if !tc.fail {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if e := wantKind(t, err, upstream.Invalid); !strings.Contains(e.Description, "issuer") {
				t.Errorf("Description = %q, want the issuer", e.Description)
			}
		})
	}
}

func with(d map[string]string, k, v string) map[string]string {
	out := map[string]string{}
	for key, val := range d {
		out[key] = val
	}
	out[k] = v
	return out
}
