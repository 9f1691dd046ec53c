package pool_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/pool"
)

// oauthClient returns a valid confidential code-flow client, the shape
// `linkpool init alexa` creates.
func oauthClient() pool.Client {
	p := pool.NewPool("us-east-1", "Lamps", created)
	c := pool.NewClient(p.ID, "alexa", created)
	c.SealedSecret = []byte("sealed")
	c.CallbackURLs = []string{"https://pitangui.amazon.com/api/skill/link/M2AAAAAAAAAAAA", "https://layla.amazon.com/api/skill/link/M2AAAAAAAAAAAA"}
	c.LogoutURLs = []string{"https://example.com/signed-out"}
	c.AllowedOAuthFlows = []string{pool.FlowCode}
	c.AllowedOAuthFlowsUserPoolClient = true
	c.AllowedOAuthScopes = []string{"openid", "email", "profile"}
	return c
}

func urls(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("https://example.com/cb/%d", i)
	}
	return out
}

func TestClientValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(c *pool.Client)
		field  string // rejected field; "" means valid
	}{
		{"code flow client", func(*pool.Client) {}, ""},
		{"new client without OAuth", func(c *pool.Client) { *c = pool.NewClient(c.PoolID, "api", created) }, ""},
		{"client credentials with a custom scope", func(c *pool.Client) {
			c.AllowedOAuthFlows = []string{pool.FlowClientCredentials}
			c.AllowedOAuthScopes = []string{"lamps/read"}
			c.SupportedIdentityProviders = nil
		}, ""},
		{"implicit and code", func(c *pool.Client) { c.AllowedOAuthFlows = []string{pool.FlowCode, pool.FlowImplicit} }, ""},
		{"100 callback URLs", func(c *pool.Client) { c.CallbackURLs = urls(100) }, ""},
		{"default redirect among callbacks", func(c *pool.Client) { c.DefaultRedirectURI = c.CallbackURLs[1] }, ""},
		{"every explicit auth flow", func(c *pool.Client) { c.ExplicitAuthFlows = pool.ExplicitAuthFlowValues }, ""},
		{"50 scopes", func(c *pool.Client) {
			c.AllowedOAuthScopes = nil
			for i := range 50 {
				c.AllowedOAuthScopes = append(c.AllowedOAuthScopes, fmt.Sprintf("lamps/s%d", i))
			}
		}, ""},
		{"validity edges", func(c *pool.Client) {
			c.AccessTokenValidity, c.IDTokenValidity, c.RefreshTokenValidity = 5, 1440, 60
			c.TokenValidityUnits = pool.TokenValidityUnits{AccessToken: pool.UnitMinutes, IDToken: pool.UnitMinutes, RefreshToken: pool.UnitMinutes}
		}, ""},
		{"validity upper edges", func(c *pool.Client) {
			c.AccessTokenValidity, c.IDTokenValidity, c.RefreshTokenValidity = 86400, 24, 3650
			c.TokenValidityUnits = pool.TokenValidityUnits{AccessToken: pool.UnitSeconds, IDToken: pool.UnitHours, RefreshToken: pool.UnitDays}
		}, ""},
		{"rotation with grace edges", func(c *pool.Client) {
			c.RefreshTokenRotation = pool.RefreshTokenRotation{Feature: pool.RotationEnabled, RetryGracePeriodSeconds: 60}
			c.AuthSessionValidity = 15
		}, ""},
		{"legacy existence errors", func(c *pool.Client) { c.PreventUserExistenceErrors = pool.ExistenceLegacy }, ""},

		{"malformed client id", func(c *pool.Client) { c.ID = "ABC" }, "ClientId"},
		{"malformed pool id", func(c *pool.Client) { c.PoolID = "pool" }, "UserPoolId"},
		{"empty name", func(c *pool.Client) { c.Name = "" }, "ClientName"},
		{"name with markup", func(c *pool.Client) { c.Name = "<i>x</i>" }, "ClientName"},
		{"http callback", func(c *pool.Client) { c.CallbackURLs = append(c.CallbackURLs, "http://example.com/cb") }, "CallbackURLs[2]"},
		{"101 callback URLs", func(c *pool.Client) { c.CallbackURLs = urls(101) }, "CallbackURLs"},
		{"duplicate callback URL", func(c *pool.Client) { c.CallbackURLs = append(c.CallbackURLs, c.CallbackURLs[0]) }, "CallbackURLs[2]"},
		{"javascript sign-out URL", func(c *pool.Client) { c.LogoutURLs = []string{"javascript:alert(1)"} }, "LogoutURLs[0]"},
		{"101 sign-out URLs", func(c *pool.Client) { c.LogoutURLs = urls(101) }, "LogoutURLs"},
		{"default redirect not registered", func(c *pool.Client) { c.DefaultRedirectURI = "https://example.com/other" }, "DefaultRedirectURI"},
		{"four flows", func(c *pool.Client) {
			c.AllowedOAuthFlows = []string{pool.FlowCode, pool.FlowImplicit, pool.FlowCode, pool.FlowImplicit}
		}, "AllowedOAuthFlows"},
		{"unknown flow", func(c *pool.Client) { c.AllowedOAuthFlows = []string{pool.FlowCode, "password"} }, "AllowedOAuthFlows[1]"},
		{"flows without AllowedOAuthFlowsUserPoolClient", func(c *pool.Client) { c.AllowedOAuthFlowsUserPoolClient = false }, "AllowedOAuthFlowsUserPoolClient"},
		{"client credentials with code", func(c *pool.Client) {
			c.AllowedOAuthFlows = []string{pool.FlowClientCredentials, pool.FlowCode}
		}, "AllowedOAuthFlows"},
		{"client credentials without a secret", func(c *pool.Client) {
			c.SealedSecret = nil
			c.AllowedOAuthFlows = []string{pool.FlowClientCredentials}
			c.AllowedOAuthScopes = []string{"lamps/read"}
		}, "AllowedOAuthFlows"},
		{"code flow without callbacks", func(c *pool.Client) { c.CallbackURLs = nil }, "CallbackURLs"},
		{"implicit flow without callbacks", func(c *pool.Client) {
			c.CallbackURLs = nil
			c.AllowedOAuthFlows = []string{pool.FlowImplicit}
		}, "CallbackURLs"},
		{"51 scopes", func(c *pool.Client) {
			c.AllowedOAuthScopes = nil
			for i := range 51 {
				c.AllowedOAuthScopes = append(c.AllowedOAuthScopes, fmt.Sprintf("lamps/s%d", i))
			}
		}, "AllowedOAuthScopes"},
		{"scope with a space", func(c *pool.Client) { c.AllowedOAuthScopes = []string{"openid", "lamps/read write"} }, "AllowedOAuthScopes[1]"},
		{"scope with a quote", func(c *pool.Client) { c.AllowedOAuthScopes = []string{`lamps/"x`} }, "AllowedOAuthScopes[0]"},
		{"scope with a backslash", func(c *pool.Client) { c.AllowedOAuthScopes = []string{`lamps\x`} }, "AllowedOAuthScopes[0]"},
		{"empty scope", func(c *pool.Client) { c.AllowedOAuthScopes = []string{""} }, "AllowedOAuthScopes[0]"},
		{"scope of 257 characters", func(c *pool.Client) { c.AllowedOAuthScopes = []string{"lamps/" + strings.Repeat("s", 251)} }, "AllowedOAuthScopes[0]"},
		{"scope neither reserved nor custom", func(c *pool.Client) { c.AllowedOAuthScopes = []string{"lamps"} }, "AllowedOAuthScopes[0]"},
		{"client credentials with a reserved scope", func(c *pool.Client) {
			c.AllowedOAuthFlows = []string{pool.FlowClientCredentials}
			c.AllowedOAuthScopes = []string{"lamps/read", "openid"}
		}, "AllowedOAuthScopes[1]"},
		{"identity provider listed twice", func(c *pool.Client) { c.SupportedIdentityProviders = []string{"COGNITO", "Google", "Google"} }, "SupportedIdentityProviders[2]"},
		{"unknown explicit auth flow", func(c *pool.Client) { c.ExplicitAuthFlows = []string{"ALLOW_USER_SRP_AUTH", "ALLOW_MAGIC"} }, "ExplicitAuthFlows[1]"},
		{"code flow without any provider", func(c *pool.Client) { c.SupportedIdentityProviders = nil }, "SupportedIdentityProviders"},
		{"unknown access token unit", func(c *pool.Client) { c.TokenValidityUnits.AccessToken = "weeks" }, "TokenValidityUnits.AccessToken"},
		{"unknown ID token unit", func(c *pool.Client) { c.TokenValidityUnits.IDToken = "Hours" }, "TokenValidityUnits.IdToken"},
		{"unknown refresh token unit", func(c *pool.Client) { c.TokenValidityUnits.RefreshToken = "months" }, "TokenValidityUnits.RefreshToken"},
		{"access token under 5 minutes", func(c *pool.Client) {
			c.AccessTokenValidity, c.TokenValidityUnits.AccessToken = 299, pool.UnitSeconds
		}, "AccessTokenValidity"},
		{"access token over a day", func(c *pool.Client) { c.AccessTokenValidity = 25 }, "AccessTokenValidity"},
		{"ID token of zero", func(c *pool.Client) { c.IDTokenValidity = 0 }, "IdTokenValidity"},
		{"ID token over a day", func(c *pool.Client) {
			c.IDTokenValidity, c.TokenValidityUnits.IDToken = 2, pool.UnitDays
		}, "IdTokenValidity"},
		{"refresh token under an hour", func(c *pool.Client) {
			c.RefreshTokenValidity, c.TokenValidityUnits.RefreshToken = 59, pool.UnitMinutes
		}, "RefreshTokenValidity"},
		{"refresh token over ten years", func(c *pool.Client) { c.RefreshTokenValidity = 3651 }, "RefreshTokenValidity"},
		{"existence errors unset", func(c *pool.Client) { c.PreventUserExistenceErrors = "" }, "PreventUserExistenceErrors"},
		{"existence errors lower case", func(c *pool.Client) { c.PreventUserExistenceErrors = "enabled" }, "PreventUserExistenceErrors"},
		{"rotation feature unset", func(c *pool.Client) { c.RefreshTokenRotation.Feature = "" }, "RefreshTokenRotation.Feature"},
		{"negative grace", func(c *pool.Client) { c.RefreshTokenRotation.RetryGracePeriodSeconds = -1 }, "RefreshTokenRotation.RetryGracePeriodSeconds"},
		{"grace over a minute", func(c *pool.Client) { c.RefreshTokenRotation.RetryGracePeriodSeconds = 61 }, "RefreshTokenRotation.RetryGracePeriodSeconds"},
		{"auth session 2 minutes", func(c *pool.Client) { c.AuthSessionValidity = 2 }, "AuthSessionValidity"},
		{"auth session 16 minutes", func(c *pool.Client) { c.AuthSessionValidity = 16 }, "AuthSessionValidity"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := oauthClient()
			tt.change(&c)
			wantField(t, c.Validate(), tt.field)
		})
	}
}

