package app_test

import (
	"net/url"
	"slices"
	"testing"

	"github.com/linkpool/linkpool/internal/apptest"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/trigger"
)

// TestPreTokenGenerationImplicit: the tokens the hosted pages hand out
// with the implicit grant are generated with TokenGeneration_HostedAuth
// and carry the trigger's claims, as the code grant's do.
func TestPreTokenGenerationImplicit(t *testing.T) {
	l := newTokenLab(t, pool.PreTokenV2)
	spa, _ := l.kit.Client(t, l.lamps, "spa", []string{rpCallback}, func(c *pool.Client) {
		c.SealedSecret = nil
		c.AllowedOAuthFlows = []string{pool.FlowImplicit}
	})
	l.hook.set(v2(t, householdClaims))
	authURL := l.kit.URL + "/" + l.lamps.ID + "/oauth2/authorize?" + url.Values{
		"response_type": {"token"}, "client_id": {spa.ID}, "redirect_uri": {rpCallback},
		"scope": {"openid email profile"}, "state": {"st"}, "nonce": {"n-1"},
	}.Encode()
	cb := signIn(t, apptest.Browser("http://localhost:4000/"), authURL, "carol", "Corr3ct-Horse!")
	f, err := url.ParseQuery(cb.Fragment)
	if err != nil || f.Get("access_token") == "" || f.Get("id_token") == "" {
		t.Fatalf("implicit redirect %s (%v)", cb, err)
	}
	household := "hh-" + l.sub[:8]
	if access := apptest.JWTClaims(t, f.Get("access_token")); access["household_id"] != household || access["scope"] != "openid profile lamps/switch" {
		t.Fatalf("access token %v", access)
	}
	if id := apptest.JWTClaims(t, f.Get("id_token")); id["household_id"] != household || id["name"] != nil {
		t.Fatalf("ID token %v", id)
	}
	if got := l.hook.calls(); !slices.Equal(got, []string{trigger.SourceTokenHostedAuth}) {
		t.Fatalf("trigger sources %v", got)
	}
}
