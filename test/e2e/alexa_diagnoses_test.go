package e2e_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/alexasim"
	"github.com/linkpool/linkpool/internal/store/postgres/pgtest"
)

// labUser creates a confirmed user with the CLI and returns a form
// sign-in for it.
func (a *alexaLab) labUser(t *testing.T) (alexasim.FormSignIn, string) {
	t.Helper()
	user := "lamp-" + randomID(8)
	const password = "Lamp-Passw0rd!"
	a.cliIn(password+"\n", "user", "create", "--pool", a.setup.PoolID, "--username", user,
		"--email", user+"@example.com", "--email-verified", "--permanent", "--password-stdin")
	return alexasim.FormSignIn{Username: user, Password: password}, user
}

// alexaClient creates another confidential client for Alexa in the lab's
// pool with the CLI and returns its id and secret.
func (a *alexaLab) alexaClient(t *testing.T, extra ...string) (id, secret string) {
	t.Helper()
	args := append([]string{"client", "create", "--pool", a.setup.PoolID, "--name", "alexa-" + randomID(6), "--generate-secret",
		"--flows", "code", "--scopes", strings.Join(a.setup.Scopes, ","), "--json"}, extra...)
	out := a.cli(args...)
	var c struct {
		ClientID     string `json:"ClientId"`
		ClientSecret string `json:"ClientSecret"`
	}
	if err := json.Unmarshal([]byte(out), &c); err != nil || c.ClientID == "" {
		t.Fatalf("client create --json: %v\n%s", err, out)
	}
	return c.ClientID, c.ClientSecret
}

// stateStripper is an authorization server that "loses" the state: a
// reverse proxy in front of linkpool that deletes the state parameter
// from every redirect to Alexa.
func stateStripper(t *testing.T, target string) *httptest.Server {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	proxy := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(u)
			pr.Out.Host = pr.In.Host // the pages and their forms stay on the proxy
		},
		ModifyResponse: func(resp *http.Response) error {
			loc, err := url.Parse(resp.Header.Get("Location"))
			if err != nil || !strings.HasSuffix(loc.Hostname(), ".amazon.com") && !strings.HasSuffix(loc.Hostname(), ".amazon.co.jp") {
				return nil
			}
			q := loc.Query()
			q.Del("state")
			loc.RawQuery = q.Encode()
			resp.Header.Set("Location", loc.String())
			return nil
		},
	}
	srv := httptest.NewServer(proxy)
	t.Cleanup(srv.Close)
	return srv
}

// TestAlexaLabDiagnoses links through misconfigured or misbehaving
// authorization servers and asserts the simulator's diagnosis by its
// stable code, the only error of the failed link, and the Alexa app's
// generic message.
func TestAlexaLabDiagnoses(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test: -short")
	}
	a := newAlexaLab(t, labOptions{})
	signIn, _ := a.labUser(t)

	// A client that registered only two of the three redirect URLs.
	twoRegions, twoSecret := a.alexaClient(t,
		"--callback-url", alexasim.RegionNA.RedirectURL(vendorID), "--callback-url", alexasim.RegionFE.RedirectURL(vendorID))
	// A client whose access tokens live 5 minutes: expires_in 300.
	short, shortSecret := a.alexaClient(t, append(redirectFlags(), "--access-token-validity", "5", "--access-token-unit", "minutes")...)
	stripper := stateStripper(t, a.publicURL)

	tests := []struct {
		name    string
		console func() alexasim.Console
		want    string
	}{
		{name: "redirect-url-of-one-region-missing", want: alexasim.CodeRedirectURINotAccepted, console: func() alexasim.Console {
			c := a.console(alexasim.RegionEU, alexasim.SchemeHTTPBasic, false)
			c.ClientID, c.ClientSecret = twoRegions, twoSecret
			return c
		}},
		{name: "wrong-secret-http-basic", want: alexasim.CodeTokenInvalidClient, console: func() alexasim.Console {
			c := a.console(alexasim.RegionNA, alexasim.SchemeHTTPBasic, false)
			c.ClientSecret = "not-" + c.ClientSecret
			return c
		}},
		{name: "wrong-secret-request-body", want: alexasim.CodeTokenInvalidClient, console: func() alexasim.Console {
			c := a.console(alexasim.RegionFE, alexasim.SchemeRequestBody, true)
			c.ClientSecret = strings.ToUpper(c.ClientSecret)
			return c
		}},
		{name: "server-drops-state", want: alexasim.CodeStateMissing, console: func() alexasim.Console {
			c := a.console(alexasim.RegionNA, alexasim.SchemeHTTPBasic, true)
			c.AuthorizationURI = strings.Replace(c.AuthorizationURI, a.publicURL, stripper.URL, 1)
			return c
		}},
		{name: "expires-in-300", want: alexasim.CodeExpiresInTooShort, console: func() alexasim.Console {
			c := a.console(alexasim.RegionEU, alexasim.SchemeHTTPBasic, false)
			c.ClientID, c.ClientSecret = short, shortSecret
			return c
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := a.linkAccount(tc.name, tc.console(), signIn)
			var de *alexasim.DiagnosedError
			if !errors.As(err, &de) || res.OK {
				t.Fatalf("want the link to fail with a diagnosis, got %v\n%s", err, describe(res))
			}
			if got := errorCodes(res.Diagnoses); !slices.Equal(got, []string{tc.want}) {
				t.Fatalf("diagnoses %v, want exactly %s\n%s", got, tc.want, describe(res))
			}
			if res.UserMessage != alexasim.UnableToLink(skillName) || res.Link.IsLinked() || res.Link.Status.Code != tc.want {
				t.Fatalf("message %q, linked %v, status %+v", res.UserMessage, res.Link.IsLinked(), res.Link.Status)
			}
		})
	}
}

