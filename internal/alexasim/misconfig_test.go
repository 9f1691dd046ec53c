package alexasim_test

import (
	"context"
	"strings"
	"testing"

	"github.com/linkpool/linkpool/internal/alexasim"
)

// TestLinkpoolMisconfigured links against linkpool configured wrongly:
// one region's redirect URL missing, a wrong secret, a 5-minute access
// token validity.
func TestLinkpoolMisconfigured(t *testing.T) {
	tests := []struct {
		name   string
		lab    labOptions
		region alexasim.Region
		setup  func(c *alexasim.Console)
		want   string
		detail string
	}{
		{name: "EU redirect URL not registered", lab: labOptions{regions: []alexasim.Region{alexasim.RegionNA, alexasim.RegionFE}}, region: alexasim.RegionEU,
			want: alexasim.CodeRedirectURINotAccepted, detail: "layla.amazon.com"},
		{name: "wrong secret", region: alexasim.RegionNA, setup: func(c *alexasim.Console) { c.ClientSecret = "wrong-secret" },
			want: alexasim.CodeTokenInvalidClient, detail: "HTTP 401 invalid_client"},
		{name: "wrong client id in the body", region: alexasim.RegionNA, setup: func(c *alexasim.Console) {
			c.ClientID, c.Scheme = "0000000000000000000000000a", alexasim.SchemeRequestBody
		}, want: alexasim.CodeRedirectURINotAccepted},
		{name: "5-minute access tokens", lab: labOptions{accessMinutes: 5}, region: alexasim.RegionFE,
			want: alexasim.CodeExpiresInTooShort, detail: "expires_in is 300 seconds"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := newLab(t, tc.lab)
			c := l.console(tc.region, alexasim.SchemeHTTPBasic, true)
			if tc.setup != nil {
				tc.setup(&c)
			}
			res, err := alexasim.LinkAccount(context.Background(), alexasim.LinkOptions{
				Console: c, SignIn: alexasim.FormSignIn{Username: username, Password: userPassword},
				Env: l.env(l.httpSkill()), Gateway: l.gwSrv.URL,
			})
			if err == nil || res.UserMessage != unableToLink {
				t.Fatalf("link did not fail: %v", res.Diagnoses)
			}
			got := unexpected(res.Diagnoses)
			if len(got) != 1 || got[0].Code != tc.want || !strings.Contains(got[0].Detail, tc.detail) {
				t.Fatalf("diagnoses %v, want %s with %q", got, tc.want, tc.detail)
			}
		})
	}
}
