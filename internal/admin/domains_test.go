package admin_test

import (
	"errors"
	"testing"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/admin"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
)

func TestUserPoolDomains(t *testing.T) {
	e := newEnv(t)
	p := e.pool("SmartLamp")
	d, err := e.svc.CreateUserPoolDomain(e.ctx, pool.Domain{Domain: "smartlamp", PoolID: p.ID})
	if err != nil {
		t.Fatal(err)
	}
	if d.CreatedAt.IsZero() {
		t.Fatal("no creation date")
	}
	if _, err := e.svc.CreateUserPoolDomain(e.ctx, pool.Domain{Domain: "login.example.com", PoolID: p.ID, Custom: true}); err != nil {
		t.Fatal(err)
	}
	got, err := e.svc.DescribeUserPoolDomain(e.ctx, "smartlamp")
	if err != nil || got.PoolID != p.ID || got.Custom {
		t.Fatalf("DescribeUserPoolDomain: %+v, %v", got, err)
	}
	if got, err := e.svc.UpdateUserPoolDomain(e.ctx, p.ID, "smartlamp"); err != nil || got.Domain != "smartlamp" {
		t.Fatalf("UpdateUserPoolDomain: %+v, %v", got, err)
	}
	list, err := e.svc.ListUserPoolDomains(e.ctx, p.ID)
	if err != nil || len(list) != 2 {
		t.Fatalf("ListUserPoolDomains: %v, %v", list, err)
	}
	if err := e.svc.DeleteUserPoolDomain(e.ctx, p.ID, "smartlamp"); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.DescribeUserPoolDomain(e.ctx, "smartlamp")
	wantNotFound(t, err, "Domain smartlamp does not exist.", admin.KindDomain, "smartlamp")
	if err := e.svc.DeleteUserPoolDomain(e.ctx, "", "login.example.com"); err != nil {
		t.Fatal(err)
	}
}

func TestUserPoolDomainsRefused(t *testing.T) {
	e := newEnv(t)
	p := e.pool("SmartLamp")
	other := e.pool("Other")
	if _, err := e.svc.CreateUserPoolDomain(e.ctx, pool.Domain{Domain: "smartlamp", PoolID: p.ID}); err != nil {
		t.Fatal(err)
	}
	_, err := e.svc.CreateUserPoolDomain(e.ctx, pool.Domain{Domain: "smartlamp", PoolID: other.ID})
	ae := wantErr(t, err, account.InvalidParameterException, "Domain")
	if ae.Message != "Domain already associated with another user pool." || !errors.Is(err, store.ErrAlreadyExists) {
		t.Fatalf("taken domain: %v", err)
	}
	var re *admin.ResourceError
	if !errors.As(err, &re) || re.Error() != "domain smartlamp already exists" {
		t.Fatalf("cause %v", re)
	}
	for _, bad := range []pool.Domain{
		{Domain: "my-aws-login", PoolID: other.ID},
		{Domain: "-x", PoolID: other.ID},
		{Domain: "not a host", PoolID: other.ID, Custom: true},
	} {
		_, err := e.svc.CreateUserPoolDomain(e.ctx, bad)
		wantErr(t, err, account.InvalidParameterException, "Domain")
	}
	_, err = e.svc.CreateUserPoolDomain(e.ctx, pool.Domain{Domain: "fresh", PoolID: "us-east-1_NOPE12345"})
	wantNotFound(t, err, "User pool us-east-1_NOPE12345 does not exist.", admin.KindPool, "us-east-1_NOPE12345")
	// A domain of another pool is not found through this one, and stays.
	err = e.svc.DeleteUserPoolDomain(e.ctx, other.ID, "smartlamp")
	wantNotFound(t, err, "Domain smartlamp does not exist.", admin.KindDomain, "smartlamp")
	_, err = e.svc.UpdateUserPoolDomain(e.ctx, other.ID, "smartlamp")
	wantNotFound(t, err, "Domain smartlamp does not exist.", admin.KindDomain, "smartlamp")
	err = e.svc.DeleteUserPoolDomain(e.ctx, "", "nowhere")
	wantNotFound(t, err, "Domain nowhere does not exist.", admin.KindDomain, "nowhere")
	if d, err := e.svc.DescribeUserPoolDomain(e.ctx, "smartlamp"); err != nil || d.PoolID != p.ID {
		t.Fatalf("after refused calls: %+v, %v", d, err)
	}
	for _, id := range []string{p.ID, other.ID} {
		list, err := e.svc.ListUserPoolDomains(e.ctx, id)
		if err != nil || (id == other.ID) != (len(list) == 0) {
			t.Fatalf("domains of %s: %v, %v", id, list, err)
		}
	}
	_, err = e.svc.ListUserPoolDomains(e.ctx, "us-east-1_NOPE12345")
	wantNotFound(t, err, "User pool us-east-1_NOPE12345 does not exist.", admin.KindPool, "us-east-1_NOPE12345")
}
