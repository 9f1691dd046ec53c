package cluster_test

import (
	"context"
	"errors"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/apptest"
	"github.com/linkpool/linkpool/internal/confcache"
	"github.com/linkpool/linkpool/internal/loadtest"
	"github.com/linkpool/linkpool/internal/store/postgres/pgtest"
)

// unavailable fails unless err is the token endpoint's answer to a
// database outage: 503 temporarily_unavailable. Alexa unlinks a user on
// invalid_grant, so an outage must never look like one.
func unavailable(t *testing.T, what string, err error) {
	t.Helper()
	if !isTokenError(err, "temporarily_unavailable") {
		t.Fatalf("%s during the outage: %v, want 503 temporarily_unavailable", what, err)
	}
	if te := err.(*loadtest.TokenError); te.Status != http.StatusServiceUnavailable {
		t.Fatalf("%s during the outage: status %d, want 503", what, te.Status)
	}
}

// pastCaches sleeps until the instance's cached configuration (pools,
// domains, clients) is stale if the database went out at since: the
// configuration version has not been read for confcache.DefaultMaxStale,
// noticed at the next poll, so that a request during the outage has to
// look its pool up again. (When the version still reads, as on a
// read-only SQLite file, nothing has changed and the cache stays valid.)
func pastCaches(since time.Time) {
	time.Sleep(time.Until(since.Add(confcache.DefaultMaxStale + confcache.DefaultPollInterval + time.Second)))
}

// waitReadyz waits until the instance's readiness is want.
func waitReadyz(t *testing.T, in *instance, want int) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		code, _ := in.readyz()
		if code == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz is %d, want %d", code, want)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestOutagePostgres stops a private PostgreSQL server under a running
// instance: refreshes and code exchanges answer 503
// temporarily_unavailable, /readyz fails, and a sign-in gets a 503 page,
// both at once and after the cached pool lookups have expired.
// When the server is back the instance recovers without a restart, and
// the refresh token and the code presented during the outage still work.
func TestOutagePostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("cluster outage test: -short")
	}
	ctx := context.Background()
	pg := pgtest.StartCluster(t)
	px := newProxy(t)
	d := postgresDeployment(t, pg.URL())
	d.publicURL = px.URL
	setup := d.initAlexa(t)
	d.cli(t, "pool", "update", "--pool", setup.PoolID, "--auto-confirm=true")
	in := d.start(t, "a")
	px.set(in)
	tg := target(px.URL, setup)

	tok, err := signUp(ctx, tg, nil, "olga", address(1))
	if err != nil {
		t.Fatal(err)
	}
	code, verifier, err := tg.Browser(address(1)).SignIn(ctx, "olga", password)
	if err != nil {
		t.Fatal(err)
	}

	pg.Stop()
	down := time.Now()
	_, err = tg.Refresh(ctx, tok.RefreshToken, address(1))
	unavailable(t, "refresh", err)
	_, err = tg.Exchange(ctx, code, verifier, address(1))
	unavailable(t, "code exchange", err)
	waitReadyz(t, in, http.StatusServiceUnavailable)
	// A sign-in cannot be checked: the hosted page says so with 503,
	// never "incorrect username or password".
	_, _, err = tg.Browser(address(2)).SignIn(ctx, "olga", password)
	var pe *loadtest.PageError
	if !errors.As(err, &pe) || pe.Status != http.StatusServiceUnavailable {
		t.Fatalf("sign-in during the outage: %v, want a 503 page", err)
	}
	// The answers stay the same once the pool is no longer cached.
	pastCaches(down)
	_, err = tg.Refresh(ctx, tok.RefreshToken, address(1))
	unavailable(t, "refresh after the caches expired", err)
	_, err = tg.Exchange(ctx, code, verifier, address(1))
	unavailable(t, "code exchange after the caches expired", err)
	_, _, err = tg.Browser(address(2)).SignIn(ctx, "olga", password)
	if !errors.As(err, &pe) || pe.Status != http.StatusServiceUnavailable {
		t.Fatalf("sign-in during the outage, after the caches expired: %v, want a 503 page", err)
	}

	pg.Start()
	waitReadyz(t, in, http.StatusOK)
	if _, err := tg.Refresh(ctx, tok.RefreshToken, address(1)); err != nil {
		t.Fatalf("refresh after the outage: %v", err)
	}
	if _, err := tg.Exchange(ctx, code, verifier, address(1)); err != nil {
		t.Fatalf("the code refused during the outage, after it: %v", err)
	}
	if _, err := signIn(ctx, tg, "olga", address(1)); err != nil {
		t.Fatalf("sign-in after the outage: %v", err)
	}
}

// TestOutageSQLite makes the database file and its WAL immutable under a
// running instance (chattr +i: writes fail even for root and through open
// descriptors, while reads go on). Grants that write (a rotating refresh,
// a code exchange) answer 503 temporarily_unavailable and /readyz fails;
// a refresh without rotation only reads and keeps working. Once the file
// is writable again the instance recovers without a restart.
func TestOutageSQLite(t *testing.T) {
	if testing.Short() {
		t.Skip("cluster outage test: -short")
	}
	ctx := context.Background()
	px := newProxy(t)
	d, dir := sqliteDeployment(t)
	d.publicURL = px.URL
	rotSetup := d.initAlexa(t, "--name", "Rotating", "--rotate-refresh-tokens")
	plainSetup := d.initAlexa(t, "--name", "Plain")
	for _, s := range []alexaSetup{rotSetup, plainSetup} {
		d.cli(t, "pool", "update", "--pool", s.PoolID, "--auto-confirm=true")
	}
	in := d.start(t, "a")
	px.set(in)
	rot, plain := target(px.URL, rotSetup), target(px.URL, plainSetup)

	rotTok, err := signUp(ctx, rot, nil, "rita", address(1))
	if err != nil {
		t.Fatal(err)
	}
	plainTok, err := signUp(ctx, plain, nil, "paul", address(2))
	if err != nil {
		t.Fatal(err)
	}
	code, verifier, err := rot.Browser(address(1)).SignIn(ctx, "rita", password)
	if err != nil {
		t.Fatal(err)
	}

	db := filepath.Join(dir, "linkpool.db")
	mutable := apptest.Immutable(t, db, db+"-wal")
	down := time.Now()
	_, err = rot.Refresh(ctx, rotTok.RefreshToken, address(1))
	unavailable(t, "rotating refresh", err)
	_, err = rot.Exchange(ctx, code, verifier, address(1))
	unavailable(t, "code exchange", err)
	waitReadyz(t, in, http.StatusServiceUnavailable)
	if _, err := plain.Refresh(ctx, plainTok.RefreshToken, address(2)); err != nil {
		t.Fatalf("a refresh that only reads, while writes fail: %v", err)
	}
	// The same once the pools are looked up again.
	pastCaches(down)
	_, err = rot.Refresh(ctx, rotTok.RefreshToken, address(1))
	unavailable(t, "rotating refresh after the caches expired", err)
	if _, err := plain.Refresh(ctx, plainTok.RefreshToken, address(2)); err != nil {
		t.Fatalf("a refresh that only reads, while writes fail, after the caches expired: %v", err)
	}

	mutable()
	waitReadyz(t, in, http.StatusOK)
	if _, err := rot.Refresh(ctx, rotTok.RefreshToken, address(1)); err != nil {
		t.Fatalf("rotating refresh after the outage: %v", err)
	}
	if _, err := rot.Exchange(ctx, code, verifier, address(1)); err != nil {
		t.Fatalf("the code refused during the outage, after it: %v", err)
	}
}
