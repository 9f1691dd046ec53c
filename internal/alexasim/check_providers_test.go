package alexasim_test

import (
	"context"
	"strings"
	"testing"

	"github.com/linkpool/linkpool/internal/alexasim"
	"github.com/linkpool/linkpool/internal/pool"
)

// TestCheckIdentityProviders: the checklist fails an app client that
// lists an identity provider the pool does not have, or none at all,
// with the fix; lists the ways to sign in as an INFO item; and runs the
// sign-in items through "Continue with Amazon" when asked to.
func TestCheckIdentityProviders(t *testing.T) {
	l, _ := newAmazonLab(t)
	ctx := context.Background()
	c := l.console(alexasim.RegionNA, alexasim.SchemeHTTPBasic, false)
	poolProviders := map[string]string{pool.ProviderLoginWithAmazon: pool.ProviderLoginWithAmazon}
	check := func(t *testing.T, o alexasim.CheckOptions) *alexasim.CheckReport {
		t.Helper()
		o.Console, o.Env, o.Gateway = c, l.env(l.httpSkill()), l.gwSrv.URL
		rep, err := alexasim.Check(ctx, o)
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	item := func(t *testing.T, rep *alexasim.CheckReport, id string, st alexasim.CheckStatus, reason ...string) {
		t.Helper()
		it, ok := rep.Item(id)
		if !ok || it.Status != st {
			t.Fatalf("%s: %s (%s), want %s", id, it.Status, it.Reason, st)
		}
		for _, r := range reason {
			if !strings.Contains(it.Reason, r) {
				t.Fatalf("%s: reason %q lacks %q", id, it.Reason, r)
			}
		}
	}

	t.Run("through Amazon", func(t *testing.T) {
		rep := check(t, alexasim.CheckOptions{IdentityProvider: pool.ProviderLoginWithAmazon, Providers: &alexasim.ClientProviders{
			PoolID: l.pool.ID, Listed: []string{pool.ProviderCognito, pool.ProviderLoginWithAmazon}, Pool: poolProviders,
		}})
		item(t, rep, alexasim.CheckIdentityProviders, alexasim.Pass, "COGNITO, LoginWithAmazon")
		item(t, rep, alexasim.CheckProvidersOffered, alexasim.Info,
			"the login page offers its own sign-in form, Continue with LoginWithAmazon",
			"the app client lists COGNITO (the pool's own form), LoginWithAmazon (LoginWithAmazon)")
		// The sign-in items ran through Amazon, without a password.
		item(t, rep, alexasim.CheckRefresh, alexasim.Pass)
		item(t, rep, alexasim.CheckDiscovery, alexasim.Pass)
		item(t, rep, alexasim.CheckInlineErrors, alexasim.Skip)
	})
	t.Run("missing provider", func(t *testing.T) {
		rep := check(t, alexasim.CheckOptions{Providers: &alexasim.ClientProviders{
			PoolID: l.pool.ID, Listed: []string{pool.ProviderCognito, "Ghost"}, Pool: poolProviders,
		}})
		item(t, rep, alexasim.CheckIdentityProviders, alexasim.Fail, "lists Ghost, which the pool does not have",
			"linkpool idp create --pool "+l.pool.ID, "linkpool client update --client "+l.client.ID+" --identity-providers COGNITO")
		item(t, rep, alexasim.CheckProvidersOffered, alexasim.Info, "Ghost (missing)")
		if rep.OK {
			t.Fatal("report OK despite a missing provider")
		}
	})
	t.Run("none usable", func(t *testing.T) {
		rep := check(t, alexasim.CheckOptions{Providers: &alexasim.ClientProviders{PoolID: l.pool.ID, Pool: poolProviders}})
		item(t, rep, alexasim.CheckIdentityProviders, alexasim.Fail, "lists no identity provider", "--identity-providers COGNITO")
	})
	t.Run("provider the page does not offer", func(t *testing.T) {
		rep := check(t, alexasim.CheckOptions{IdentityProvider: "Google"})
		item(t, rep, alexasim.CheckIdentityProviders, alexasim.Fail, "offers no button for it (its own sign-in form, Continue with LoginWithAmazon)")
	})
	t.Run("configuration unknown", func(t *testing.T) {
		// Nothing to check without the client's list; the INFO item tells
		// what the page offers.
		rep := check(t, alexasim.CheckOptions{})
		if it, ok := rep.Item(alexasim.CheckIdentityProviders); ok {
			t.Fatalf("identity-providers without a configuration: %+v", it)
		}
		item(t, rep, alexasim.CheckProvidersOffered, alexasim.Info, "the login page offers its own sign-in form, Continue with LoginWithAmazon")
	})
	t.Run("provider-only client", func(t *testing.T) {
		// A client of Amazon alone: the page has buttons and no form, and
		// still counts as a sign-in page for all three redirect URLs.
		if _, err := l.app.Admin.UpdateUserPoolClient(ctx, l.pool.ID, l.client.ID, func(c *pool.Client) {
			c.SupportedIdentityProviders = []string{pool.ProviderLoginWithAmazon}
		}); err != nil {
			t.Fatal(err)
		}
		rep := check(t, alexasim.CheckOptions{IdentityProvider: pool.ProviderLoginWithAmazon})
		item(t, rep, alexasim.CheckRedirectURLs, alexasim.Pass)
		item(t, rep, alexasim.CheckIdentityProviders, alexasim.Pass, "the login page offers LoginWithAmazon")
		item(t, rep, alexasim.CheckProvidersOffered, alexasim.Info, "the login page offers Continue with LoginWithAmazon")
		item(t, rep, alexasim.CheckRefresh, alexasim.Pass)
	})
}
