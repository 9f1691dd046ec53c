package transfer_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/smarthome/skillstore"
	"github.com/linkpool/linkpool/internal/store"
	"github.com/linkpool/linkpool/internal/token"
	"github.com/linkpool/linkpool/internal/transfer"
)

// benchUsers is the size of the benchmark deployment: users, each with
// one refresh-token grant.
const benchUsers = 2000

// benchExport returns the export of a pool with benchUsers linked users.
func benchExport(b *testing.B) []byte {
	b.Helper()
	ctx := context.Background()
	box := testBox(b, masterKey)
	st := openSQLite(b)
	now := time.Now()
	p := pool.NewPool("us-east-1", "bench", now)
	if err := st.CreatePool(ctx, p); err != nil {
		b.Fatal(err)
	}
	if err := token.NewKeys(st, box, token.KeysOptions{}).Ensure(ctx, p.ID, pool.AlgES256); err != nil {
		b.Fatal(err)
	}
	c := pool.NewClient(p.ID, "alexa", now)
	c.SealedSecret = box.Seal([]byte("secret"), c.SecretAAD())
	if err := st.CreateClient(ctx, c); err != nil {
		b.Fatal(err)
	}
	for i := range benchUsers {
		u := pool.User{PoolID: p.ID, Sub: pool.NewSub(), Username: fmt.Sprintf("user%d", i), UsernameKey: fmt.Sprintf("user%d", i),
			Status: pool.StatusConfirmed, Enabled: true, PasswordHash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA", CreatedAt: now}
		if err := st.CreateUser(ctx, u); err != nil {
			b.Fatal(err)
		}
		rt := store.RefreshToken{ID: fmt.Sprintf("rt%06d", i), OriginJTI: pool.NewSub(), PoolID: p.ID, ClientID: c.ID, Sub: u.Sub,
			Scopes: []string{"openid"}, SecretHash: "h", CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
		if err := st.CreateRefreshToken(ctx, rt); err != nil {
			b.Fatal(err)
		}
	}
	var out bytes.Buffer
	if _, err := transfer.Export(ctx, st, &out); err != nil {
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