func TestClientTTLs(t *testing.T) {
	tests := []struct {
		name                string
		units               pool.TokenValidityUnits
		access, id, refresh int
		wantA, wantI, wantR time.Duration
	}{
		{"Cognito defaults", pool.TokenValidityUnits{AccessToken: "hours", IDToken: "hours", RefreshToken: "days"}, 1, 1, 30, time.Hour, time.Hour, 30 * 24 * time.Hour},
		{"units unset fall back to hours and days", pool.TokenValidityUnits{}, 2, 3, 4, 2 * time.Hour, 3 * time.Hour, 4 * 24 * time.Hour},
		{"seconds and minutes", pool.TokenValidityUnits{AccessToken: "seconds", IDToken: "minutes", RefreshToken: "minutes"}, 300, 10, 90, 5 * time.Minute, 10 * time.Minute, 90 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := pool.Client{AccessTokenValidity: tt.access, IDTokenValidity: tt.id, RefreshTokenValidity: tt.refresh, TokenValidityUnits: tt.units}
			if a, i, r := c.AccessTokenTTL(), c.IDTokenTTL(), c.RefreshTokenTTL(); a != tt.wantA || i != tt.wantI || r != tt.wantR {
				t.Fatalf("TTLs %v %v %v, want %v %v %v", a, i, r, tt.wantA, tt.wantI, tt.wantR)
			}
		})
	}
}

