package sqlite

import (
	"fmt"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
	"github.com/linkpool/linkpool/internal/store/storetest"
)

// BenchmarkFilterUsers measures one filtered page of 60 users on pools
// of growing size: with every filter served from its index, the cost per
// call stays flat from ten thousand users to a hundred thousand (or a
// million). Users are inserted in one statement (insertFilterUsers).
func BenchmarkFilterUsers(b *testing.B) {
	if testing.Short() {
		b.Skip("filtered listing on large pools: -short")
	}
	for _, n := range storetest.FilterBenchSizes(b) {
		ctx := b.Context()
		db, _ := openInternal(b)
		p := pool.NewPool("eu-west-1", "bench", time.Now())
		if err := db.CreatePool(ctx, p); err != nil {
			b.Fatal(err)
		}
		if err := insertFilterUsers(ctx, db, p.ID, n); err != nil {
			b.Fatal(err)
		}
		if _, err := db.exec(ctx, "test", `ANALYZE`); err != nil {
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
			})
		}
	}
}
