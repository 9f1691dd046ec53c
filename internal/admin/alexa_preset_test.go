package admin_test

import (
	"slices"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/admin"
	"github.com/linkpool/linkpool/internal/pool"
)

// TestCreateAlexaPool: the preset creates the pool (email alias), the
// secret client with the three Alexa redirect URLs, the code grant, the
// scopes, ten-year refresh tokens and no ID token on refresh, and the
// domain; the secret it returns is the stored one.
func TestCreateAlexaPool(t *testing.T) {
	e := newEnv(t)
	res, err := e.svc.CreateAlexaPool(e.ctx, admin.AlexaPreset{VendorID: "M2ABC", Name: "Lamp", Region: "eu-west-1", Domain: "lamp", Rotation: true}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	p, err := e.svc.DescribeUserPool(e.ctx, res.Pool.ID)
	if err != nil || p.Name != "Lamp" || !slices.Equal(p.AliasAttributes, []string{pool.AttrEmail}) {
		t.Fatalf("pool %+v, %v", p, err)
	}
	c, err := e.svc.DescribeUserPoolClient(e.ctx, p.ID, res.Client.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(c.CallbackURLs, admin.AlexaRedirectURLs("M2ABC")) || !slices.Equal(c.AllowedOAuthFlows, []string{pool.FlowCode}) ||
		!slices.Equal(c.AllowedOAuthScopes, []string{pool.ScopeOpenID}) || c.RefreshTokenValidity != admin.DefaultAlexaRefreshDays ||
		c.TokenValidityUnits.RefreshToken != pool.UnitDays || c.IDTokenOnRefresh || c.RefreshTokenRotation.Feature != pool.RotationEnabled {
		t.Errorf("client %+v", c)
	}
	if s, err := e.svc.ClientSecret(c); err != nil || s != res.Secret || s == "" {
		t.Errorf("secret %q, %v; returned %q", s, err, res.Secret)
	}
	if res.Domain == nil || res.Domain.Domain != "lamp" {
		t.Errorf("domain %+v", res.Domain)
	}
}

// TestCreateAlexaPoolRefusals: a bad vendor id or region, or a taken
// domain ("Domain already associated with another user pool."), is
// refused with InvalidParameterException, and nothing is created.
func TestCreateAlexaPoolRefusals(t *testing.T) {
	e := newEnv(t)
	if _, err := e.svc.CreateAlexaPool(e.ctx, admin.AlexaPreset{VendorID: "M2ABC", Name: "Lamp", Region: "us-east-1", Domain: "lamp"}, time.Now()); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct {
		preset admin.AlexaPreset
		want   string
	}{
		"lower-case vendor": {admin.AlexaPreset{VendorID: "m2abc", Name: "X", Region: "us-east-1"}, account.InvalidParameterException},
		"no vendor":         {admin.AlexaPreset{Name: "X", Region: "us-east-1"}, account.InvalidParameterException},
		"bad region":        {admin.AlexaPreset{VendorID: "M2ABC", Name: "X", Region: "mars"}, account.InvalidParameterException},
		"taken domain":      {admin.AlexaPreset{VendorID: "M2ABC", Name: "X", Region: "us-east-1", Domain: "lamp"}, account.InvalidParameterException},
	} {
		if _, err := e.svc.CreateAlexaPool(e.ctx, c.preset, time.Now()); account.TypeOf(err) != c.want {
			t.Errorf("%s: %v, want %s", name, err, c.want)
		}
	}
	if n := e.poolCount(); n != 1 {
		t.Errorf("%d pools after the refusals, want 1", n)
	}
}
