package admin_test

import (
	"testing"

	"github.com/linkpool/linkpool/internal/pool"
)

// TestIDTokenOnRefreshSetting: an ordinary client is stored with the ID
// token on refresh (Cognito's behaviour), the client of SetupAlexa without
// it, and an update switches it either way and stores the result.
func TestIDTokenOnRefreshSetting(t *testing.T) {
	e := newEnv(t)
	p := e.pool("ordinary")
	c, _ := e.client(p, "web", false)
	stored, err := e.svc.DescribeUserPoolClient(e.ctx, p.ID, c.ID)
	if err != nil || !stored.IDTokenOnRefresh {
		t.Fatalf("ordinary client: IDTokenOnRefresh %v, %v; want true", stored.IDTokenOnRefresh, err)
	}

	ap, ac, dom, _ := alexaParts(t, "")
	if !ac.IDTokenOnRefresh {
		t.Fatal("alexaParts: pool.NewClient should default to true")
	}
	if _, _, _, err := e.svc.SetupAlexa(e.ctx, ap, ac, dom); err != nil {
		t.Fatal(err)
	}
	alexa, err := e.svc.DescribeUserPoolClient(e.ctx, ap.ID, ac.ID)
	if err != nil || alexa.IDTokenOnRefresh {
		t.Fatalf("SetupAlexa client: IDTokenOnRefresh %v, %v; want false", alexa.IDTokenOnRefresh, err)
	}

	for _, on := range []bool{true, false} {
		got, err := e.svc.UpdateUserPoolClient(e.ctx, ap.ID, ac.ID, func(c *pool.Client) { c.IDTokenOnRefresh = on })
		if err != nil || got.IDTokenOnRefresh != on {
			t.Fatalf("update to %v: %v, %v", on, got.IDTokenOnRefresh, err)
		}
		again, err := e.svc.DescribeUserPoolClient(e.ctx, ap.ID, ac.ID)
		if err != nil || again.IDTokenOnRefresh != on {
			t.Fatalf("stored after update to %v: %v, %v", on, again.IDTokenOnRefresh, err)
		}
	}
}
