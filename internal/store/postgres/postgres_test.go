package postgres_test

import (
	"context"
	"testing"

	"github.com/linkpool/linkpool/internal/smarthome/skillstore"
	"github.com/linkpool/linkpool/internal/store/postgres"
	"github.com/linkpool/linkpool/internal/store/postgres/pgtest"
	"github.com/linkpool/linkpool/internal/store/storetest"
)

// openDB opens a migrated store on a fresh database that t's cleanup
// closes and drops.
func openDB(t testing.TB) *postgres.DB {
	t.Helper()
	db, err := postgres.Open(context.Background(), pgtest.URL(t))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func newStore(t *testing.T) skillstore.Database { return openDB(t) }

func TestConformance(t *testing.T) {
	if testing.Short() {
		t.Skip("PostgreSQL conformance suite: -short")
	}
	storetest.Run(t, newStore)
}

func TestConcurrency(t *testing.T) {
	if testing.Short() {
		t.Skip("PostgreSQL concurrency stress: -short")
	}
	storetest.RunConcurrency(t, newStore)
}
