package console_test

import (
	"context"
	"sync"
	"testing"

	"github.com/linkpool/linkpool/internal/app"
	"github.com/linkpool/linkpool/internal/apptest"
	"github.com/linkpool/linkpool/internal/console"
	"github.com/linkpool/linkpool/internal/hostedui"
	"github.com/linkpool/linkpool/internal/seal/sealtest"
	"github.com/linkpool/linkpool/internal/store"
	"github.com/linkpool/linkpool/internal/store/postgres"
	"github.com/linkpool/linkpool/internal/store/postgres/pgtest"
)

// TestEnsureSystemPoolConcurrently: instances starting at once on one
// PostgreSQL database create the system pool, its two groups and the
// console's client once, and starting again creates nothing more.
func TestEnsureSystemPoolConcurrently(t *testing.T) {
	dbURL := pgtest.URL(t)
	box := sealtest.Box(t)
	ctx := context.Background()
	const instances = 4
	consoles := make([]*console.Console, instances)
	var first *app.App
	for i := range consoles {
		st, err := postgres.Open(ctx, dbURL)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		params := apptest.CheapHashing
		a, err := app.New(app.Config{Store: st, Box: box, PublicURL: "http://127.0.0.1:1", NoMail: true,
			PasswordParams: &params, GenerateKey: apptest.KeyGenerator()})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = a.Shutdown(ctx) })
		if first == nil {
			first = a
		}
		if consoles[i], err = console.New(console.Config{Admin: a.Admin, Store: st, Audit: a.Audit, Box: box, SignInPreview: hostedui.Preview,
			PublicURL: "http://127.0.0.1:1", URL: "http://127.0.0.1:9090"}); err != nil {
			t.Fatal(err)
		}
	}
	ensureAll := func() {
		var wg sync.WaitGroup
		errs := make([]error, instances)
		for i, c := range consoles {
			wg.Go(func() { errs[i] = c.Ensure(ctx) })
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("instance %d: %v", i, err)
			}
		}
	}
	ensureAll()
	ensureAll()

	pools, _, err := first.Admin.ListUserPools(ctx, 60, "")
	if err != nil || len(pools) != 1 || pools[0].ID != console.SystemPoolID || !pools[0].AllowAdminCreateUserOnly {
		t.Fatalf("pools %+v, %v; want the system pool alone, without self sign-up", pools, err)
	}
	groups, _, err := first.Admin.ListGroups(ctx, console.SystemPoolID, 60, "")
	if err != nil || len(groups) != 2 {
		t.Fatalf("groups %+v, %v", groups, err)
	}
	clients, _, err := first.Admin.ListUserPoolClients(ctx, console.SystemPoolID, 60, "")
	if err != nil || len(clients) != 1 {
		t.Fatalf("clients %+v, %v", clients, err)
	}
	c := clients[0]
	if c.ID != console.SystemClientID || c.HasSecret() || len(c.CallbackURLs) != 1 || c.CallbackURLs[0] != "http://127.0.0.1:9090/console/callback" ||
		len(c.AllowedOAuthFlows) != 1 || c.AllowedOAuthFlows[0] != "code" || len(c.AllowedOAuthScopes) != 1 || c.AllowedOAuthScopes[0] != "openid" {
		t.Errorf("console client %+v", c)
	}
	if _, err := first.Keys.Sign(ctx, console.SystemPoolID, store.UseAccess, map[string]any{"probe": true}); err != nil {
		t.Errorf("system pool signing keys: %v", err)
	}
	page, err := first.Audit.List(ctx, store.AuditFilter{PoolID: console.SystemPoolID}, store.ListOptions{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	ok := map[string]int{}
	for _, r := range page.Items {
		if r.Result == "ok" {
			ok[r.Action]++
		}
		if r.ActorKind != "system" {
			t.Errorf("record %+v: actor %s, want system", r, r.ActorKind)
		}
	}
	for action, want := range map[string]int{"CreateUserPool": 1, "CreateGroup": 2, "CreateUserPoolClient": 1} {
		if ok[action] != want {
			t.Errorf("%d successful %s records, want %d (all: %v)", ok[action], action, want, ok)
		}
	}
}

// TestCreateOperatorMailsNothing: the temporary password of a new
// operator is shown once to whoever runs `admin create`, and is not
// mailed as an invitation too.
func TestCreateOperatorMailsNothing(t *testing.T) {
	e := newEnv(t)
	res, err := console.CreateOperator(context.Background(), e.Admin, console.CreateOperatorInput{Username: "olga", Email: "olga@example.com"}, e.Clock.Now())
	if err != nil || res.TemporaryPassword == "" {
		t.Fatalf("CreateOperator: %+v %v", res, err)
	}
	if n := e.Mail.Count("olga@example.com"); n != 0 {
		t.Fatalf("%d mails to the new operator, want none", n)
	}
}
