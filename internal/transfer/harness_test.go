package transfer_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/app"
	"github.com/linkpool/linkpool/internal/hostedui"
	"github.com/linkpool/linkpool/internal/loadtest"
	"github.com/linkpool/linkpool/internal/password"
	"github.com/linkpool/linkpool/internal/seal"
	"github.com/linkpool/linkpool/internal/smarthome/skillstore"
	"github.com/linkpool/linkpool/internal/store/postgres"
	"github.com/linkpool/linkpool/internal/store/postgres/pgtest"
	"github.com/linkpool/linkpool/internal/store/sqlite/sqlitetest"
)

// publicURL is the deployment's address. It stays the same across a
// move, as it does when a deployment changes its database: issuers, and
// so every token issued before, stay valid.
const publicURL = "http://auth.linkpool.test"

const masterKey = "0123456789abcdef0123456789abcdef"

func testBox(t testing.TB, key string) *seal.Box {
	t.Helper()
	box, err := seal.New([]byte(key))
	if err != nil {
		t.Fatal(err)
	}
	return box
}

func openSQLite(t testing.TB) skillstore.Database {
	t.Helper()
	return sqlitetest.Open(t)
}

func openPostgres(t testing.TB) skillstore.Database {
	t.Helper()
	st, err := postgres.Open(context.Background(), pgtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// deployment is the whole server over one store, reachable at publicURL
// through dial, which always connects to the current server: moving the
// deployment swaps the server behind the same name.
type deployment struct {
	app *app.App
	srv *httptest.Server
}

// router connects publicURL to the current deployment.
type router struct{ addr atomic.Pointer[string] }

func (r *router) transport() *http.Transport {
	return &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, *r.addr.Load())
	}, DisableKeepAlives: true}
}

func (r *router) serve(t testing.TB, st skillstore.Database, box *seal.Box) *deployment {
	t.Helper()
	a, err := app.New(app.Config{
		Store: st, Box: box, PublicURL: publicURL, HashConcurrency: 2,
		PasswordParams: &password.Params{Memory: 64, Time: 1, Threads: 1}, UILimits: &hostedui.Limits{},
		Now: time.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Server.Handler())
	t.Cleanup(srv.Close)
	addr := srv.Listener.Addr().String()
	r.addr.Store(&addr)
	return &deployment{app: a, srv: srv}
}

func target(r *router, poolID, clientID, secret string) *loadtest.Target {
	return &loadtest.Target{
		Base: publicURL + "/" + poolID, ClientID: clientID, ClientSecret: secret,
		RedirectURI: alexaRedirect, Transport: r.transport(),
	}
}

const alexaRedirect = "https://layla.amazon.com/api/skill/link/M2AAAAAAAAAAAA"
