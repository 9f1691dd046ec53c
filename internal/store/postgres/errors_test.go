package postgres_test

import (
	"context"
	"errors"
	"net"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
	"github.com/linkpool/linkpool/internal/store/postgres"
	"github.com/linkpool/linkpool/internal/store/postgres/pgtest"
)

var sentinels = []error{store.ErrNotFound, store.ErrAlreadyExists, store.ErrConflict, store.ErrInvalidPageToken}

// mustBeFailure asserts that err reports a backend failure: a non-nil
// *postgres.Error that is none of the store sentinels, so that no caller
// mistakes it for a verdict on its input.
func mustBeFailure(t *testing.T, what string, err error) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: no error", what)
	}
	for _, s := range sentinels {
		if errors.Is(err, s) {
			t.Fatalf("%s: error %q is store sentinel %q, want a backend failure", what, err, s)
		}
	}
	var pe *postgres.Error
	if !errors.As(err, &pe) {
		t.Fatalf("%s: error %q (%T) is not a *postgres.Error", what, err, err)
	}
}

// closedPort returns a loopback address that nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return addr
}

// TestOpenFailures: a server that is not there and URLs that do not parse
// fail Open and OpenNoMigrate with a backend failure whose text does not
// reveal the password.
func TestOpenFailures(t *testing.T) {
	const password = "pw-that-must-not-leak"
	addr := closedPort(t)
	tests := []struct {
		name string
		url  string
	}{
		{"nothing listening", "postgres://linkpool:" + password + "@" + addr + "/linkpool?sslmode=disable"},
		{"bad pool setting", "postgres://linkpool:" + password + "@" + addr + "/linkpool?pool_max_conns=many"},
		{"zero pool size", "postgres://linkpool:" + password + "@" + addr + "/linkpool?pool_max_conns=0"},
		{"not a URL", "postgres://linkpool:" + password + "@[::1/linkpool"},
	}
	opens := []struct {
		name string
		open func(context.Context, string) (*postgres.DB, error)
	}{
		{"Open", postgres.Open},
		{"OpenNoMigrate", postgres.OpenNoMigrate},
	}
	for _, tc := range tests {
		for _, o := range opens {
			t.Run(tc.name+"/"+o.name, func(t *testing.T) {
				// The deadline only keeps a broken implementation from
				// hanging the test; nothing here measures time.
				ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
				defer cancel()
				db, err := o.open(ctx, tc.url)
				if db != nil {
					_ = db.Close()
					t.Fatal("got a DB along with the error")
				}
				mustBeFailure(t, o.name, err)
				if strings.Contains(err.Error(), password) {
					t.Fatalf("error reveals the password: %v", err)
				}
			})
		}
	}
}

// TestClosedStore: every kind of call on a closed store fails with a
// backend failure and never runs an update callback.
func TestClosedStore(t *testing.T) {
	db := openDB(t)
	if err := db.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := db.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	ctx := t.Context()
	p := pool.NewPool("eu-west-1", "closed", time.Now())
	neverCalled := func(t *testing.T) func(pool.User) (pool.User, error) {
		return func(u pool.User) (pool.User, error) {
			t.Error("update callback ran on a closed store")
			return u, nil
		}
	}
	tests := []struct {
		name string
		call func(t *testing.T) error
	}{
		{"Ping", func(*testing.T) error { return db.Ping(ctx) }},
		{"CreatePool", func(*testing.T) error { return db.CreatePool(ctx, p) }},
		{"GetUserByUsername", func(*testing.T) error { _, err := db.GetUserByUsername(ctx, p.ID, "alice"); return err }},
		{"ListUsers", func(*testing.T) error { _, err := db.ListUsers(ctx, p.ID, store.ListOptions{}); return err }},
		{"UpdateUser", func(t *testing.T) error { return db.UpdateUser(ctx, p.ID, pool.NewSub(), neverCalled(t)) }},
		{"ConsumeAuthCode", func(*testing.T) error { _, err := db.ConsumeAuthCode(ctx, "c0de", time.Now()); return err }},
		{"RevokeRefreshTokens", func(*testing.T) error {
			_, err := db.RevokeRefreshTokens(ctx, store.RevokeFilter{PoolID: p.ID}, time.Now())
			return err
		}},
		{"GarbageCollect", func(*testing.T) error { _, err := db.GarbageCollect(ctx, time.Now()); return err }},
		{"Migrate", func(*testing.T) error { return db.Migrate(ctx) }},
		{"MigrationStatus", func(*testing.T) error { _, err := db.MigrationStatus(ctx); return err }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mustBeFailure(t, tc.name, tc.call(t))
		})
	}
}

