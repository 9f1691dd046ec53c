package oidcflow_test

import (
	"context"
	"net/url"
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
