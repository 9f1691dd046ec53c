package sqlite

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
)

// benchPoolSizes are the pool sizes of BenchmarkFilterUsers: 10,000 and
// 100,000 users, or the comma-separated list in LINKPOOL_BENCH_USERS
// (LINKPOOL_BENCH_USERS=10000,1000000 for a million, a minute or two of
// setup on two cores). Every case fills its pages from 10,000 users on.
func benchPoolSizes(b *testing.B) []int {
	env := os.Getenv("LINKPOOL_BENCH_USERS")
	if env == "" {
		return []int{10_000, 100_000}
	}
	var sizes []int
	for _, f := range strings.Split(env, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 10_000 {
			b.Fatalf("LINKPOOL_BENCH_USERS=%q: want counts of at least 10000", env)
		}
		sizes = append(sizes, n)
	}
	return sizes
}

// filterBenchCases are filtered ListUsers pages whose cost should not
// depend on the pool's size: one user by email, the first and the next
// page of a prefix that matches a tenth of the pool, the 1 % of disabled
// users, and an exact name that 2 % share.
var filterBenchCases = []struct {
	name string
	f    store.UserFilter
	next bool
	want int // users on the page
}{
	{"email=one", store.UserFilter{Attribute: "email", Value: "USER777@example.com"}, false, 1},
	{"email^=tenth", store.UserFilter{Attribute: "email", Value: "user1", Prefix: true}, false, 60},
	{"email^=tenth/next", store.UserFilter{Attribute: "email", Value: "user1", Prefix: true}, true, 60},
	{"status=disabled", store.UserFilter{Attribute: "status", Value: "Disabled"}, false, 60},
	{"given_name=two-percent", store.UserFilter{Attribute: "given_name", Value: "Given07"}, false, 60},
	{"given_name=two-percent/next", store.UserFilter{Attribute: "given_name", Value: "Given07"}, true, 60},
}

// BenchmarkFilterUsers measures one filtered page of 60 users on pools
// of growing size: with every filter served from its index, the cost per
// call stays flat from ten thousand users to a hundred thousand (or a
// million). Users are inserted in one statement (insertFilterUsers).
func BenchmarkFilterUsers(b *testing.B) {
	if testing.Short() {
		b.Skip("filtered listing on large pools: -short")
	}
	for _, n := range benchPoolSizes(b) {
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
		for _, bc := range filterBenchCases {
			b.Run(fmt.Sprintf("users=%d/%s", n, bc.name), func(b *testing.B) {
				opts := store.ListOptions{Limit: 60}
				if bc.next {
					first, err := db.FilterUsers(ctx, p.ID, bc.f, opts)
					if err != nil || first.Next == "" {
						b.Fatalf("first page: next %q, %v", first.Next, err)
					}
					opts.PageToken = first.Next
				}
				for b.Loop() {
					page, err := db.FilterUsers(ctx, p.ID, bc.f, opts)
					if err != nil || len(page.Items) != bc.want {
						b.Fatalf("FilterUsers: %d users, %v; want %d", len(page.Items), err, bc.want)
					}
				}
			})
		}
	}
}
