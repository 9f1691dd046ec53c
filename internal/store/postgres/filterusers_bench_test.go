package postgres

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
	"github.com/linkpool/linkpool/internal/store/storetest"
)

// BenchmarkFilterUsers measures one filtered page of 60 users on pools
// of growing size: with every filter served from its index, the cost per
// call stays flat from ten thousand users to a hundred thousand (or a
// million). Besides the time, which a shared machine makes noisy, it
// reports the buffer pages the query touches (pages/op), which grow only
// with the depth of the index. Users are inserted in one statement
// (insertFilterUsers).
func BenchmarkFilterUsers(b *testing.B) {
	if testing.Short() {
		b.Skip("filtered listing on large pools: -short")
	}
	for _, n := range storetest.FilterBenchSizes(b) {
		ctx := b.Context()
		db := openFilterDB(b)
		p := pool.NewPool("eu-west-1", "bench", time.Now())
		if err := db.CreatePool(ctx, p); err != nil {
			b.Fatal(err)
		}
		if err := insertFilterUsers(ctx, db, p.ID, n); err != nil {
			b.Fatal(err)
		}
		// The steady state: hint bits set and nothing left for
		// autovacuum to do while the benchmark runs.
		if _, err := db.pool.Exec(ctx, `VACUUM ANALYZE users`); err != nil {
			b.Fatal(err)
		}
		for _, bc := range storetest.FilterBenchCases {
			b.Run(fmt.Sprintf("users=%d/%s", n, bc.Name), func(b *testing.B) {
				opts := store.ListOptions{Limit: 60}
				if bc.Next {
					first, err := db.FilterUsers(ctx, p.ID, bc.Filter, opts)
					if err != nil || first.Next == "" {
						b.Fatalf("first page: next %q, %v", first.Next, err)
					}
					opts.PageToken = first.Next
				}
				for b.Loop() {
					page, err := db.FilterUsers(ctx, p.ID, bc.Filter, opts)
					if err != nil || len(page.Items) != bc.Want {
						b.Fatalf("FilterUsers: %d users, %v; want %d", len(page.Items), err, bc.Want)
					}
				}
				b.ReportMetric(float64(pagesRead(b, db, p.ID, bc.Filter, opts)), "pages/op")
			})
		}
	}
}

// pagesRead returns how many buffer pages (index and table, from shared
// buffers or not) PostgreSQL touches for the page opts asks: a count that
// does not depend on the machine's load, unlike the time per call.
func pagesRead(b *testing.B, db *DB, poolID string, f store.UserFilter, opts store.ListOptions) int {
	b.Helper()
	ctx := b.Context()
	afterKey, afterSub, err := store.PageKeyPair(store.FilterScope(poolID, f), opts.PageToken)
	if err != nil {
		b.Fatal(err)
	}
	q, args := filterQuery(poolID, f, opts.PageToken == "", afterKey, afterSub, store.PageLimit(opts)+1)
	var out string
	err = db.inTx(ctx, "explain", func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, filterPlanSettings); err != nil {
			return err
		}
		return tx.QueryRow(ctx, "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) "+q, args...).Scan(&out)
	})
	if err != nil {
		b.Fatal(err)
	}
	var plan []struct {
		Plan struct {
			Hit  int `json:"Shared Hit Blocks"`
			Read int `json:"Shared Read Blocks"`
		}
	}
	if err := json.Unmarshal([]byte(out), &plan); err != nil || len(plan) != 1 {
		b.Fatalf("EXPLAIN output %q: %v", out, err)
	}
	return plan[0].Plan.Hit + plan[0].Plan.Read
}