// redirectFlags registers the three Alexa redirect URLs.
func redirectFlags() []string {
	var out []string
	for _, r := range alexasim.AllRegions() {
		out = append(out, "--callback-url", r.RedirectURL(vendorID))
	}
	return out
}

// TestAlexaLabDatabaseOutage stops the database under a linked skill:
// the token endpoint must answer the refresh with a transient 5xx, never
// invalid_grant, so that Alexa retries and the link survives (an
// invalid_grant would make Alexa delete the tokens). On a private
// PostgreSQL server that is stopped and started again, the link then
// works again; an SQLite store that is closed stays down.
func TestAlexaLabDatabaseOutage(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end outage test: -short")
	}
	tests := []struct {
		name string
		// lab starts the lab and returns how to stop and, if possible,
		// restart its database.
		lab func(t *testing.T) (a *alexaLab, stop, restart func())
	}{
		{name: "postgresql-server-stopped", lab: func(t *testing.T) (*alexaLab, func(), func()) {
			cluster := pgtest.StartCluster(t)
			a := newAlexaLab(t, labOptions{databaseURL: cluster.URL()})
			return a, cluster.Stop, cluster.Start
		}},
		{name: "sqlite-store-closed", lab: func(t *testing.T) (*alexaLab, func(), func()) {
			a := newAlexaLab(t, labOptions{})
			return a, func() {
				if err := a.store.Close(); err != nil {
					t.Fatal(err)
				}
			}, nil
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, stop, restart := tc.lab(t)
			signIn, _ := a.labUser(t)
			l := a.mustLink(t, "outage", a.console(alexasim.RegionNA, alexasim.SchemeHTTPBasic, true), signIn)
			refresh := l.Tokens.RefreshToken

			stop()
			a.clock.Advance(l.Tokens.ExpiresAt.Sub(a.clock.Now()) + time.Minute)
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			ds, err := l.Refresh(ctx)
			if err == nil || errors.Is(err, alexasim.ErrUnlinked) {
				t.Fatalf("refresh during the outage: %v, want a failure that keeps the link", err)
			}
			if !ds.Has(alexasim.CodeTransientRetry) || !ds.Has(alexasim.CodeRefreshFailed) ||
				ds.Has(alexasim.CodeRefreshInvalidGrantUnlink) || ds.Has(alexasim.CodeTokenInvalidGrant) {
				t.Fatalf("diagnoses %v, want TRANSIENT_RETRY and REFRESH_FAILED and no invalid_grant", ds.Codes())
			}
			if !l.IsLinked() || l.Tokens.RefreshToken != refresh {
				t.Fatalf("the link must stay linked with its refresh token; status %+v", l.Status)
			}
			if status, code := a.refreshDirectly(t, refresh); status < 500 || code == "invalid_grant" {
				t.Fatalf("token endpoint during the outage: HTTP %d %q, want a 5xx that is not invalid_grant", status, code)
			}
			if restart == nil {
				return
			}
			restart()
			rep, err := l.State(ctx, l.Endpoints[0].ID)
			if err != nil || rep.Name != "Alexa/StateReport" || l.Expired() {
				t.Fatalf("after the database came back: %v (%s), expired %v", err, rep.Name, l.Expired())
			}
		})
	}
}

// refreshDirectly sends a refresh request as Alexa does and returns the
// HTTP status and the RFC 6749 §5.2 error code, if any.
func (a *alexaLab) refreshDirectly(t *testing.T, refresh string) (int, string) {
	t.Helper()
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}}
	req, err := http.NewRequest(http.MethodPost, a.setup.AccessTokenURI, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(a.setup.ClientID), url.QueryEscape(a.setup.ClientSecret))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Error string `json:"error"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, body.Error
}
