package admin_test

import (
	"errors"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/admin"
	"github.com/linkpool/linkpool/internal/pool"
)

func TestCreateUserPool(t *testing.T) {
	e := newEnv(t)
	p := e.pool("SmartLamp")
	got, err := e.svc.DescribeUserPool(e.ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "SmartLamp" || got.ID != p.ID {
		t.Fatalf("stored pool %+v", got)
	}
	keys, err := e.keys.List(e.ctx, p.ID)
	if err != nil || len(keys) == 0 {
		t.Fatalf("signing keys of the new pool: %v, %v", keys, err)
	}
}

func TestCreateUserPoolRefused(t *testing.T) {
	e := newEnv(t)
	bad := pool.NewPool("us-east-1", "bad/name", time.Now())
	_, err := e.svc.CreateUserPool(e.ctx, bad)
	wantErr(t, err, account.InvalidParameterException, "PoolName")
	short := pool.NewPool("us-east-1", "ok", time.Now())
	short.PasswordPolicy.MinimumLength = 3
	_, err = e.svc.CreateUserPool(e.ctx, short)
	wantErr(t, err, account.InvalidParameterException, "PasswordPolicy.MinimumLength")
	pools, _, err := e.svc.ListUserPools(e.ctx, 60, "")
	if err != nil || len(pools) != 0 {
		t.Fatalf("refused creations stored pools: %v, %v", pools, err)
	}
}

func TestDescribeUserPoolNotFound(t *testing.T) {
	e := newEnv(t)
	_, err := e.svc.DescribeUserPool(e.ctx, "us-east-1_NOPE12345")
	wantNotFound(t, err, "User pool us-east-1_NOPE12345 does not exist.", admin.KindPool, "us-east-1_NOPE12345")
	if got := err.Error(); got != "ResourceNotFoundException: User pool us-east-1_NOPE12345 does not exist." {
		t.Fatalf("Error() = %q", got)
	}
}

func TestUpdateUserPool(t *testing.T) {
	e := newEnv(t)
	p, _ := e.svc.DescribeUserPool(e.ctx, e.pool("SmartLamp").ID)
	u, err := e.svc.UpdateUserPool(e.ctx, p.ID, func(p *pool.Pool) {
		p.Name = "Renamed"
		p.PasswordPolicy.MinimumLength = 12
		p.ID = "us-east-1_OTHER1234" // ignored
	})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := e.svc.DescribeUserPool(e.ctx, p.ID)
	if got.Name != "Renamed" || got.PasswordPolicy.MinimumLength != 12 || u.ID != p.ID || got.UpdatedAt.Before(p.UpdatedAt) {
		t.Fatalf("updated pool %+v", got)
	}
	if !got.CreatedAt.Equal(p.CreatedAt) {
		t.Fatalf("creation date changed: %v -> %v", p.CreatedAt, got.CreatedAt)
	}
}

func TestUpdateUserPoolRefused(t *testing.T) {
	e := newEnv(t)
	p := e.pool("SmartLamp")
	before, _ := e.svc.DescribeUserPool(e.ctx, p.ID)
	cases := []struct {
		field string
		edit  func(*pool.Pool)
	}{
		{"PoolName", func(p *pool.Pool) { p.Name = "" }},
		{"LockoutPolicy.MaxFailedAttempts", func(p *pool.Pool) { p.Name = "changed"; p.LockoutPolicy.MaxFailedAttempts = 0 }},
		{"UsernameAttributes", func(p *pool.Pool) { p.UsernameAttributes = []string{pool.AttrEmail} }},
		{"AliasAttributes", func(p *pool.Pool) { p.AliasAttributes = []string{pool.AttrEmail} }},
		{"CaseSensitive", func(p *pool.Pool) { p.CaseSensitive = !p.CaseSensitive }},
	}
	for _, c := range cases {
		_, err := e.svc.UpdateUserPool(e.ctx, p.ID, c.edit)
		wantErr(t, err, account.InvalidParameterException, c.field)
	}
	after, _ := e.svc.DescribeUserPool(e.ctx, p.ID)
	if snapshot(t, before) != snapshot(t, after) {
		t.Fatalf("refused updates changed the pool:\n%s\n%s", snapshot(t, before), snapshot(t, after))
	}
	_, err := e.svc.UpdateUserPool(e.ctx, "us-east-1_NOPE12345", func(p *pool.Pool) { p.Name = "x" })
	wantNotFound(t, err, "User pool us-east-1_NOPE12345 does not exist.", admin.KindPool, "us-east-1_NOPE12345")
}

func TestDeleteUserPool(t *testing.T) {
	e := newEnv(t)
	p := e.pool("SmartLamp")
	keep := e.pool("Other")
	if err := e.svc.DeleteUserPool(e.ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	_, err := e.svc.DescribeUserPool(e.ctx, p.ID)
	wantNotFound(t, err, "User pool "+p.ID+" does not exist.", admin.KindPool, p.ID)
	err = e.svc.DeleteUserPool(e.ctx, p.ID)
	wantNotFound(t, err, "User pool "+p.ID+" does not exist.", admin.KindPool, p.ID)
	if _, err := e.svc.DescribeUserPool(e.ctx, keep.ID); err != nil {
		t.Fatalf("the other pool: %v", err)
	}
}

func TestListUserPools(t *testing.T) {
	if testing.Short() {
		t.Skip("slow listing of many pools: -short")
	}
	e := newEnv(t)
	want := map[string]bool{}
	for _, n := range []string{"a", "b", "c"} {
		want[e.pool(n).ID] = true
	}
	first, next, err := e.svc.ListUserPools(e.ctx, 2, "")
	if err != nil || len(first) != 2 || next == "" {
		t.Fatalf("first page: %d pools, next %q, %v", len(first), next, err)
	}
	second, last, err := e.svc.ListUserPools(e.ctx, 2, next)
	if err != nil || len(second) != 1 || last != "" {
		t.Fatalf("second page: %d pools, next %q, %v", len(second), last, err)
	}
	for _, p := range append(first, second...) {
		if !want[p.ID] {
			t.Fatalf("listed %s twice or unknown", p.ID)
		}
		delete(want, p.ID)
	}
	for _, n := range []int{0, -1, 61} {
		_, _, err := e.svc.ListUserPools(e.ctx, n, "")
		wantErr(t, err, account.InvalidParameterException, "MaxResults")
	}
	_, _, err = e.svc.ListUserPools(e.ctx, 2, "not-a-token")
	wantErr(t, err, account.InvalidParameterException, "NextToken")
}

func TestErrorCauseIsResourceError(t *testing.T) {
	e := newEnv(t)
	_, err := e.svc.DescribeUserPool(e.ctx, "us-east-1_NOPE12345")
	var re *admin.ResourceError
	if !errors.As(err, &re) || re.Error() != "pool us-east-1_NOPE12345 does not exist" {
		t.Fatalf("cause %v", re)
	}
}
