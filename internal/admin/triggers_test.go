package admin_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/admin"
	"github.com/linkpool/linkpool/internal/pool"
)

const triggerARN = "arn:aws:lambda:us-east-1:123456789012:function:pre-sign-up"

// TestLambdaConfigSecret: Lambda targets need no secret; the first
// webhook brings one, sealed and bound to the pool, kept through later
// changes and replaced only by a rotation.
func TestLambdaConfigSecret(t *testing.T) {
	e := newEnv(t)
	p := e.pool("SmartLamp")
	lambdaOnly := pool.LambdaConfig{PreSignUp: triggerARN}
	updated, err := e.svc.SetLambdaConfig(e.ctx, p.ID, lambdaOnly)
	if err != nil {
		t.Fatal(err)
	}
	if updated.LambdaConfig != lambdaOnly || len(updated.TriggerSecret) != 0 {
		t.Fatalf("SetLambdaConfig returned %+v with secret %x", updated.LambdaConfig, updated.TriggerSecret)
	}
	if s, err := e.svc.TriggerSecret(e.ctx, p.ID); err != nil || s != "" {
		t.Fatalf("TriggerSecret of a pool without webhooks = %q, %v", s, err)
	}

	withHook := pool.LambdaConfig{PreSignUp: triggerARN, UserMigration: "https://legacy.example.com/migrate"}
	if _, err := e.svc.SetLambdaConfig(e.ctx, p.ID, withHook); err != nil {
		t.Fatal(err)
	}
	stored, err := e.svc.DescribeUserPool(e.ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if stored.LambdaConfig != withHook {
		t.Fatalf("stored triggers %+v, want %+v", stored.LambdaConfig, withHook)
	}
	secret, err := e.svc.TriggerSecret(e.ctx, p.ID)
	if err != nil || len(secret) != 43 {
		t.Fatalf("TriggerSecret = %q, %v; want 43 characters", secret, err)
	}
	if plain, err := e.box.Open(stored.TriggerSecret, stored.TriggerSecretAAD()); err != nil || string(plain) != secret {
		t.Fatalf("the stored secret does not open bound to the pool: %v", err)
	}
	if bytes.Contains(stored.TriggerSecret, []byte(secret)) {
		t.Fatal("the secret is stored in clear")
	}

	// Dropping the webhook and adding one back keeps the secret.
	for _, c := range []pool.LambdaConfig{lambdaOnly, {PostConfirmation: "https://hooks.example.com/welcome"}} {
		if _, err := e.svc.SetLambdaConfig(e.ctx, p.ID, c); err != nil {
			t.Fatal(err)
		}
		if s, err := e.svc.TriggerSecret(e.ctx, p.ID); err != nil || s != secret {
			t.Fatalf("after setting %+v the secret is %q (%v), want it kept", c, s, err)
		}
	}

	rotated, err := e.svc.RotateTriggerSecret(e.ctx, p.ID)
	if err != nil || len(rotated) != 43 || rotated == secret {
		t.Fatalf("RotateTriggerSecret = %q, %v", rotated, err)
	}
	if s, err := e.svc.TriggerSecret(e.ctx, p.ID); err != nil || s != rotated {
		t.Fatalf("after rotation TriggerSecret = %q (%v), want the rotated one", s, err)
	}
}

// TestCreateUserPoolWithWebhook: a pool created with a webhook trigger
// has its secret from the start.
func TestCreateUserPoolWithWebhook(t *testing.T) {
	e := newEnv(t)
	p := pool.NewPool("us-east-1", "hooks", time.Now())
	p.LambdaConfig.PreTokenGenerationConfig = pool.PreTokenGenerationConfig{LambdaVersion: pool.PreTokenV2, LambdaArn: "https://hooks.example.com/claims"}
	created, err := e.svc.CreateUserPool(e.ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	if s, err := e.svc.TriggerSecret(e.ctx, created.ID); err != nil || len(s) != 43 {
		t.Fatalf("TriggerSecret = %q, %v", s, err)
	}
}

// TestSetLambdaConfigRefused: a refused configuration names the member
// and stores nothing, the secret included.
func TestSetLambdaConfigRefused(t *testing.T) {
	e := newEnv(t)
	p := e.pool("SmartLamp")
	good := pool.LambdaConfig{PreSignUp: "https://hooks.example.com/pre-sign-up"}
	if _, err := e.svc.SetLambdaConfig(e.ctx, p.ID, good); err != nil {
		t.Fatal(err)
	}
	before, err := e.svc.DescribeUserPool(e.ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		c     pool.LambdaConfig
		field string
	}{
		{"plain http", pool.LambdaConfig{PreSignUp: "http://hooks.example.com/pre-sign-up"}, "LambdaConfig.PreSignUp"},
		{"not a function", pool.LambdaConfig{CustomMessage: "arn:aws:sns:us-east-1:123456789012:function:x"}, "LambdaConfig.CustomMessage"},
		{"version without target", pool.LambdaConfig{PreTokenGenerationConfig: pool.PreTokenGenerationConfig{LambdaVersion: pool.PreTokenV2}}, "LambdaConfig.PreTokenGenerationConfig.LambdaArn"},
		{"unknown version", pool.LambdaConfig{PreTokenGenerationConfig: pool.PreTokenGenerationConfig{LambdaVersion: "V9_0", LambdaArn: triggerARN}}, "LambdaConfig.PreTokenGenerationConfig.LambdaVersion"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.svc.SetLambdaConfig(e.ctx, p.ID, tc.c)
			wantErr(t, err, account.InvalidParameterException, tc.field)
			after, err := e.svc.DescribeUserPool(e.ctx, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			if snapshot(t, after) != snapshot(t, before) || !bytes.Equal(after.TriggerSecret, before.TriggerSecret) {
				t.Fatalf("a refused change changed the pool: %+v", after.LambdaConfig)
			}
		})
	}
	for name, call := range map[string]func() error{
		"SetLambdaConfig":     func() error { _, err := e.svc.SetLambdaConfig(e.ctx, "us-east-1_NOPE12345", good); return err },
		"TriggerSecret":       func() error { _, err := e.svc.TriggerSecret(e.ctx, "us-east-1_NOPE12345"); return err },
		"RotateTriggerSecret": func() error { _, err := e.svc.RotateTriggerSecret(e.ctx, "us-east-1_NOPE12345"); return err },
	} {
		t.Run(name+" of a missing pool", func(t *testing.T) {
			wantNotFound(t, call(), "User pool us-east-1_NOPE12345 does not exist.", admin.KindPool, "us-east-1_NOPE12345")
		})
	}
}
