package oauth_test

import (
	"net/http"
	"net/url"
	"slices"
	"testing"
)

// TestDiscoveryGrantTypesMatchTokenEndpoint: every grant the discovery
// document advertises, but implicit (an authorize-endpoint response
// type), reaches its handler at the token endpoint, and a grant it does
// not advertise is unsupported_grant_type.
func TestDiscoveryGrantTypesMatchTokenEndpoint(t *testing.T) {
	h := newHarness(t)
	resp, err := http.Get(h.srv.URL + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var d struct {
		GrantTypes []string `json:"grant_types_supported"`
	}
	if err := jsonDecode(resp, &d); err != nil {
		t.Fatal(err)
	}
	want := []string{"authorization_code", "client_credentials", "implicit", "refresh_token"}
	if got := slices.Sorted(slices.Values(d.GrantTypes)); !slices.Equal(got, want) {
		t.Fatalf("grant_types_supported = %v, want %v", d.GrantTypes, want)
	}
	for _, g := range append(d.GrantTypes, "password", "urn:ietf:params:oauth:grant-type:device_code") {
		if g == "implicit" {
			continue
		}
		t.Run(g, func(t *testing.T) {
			// Each grant lacks its own parameters: a handler that runs
			// answers with another error than unsupported_grant_type.
			r := h.post(t, "/oauth2/token", url.Values{"grant_type": {g}}, h.client.ID, h.secret)
			advertised := slices.Contains(d.GrantTypes, g)
			if r.Status != http.StatusBadRequest || r.Error == "" {
				t.Fatalf("%s: %d %q, want 400 with an error", g, r.Status, r.Error)
			}
			if unsupported := r.Error == "unsupported_grant_type"; unsupported == advertised {
				t.Fatalf("%s (advertised %v): error %q", g, advertised, r.Error)
			}
		})
	}
}
