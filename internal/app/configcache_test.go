package app_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/app"
	"github.com/linkpool/linkpool/internal/apptest"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/seal/sealtest"
	"github.com/linkpool/linkpool/internal/smarthome/skillstore"
	"github.com/linkpool/linkpool/internal/store/postgres"
	"github.com/linkpool/linkpool/internal/store/postgres/pgtest"
	"github.com/linkpool/linkpool/internal/store/sqlite"
)

// TestConfigChangesOfAnotherProcess: a running server caches its pools
// and clients, and a change made through a second handle on the same
// database (what `linkpool client update` and `client delete` do against
// the SQLite file while `serve` runs, or another instance on
// PostgreSQL) is served once the server's poll has seen it: a client
// turned to answer refreshes without an ID token does so, a deleted
// client is refused (invalid_client), and a deleted pool is gone. The
// test waits for each change; it asserts nothing about how long that
// takes.
func TestConfigChangesOfAnotherProcess(t *testing.T) {
	backends := []struct {
		name string
		open func(t *testing.T) (serve, cli skillstore.Database)
	}{
		{"sqlite", func(t *testing.T) (skillstore.Database, skillstore.Database) {
			path := filepath.Join(t.TempDir(), "linkpool.db")
			open := func() skillstore.Database {
				db, err := sqlite.Open(context.Background(), path)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { db.Close() })
				return db
			}
			return open(), open()
		}},
		{"postgres", func(t *testing.T) (skillstore.Database, skillstore.Database) {
			if testing.Short() {
				t.Skip("PostgreSQL: -short")
			}
			u := pgtest.URL(t)
			open := func() skillstore.Database {
				db, err := postgres.Open(context.Background(), u)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { db.Close() })
				return db
			}
			return open(), open()
		}},
	}
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			ctx := context.Background()
			serveDB, cliDB := be.open(t)
			box := sealtest.Box(t)
			srv := httptest.NewUnstartedServer(nil)
			a, err := app.New(app.Config{
				Store: serveDB, Box: box, PublicURL: "http://" + srv.Listener.Addr().String(),
				GenerateKey: apptest.KeyGenerator(), PasswordParams: &apptest.CheapHashing,
				ConfigPollInterval: 20 * time.Millisecond,
			})
			if err != nil {
				t.Fatal(err)
			}
			srv.Config.Handler = a.Server.Handler()
			srv.Start()
			t.Cleanup(func() { srv.Close(); _ = a.Shutdown(ctx) })

			now := time.Now()
			p := pool.NewPool("us-east-1", "lamps", now)
			if err := serveDB.CreatePool(ctx, p); err != nil {
				t.Fatal(err)
			}
			if err := a.Keys.Ensure(ctx, p.ID, p.SigningAlgorithm); err != nil {
				t.Fatal(err)
			}
			c := pool.NewClient(p.ID, "alexa", now)
			secret := pool.NewClientSecret()
			c.SealedSecret = box.Seal([]byte(secret), c.SecretAAD())
			c.AllowedOAuthFlows = []string{pool.FlowCode}
			c.AllowedOAuthFlowsUserPoolClient = true
			c.AllowedOAuthScopes = []string{pool.ScopeOpenID}
			c.CallbackURLs = []string{"https://example.com/cb"}
			if err := serveDB.CreateClient(ctx, c); err != nil {
				t.Fatal(err)
			}
			res, err := a.Accounts.AdminCreateUser(ctx, p, account.AdminCreateUserInput{
				Username: "carol", TemporaryPassword: "Corr3ct-Horse!", Permanent: true,
			})
			if err != nil {
				t.Fatal(err)
			}
			rt := storeRefreshToken(t, serveDB, p, c, res.User.Sub, now)

			type answer struct {
				status int
				body   struct{ IDToken, Error string }
			}
			refresh := func() answer {
				t.Helper()
				form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}
				req, _ := http.NewRequest(http.MethodPost, srv.URL+"/"+p.ID+"/oauth2/token", strings.NewReader(form.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.SetBasicAuth(c.ID, secret)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				var a answer
				a.status = resp.StatusCode
				var raw struct {
					IDToken string `json:"id_token"`
					Error   string `json:"error"`
				}
				if err := json.NewDecoder(resp.Body).Decode(&raw); err != nil {
					t.Fatal(err)
				}
				a.body.IDToken, a.body.Error = raw.IDToken, raw.Error
				return a
			}
			wait := func(what string, cond func(answer) bool) {
				t.Helper()
				var last answer
				for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
					if last = refresh(); cond(last) {
						return
					}
				}
				t.Fatalf("%s: not served; last answer %+v", what, last)
			}
			if got := refresh(); got.status != 200 || got.body.IDToken == "" {
				t.Fatalf("first refresh: %+v", got)
			}
			if err := cliDB.UpdateClient(ctx, c.ID, func(c pool.Client) (pool.Client, error) { c.IDTokenOnRefresh = false; return c, nil }); err != nil {
				t.Fatal(err)
			}
			wait("client updated by another process", func(a answer) bool { return a.status == 200 && a.body.IDToken == "" })
			if err := cliDB.DeleteClient(ctx, c.ID); err != nil {
				t.Fatal(err)
			}
			wait("client deleted by another process", func(a answer) bool { return a.status == 401 && a.body.Error == "invalid_client" })
			if err := cliDB.DeletePool(ctx, p.ID); err != nil {
				t.Fatal(err)
			}
			for deadline := time.Now().Add(time.Minute); ; time.Sleep(10 * time.Millisecond) {
				resp, err := http.Get(srv.URL + "/" + p.ID + "/.well-known/openid-configuration")
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode == http.StatusNotFound {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("pool deleted by another process still served: %d", resp.StatusCode)
				}
			}
		})
	}
}
