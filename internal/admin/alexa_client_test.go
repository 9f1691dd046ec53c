package admin_test

import (
	"slices"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/admin"
	"github.com/linkpool/linkpool/internal/pool"
)

// TestAlexaClientDefaults: an app client given the Alexa defaults has the
// three Alexa redirect URLs before its own, the code grant, openid,
// ten-year refresh tokens and no ID token on refresh, and is stored with
// a secret as an Alexa client; a malformed vendor id changes nothing.
func TestAlexaClientDefaults(t *testing.T) {
	e := newEnv(t)
	p := e.pool("Lamp")
	c := pool.NewClient(p.ID, "skill", time.Now())
	c.CallbackURLs = []string{"https://example.com/cb"}
	before := c
	if err := admin.AlexaClientDefaults(&c, "m2-lower"); account.TypeOf(err) != account.InvalidParameterException {
		t.Fatalf("lower-case vendor id: %v", err)
	}
	if !slices.Equal(c.CallbackURLs, before.CallbackURLs) || len(c.AllowedOAuthFlows) != 0 || c.RefreshTokenValidity != before.RefreshTokenValidity {
		t.Errorf("a refused vendor id changed the client: %+v", c)
	}
	if err := admin.AlexaClientDefaults(&c, "M2ABC"); err != nil {
		t.Fatal(err)
	}
	stored, secret, err := e.svc.CreateUserPoolClient(e.ctx, c, true)
	if err != nil || secret == "" {
		t.Fatalf("create: %q, %v", secret, err)
	}
	want := append(admin.AlexaRedirectURLs("M2ABC"), "https://example.com/cb")
	if !slices.Equal(stored.CallbackURLs, want) || !slices.Equal(stored.AllowedOAuthFlows, []string{pool.FlowCode}) ||
		!slices.Equal(stored.AllowedOAuthScopes, []string{pool.ScopeOpenID}) || stored.RefreshTokenValidity != admin.DefaultAlexaRefreshDays ||
		stored.TokenValidityUnits.RefreshToken != pool.UnitDays || stored.IDTokenOnRefresh {
		t.Errorf("client %+v", stored)
	}
	if _, ok := admin.AlexaConsoleValues("https://id.example.com", "", nil, stored); !ok {
		t.Error("the client is not an Alexa client")
	}
}
