package storetest

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/linkpool/linkpool/internal/store"
)

// FilterBenchSizes are the pool sizes of the backends' BenchmarkFilterUsers: 10,000 and
// 100,000 users, or the comma-separated list in LINKPOOL_BENCH_USERS
// (LINKPOOL_BENCH_USERS=10000,1000000 for a million, a minute or two of
// setup on two cores). Every case fills its pages from 10,000 users on.
func FilterBenchSizes(b *testing.B) []int {
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

// FilterBenchCases are filtered ListUsers pages whose cost should not
// depend on the pool's size: one user by email, the first and the next
// page of a prefix that matches a tenth of the pool, the 1 % of disabled
// users, and an exact name that 2 % share.
var FilterBenchCases = []struct {
	Name   string
	Filter store.UserFilter
	Next   bool
	Want   int // users on the page
}{
	{"email=one", store.UserFilter{Attribute: "email", Value: "USER777@example.com"}, false, 1},
	{"email^=tenth", store.UserFilter{Attribute: "email", Value: "user1", Prefix: true}, false, 60},
	{"email^=tenth/next", store.UserFilter{Attribute: "email", Value: "user1", Prefix: true}, true, 60},
	{"status=disabled", store.UserFilter{Attribute: "status", Value: "Disabled"}, false, 60},
	{"given_name=two-percent", store.UserFilter{Attribute: "given_name", Value: "Given07"}, false, 60},
	{"given_name=two-percent/next", store.UserFilter{Attribute: "given_name", Value: "Given07"}, true, 60},
}