func TestClientPredicates(t *testing.T) {
	c := oauthClient()
	if !c.AllowsFlow(pool.FlowCode) || c.AllowsFlow(pool.FlowImplicit) {
		t.Fatal("AllowsFlow")
	}
	c.AllowedOAuthFlowsUserPoolClient = false
	if c.AllowsFlow(pool.FlowCode) {
		t.Fatal("AllowsFlow with OAuth off")
	}
	// Callback and sign-out URLs match exactly: no prefix, case or
	// trailing-slash leniency.
	for _, u := range []string{c.CallbackURLs[0] + "/", strings.ToUpper(c.CallbackURLs[0]), c.CallbackURLs[0][:len(c.CallbackURLs[0])-1]} {
		if c.HasCallbackURL(u) {
			t.Fatalf("HasCallbackURL(%q)", u)
		}
	}
	if !c.HasCallbackURL(c.CallbackURLs[1]) || !c.HasLogoutURL(c.LogoutURLs[0]) || c.HasLogoutURL(c.CallbackURLs[0]) {
		t.Fatal("exact URL match")
	}
	if string(c.SecretAAD()) != "client-secret/"+c.ID {
		t.Fatalf("SecretAAD %q", c.SecretAAD())
	}
	c.RefreshTokenRotation = pool.RefreshTokenRotation{Feature: pool.RotationEnabled, RetryGracePeriodSeconds: 10}
	if !c.RotatesRefreshTokens() || c.RotationGrace() != 10*time.Second {
		t.Fatal("rotation")
	}
}
