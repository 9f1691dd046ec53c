package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
	"github.com/linkpool/linkpool/internal/store/sqlite"
)

// mustBackendError fails unless err is a backend failure: non-nil and
// none of the store's sentinels. A database that cannot answer must never
// look like "no such user" or "taken".
func mustBackendError(t *testing.T, what string, err error) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: succeeded on an unusable database", what)
	}
	for _, s := range []error{store.ErrNotFound, store.ErrAlreadyExists, store.ErrConflict, store.ErrInvalidPageToken} {
		if errors.Is(err, s) {
			t.Fatalf("%s: got %v, which reads as %q; want a backend error", what, err, s)
		}
	}
}

type fixture struct {
	pool pool.Pool
	user pool.User
	code store.AuthCode
}

func seed(t *testing.T, db *sqlite.DB) fixture {
	t.Helper()
	ctx := t.Context()
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	f := fixture{pool: pool.NewPool("eu-west-1", "p", now)}
	f.user = pool.User{PoolID: f.pool.ID, Sub: pool.NewSub(), Username: "alice", UsernameKey: "alice", CreatedAt: now}
	f.code = store.AuthCode{ID: "code", PoolID: f.pool.ID, Sub: f.user.Sub, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	for _, err := range []error{db.CreatePool(ctx, f.pool), db.CreateUser(ctx, f.user), db.CreateAuthCode(ctx, f.code)} {
		if err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// operations is a cross-section of the store: reads, writes, Update
// callbacks and code redemption.
func operations(ctx context.Context, db *sqlite.DB, f fixture) []struct {
	name string
	run  func() error
} {
	now := f.code.CreatedAt
	return []struct {
		name string
		run  func() error
	}{
		{"Ping", func() error { return db.Ping(ctx) }},
		{"GetPool", func() error { _, err := db.GetPool(ctx, f.pool.ID); return err }},
		{"GetUser", func() error { _, err := db.GetUser(ctx, f.pool.ID, f.user.Sub); return err }},
		{"GetUserByUsername", func() error { _, err := db.GetUserByUsername(ctx, f.pool.ID, "alice"); return err }},
		{"ListUsers", func() error { _, err := db.ListUsers(ctx, f.pool.ID, store.ListOptions{}); return err }},
		{"CreatePool", func() error { return db.CreatePool(ctx, pool.NewPool("eu-west-1", "q", now)) }},
		{"CreateUser", func() error {
			u := f.user
			u.Sub, u.UsernameKey = pool.NewSub(), "bob"
			return db.CreateUser(ctx, u)
		}},
		{"UpdateUser", func() error {
			return db.UpdateUser(ctx, f.pool.ID, f.user.Sub, func(u pool.User) (pool.User, error) {
				u.FailedLogins++
				return u, nil
			})
		}},
		{"ConsumeAuthCode", func() error { _, err := db.ConsumeAuthCode(ctx, f.code.ID, now); return err }},
		{"DeleteUser", func() error { return db.DeleteUser(ctx, f.pool.ID, f.user.Sub) }},
		{"GarbageCollect", func() error { _, err := db.GarbageCollect(ctx, now); return err }},
	}
}

// TestClosedDatabase: every call on a closed database fails as a backend
// error.
func TestClosedDatabase(t *testing.T) {
	db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "linkpool.db"))
	if err != nil {
		t.Fatal(err)
	}
	f := seed(t, db)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	for _, op := range operations(t.Context(), db, f) {
		t.Run(op.name, func(t *testing.T) { mustBackendError(t, op.name, op.run()) })
	}
}

// TestLockedDatabase: another process holds the write lock longer than
// the caller waits. Writes fail as backend errors once the caller's
// context ends; WAL readers are not blocked.
func TestLockedDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "linkpool.db")
	db := openPath(t, path)
	f := seed(t, db)

	other, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	conn, err := other.Conn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(t.Context(), "BEGIN EXCLUSIVE"); err != nil {
		t.Fatal(err)
	}
	released := false
	release := func() {
		if !released {
			released = true
			if _, err := conn.ExecContext(context.Background(), "ROLLBACK"); err != nil {
				t.Errorf("ROLLBACK: %v", err)
			}
		}
	}
	defer release()

	tests := []struct {
		name  string
		write bool
	}{
		{"GetUser", false}, {"GetUserByUsername", false}, {"Ping", false},
		{"CreatePool", true}, {"UpdateUser", true}, {"ConsumeAuthCode", true}, {"DeleteUser", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
			defer cancel()
			for _, op := range operations(ctx, db, f) {
				if op.name != tc.name {
					continue
				}
				err := op.run()
				if !tc.write {
					if err != nil {
						t.Fatalf("%s while another process writes: %v", tc.name, err)
					}
					return
				}
				mustBackendError(t, tc.name, err)
			}
		})
	}

	// Once the lock is released, the writer works again: a timed-out
	// caller leaves no transaction behind on the single writer connection.
	release()
	err = db.UpdateUser(t.Context(), f.pool.ID, f.user.Sub, func(u pool.User) (pool.User, error) {
		u.FailedLogins++
		return u, nil
	})
	if err != nil {
		t.Fatalf("UpdateUser after the lock is released: %v", err)
	}
	if _, err := db.ConsumeAuthCode(t.Context(), f.code.ID, f.code.CreatedAt); err != nil {
		t.Fatalf("ConsumeAuthCode after the lock is released: %v", err)
	}
}