// TestDatabaseGoesAway cuts a running store off its database (connections
// terminated, new ones refused, as when the server stops) and lets it back:
// meanwhile calls fail with backend failures; afterwards the pool replaces
// its dead connections and works again.
func TestDatabaseGoesAway(t *testing.T) {
	if testing.Short() {
		t.Skip("PostgreSQL outage test: -short")
	}
	u := pgtest.URL(t)
	db, err := postgres.Open(t.Context(), u)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	ctx := t.Context()
	p := pool.NewPool("eu-west-1", "away", time.Now())
	if err := db.CreatePool(ctx, p); err != nil {
		t.Fatalf("CreatePool: %v", err)
	}

	parsed, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	dbName := strings.TrimPrefix(parsed.Path, "/")
	ident := pgx.Identifier{dbName}.Sanitize()
	admin, err := pgx.Connect(ctx, pgtest.AdminURL())
	if err != nil {
		t.Fatalf("admin connection: %v", err)
	}
	defer admin.Close(context.Background())
	if _, err := admin.Exec(ctx, `ALTER DATABASE `+ident+` WITH ALLOW_CONNECTIONS false`); err != nil {
		t.Fatalf("refuse connections: %v", err)
	}
	// The second argument makes pg_terminate_backend wait until each
	// backend has exited, so no connection of the store survives.
	if _, err := admin.Exec(ctx, `SELECT pg_terminate_backend(pid, 60000) FROM pg_stat_activity
		WHERE datname = $1 AND pid <> pg_backend_pid()`, dbName); err != nil {
		t.Fatalf("terminate connections: %v", err)
	}

	// Each failed call discards at most one dead connection; by the time
	// the pool is drained, new connections are refused too.
	for i := range 6 {
		_, err := db.GetPool(ctx, p.ID)
		mustBeFailure(t, "GetPool while the database is away", err)
		if i == 5 {
			mustBeFailure(t, "Ping while the database is away", db.Ping(ctx))
		}
	}

	if _, err := admin.Exec(ctx, `ALTER DATABASE `+ident+` WITH ALLOW_CONNECTIONS true`); err != nil {
		t.Fatalf("allow connections again: %v", err)
	}
	var got pool.Pool
	for range 10 {
		if got, err = db.GetPool(ctx, p.ID); err == nil {
			break
		}
	}
	if err != nil {
		t.Fatalf("GetPool after the database came back: %v", err)
	}
	if got.ID != p.ID {
		t.Fatalf("GetPool after the database came back = %q, want %q", got.ID, p.ID)
	}
}

// TestErrorsHideSecrets: the ids of codes, refresh tokens and sessions
// are derived from secrets, so no error about them may quote them, not
// even PostgreSQL's "Key (id)=(...) already exists" detail.
func TestErrorsHideSecrets(t *testing.T) {
	db := openDB(t)
	ctx := t.Context()
	now := time.Now()
	p := pool.NewPool("eu-west-1", "secrets", now)
	if err := db.CreatePool(ctx, p); err != nil {
		t.Fatalf("CreatePool: %v", err)
	}
	const secret = "5ecret0f0123456789abcdef0123456789abcdef0123456789abcdef01234567"
	code := store.AuthCode{ID: secret, PoolID: p.ID, ClientID: "c", Sub: "s", CreatedAt: now, ExpiresAt: now.Add(time.Minute)}
	rt := store.RefreshToken{ID: secret, OriginJTI: secret, PoolID: p.ID, SecretHash: secret, CreatedAt: now}
	sess := store.Session{ID: secret, SecretHash: secret, PoolID: p.ID, Sub: "s", CreatedAt: now}
	if err := db.CreateAuthCode(ctx, code); err != nil {
		t.Fatalf("CreateAuthCode: %v", err)
	}
	if err := db.CreateRefreshToken(ctx, rt); err != nil {
		t.Fatalf("CreateRefreshToken: %v", err)
	}
	if err := db.CreateSession(ctx, sess); err != nil {
		t.Fatalf("CreateSession: %v", err)
	}
	missing := strings.Repeat("f", len(secret))
	tests := []struct {
		name string
		want error
		call func() error
	}{
		{"CreateAuthCode duplicate", store.ErrAlreadyExists, func() error { return db.CreateAuthCode(ctx, code) }},
		{"CreateRefreshToken duplicate", store.ErrAlreadyExists, func() error { return db.CreateRefreshToken(ctx, rt) }},
		{"CreateSession duplicate", store.ErrAlreadyExists, func() error { return db.CreateSession(ctx, sess) }},
		{"ConsumeAuthCode unknown", store.ErrNotFound, func() error { _, err := db.ConsumeAuthCode(ctx, missing, now); return err }},
		{"GetRefreshToken unknown", store.ErrNotFound, func() error { _, err := db.GetRefreshToken(ctx, missing); return err }},
		{"GetRefreshTokenByOrigin unknown", store.ErrNotFound, func() error { _, err := db.GetRefreshTokenByOrigin(ctx, missing); return err }},
		{"GetSession unknown", store.ErrNotFound, func() error { _, err := db.GetSession(ctx, missing); return err }},
		{"DeleteSession unknown", store.ErrNotFound, func() error { return db.DeleteSession(ctx, missing) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if msg := err.Error(); strings.Contains(msg, secret) || strings.Contains(msg, missing) {
				t.Fatalf("error quotes the id: %s", msg)
			}
		})
	}
	// The redemption itself must not leak either, nor its replay.
	if _, err := db.ConsumeAuthCode(ctx, secret, now); err != nil {
		t.Fatalf("ConsumeAuthCode: %v", err)
	}
	_, err := db.ConsumeAuthCode(ctx, secret, now)
	if !errors.Is(err, store.ErrConflict) || strings.Contains(err.Error(), secret) {
		t.Fatalf("ConsumeAuthCode replay: %v, want ErrConflict without the id", err)
	}
}
