package sqlite

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/smarthome/skillstore"
	"github.com/linkpool/linkpool/internal/store"
)

// TestLoadRestoresIndexes: Load drops the migrations' indexes while it
// writes and creates them again, as they were, whether it commits or
// rolls back; a unique index the rows violate fails the load.
func TestLoadRestoresIndexes(t *testing.T) {
	db, _ := openInternal(t)
	ctx := t.Context()
	schema := func() []string {
		t.Helper()
		rows, err := db.r.QueryContext(ctx, `SELECT type || ' ' || name || ' ' || coalesce(sql, '') FROM sqlite_schema ORDER BY name`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			out = append(out, s)
		}
		return out
	}
	want := schema()
	if !slices.ContainsFunc(want, func(s string) bool {
		return s == "index users_email CREATE UNIQUE INDEX users_email ON users (pool_id, email_key) WHERE email_key <> ''"
	}) {
		t.Fatalf("no users_email index to drop in %q", want)
	}
	now := time.Now()
	p := pool.NewPool("eu-west-1", "load", now)
	user := func(name, email string) pool.User {
		return pool.User{PoolID: p.ID, Sub: pool.NewSub(), Username: name, UsernameKey: name, EmailKey: email,
			Status: pool.StatusConfirmed, Enabled: true, CreatedAt: now, UpdatedAt: now}
	}
	boom := errors.New("boom")
	err := db.Load(ctx, func(l skillstore.Loader) error {
		if err := l.Pool(p); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Load = %v, want the fill's error", err)
	}
	if got := schema(); !slices.Equal(got, want) {
		t.Fatalf("after a failed load the schema is\n%q\nwant\n%q", got, want)
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
		t.Fatalf("after a refused load the schema is\n%q\nwant\n%q", got, want)
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
		t.Fatalf("after a load the schema is\n%q\nwant\n%q", got, want)
	}
	if _, err := db.GetUserByEmail(ctx, p.ID, "a@example.com"); err != nil {
		t.Fatalf("the loaded user: %v", err)
	}
}
