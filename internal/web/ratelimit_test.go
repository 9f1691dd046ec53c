package web_test

import (
	"encoding/binary"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/linkpool/linkpool/internal/web"
)

// floodKey is the i-th distinct key of a flood: a different IPv4 address
// for each i.
func floodKey(i int) string {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], uint32(i)+1<<28)
	return string(b[:])
}

// TestLimiterFullTableAdmitsFreshKey protects sign-in and the token
// endpoint from a flood of distinct client keys: once the table is full,
// a client never seen before must still get its own burst.
func TestLimiterFullTableAdmitsFreshKey(t *testing.T) {
	l := web.NewLimiter(60, 3)
	for i := range 1_100_000 {
		l.Allow(floodKey(i))
	}
	for i := range 3 {
		if !l.Allow("198.51.100.7") {
			t.Fatalf("fresh key refused at request %d after a flood of distinct keys", i)
		}
	}
	if l.Allow("198.51.100.7") {
		t.Fatal("the fresh key's burst is not enforced")
	}
	if n := l.Len(); n > web.DefaultMaxKeys {
		t.Fatalf("%d keys remembered, more than %d", n, web.DefaultMaxKeys)
	}
}

// TestLimiterEvictionKeepsActiveKeysLimited protects the limits of busy
// clients from a flood of distinct keys: eviction picks the least
// recently seen of a sample, so a key that keeps sending stays refused
// while a full table turns over many times.
func TestLimiterEvictionKeepsActiveKeysLimited(t *testing.T) {
	l := web.NewLimiterSize(0.001, 1, 64*64)
	l.Allow("busy")
	allowed := 0
	for i := range 50_000 {
		l.Allow(floodKey(i))
		if i%32 == 0 && l.Allow("busy") {
			allowed++
		}
	}
	if allowed > 0 {
		t.Fatalf("the busy key was allowed %d more times while the table turned over", allowed)
	}
	if n := l.Len(); n > 64*64 {
		t.Fatalf("%d keys remembered, more than 4096", n)
	}
}

// TestClientKeyGroupsIPv6 protects every per-client limit from a client
// rotating through its IPv6 /64: Edge gives all addresses of one prefix
// one key, keeps IPv4 addresses apart, and honours a configured prefix.
func TestClientKeyGroupsIPv6(t *testing.T) {
	keyOf := func(p web.Proxies, remote string) string {
		var key string
		h := web.Edge(slog.New(slog.DiscardHandler), p, nil, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			key = web.ClientKey(r.Context())
		}))
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.RemoteAddr = remote
		h.ServeHTTP(httptest.NewRecorder(), r)
		return key
	}
	var def web.Proxies
	a, b := keyOf(def, "[2001:db8:1:2::1]:1"), keyOf(def, "[2001:db8:1:2:ffff:ffff:ffff:ffff]:2")
	if a != b || a != "2001:db8:1:2::/64" {
		t.Fatalf("one /64 gives keys %q and %q", a, b)
	}
	if c := keyOf(def, "[2001:db8:1:3::1]:1"); c == a {
		t.Fatalf("another /64 shares key %q", c)
	}
	if x, y := keyOf(def, "192.0.2.1:1"), keyOf(def, "192.0.2.2:1"); x != "192.0.2.1" || y != "192.0.2.2" {
		t.Fatalf("IPv4 keys %q %q", x, y)
	}
	if m := keyOf(def, "[::ffff:192.0.2.1]:1"); m != "192.0.2.1" || def.LimitKey("::ffff:192.0.2.1") != "192.0.2.1" {
		t.Fatalf("IPv4-mapped key %q", m)
	}
	p48, err := def.WithIPv6Prefix(48)
	if err != nil {
		t.Fatal(err)
	}
	if x, y := keyOf(p48, "[2001:db8:1:2::1]:1"), keyOf(p48, "[2001:db8:1:ff::1]:1"); x != y || x != "2001:db8:1::/48" {
		t.Fatalf("/48 keys %q %q", x, y)
	}
	for _, bad := range []int{0, -1, 129} {
		if _, err := def.WithIPv6Prefix(bad); err == nil {
			t.Fatalf("prefix length %d accepted", bad)
		}
	}
}

// BenchmarkLimiterAllowFullTable measures Allow for new keys when the
// table is full, so that every call evicts.
func BenchmarkLimiterAllowFullTable(b *testing.B) {
	l := web.NewLimiter(60, 3)
	for i := range web.DefaultMaxKeys {
		l.Allow(floodKey(i))
	}
	keys := make([]string, 1<<16)
	for i := range keys {
		keys[i] = floodKey(web.DefaultMaxKeys + i)
	}
	i := 0
	for b.Loop() {
		l.Allow(keys[i&(1<<16-1)])
		i++
	}
}

// TestLimiterConcurrentBurst protects the limit under concurrency: many
// goroutines on one key, while others flood a small table, get exactly
// the burst between them.
func TestLimiterConcurrentBurst(t *testing.T) {
	l := web.NewLimiterSize(0.001, 50, 64*16)
	var wg sync.WaitGroup
	var allowed atomic.Int64
	for g := range 8 {
		wg.Go(func() {
			for i := range 2000 {
				l.Allow(floodKey(g<<20 + i))
				if l.Allow("shared") {
					allowed.Add(1)
				}
			}
		})
	}
	wg.Wait()
	if n := allowed.Load(); n != 50 {
		t.Fatalf("shared key allowed %d times, want its burst of 50", n)
	}
}

// TestLimiterRefundReturnsOneEvent protects the sign-in limit that counts
// only failures: a refunded event is available again, once, and a refund
// never raises a bucket above its burst.
func TestLimiterRefundReturnsOneEvent(t *testing.T) {
	l := web.NewLimiter(0.001, 2)
	l.Refund("k") // unknown key: nothing to return
	for i := range 2 {
		if !l.Allow("k") {
			t.Fatalf("event %d refused within the burst", i+1)
		}
	}
	if l.Allow("k") {
		t.Fatal("event beyond the burst allowed")
	}
	l.Refund("k")
	if !l.Allow("k") {
		t.Fatal("refunded event refused")
	}
	if l.Allow("k") {
		t.Fatal("one refund allowed two events")
	}
	l.Refund("k")
	l.Refund("k")
	l.Refund("k")
	for i := range 2 {
		if !l.Allow("k") {
			t.Fatalf("event %d refused after refunds", i+1)
		}
	}
	if l.Allow("k") {
		t.Fatal("refunds raised the bucket above its burst")
	}
}
