package cli

import (
	"strings"
	"testing"

	"github.com/linkpool/linkpool/internal/pool"
)

const cliTriggerARN = "arn:aws:lambda:us-east-1:123456789012:function:pre-sign-up"

func TestPoolTriggers(t *testing.T) {
	h := newAdminHarness(t)
	p := h.createPool()

	show := h.ok("pool", "triggers", "show", "--pool", p.ID)
	for _, want := range []string{"PreSignUp:", "(none)", "UserMigration:", "Webhook signing secret:", "none"} {
		if !strings.Contains(show, want) {
			t.Errorf("pool triggers show lacks %q:\n%s", want, show)
		}
	}

	// Lambda targets only: no secret.
	v := okJSON[triggersView](h, "pool", "triggers", "set", "--pool", p.ID, "--pre-sign-up", cliTriggerARN)
	if v.LambdaConfig != (pool.LambdaConfig{PreSignUp: cliTriggerARN}) || v.HasWebhookSecret || v.WebhookSecret != "" {
		t.Fatalf("after setting a Lambda trigger: %+v", v)
	}
	h.fails(1, "has no webhook signing secret", "pool", "triggers", "secret", "--pool", p.ID)

	// The first webhook brings the secret, printed once by set.
	out := h.ok("pool", "triggers", "set", "--pool", p.ID, "--user-migration", "https://legacy.example.com/migrate",
		"--pre-token-generation", "https://hooks.example.com/claims", "--pre-token-version", "v2_0")
	for _, want := range []string{"Updated the triggers of pool " + p.ID, "UserMigration:", "https://legacy.example.com/migrate",
		"PreTokenGeneration version:", "V2_0", "Webhook signing secret, for the receivers"} {
		if !strings.Contains(out, want) {
			t.Errorf("pool triggers set lacks %q:\n%s", want, out)
		}
	}
	secret := strings.TrimSpace(h.ok("pool", "triggers", "secret", "--pool", p.ID))
	if len(secret) != 43 || !strings.Contains(out, secret) {
		t.Fatalf("secret %q is not the one set printed:\n%s", secret, out)
	}
	want := pool.LambdaConfig{PreSignUp: cliTriggerARN, UserMigration: "https://legacy.example.com/migrate",
		PreTokenGeneration:       "https://hooks.example.com/claims",
		PreTokenGenerationConfig: pool.PreTokenGenerationConfig{LambdaVersion: pool.PreTokenV2, LambdaArn: "https://hooks.example.com/claims"}}
	got := okJSON[pool.Pool](h, "pool", "show", "--pool", p.ID)
	if got.LambdaConfig != want {
		t.Fatalf("stored %+v, want %+v", got.LambdaConfig, want)
	}
	if js := h.ok("pool", "show", "--pool", p.ID, "--json"); strings.Contains(js, secret) {
		t.Fatal("pool show --json holds the secret")
	}

	// A later set keeps the secret and does not print it; only the named
	// triggers change; the version changes alone.
	v = okJSON[triggersView](h, "pool", "triggers", "set", "--pool", p.ID, "--pre-sign-up", "", "--pre-token-version", "V3_0")
	want.PreSignUp, want.PreTokenGenerationConfig.LambdaVersion = "", pool.PreTokenV3
	if v.LambdaConfig != want || !v.HasWebhookSecret || v.WebhookSecret != "" {
		t.Fatalf("after the second set: %+v", v)
	}
	if s := strings.TrimSpace(h.ok("pool", "triggers", "secret", "--pool", p.ID)); s != secret {
		t.Fatalf("the secret changed to %q", s)
	}
	rotated := strings.TrimSpace(h.ok("pool", "triggers", "secret", "--pool", p.ID, "--rotate"))
	if len(rotated) != 43 || rotated == secret {
		t.Fatalf("rotated secret %q", rotated)
	}
	if s := strings.TrimSpace(h.ok("pool", "triggers", "secret", "--pool", p.ID)); s != rotated {
		t.Fatalf("secret after rotation %q, want %q", s, rotated)
	}

	// Removing pre token generation clears both members.
	v = okJSON[triggersView](h, "pool", "triggers", "set", "--pool", p.ID, "--pre-token-generation", "")
	if v.LambdaConfig != (pool.LambdaConfig{UserMigration: "https://legacy.example.com/migrate"}) {
		t.Fatalf("after removing pre token generation: %+v", v.LambdaConfig)
	}
}

func TestPoolTriggersRejects(t *testing.T) {
	h := newAdminHarness(t)
	p := h.createPool()
	h.ok("pool", "triggers", "set", "--pool", p.ID, "--pre-sign-up", "https://hooks.example.com/pre-sign-up")
	before := h.ok("pool", "show", "--pool", p.ID, "--json")
	secret := h.ok("pool", "triggers", "secret", "--pool", p.ID)
	tests := []struct {
		name string
		code int
		want string
		args []string
	}{
		{"nothing to set", 2, "nothing to set", nil},
		{"missing pool", 2, "--pool is required", []string{"--pool", "", "--pre-sign-up", cliTriggerARN}},
		{"stray argument", 2, "unexpected arguments", []string{"--pre-sign-up", cliTriggerARN, "extra"}},
		{"version without target", 2, "--pre-token-version needs", []string{"--pre-token-version", "V2_0"}},
		{"plain http", 1, "invalid LambdaConfig.PreSignUp", []string{"--pre-sign-up", "http://hooks.example.com/pre-sign-up"}},
		{"user information", 1, "invalid LambdaConfig.UserMigration", []string{"--user-migration", "https://u:p@hooks.example.com/m"}},
		{"not a function", 1, "invalid LambdaConfig.CustomMessage", []string{"--custom-message", "arn:aws:sns:us-east-1:123456789012:function:x"}},
		{"unknown version", 1, "invalid LambdaConfig.PreTokenGenerationConfig.LambdaVersion", []string{"--pre-token-generation", cliTriggerARN, "--pre-token-version", "V4_0"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"pool", "triggers", "set", "--pool", p.ID}, tc.args...)
			r := h.fails(tc.code, tc.want, args...)
			if !strings.Contains(r.stderr, "linkpool pool triggers set: "+tc.want) {
				t.Errorf("want an error naming the command, got:\n%s", r.stderr)
			}
			if after := h.ok("pool", "show", "--pool", p.ID, "--json"); after != before {
				t.Errorf("a rejected change changed the pool:\nbefore %s\nafter %s", before, after)
			}
			if s := h.ok("pool", "triggers", "secret", "--pool", p.ID); s != secret {
				t.Error("a rejected change changed the secret")
			}
		})
	}
	h.fails(1, "pool us-east-1_NOPE12345 does not exist", "pool", "triggers", "set", "--pool", "us-east-1_NOPE12345", "--pre-sign-up", cliTriggerARN)
	h.fails(1, "pool us-east-1_NOPE12345 does not exist", "pool", "triggers", "show", "--pool", "us-east-1_NOPE12345")
	h.fails(1, "pool us-east-1_NOPE12345 does not exist", "pool", "triggers", "secret", "--pool", "us-east-1_NOPE12345")
	h.fails(2, "unknown subcommand", "pool", "triggers", "enable", "--pool", p.ID)
}
