package transfer_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/linkpool/linkpool/internal/smarthome/skillstore"
	"github.com/linkpool/linkpool/internal/transfer"
)

// benchUsers is the size of the benchmark deployment: users, each with
// one refresh-token grant.
const benchUsers = 20000

// benchExport returns a generated export (Seed) of benchUsers linked
// users.
func benchExport(b *testing.B) []byte {
	b.Helper()
	box := testBox(b, masterKey)
	seed, err := transfer.NewSeed(box, transfer.SeedOptions{Users: benchUsers, Links: benchUsers, Password: carolPassword,
		PasswordHash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g", RedirectURI: alexaRedirect})
	if err != nil {
		b.Fatal(err)
	}
	var out bytes.Buffer
	if _, err := seed.Write(context.Background(), &out, func(transfer.SeedUser) error { return nil }); err != nil {
		b.Fatal(err)
	}
	return out.Bytes()
}

// BenchmarkExport measures writing an export from SQLite.
func BenchmarkExport(b *testing.B) {
	in := benchExport(b)
	box := testBox(b, masterKey)
	st := openSQLite(b)
	if _, err := transfer.Import(context.Background(), st, box, bytes.NewReader(in), transfer.ImportOptions{}); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		var out bytes.Buffer
		if _, err := transfer.Export(context.Background(), st, &out); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(2*benchUsers)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkImport measures an import into a fresh SQLite file and a fresh
// PostgreSQL database, in one transaction each.
func BenchmarkImport(b *testing.B) {
	in := benchExport(b)
	box := testBox(b, masterKey)
	for _, target := range []struct {
		name string
		open func(testing.TB) skillstore.Database
	}{{"sqlite", openSQLite}, {"postgres", openPostgres}} {
		b.Run(target.name, func(b *testing.B) {
			for range b.N {
				b.StopTimer()
				st := target.open(b)
				b.StartTimer()
				if _, err := transfer.Import(context.Background(), st, box, bytes.NewReader(in), transfer.ImportOptions{}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(2*benchUsers)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
		})
	}
}
