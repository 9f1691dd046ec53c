package loadtest_test

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/app"
	"github.com/linkpool/linkpool/internal/hostedui"
	"github.com/linkpool/linkpool/internal/loadtest"
	"github.com/linkpool/linkpool/internal/password"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/seal/sealtest"
	"github.com/linkpool/linkpool/internal/store"
	"github.com/linkpool/linkpool/internal/store/sqlite/sqlitetest"
	"github.com/linkpool/linkpool/internal/web"
)

const redirect = "https://pitangui.amazon.com/api/skill/link/M2AAAAAAAAAAAA"

type options struct {
	autoConfirm bool
	rotation    bool
	// proxies are trusted to report client addresses.
	proxies string
	// tokenRate is the token endpoint's limit per address and minute;
	// 0 means effectively unlimited.
	tokenRate float64
}

// server is the whole linkpool server on SQLite and a loopback port,
// with one pool and one confidential client; the password hash is cheap,
// so that tests spend their time on the flows.
type server struct {
	app    *app.App
	target *loadtest.Target
	pool   pool.Pool
}

func newServer(t testing.TB, o options) *server {
	t.Helper()
	ctx := context.Background()
	st := sqlitetest.Open(t)
	box := sealtest.Box(t)
	proxies, err := web.ParseProxies(o.proxies)
	if err != nil {
		t.Fatal(err)
	}
	rate, burst := o.tokenRate, 1
	if rate == 0 {
		rate, burst = 1e9, 1e6
	}
	srv := httptest.NewUnstartedServer(nil)
	a, err := app.New(app.Config{
		Store: st, Box: box, PublicURL: "http://" + srv.Listener.Addr().String(), Proxies: proxies,
		HashConcurrency: 4, PasswordParams: &password.Params{Memory: 64, Time: 1, Threads: 1},
		TokenRatePerMinute: rate, TokenBurst: burst, UILimits: &hostedui.Limits{},
	})
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = a.Server.Handler()
	srv.Start()
	t.Cleanup(srv.Close)

	now := time.Now()
	p := pool.NewPool("us-east-1", "bench", now)
	p.AutoConfirmSignUp = o.autoConfirm
	if err := st.CreatePool(ctx, p); err != nil {
		t.Fatal(err)
	}
	if err := a.Keys.Ensure(ctx, p.ID, p.SigningAlgorithm); err != nil {
		t.Fatal(err)
	}
	c := pool.NewClient(p.ID, "alexa", now)
	secret := pool.NewClientSecret()
	c.SealedSecret = box.Seal([]byte(secret), c.SecretAAD())
	c.CallbackURLs = []string{redirect}
	c.AllowedOAuthFlows = []string{pool.FlowCode}
	c.AllowedOAuthFlowsUserPoolClient = true
	c.AllowedOAuthScopes = []string{pool.ScopeOpenID}
	if o.rotation {
		c.RefreshTokenRotation = pool.RefreshTokenRotation{Feature: pool.RotationEnabled, RetryGracePeriodSeconds: 60}
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := st.CreateClient(ctx, c); err != nil {
		t.Fatal(err)
	}
	return &server{app: a, pool: p, target: &loadtest.Target{
		Base: srv.URL + "/" + p.ID, ClientID: c.ID, ClientSecret: secret, RedirectURI: redirect,
	}}
}

var storeAll = store.ListOptions{Limit: store.MaxPageSize}
