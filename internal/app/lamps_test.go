package app_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/app"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/smarthome"
	"github.com/linkpool/linkpool/internal/store"
)

// mountLamps adds the SmartLamp skill with its /lamps page to the stack,
// the page being a public client of the stack's pool.
func mountLamps(t *testing.T, s *stack) {
	t.Helper()
	ctx := context.Background()
	publicURL := s.srv.URL
	c := pool.NewClient(s.pool.ID, "smartlamp-web", time.Now())
	c.CallbackURLs = []string{publicURL + "/lamps/callback"}
	c.LogoutURLs = []string{publicURL + "/lamps"}
	c.AllowedOAuthFlows = []string{pool.FlowCode}
	c.AllowedOAuthFlowsUserPoolClient = true
	c.AllowedOAuthScopes = []string{pool.ScopeOpenID, pool.ScopeEmail, pool.ScopeProfile}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := s.app.Store.CreateClient(ctx, c); err != nil {
		t.Fatal(err)
	}
	sk, mount, err := s.app.MountSkill(publicURL, app.SkillOptions{
		PoolID: s.pool.ID, ClientIDs: []string{s.client.ID},
		Options:          smarthome.Options{LampsClientID: c.ID},
		LampsRedirectURL: publicURL + "/lamps/callback",
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sk.Close(context.Background()) })
	s.app.Server.MountGlobal(mount)
}

// lampsSignIn signs username in to /lamps through the hosted login page
// and returns a client holding only the resulting session cookie, which
// follows no redirects.
func lampsSignIn(t *testing.T, s *stack, username, password string) *http.Client {
	t.Helper()
	b := browser(t)
	b.CheckRedirect = func(req *http.Request, _ []*http.Request) error {
		if req.URL.Path == "/lamps/callback" {
			return http.ErrUseLastResponse
		}
		return nil
	}
	cb := signIn(t, b, s.srv.URL+"/lamps", username, password)
	b.CheckRedirect = nil
	resp, err := b.Get(cb.String())
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Request.URL.Path != "/lamps" || !strings.Contains(string(body), "Signed in as") {
		t.Fatalf("lamps sign-in: %d %s\n%s", resp.StatusCode, resp.Request.URL, body)
	}
	u, _ := url.Parse(s.srv.URL + "/lamps")
	c := browser(t)
	for _, ck := range b.Jar.Cookies(u) {
		if ck.Name == "smartlamp_session" {
			c.Jar.SetCookies(u, []*http.Cookie{{Name: ck.Name, Value: ck.Value, Path: "/lamps"}})
		}
	}
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return c
}

func lampsStatus(t *testing.T, c *http.Client, u string) int {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestLampsSessionEndsWhenPoolEndsUser: a co-located /lamps session stands
// only while the pool's user does: signing out everywhere, disabling the
// user or revoking the page's grant ends it at the next request.
func TestLampsSessionEndsWhenPoolEndsUser(t *testing.T) {
	s := newStack(t)
	mountLamps(t, s)
	ctx := context.Background()
	tests := []struct {
		name string
		end  func(t *testing.T, username, sub string) error
	}{
		{name: "sign out everywhere", end: func(t *testing.T, username, sub string) error {
			return s.app.Accounts.GlobalSignOut(ctx, s.pool, username)
		}},
		{name: "disable", end: func(t *testing.T, username, sub string) error {
			return s.app.Accounts.AdminDisableUser(ctx, s.pool, username)
		}},
		{name: "grant revoked", end: func(t *testing.T, username, sub string) error {
			_, err := s.app.Store.RevokeRefreshTokens(ctx, store.RevokeFilter{PoolID: s.pool.ID, Sub: sub}, time.Now())
			return err
		}},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			username := "lampuser" + string(rune('a'+i))
			res, err := s.app.Accounts.AdminCreateUser(ctx, s.pool, account.AdminCreateUserInput{
				Username: username, TemporaryPassword: "Corr3ct-Horse!", Permanent: true, EmailVerified: true,
				Attributes: map[string]string{"email": username + "@example.com"},
			})
			if err != nil {
				t.Fatal(err)
			}
			c := lampsSignIn(t, s, username, "Corr3ct-Horse!")
			if got := lampsStatus(t, c, s.srv.URL+"/lamps"); got != 200 {
				t.Fatalf("/lamps before: %d", got)
			}
			if err := tc.end(t, username, res.User.Sub); err != nil {
				t.Fatal(err)
			}
			if got := lampsStatus(t, c, s.srv.URL+"/lamps"); got != http.StatusFound {
				t.Errorf("/lamps after: %d, want a redirect to sign in again", got)
			}
		})
	}
}
