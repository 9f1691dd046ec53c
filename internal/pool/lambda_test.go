package pool_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/linkpool/linkpool/internal/pool"
)

const testARN = "arn:aws:lambda:us-east-1:123456789012:function:pre-sign-up"

func TestLambdaConfigValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(c *pool.LambdaConfig)
		field  string // rejected field; "" means valid
	}{
		{"none", func(c *pool.LambdaConfig) {}, ""},
		{"lambda ARN", func(c *pool.LambdaConfig) { c.PreSignUp = testARN }, ""},
		{"ARN with alias", func(c *pool.LambdaConfig) { c.PostConfirmation = testARN + ":live" }, ""},
		{"ARN in another partition", func(c *pool.LambdaConfig) {
			c.CustomMessage = "arn:aws-cn:lambda:cn-north-1:123456789012:function:msg"
		}, ""},
		{"https webhook", func(c *pool.LambdaConfig) { c.UserMigration = "https://hooks.example.com/migrate?pool=1" }, ""},
		{"http to localhost", func(c *pool.LambdaConfig) { c.PreAuthentication = "http://localhost:8081/pre-auth" }, ""},
		{"http to 127.0.0.2", func(c *pool.LambdaConfig) { c.PostAuthentication = "http://127.0.0.2:8081/post-auth" }, ""},
		{"http to ::1", func(c *pool.LambdaConfig) { c.DefineAuthChallenge = "http://[::1]:8081/define-challenge" }, ""},
		{"http elsewhere", func(c *pool.LambdaConfig) { c.PreSignUp = "http://hooks.example.com/pre-sign-up" }, "LambdaConfig.PreSignUp"},
		{"http to a private address", func(c *pool.LambdaConfig) { c.PreSignUp = "http://10.0.0.1:8080/pre-sign-up" }, "LambdaConfig.PreSignUp"},
		{"user information", func(c *pool.LambdaConfig) { c.CustomMessage = "https://user:pw@hooks.example.com/m" }, "LambdaConfig.CustomMessage"},
		{"fragment", func(c *pool.LambdaConfig) { c.CreateAuthChallenge = "https://hooks.example.com/c#x" }, "LambdaConfig.CreateAuthChallenge"},
		{"other scheme", func(c *pool.LambdaConfig) { c.VerifyAuthChallengeResponse = "ftp://hooks.example.com/verify" }, "LambdaConfig.VerifyAuthChallengeResponse"},
		{"too short", func(c *pool.LambdaConfig) { c.PreSignUp = "https://a.io" }, "LambdaConfig.PreSignUp"},
		{"too long", func(c *pool.LambdaConfig) {
			c.PreSignUp = "https://hooks.example.com/" + strings.Repeat("a", pool.MaxTargetLen)
		}, "LambdaConfig.PreSignUp"},
		{"not an ARN", func(c *pool.LambdaConfig) { c.PreSignUp = "arn:aws:lambda:us-east-1:account:function:x" }, "LambdaConfig.PreSignUp"},
		{"ARN of another service", func(c *pool.LambdaConfig) {
			c.PreSignUp = "arn:aws:sns:us-east-1:123456789012:function:topic"
		}, "LambdaConfig.PreSignUp"},
		{"ARN of a layer", func(c *pool.LambdaConfig) {
			c.PreSignUp = "arn:aws:lambda:us-east-1:123456789012:layer:shared:3"
		}, "LambdaConfig.PreSignUp"},
		{"neither", func(c *pool.LambdaConfig) { c.UserMigration = "lambda-function-name" }, "LambdaConfig.UserMigration"},
		{"pre token V1 only", func(c *pool.LambdaConfig) { c.PreTokenGeneration = testARN }, ""},
		{"pre token V2", func(c *pool.LambdaConfig) {
			c.PreTokenGenerationConfig = pool.PreTokenGenerationConfig{LambdaVersion: pool.PreTokenV2, LambdaArn: testARN}
		}, ""},
		{"pre token V3 with the same V1 target", func(c *pool.LambdaConfig) {
			c.PreTokenGeneration = testARN
			c.PreTokenGenerationConfig = pool.PreTokenGenerationConfig{LambdaVersion: pool.PreTokenV3, LambdaArn: testARN}
		}, ""},
		{"pre token targets differ", func(c *pool.LambdaConfig) {
			c.PreTokenGeneration = testARN + ":other"
			c.PreTokenGenerationConfig = pool.PreTokenGenerationConfig{LambdaVersion: pool.PreTokenV2, LambdaArn: testARN}
		}, "LambdaConfig.PreTokenGeneration"},
		{"pre token unknown version", func(c *pool.LambdaConfig) {
			c.PreTokenGenerationConfig = pool.PreTokenGenerationConfig{LambdaVersion: "V4_0", LambdaArn: testARN}
		}, "LambdaConfig.PreTokenGenerationConfig.LambdaVersion"},
		{"pre token version without target", func(c *pool.LambdaConfig) {
			c.PreTokenGenerationConfig = pool.PreTokenGenerationConfig{LambdaVersion: pool.PreTokenV2}
		}, "LambdaConfig.PreTokenGenerationConfig.LambdaArn"},
		{"pre token bad target", func(c *pool.LambdaConfig) {
			c.PreTokenGenerationConfig = pool.PreTokenGenerationConfig{LambdaVersion: pool.PreTokenV2, LambdaArn: "http://hooks.example.com/t"}
		}, "LambdaConfig.PreTokenGenerationConfig.LambdaArn"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var c pool.LambdaConfig
			tc.change(&c)
			wantField(t, c.Validate(), tc.field)

			p := pool.NewPool("us-east-1", "triggers", created)
			p.LambdaConfig = c
			p.TriggerSecret = []byte("sealed")
			wantField(t, p.Validate(), tc.field)
		})
	}
}

