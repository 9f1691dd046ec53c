// Package sqlitetest gives tests a throwaway SQLite store.
//
// Only tests import it.
package sqlitetest

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/linkpool/linkpool/internal/store/sqlite"
)

// Open opens a fresh, migrated store in a temporary directory of t and
// closes it when the test ends. It fails t when the store cannot be
// opened.
func Open(t testing.TB) *sqlite.DB {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "linkpool.db"))
	if err != nil {
		t.Fatalf("open sqlite: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}
