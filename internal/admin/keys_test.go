package admin_test

import (
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/testclock"
	"github.com/linkpool/linkpool/internal/token"
)

// TestRotateSigningKeys rotates once the next key has been published
// long enough, keeps the retired key published for the longest token
// lifetime of the pool's clients, refuses a rotation too soon, and answers
// ResourceNotFoundException for an unknown pool.
func TestRotateSigningKeys(t *testing.T) {
	clock := testclock.New(time.Now())
	e := newEnvAt(t, clock.Now)
	ctx, svc := e.ctx, e.svc

	p, err := svc.CreateUserPool(ctx, pool.NewPool("us-east-1", "keys", clock.Now()))
	if err != nil {
		t.Fatal(err)
	}
	c := pool.NewClient(p.ID, "long-lived", clock.Now())
	c.AccessTokenValidity, c.TokenValidityUnits.AccessToken = 20, pool.UnitHours
	if _, _, err := svc.CreateUserPoolClient(ctx, c, false); err != nil {
		t.Fatal(err)
	}
	if _, _, err := svc.CreateUserPoolClient(ctx, pool.NewClient(p.ID, "default", clock.Now()), false); err != nil {
		t.Fatal(err)
	}

	clock.Advance(token.PublishFor + token.MaxRefreshInterval + time.Second)
	res, ttl, err := svc.RotateSigningKeys(ctx, p.ID)
	if err != nil {
		t.Fatalf("rotation once the next keys are ready: %v", err)
	}
	if ttl != 20*time.Hour {
		t.Fatalf("retired keys published for the longest token lifetime %v, want 20h", ttl)
	}
	if len(res.Activated) == 0 || len(res.Retired) == 0 || len(res.Created) == 0 {
		t.Fatalf("rotation result %+v, want activated, retired and created keys", res)
	}
	// The keys just created have not been published long enough.
	if _, _, err := svc.RotateSigningKeys(ctx, p.ID); err == nil {
		t.Fatal("a second rotation in a row was accepted before its next keys were published long enough")
	}

	_, _, err = svc.RotateSigningKeys(ctx, "us-east-1_Missing00")
	wantNotFound(t, err, "User pool us-east-1_Missing00 does not exist.", "pool", "us-east-1_Missing00")
}