func TestPoolWebhookNeedsSecret(t *testing.T) {
	p := pool.NewPool("us-east-1", "triggers", created)
	p.LambdaConfig.PreSignUp = testARN
	wantField(t, p.Validate(), "") // a Lambda target needs no secret
	p.LambdaConfig.PostConfirmation = "https://hooks.example.com/post-confirmation"
	wantField(t, p.Validate(), "LambdaConfig")
	p.TriggerSecret = []byte("sealed")
	wantField(t, p.Validate(), "")
}

func TestLambdaConfigTarget(t *testing.T) {
	c := pool.LambdaConfig{
		PreSignUp: testARN, UserMigration: "https://hooks.example.com/migrate",
		PreTokenGeneration: testARN + ":v1",
	}
	for trigger, want := range map[string]string{
		pool.TriggerPreSignUp:          testARN,
		pool.TriggerUserMigration:      "https://hooks.example.com/migrate",
		pool.TriggerPreTokenGeneration: testARN + ":v1",
		pool.TriggerCustomMessage:      "",
		"NoSuchTrigger":                "",
	} {
		if got := c.Target(trigger); got != want {
			t.Errorf("Target(%s) = %q, want %q", trigger, got, want)
		}
	}
	if v := c.PreTokenVersion(); v != pool.PreTokenV1 {
		t.Errorf("PreTokenVersion without config = %q, want V1_0", v)
	}
	c.PreTokenGenerationConfig = pool.PreTokenGenerationConfig{LambdaVersion: pool.PreTokenV2, LambdaArn: testARN + ":v2"}
	if got := c.Target(pool.TriggerPreTokenGeneration); got != testARN+":v2" {
		t.Errorf("Target(PreTokenGeneration) with config = %q, want the config's LambdaArn", got)
	}
	if v := c.PreTokenVersion(); v != pool.PreTokenV2 {
		t.Errorf("PreTokenVersion = %q, want V2_0", v)
	}
	if !c.HasWebhook() {
		t.Error("HasWebhook = false with a webhook UserMigration")
	}
	c.UserMigration = ""
	if c.HasWebhook() {
		t.Error("HasWebhook = true with Lambda targets only")
	}
	for _, target := range []string{testARN, "https://x.example.com/hook", "HTTPS://X.EXAMPLE.COM/hook", "http://127.0.0.1/h", "ftp://x", ""} {
		want := map[bool]string{true: pool.TargetLambda, false: pool.TargetWebhook}[strings.HasPrefix(target, "arn:")]
		if strings.HasPrefix(target, "ftp") || target == "" {
			want = ""
		}
		if got := pool.TargetKind(target); got != want {
			t.Errorf("TargetKind(%q) = %q, want %q", target, got, want)
		}
	}
}

// TestTriggerSecretNeverInJSON: the pool's JSON (what describe and the
// CLI print) names the triggers in Cognito's spelling and never holds the
// sealed secret.
func TestTriggerSecretNeverInJSON(t *testing.T) {
	p := pool.NewPool("us-east-1", "triggers", created)
	p.LambdaConfig = pool.LambdaConfig{PreSignUp: testARN,
		PreTokenGenerationConfig: pool.PreTokenGenerationConfig{LambdaVersion: pool.PreTokenV2, LambdaArn: testARN}}
	p.TriggerSecret = []byte("sealed-secret-bytes")
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	if strings.Contains(s, "TriggerSecret") || strings.Contains(s, "c2VhbGVkLXNlY3JldC1ieXRlcw") {
		t.Fatalf("pool JSON holds the secret: %s", s)
	}
	if !strings.Contains(s, `"LambdaConfig":{"PreSignUp":"`+testARN+`","PreTokenGenerationConfig":{"LambdaVersion":"V2_0","LambdaArn":"`+testARN+`"}}`) {
		t.Fatalf("pool JSON lacks the LambdaConfig in Cognito's shape: %s", s)
	}
	if a, b := pool.NewTriggerSecret(), pool.NewTriggerSecret(); len(a) != 43 || a == b {
		t.Fatalf("NewTriggerSecret gave %q and %q", a, b)
	}
}

// TestLambdaConfigSetTarget: SetTarget sets each trigger so that Target
// reads it back, keeps pre token generation in both members with its
// version, and removes a trigger with an empty target.
func TestLambdaConfigSetTarget(t *testing.T) {
	var c pool.LambdaConfig
	for i, tr := range pool.Triggers {
		c.SetTarget(tr, "https://hooks.example.com/"+strings.Repeat("x", i+1), pool.PreTokenV2)
	}
	for i, tr := range pool.Triggers {
		if got, want := c.Target(tr), "https://hooks.example.com/"+strings.Repeat("x", i+1); got != want {
			t.Errorf("%s: %q, want %q", tr, got, want)
		}
	}
	if c.PreTokenGeneration != c.PreTokenGenerationConfig.LambdaArn || c.PreTokenVersion() != pool.PreTokenV2 {
		t.Errorf("pre token generation %q, config %+v", c.PreTokenGeneration, c.PreTokenGenerationConfig)
	}
	if err := c.Validate(); err != nil {
		t.Errorf("the configuration set is invalid: %v", err)
	}
	for _, tr := range pool.Triggers {
		c.SetTarget(tr, "", "")
	}
	if c != (pool.LambdaConfig{}) {
		t.Errorf("after removing every trigger: %+v", c)
	}
	c.SetTarget("NoSuchTrigger", testARN, "")
	if c != (pool.LambdaConfig{}) {
		t.Errorf("an unknown trigger changed the configuration: %+v", c)
	}
}
