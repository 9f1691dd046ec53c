package alexasim_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/alexasim"
	"github.com/linkpool/linkpool/internal/app"
	"github.com/linkpool/linkpool/internal/apptest"
	"github.com/linkpool/linkpool/internal/hostedui"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/smarthome"
	"github.com/linkpool/linkpool/internal/smarthome/smarthometest"
	"github.com/linkpool/linkpool/internal/testclock"
	"github.com/linkpool/linkpool/internal/web"
)

const (
	vendorID     = "M2SIMTEST01"
	username     = "carol"
	userPassword = "Corr3ct-Horse!"
	lwaClientID  = "amzn1.application-oa2-client.simtest"
	lwaSecret    = "lwa-secret-0123456789abcdef"
)

var (
	schemaOnce sync.Once
	schemaVal  *alexasim.Schema
	schemaErr  error
)

// loadSchema loads Amazon's schema from ../shared/alexa; it fails under
// CI=true and skips locally when the data is missing.
func loadSchema(t testing.TB) *alexasim.Schema {
	t.Helper()
	dir := smarthometest.DataDir(t)
	schemaOnce.Do(func() {
		schemaVal, schemaErr = alexasim.LoadSchema(filepath.Join(dir, "schema", alexasim.SchemaFile))
	})
	if schemaErr != nil {
		t.Fatal(schemaErr)
	}
	return schemaVal
}

// newClock is the simulator's injectable clock.
func newClock() *testclock.Clock { return testclock.New(time.Now()) }

// lab is a linkpool server on loopback over real SQLite with an Alexa
// client for vendorID, a user, the SmartLamp skill mounted, and the LWA
// and event gateway stand-in.
type lab struct {
	t      *testing.T
	kit    *apptest.App
	app    *app.App
	srv    *httptest.Server
	pool   pool.Pool
	client pool.Client
	secret string
	base   string
	skill  *smarthome.Skill
	gw     *alexasim.Gateway
	gwSrv  *httptest.Server
	schema *alexasim.Schema
	clock  *testclock.Clock
	sub    string
}

type labOptions struct {
	// regions whose redirect URLs are registered (default all three).
	regions []alexasim.Region
	// accessMinutes is the access-token validity (default 60).
	accessMinutes int
	rotation      bool
	// lwaSecret is the skill's LWA secret (default the gateway's).
	lwaSecret string
}

