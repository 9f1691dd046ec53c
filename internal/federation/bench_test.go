package federation_test

import (
	"testing"

	"github.com/linkpool/linkpool/internal/app"
	"github.com/linkpool/linkpool/internal/federation"
	"github.com/linkpool/linkpool/internal/federation/fedtest"
	"github.com/linkpool/linkpool/internal/hostedui"
	"github.com/linkpool/linkpool/internal/pool"
)

// BenchmarkFederatedSignIn is one whole sign-in through an OpenID
// Connect provider (the Google stand-in, on loopback), by
// identity_provider=: /oauth2/authorize seals the browser state and
// redirects; the provider answers at once; /oauth2/idpresponse consumes
// the state, redeems the code, verifies the ID token (RS256), refreshes
// the user's attributes, opens a session and issues the client's code.
// The provider's own work (minting and signing its ID token) is part of
// each iteration.
func BenchmarkFederatedSignIn(b *testing.B) {
	// No rate limits: every iteration comes from one address.
	e := newEnv(b, func(c *app.Config) { c.UILimits = &hostedui.Limits{} })
	prov := fedtest.NewGoogle(b, e.base+federation.OIDCCallbackPath)
	e.addProvider(b, pool.IdentityProvider{
		ProviderName: pool.ProviderGoogle, ProviderType: pool.ProviderGoogle, ProviderDetails: prov.Details(),
		AttributeMapping: map[string]string{"username": "sub", "email": "email"},
	})
	e.addClient(b, pool.ProviderGoogle)
	start := e.authorizeURL("identity_provider", pool.ProviderGoogle)
	for b.Loop() {
		if got := newBrowser(b).run(b, start); got.Callback == nil || got.Callback.Query().Get("code") == "" {
			b.Fatalf("sign-in ended on %d, not the client's callback with a code", got.Status)
		}
	}
}
