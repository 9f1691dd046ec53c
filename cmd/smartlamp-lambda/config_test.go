package main

import (
	"flag"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/linkpool/linkpool/internal/smarthome"
)

// skillSamples are a value of every skill setting the Lambda has.
var skillSamples = map[string]string{
	"required-scope":    "lamp/control openid",
	"lwa-client-id":     "amzn1.application-oa2-client.lambda",
	"lwa-client-secret": "lwa-secret-for-the-lambda",
	"lwa-token-url":     "https://lwa.example.test/auth/o2/token",
	"event-gateway-url": "https://api.eu.amazonalexa.com/v3/events",
}

func baseEnv() map[string]string {
	return map[string]string{
		envIssuer:    "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Abc",
		envClientIDs: "client-a",
		envDatabase:  "postgres://db/smartlamp",
	}
}

// TestLambdaHasEverySkillOption: every setting of smarthome.Options but
// the /lamps page's has a Lambda variable, and the Lambda reads each into
// the same Options that `linkpool serve` and `linkpool skill serve` get
// from the flag of the same setting.
func TestLambdaHasEverySkillOption(t *testing.T) {
	env := baseEnv()
	var args []string
	var o smarthome.Options
	for _, opt := range o.OptionList() {
		if opt.LambdaEnv == "" {
			if !strings.HasPrefix(opt.Name, "lamps-") {
				t.Errorf("--%s has no Lambda variable, though it is not a /lamps page setting", opt.Name)
			}
			continue
		}
		if !strings.HasPrefix(opt.LambdaEnv, "SMARTLAMP_") {
			t.Errorf("--%s: Lambda variable %s lacks the SMARTLAMP_ prefix", opt.Name, opt.LambdaEnv)
		}
		v, ok := skillSamples[opt.Name]
		if !ok {
			t.Fatalf("no sample value for --%s: add one to skillSamples", opt.Name)
		}
		env[opt.LambdaEnv] = v
		args = append(args, "--"+opt.Name+"="+v)
	}
	c, err := loadConfig(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	want := smarthome.DefaultOptions()
	fs := flag.NewFlagSet("flags", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	for _, opt := range want.OptionList() {
		fs.Var(opt.Value, opt.Name, opt.Usage)
	}
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c.skill, want) {
		t.Errorf("Lambda options %+v\nflag options   %+v", c.skill, want)
	}
	if !reflect.DeepEqual(c.verify.RequiredScopes, []string{"lamp/control", "openid"}) {
		t.Errorf("verifier scopes %v", c.verify.RequiredScopes)
	}
	cfg := c.skill.SkillConfig()
	if cfg.LWA.TokenURL != skillSamples["lwa-token-url"] || cfg.EventGatewayURL != skillSamples["event-gateway-url"] {
		t.Errorf("skill config %+v", cfg)
	}
}

// TestLambdaSkillOptionDefaultsAndChecks: unset settings take the shared
// defaults; a secret may come from a _FILE; bad values are errors naming
// the Lambda variable.
func TestLambdaSkillOptionDefaultsAndChecks(t *testing.T) {
	c, err := loadConfig(func(k string) string { return baseEnv()[k] })
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c.skill, smarthome.DefaultOptions()) {
		t.Errorf("defaults %+v, want %+v", c.skill, smarthome.DefaultOptions())
	}

	file := filepath.Join(t.TempDir(), "lwa-secret")
	if err := os.WriteFile(file, []byte("from-a-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := baseEnv()
	env[envLWAClientID], env[envLWASecret+"_FILE"] = "amzn1.application-oa2-client.x", file
	c, err = loadConfig(func(k string) string { return env[k] })
	if err != nil || c.skill.LWA.ClientSecret != "from-a-file" {
		t.Fatalf("secret from _FILE: %q, %v", c.skill.LWA.ClientSecret, err)
	}
	env[envLWASecret+"_FILE"] = filepath.Join(t.TempDir(), "missing")
	if _, err := loadConfig(func(k string) string { return env[k] }); err == nil || !strings.Contains(err.Error(), envLWASecret+"_FILE") {
		t.Errorf("missing secret file: %v", err)
	}

	for name, v := range map[string]string{"SMARTLAMP_EVENT_GATEWAY_URL": "api.amazonalexa.com/v3/events", "SMARTLAMP_LWA_TOKEN_URL": "ftp://x"} {
		env := baseEnv()
		env[name] = v
		if _, err := loadConfig(func(k string) string { return env[k] }); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s=%s: %v, want an error naming it", name, v, err)
		}
	}
}
