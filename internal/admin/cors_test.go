package admin_test

import (
	"slices"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/pool"
)

func TestCORSOrigins(t *testing.T) {
	e := newEnv(t)
	a, b := e.pool("a"), e.pool("b")
	for i, urls := range [][]string{
		{"https://App.example.com/callback", "https://app.example.com:443/other", "myapp://callback"},
		{"http://localhost:3000/cb"},
	} {
		c := pool.NewClient(a.ID, "c", time.Now())
		c.CallbackURLs = urls
		c.AllowedOAuthFlows = []string{pool.FlowCode}
		c.AllowedOAuthFlowsUserPoolClient = true
		c.AllowedOAuthScopes = []string{pool.ScopeOpenID}
		if _, _, err := e.svc.CreateUserPoolClient(e.ctx, c, false); err != nil {
			t.Fatalf("client %d: %v", i, err)
		}
	}

	// By default: the clients' http(s) callback origins, once each.
	got, err := e.svc.CORSOrigins(e.ctx, a)
	if want := []string{"http://localhost:3000", "https://app.example.com"}; err != nil || !slices.Equal(got, want) {
		t.Fatalf("default origins = %q, %v; want %q", got, err, want)
	}
	// A pool without clients allows none.
	if got, err := e.svc.CORSOrigins(e.ctx, b); err != nil || len(got) != 0 {
		t.Fatalf("pool without clients: %q, %v", got, err)
	}

	// The operator's list replaces the default.
	b, err = e.svc.UpdateUserPool(e.ctx, b.ID, func(p *pool.Pool) { p.CORSOrigins = []string{"https://b.example.com"} })
	if err != nil {
		t.Fatal(err)
	}
	if got, err := e.svc.CORSOrigins(e.ctx, b); err != nil || !slices.Equal(got, []string{"https://b.example.com"}) {
		t.Fatalf("set origins: %q, %v", got, err)
	}
	all, err := e.svc.AllCORSOrigins(e.ctx)
	if want := []string{"http://localhost:3000", "https://app.example.com", "https://b.example.com"}; err != nil || !slices.Equal(all, want) {
		t.Fatalf("AllCORSOrigins = %q, %v; want %q", all, err, want)
	}

	// What is not an origin is refused and changes nothing.
	for _, bad := range []string{"https://b.example.com/", "HTTPS://B.example.com", "https://b.example.com:443", "*", "null"} {
		if _, err := e.svc.UpdateUserPool(e.ctx, b.ID, func(p *pool.Pool) { p.CORSOrigins = []string{bad} }); err == nil {
			t.Errorf("origin %q accepted", bad)
		}
	}
	if p, _ := e.svc.DescribeUserPool(e.ctx, b.ID); !slices.Equal(p.CORSOrigins, []string{"https://b.example.com"}) {
		t.Fatalf("a refused update changed the origins: %q", p.CORSOrigins)
	}
}
