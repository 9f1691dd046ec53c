package admin_test

import (
	"errors"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/admin"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/seal/sealtest"
	"github.com/linkpool/linkpool/internal/store"
)

// alexaParts returns a pool, a confidential client in it and a domain.
func alexaParts(t *testing.T, domain string) (pool.Pool, pool.Client, *pool.Domain, string) {
	now := time.Now()
	p := pool.NewPool("us-east-1", "SmartLamp", now)
	c := pool.NewClient(p.ID, "alexa", now)
	secret := admin.SealSecret(sealtest.Box(t), &c)
	c.CallbackURLs = []string{"https://pitangui.amazon.com/api/skill/link/M2AAAAAAAAAAAA"}
	c.AllowedOAuthFlows = []string{pool.FlowCode}
	c.AllowedOAuthFlowsUserPoolClient = true
	c.AllowedOAuthScopes = []string{pool.ScopeOpenID}
	var dom *pool.Domain
	if domain != "" {
		dom = &pool.Domain{Domain: domain, PoolID: p.ID}
	}
	return p, c, dom, secret
}

// poolCount is the number of pools in the store.
func (e *env) poolCount() int {
	e.t.Helper()
	pools, _, err := e.svc.ListUserPools(e.ctx, 60, "")
	if err != nil {
		e.t.Fatal(err)
	}
	return len(pools)
}

func TestSetupAlexa(t *testing.T) {
	e := newEnv(t)
	p, c, dom, secret := alexaParts(t, "smartlamp")
	_, gotC, gotDom, err := e.svc.SetupAlexa(e.ctx, p, c, dom)
	if err != nil {
		t.Fatal(err)
	}
	if gotDom == nil || gotDom.CreatedAt.IsZero() {
		t.Fatalf("domain %+v", gotDom)
	}
	stored, err := e.svc.DescribeUserPoolClient(e.ctx, p.ID, gotC.ID)
	if err != nil {
		t.Fatal(err)
	}
	if s, err := e.svc.ClientSecret(stored); err != nil || s != secret {
		t.Fatalf("client secret %q, %v", s, err)
	}
	if d, err := e.svc.DescribeUserPoolDomain(e.ctx, "smartlamp"); err != nil || d.PoolID != p.ID {
		t.Fatalf("domain %+v, %v", d, err)
	}
	if keys, err := e.keys.List(e.ctx, p.ID); err != nil || len(keys) == 0 {
		t.Fatalf("signing keys: %v, %v", keys, err)
	}
}

func TestSetupAlexaRefusedLeavesNothing(t *testing.T) {
	e := newEnv(t)
	p, c, dom, _ := alexaParts(t, "smartlamp")
	if _, _, _, err := e.svc.SetupAlexa(e.ctx, p, c, dom); err != nil {
		t.Fatal(err)
	}

	// A taken domain is refused before anything is created.
	p2, c2, dom2, _ := alexaParts(t, "smartlamp")
	_, _, _, err := e.svc.SetupAlexa(e.ctx, p2, c2, dom2)
	wantErr(t, err, account.InvalidParameterException, "Domain")
	if !errors.Is(err, store.ErrAlreadyExists) {
		t.Fatalf("taken domain: %v", err)
	}

	// A client that fails validation rolls the new pool back.
	p3, c3, dom3, _ := alexaParts(t, "fresh")
	c3.CallbackURLs = []string{"http://evil.example/cb"}
	_, _, _, err = e.svc.SetupAlexa(e.ctx, p3, c3, dom3)
	wantErr(t, err, account.InvalidParameterException, "CallbackURLs[0]")
	_, err = e.svc.DescribeUserPool(e.ctx, p3.ID)
	wantNotFound(t, err, "User pool "+p3.ID+" does not exist.", admin.KindPool, p3.ID)

	// An invalid domain prefix is refused up front.
	p4, c4, dom4, _ := alexaParts(t, "my-aws-lamp")
	_, _, _, err = e.svc.SetupAlexa(e.ctx, p4, c4, dom4)
	wantErr(t, err, account.InvalidParameterException, "Domain")

	// A client of another pool is refused.
	p5, _, _, _ := alexaParts(t, "")
	_, _, _, err = e.svc.SetupAlexa(e.ctx, p5, c4, nil)
	wantErr(t, err, account.InvalidParameterException, "UserPoolId")

	if n := e.poolCount(); n != 1 {
		t.Fatalf("refused setups left %d pools, want the first one only", n)
	}
	if _, err := e.svc.DescribeUserPoolDomain(e.ctx, "fresh"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("domain of a rolled-back setup: %v", err)
	}
}
