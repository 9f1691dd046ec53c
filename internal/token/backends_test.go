package token_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/linkpool/linkpool/internal/store"
	"github.com/linkpool/linkpool/internal/store/postgres"
	"github.com/linkpool/linkpool/internal/store/postgres/pgtest"
	"github.com/linkpool/linkpool/internal/store/sqlite"
)

// sqliteBackend is a SQLite file in the test's temporary directory; every
// handle opens the same file.
var sqliteBackend = backend{
	name: "sqlite",
	fresh: func(t testing.TB) func(t testing.TB) store.Store {
		path := filepath.Join(t.TempDir(), "db")
		return func(t testing.TB) store.Store {
			t.Helper()
			st, err := sqlite.Open(context.Background(), path)
			if err != nil {
				t.Fatalf("sqlite.Open: %v", err)
			}
			t.Cleanup(func() { st.Close() })
			return st
		}
	},
}

// postgresBackend is a throwaway PostgreSQL database (skipped locally when
// no server runs, failed under CI=true).
var postgresBackend = backend{
	name: "postgres",
	fresh: func(t testing.TB) func(t testing.TB) store.Store {
		url := pgtest.URL(t)
		return func(t testing.TB) store.Store {
			t.Helper()
			st, err := postgres.Open(context.Background(), url)
			if err != nil {
				t.Fatalf("postgres.Open: %v", err)
			}
			t.Cleanup(func() { st.Close() })
			return st
		}
	},
}

// multiInstance are the backends the multi-instance races run on.
var multiInstance = []backend{sqliteBackend, postgresBackend}
