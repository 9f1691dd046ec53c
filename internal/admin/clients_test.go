package admin_test

import (
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/admin"
	"github.com/linkpool/linkpool/internal/pool"
)

func TestCreateUserPoolClient(t *testing.T) {
	e := newEnv(t)
	p := e.pool("SmartLamp")
	c, secret := e.client(p, "alexa", true)
	if len(secret) != 52 || !c.HasSecret() {
		t.Fatalf("secret %q, sealed %v", secret, c.HasSecret())
	}
	got, err := e.svc.DescribeUserPoolClient(e.ctx, p.ID, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if opened, err := e.svc.ClientSecret(got); err != nil || opened != secret {
		t.Fatalf("stored secret opens to %q, %v; want the returned one", opened, err)
	}
	pub, none := e.client(p, "web", false)
	if none != "" || pub.HasSecret() {
		t.Fatalf("public client got a secret")
	}
	if s, err := e.svc.ClientSecret(pub); err != nil || s != "" {
		t.Fatalf("public client's secret %q, %v", s, err)
	}
	// Without a pool id the client is found in any pool (the CLI).
	if _, err := e.svc.DescribeUserPoolClient(e.ctx, "", c.ID); err != nil {
		t.Fatal(err)
	}
}

func TestCreateUserPoolClientRefused(t *testing.T) {
	e := newEnv(t)
	p := e.pool("SmartLamp")
	_, _, err := e.svc.CreateUserPoolClient(e.ctx, pool.NewClient("us-east-1_NOPE12345", "x", time.Now()), true)
	wantNotFound(t, err, "User pool us-east-1_NOPE12345 does not exist.", admin.KindPool, "us-east-1_NOPE12345")
	bad := pool.NewClient(p.ID, "web", time.Now())
	bad.CallbackURLs = []string{"https://ok.example/cb", "http://evil.example/cb"}
	_, _, err = e.svc.CreateUserPoolClient(e.ctx, bad, true)
	wantErr(t, err, account.InvalidParameterException, "CallbackURLs[1]")
	list, _, err := e.svc.ListUserPoolClients(e.ctx, p.ID, 0, "")
	if err != nil || len(list) != 0 {
		t.Fatalf("refused creation stored clients: %v, %v", list, err)
	}
}

func TestDescribeUserPoolClientNotFound(t *testing.T) {
	e := newEnv(t)
	p := e.pool("SmartLamp")
	other := e.pool("Other")
	c, _ := e.client(p, "alexa", false)
	_, err := e.svc.DescribeUserPoolClient(e.ctx, p.ID, "nosuchclient")
	wantNotFound(t, err, "User pool client nosuchclient does not exist.", admin.KindClient, "nosuchclient")
	// A client of another pool does not exist in this one.
	_, err = e.svc.DescribeUserPoolClient(e.ctx, other.ID, c.ID)
	wantNotFound(t, err, "User pool client "+c.ID+" does not exist.", admin.KindClient, c.ID)
	_, err = e.svc.DescribeUserPoolClient(e.ctx, "us-east-1_NOPE12345", c.ID)
	wantNotFound(t, err, "User pool us-east-1_NOPE12345 does not exist.", admin.KindPool, "us-east-1_NOPE12345")
}

func TestUpdateUserPoolClient(t *testing.T) {
	e := newEnv(t)
	p := e.pool("SmartLamp")
	c, secret := e.client(p, "alexa", true)
	u, err := e.svc.UpdateUserPoolClient(e.ctx, p.ID, c.ID, func(c *pool.Client) {
		c.Name = "renamed"
		c.CallbackURLs = []string{"https://example.com/cb"}
		c.SealedSecret = nil // ignored: the secret only changes by rotation
	})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := e.svc.DescribeUserPoolClient(e.ctx, p.ID, c.ID)
	if got.Name != "renamed" || len(got.CallbackURLs) != 1 || u.Name != "renamed" {
		t.Fatalf("updated client %+v", got)
	}
	if s, err := e.svc.ClientSecret(got); err != nil || s != secret {
		t.Fatalf("the update changed the secret: %q, %v", s, err)
	}
}

func TestUpdateUserPoolClientRefused(t *testing.T) {
	e := newEnv(t)
	p := e.pool("SmartLamp")
	other := e.pool("Other")
	c, _ := e.client(p, "alexa", true)
	before, _ := e.svc.DescribeUserPoolClient(e.ctx, p.ID, c.ID)
	_, err := e.svc.UpdateUserPoolClient(e.ctx, p.ID, c.ID, func(c *pool.Client) {
		c.Name = "changed"
		c.DefaultRedirectURI = "https://not-a-callback.example/"
	})
	wantErr(t, err, account.InvalidParameterException, "DefaultRedirectURI")
	_, err = e.svc.UpdateUserPoolClient(e.ctx, other.ID, c.ID, func(c *pool.Client) { c.Name = "changed" })
	wantNotFound(t, err, "User pool client "+c.ID+" does not exist.", admin.KindClient, c.ID)
	after, _ := e.svc.DescribeUserPoolClient(e.ctx, p.ID, c.ID)
	if snapshot(t, before) != snapshot(t, after) || string(before.SealedSecret) != string(after.SealedSecret) {
		t.Fatalf("refused updates changed the client")
	}
}

func TestRotateUserPoolClientSecret(t *testing.T) {
	e := newEnv(t)
	p := e.pool("SmartLamp")
	c, old := e.client(p, "alexa", true)
	secret, err := e.svc.RotateUserPoolClientSecret(e.ctx, p.ID, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := e.svc.DescribeUserPoolClient(e.ctx, p.ID, c.ID)
	if s, _ := e.svc.ClientSecret(got); s != secret || secret == old || len(secret) != 52 {
		t.Fatalf("stored secret %q, returned %q, old %q", s, secret, old)
	}
	pub, _ := e.client(p, "web", false)
	_, err = e.svc.RotateUserPoolClientSecret(e.ctx, p.ID, pub.ID)
	wantErr(t, err, account.InvalidParameterException, "ClientId")
	if got, _ := e.svc.DescribeUserPoolClient(e.ctx, p.ID, pub.ID); got.HasSecret() {
		t.Fatal("a refused rotation gave the public client a secret")
	}
	_, err = e.svc.RotateUserPoolClientSecret(e.ctx, p.ID, "nosuchclient")
	wantNotFound(t, err, "User pool client nosuchclient does not exist.", admin.KindClient, "nosuchclient")
}

func TestDeleteUserPoolClient(t *testing.T) {
	e := newEnv(t)
	p := e.pool("SmartLamp")
	other := e.pool("Other")
	c, _ := e.client(p, "alexa", true)
	err := e.svc.DeleteUserPoolClient(e.ctx, other.ID, c.ID)
	wantNotFound(t, err, "User pool client "+c.ID+" does not exist.", admin.KindClient, c.ID)
	if _, err := e.svc.DescribeUserPoolClient(e.ctx, p.ID, c.ID); err != nil {
		t.Fatalf("a refused delete removed the client: %v", err)
	}
	if err := e.svc.DeleteUserPoolClient(e.ctx, p.ID, c.ID); err != nil {
		t.Fatal(err)
	}
	err = e.svc.DeleteUserPoolClient(e.ctx, "", c.ID)
	wantNotFound(t, err, "User pool client "+c.ID+" does not exist.", admin.KindClient, c.ID)
}

func TestListUserPoolClients(t *testing.T) {
	e := newEnv(t)
	p := e.pool("SmartLamp")
	other := e.pool("Other")
	for _, n := range []string{"a", "b", "c"} {
		e.client(p, n, false)
	}
	e.client(other, "elsewhere", false)
	first, next, err := e.svc.ListUserPoolClients(e.ctx, p.ID, 2, "")
	if err != nil || len(first) != 2 || next == "" {
		t.Fatalf("first page: %d, %q, %v", len(first), next, err)
	}
	second, last, err := e.svc.ListUserPoolClients(e.ctx, p.ID, 2, next)
	if err != nil || len(second) != 1 || last != "" {
		t.Fatalf("second page: %d, %q, %v", len(second), last, err)
	}
	for _, c := range append(first, second...) {
		if c.PoolID != p.ID {
			t.Fatalf("listed a client of pool %s", c.PoolID)
		}
	}
	_, _, err = e.svc.ListUserPoolClients(e.ctx, p.ID, 61, "")
	wantErr(t, err, account.InvalidParameterException, "MaxResults")
	_, _, err = e.svc.ListUserPoolClients(e.ctx, p.ID, 2, "garbage")
	wantErr(t, err, account.InvalidParameterException, "NextToken")
	_, _, err = e.svc.ListUserPoolClients(e.ctx, "us-east-1_NOPE12345", 0, "")
	wantNotFound(t, err, "User pool us-east-1_NOPE12345 does not exist.", admin.KindPool, "us-east-1_NOPE12345")
}
