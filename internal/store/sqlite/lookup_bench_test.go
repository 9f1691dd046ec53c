package sqlite_test

import (
	"testing"

	"github.com/linkpool/linkpool/internal/smarthome/skillstore"
	"github.com/linkpool/linkpool/internal/store/storetest"
)

// BenchmarkLookups: storetest.BenchmarkLookups on sqlite.
func BenchmarkLookups(b *testing.B) {
	storetest.BenchmarkLookups(b, func(t testing.TB) skillstore.Database { return openDB(t) })
}
