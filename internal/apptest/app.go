package apptest

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/app"
	"github.com/linkpool/linkpool/internal/password"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/seal"
	"github.com/linkpool/linkpool/internal/seal/sealtest"
	"github.com/linkpool/linkpool/internal/store/sqlite"
	"github.com/linkpool/linkpool/internal/store/sqlite/sqlitetest"
	"github.com/linkpool/linkpool/internal/testclock"
)

// CheapHashing is the argon2id cost of test pools: a password hash in
// well under a millisecond instead of the production cost.
var CheapHashing = password.Params{Memory: 64, Time: 1, Threads: 1}

// App is the whole server (internal/app) of a test: a SQLite file in
// t.TempDir(), a sealed master key, a test clock, the process's
// pre-generated signing keys, cheap password hashing, a captured log and
// mailbox, served on a loopback port. It is shut down and closed when the
// test ends.
type App struct {
	*app.App
	DB     *sqlite.DB
	Box    *seal.Box
	Server *httptest.Server
	URL    string // the server's base URL, also the app's PublicURL
	Clock  *testclock.Clock
	Log    *Log
	Mail   *Mailbox

	now func() time.Time // the app's clock
}

// New starts an App; edit changes its configuration before it is built
// (the clock is cfg.Now: set it to nil for the wall clock).
func New(t testing.TB, edit ...func(*app.Config)) *App {
	t.Helper()
	a := &App{
		DB: sqlitetest.Open(t), Box: sealtest.Box(t), Log: &Log{}, Mail: &Mailbox{},
		Clock: testclock.New(time.Now().UTC().Truncate(time.Second)),
	}
	// The listener exists before the app so that the public URL is known.
	a.Server = httptest.NewUnstartedServer(nil)
	a.URL = "http://" + a.Server.Listener.Addr().String()
	params := CheapHashing
	cfg := app.Config{
		Store: a.DB, Box: a.Box, Log: a.Log.Logger(), PublicURL: a.URL, Mailer: a.Mail,
		HashConcurrency: 2, PasswordParams: &params, GenerateKey: KeyGenerator(), Now: a.Clock.Now,
	}
	for _, f := range edit {
		f(&cfg)
	}
	a.now = cfg.Now
	if a.now == nil {
		a.now = time.Now
	}
	var err error
	if a.App, err = app.New(cfg); err != nil {
		a.Server.Close()
		t.Fatal(err)
	}
	if a.App.Mail != nil {
		a.Mail.flush = a.App.Mail.Flush
	}
	a.Server.Config.Handler = a.App.Server.Handler()
	a.Server.Start()
	t.Cleanup(func() {
		a.Server.Close()
		_ = a.App.Shutdown(context.Background())
	})
	return a
}

// Pool creates a pool named name in region with its signing keys; edit
// changes it before it is stored.
func (a *App) Pool(t testing.TB, region, name string, edit ...func(*pool.Pool)) pool.Pool {
	t.Helper()
	ctx := context.Background()
	p := pool.NewPool(region, name, a.now())
	for _, f := range edit {
		f(&p)
	}
	if err := p.Validate(); err != nil {
		t.Fatalf("pool: %v", err)
	}
	if err := a.DB.CreatePool(ctx, p); err != nil {
		t.Fatal(err)
	}
	if err := a.Keys.Ensure(ctx, p.ID, p.SigningAlgorithm); err != nil {
		t.Fatal(err)
	}
	return p
}

// Client creates a confidential app client of p with the code grant,
// openid, email and profile scopes and the given callback URLs, and
// returns it with its secret; edit changes it before it is stored.
func (a *App) Client(t testing.TB, p pool.Pool, name string, callbacks []string, edit ...func(*pool.Client)) (pool.Client, string) {
	t.Helper()
	c := pool.NewClient(p.ID, name, a.now())
	secret := pool.NewClientSecret()
	c.SealedSecret = a.Box.Seal([]byte(secret), c.SecretAAD())
	c.CallbackURLs = callbacks
	c.AllowedOAuthFlows = []string{pool.FlowCode}
	c.AllowedOAuthFlowsUserPoolClient = true
	c.AllowedOAuthScopes = []string{pool.ScopeOpenID, pool.ScopeEmail, pool.ScopeProfile}
	for _, f := range edit {
		f(&c)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := a.DB.CreateClient(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	a.Log.Secret(secret)
	return c, secret
}
