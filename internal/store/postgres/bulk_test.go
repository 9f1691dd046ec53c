package postgres

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/smarthome/skillstore"
	"github.com/linkpool/linkpool/internal/store"
	"github.com/linkpool/linkpool/internal/store/postgres/pgtest"
)

// TestLoadRestoresIndexes: Load drops the migrations' indexes while it
// copies and creates them again, as they were, whether it commits or
// rolls back; a unique index the rows violate fails the load.
func TestLoadRestoresIndexes(t *testing.T) {
	ctx := t.Context()
	db, err := Open(ctx, pgtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	schema := func() []string {
		t.Helper()
		rows, err := db.pool.Query(ctx, `SELECT indexname || ' ' || indexdef FROM pg_indexes
			WHERE schemaname = current_schema() ORDER BY indexname`)
		if err != nil {
			t.Fatal(err)
		}
		out, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	want := schema()
	if !slices.ContainsFunc(want, func(s string) bool { return strings.HasPrefix(s, "users_pool_email_key_idx CREATE UNIQUE INDEX") }) {
		t.Fatalf("no users_pool_email_key_idx index to drop in %q", want)
	}
	now := time.Now()
	p := pool.NewPool("eu-west-1", "load", now)
	user := func(name, email string) pool.User {
		return pool.User{PoolID: p.ID, Sub: pool.NewSub(), Username: name, UsernameKey: name, EmailKey: email,
			Status: pool.StatusConfirmed, Enabled: true, CreatedAt: now, UpdatedAt: now}
	}
	boom := errors.New("boom")
	err = db.Load(ctx, func(l skillstore.Loader) error {
		if err := l.Pool(p); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Load = %v, want the fill's error", err)
	}
	if got := schema(); !slices.Equal(got, want) {
		t.Fatalf("after a failed load the indexes are\n%q\nwant\n%q", got, want)
	}
	err = db.Load(ctx, func(l skillstore.Loader) error {
		if err := l.Pool(p); err != nil {
			return err
		}
		if err := l.User(user("a", "same@example.com")); err != nil {
			return err
		}
		return l.User(user("b", "same@example.com"))
	})
	if !errors.Is(err, store.ErrAlreadyExists) {
		t.Fatalf("Load of two users with one email address = %v, want ErrAlreadyExists", err)
	}
	if got := schema(); !slices.Equal(got, want) {
		t.Fatalf("after a refused load the indexes are\n%q\nwant\n%q", got, want)
	}
	err = db.Load(ctx, func(l skillstore.Loader) error {
		if err := l.Pool(p); err != nil {
			return err
		}
		return l.User(user("a", "a@example.com"))
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := schema(); !slices.Equal(got, want) {
		t.Fatalf("after a load the indexes are\n%q\nwant\n%q", got, want)
	}
	if _, err := db.GetUserByEmail(ctx, p.ID, "a@example.com"); err != nil {
		t.Fatalf("the loaded user: %v", err)
	}
}