// TestRejectedWrites: the database refuses writes for a reason other than
// a key conflict (here a trigger aborts them; a full disk or a read-only
// file looks the same to the caller). The constraint error SQLite reports
// must not be mistaken for store.ErrAlreadyExists, and nothing changes.
func TestRejectedWrites(t *testing.T) {
	path := filepath.Join(t.TempDir(), "linkpool.db")
	db := openPath(t, path)
	f := seed(t, db)

	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for _, table := range []string{"pools", "users", "auth_codes"} {
		for _, ev := range []string{"INSERT", "UPDATE", "DELETE"} {
			q := "CREATE TRIGGER refuse_" + ev + "_" + table + " BEFORE " + ev + " ON " + table +
				" BEGIN SELECT RAISE(ABORT, 'writes refused'); END"
			if _, err := raw.ExecContext(t.Context(), q); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, op := range operations(t.Context(), db, f) {
		switch op.name {
		case "CreatePool", "CreateUser", "UpdateUser", "ConsumeAuthCode", "DeleteUser":
			t.Run(op.name, func(t *testing.T) { mustBackendError(t, op.name, op.run()) })
		}
	}
	u, err := db.GetUser(t.Context(), f.pool.ID, f.user.Sub)
	if err != nil {
		t.Fatal(err)
	}
	if u.FailedLogins != 0 {
		t.Fatalf("FailedLogins = %d after refused updates", u.FailedLogins)
	}
	if _, err := db.ConsumeAuthCode(t.Context(), f.code.ID, f.code.CreatedAt); err == nil {
		t.Fatal("code redeemed despite the trigger")
	}
}

// TestOpenErrors: Open reports a path it cannot use.
func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.db")
	if err := os.WriteFile(garbage, []byte("this is not an SQLite database, just some text long enough to fill a header page"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		path string
	}{
		{"missing directory", filepath.Join(dir, "missing", "linkpool.db")},
		{"directory", dir},
		{"not a database", garbage},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			db, err := sqlite.Open(t.Context(), tc.path)
			if err == nil {
				db.Close()
				t.Fatalf("Open(%s) succeeded", tc.path)
			}
			mustBackendError(t, "Open", err)
		})
	}
}

// TestPingDuringWrite: Ping answers while a write transaction is open,
// so a health check never queues behind the single writer.
func TestPingDuringWrite(t *testing.T) {
	db := openDB(t)
	f := seed(t, db)
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	var pingErr error
	err := db.UpdateUser(ctx, f.pool.ID, f.user.Sub, func(u pool.User) (pool.User, error) {
		pingErr = db.Ping(ctx)
		return u, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if pingErr != nil {
		t.Fatalf("Ping during a write transaction: %v", pingErr)
	}
}