func newLab(t *testing.T, o labOptions) *lab {
	t.Helper()
	ctx := context.Background()
	l := &lab{t: t, schema: loadSchema(t), clock: newClock()}
	l.gw = alexasim.NewGateway(alexasim.GatewayConfig{ClientID: lwaClientID, ClientSecret: lwaSecret, Schema: l.schema})
	l.gwSrv = httptest.NewServer(l.gw)
	t.Cleanup(l.gwSrv.Close)

	generous := hostedui.Limits{
		Login: web.NewLimiter(6000, 1000), LoginUser: web.NewLimiter(6000, 1000),
		SignUp: web.NewLimiter(6000, 1000), ForgotPassword: web.NewLimiter(6000, 1000),
	}
	// The wall clock and the development mail sender, as `linkpool serve`.
	kit := apptest.New(t, func(c *app.Config) {
		c.Now, c.Mailer = nil, nil
		c.UILimits = &generous
		c.TokenRatePerMinute, c.TokenBurst = 60000, 10000
		// Identity providers on loopback are called without a proxy.
		c.FederationClient = &http.Client{Transport: &http.Transport{Proxy: nil}}
	})
	l.kit, l.app, l.srv = kit, kit.App, kit.Server
	publicURL := kit.URL
	l.pool = kit.Pool(t, "eu-west-1", "SmartLamp", func(p *pool.Pool) { p.SigningAlgorithm = pool.AlgES256 })
	regions := o.regions
	if regions == nil {
		regions = alexasim.AllRegions()
	}
	var callbacks []string
	for _, r := range regions {
		callbacks = append(callbacks, r.RedirectURL(vendorID))
	}
	c, secret := kit.Client(t, l.pool, "alexa", callbacks, func(c *pool.Client) {
		c.AllowedOAuthScopes = []string{pool.ScopeOpenID}
		if o.accessMinutes > 0 {
			c.AccessTokenValidity = o.accessMinutes
			c.TokenValidityUnits.AccessToken = pool.UnitMinutes
		}
		c.RefreshTokenValidity = 3650
		if o.rotation {
			c.RefreshTokenRotation = pool.RefreshTokenRotation{Feature: pool.RotationEnabled, RetryGracePeriodSeconds: 60}
		}
	})
	l.secret = secret
	l.client = c
	res, err := l.app.Accounts.AdminCreateUser(ctx, l.pool, account.AdminCreateUserInput{
		Username: username, TemporaryPassword: userPassword, Permanent: true, EmailVerified: true,
		Attributes: map[string]string{"email": "carol@example.com"},
	})
	if err != nil {
		t.Fatal(err)
	}
	l.sub = res.User.Sub
	lwa := o.lwaSecret
	if lwa == "" {
		lwa = lwaSecret
	}
	sk, mount, err := l.app.MountSkill(publicURL, app.SkillOptions{
		PoolID: l.pool.ID, ClientIDs: []string{c.ID},
		Options: smarthome.Options{
			LWA:             smarthome.LWAConfig{ClientID: lwaClientID, ClientSecret: lwa, TokenURL: l.gwSrv.URL + "/auth/o2/token"},
			EventGatewayURL: l.gwSrv.URL + "/v3/events",
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	l.skill = sk
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = sk.Close(ctx)
	})
	l.app.Server.MountGlobal(mount)
	l.base = publicURL + "/" + l.pool.ID
	return l
}

// console is the console configuration for the lab.
func (l *lab) console(region alexasim.Region, scheme alexasim.Scheme, pkce bool) alexasim.Console {
	return alexasim.Console{
		AuthorizationURI: l.base + "/oauth2/authorize",
		AccessTokenURI:   l.base + "/oauth2/token",
		ClientID:         l.client.ID,
		ClientSecret:     l.secret,
		Scheme:           scheme,
		Scopes:           []string{"openid"},
		VendorID:         vendorID,
		Region:           region,
		PKCE:             pkce,
		SendAlexaEvents:  true,
	}
}

// httpSkill is the lab's skill over HTTP.
func (l *lab) httpSkill() alexasim.Skill {
	return &alexasim.HTTPSkill{URL: l.srv.URL + "/alexa/smart-home"}
}

// env is a simulator environment on the lab's clock.
func (l *lab) env(skill alexasim.Skill) alexasim.Env {
	return alexasim.Env{
		Now: l.clock.Now, Skill: skill, Schema: l.schema,
		Sleep: func(ctx context.Context, d time.Duration) error { return ctx.Err() },
	}
}

// link links with the form sign-in and fails the test on any error.
func (l *lab) link(t *testing.T, c alexasim.Console, skill alexasim.Skill) *alexasim.Link {
	t.Helper()
	res, err := alexasim.LinkAccount(context.Background(), alexasim.LinkOptions{
		Console: c, SignIn: alexasim.FormSignIn{Username: username, Password: userPassword},
		Env: l.env(skill), Gateway: l.gwSrv.URL,
	})
	if err != nil {
		t.Fatalf("link: %v\n%v", err, res.Diagnoses)
	}
	if !res.OK || res.UserMessage != "" {
		t.Fatalf("link not OK: %+v", res)
	}
	return res.Link
}

// revoke revokes a refresh token at the pool's revocation endpoint.
func (l *lab) revoke(t *testing.T, token string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, l.base+"/oauth2/revoke", strings.NewReader(url.Values{"token": {token}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(l.client.ID, l.secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("revoke: HTTP %d", resp.StatusCode)
	}
}

// codes returns the diagnosis codes.
func codes(ds alexasim.Diagnoses) string { return strings.Join(ds.Codes(), ",") }

// unexpected drops the NOT_HTTPS warnings every loopback lab gets.
func unexpected(ds alexasim.Diagnoses) alexasim.Diagnoses {
	var out alexasim.Diagnoses
	for _, d := range ds {
		if d.Code == alexasim.CodeNotHTTPS && d.Severity == alexasim.Warning {
			continue
		}
		out = append(out, d)
	}
	return out
}
