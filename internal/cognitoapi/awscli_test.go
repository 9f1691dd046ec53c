package cognitoapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/linkpool/linkpool/internal/accesskey"
	"github.com/linkpool/linkpool/internal/app"
	"github.com/linkpool/linkpool/internal/apptest"
)

// awsCLI runs the AWS CLI (`aws`, Debian's awscli; .ci/run installs it)
// against the test server with the given access key, isolated from any
// configuration of the machine. It returns stdout, stderr and whether it
// exited 0. Without the CLI the test is skipped, and fails under CI=true.
func awsCLI(t *testing.T, e *env, id, secret string, args ...string) (string, string, bool) {
	t.Helper()
	bin := apptest.RequireAWSCLI(t)
	home := t.TempDir()
	// AWS CLI v1 fetches parameters that look like URLs (callback URLs)
	// unless told not to; v2 never does.
	if err := os.WriteFile(home+"/config", []byte("[default]\ncli_follow_urlparam = false\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, append([]string{"--endpoint-url", e.srv.URL, "--output", "json", "cognito-idp"}, args...)...)
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + home,
		"AWS_ACCESS_KEY_ID=" + id, "AWS_SECRET_ACCESS_KEY=" + secret, "AWS_DEFAULT_REGION=eu-west-1",
		"AWS_CONFIG_FILE=" + home + "/config", "AWS_SHARED_CREDENTIALS_FILE=" + home + "/credentials",
		"AWS_EC2_METADATA_DISABLED=true", "AWS_PAGER=", "AWS_MAX_ATTEMPTS=1",
	}
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	return out.String(), errOut.String(), err == nil
}

// TestAWSCLI drives the administration life cycle (users; a pool with a
// client, a domain, a group and its members) with the AWS CLI,
// unchanged but for --endpoint-url and a key from the access-key service,
// parsing its JSON output; a wrong secret and a read-only key writing are
// refused with AWS's names.
func TestAWSCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("AWS CLI end-to-end test: -short")
	}
	ctx := context.Background()
	e := newEnv(t, func(c *app.Config) { c.APIAuthenticate = nil })
	k, secret, err := e.app.AccessKeys.Create(ctx, accesskey.CreateInput{Description: "aws cli"})
	if err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) string {
		t.Helper()
		out, stderr, ok := awsCLI(t, e, k.ID, secret, args...)
		if !ok {
			t.Fatalf("aws %s: %s", strings.Join(args, " "), stderr)
		}
		return out
	}
	run("admin-create-user", "--user-pool-id", e.pool.ID, "--username", "clio", "--message-action", "SUPPRESS",
		"--user-attributes", "Name=email,Value=clio@example.com", "Name=email_verified,Value=true")
	run("admin-set-user-password", "--user-pool-id", e.pool.ID, "--username", "clio", "--password", "Corr3ct-Horse!", "--permanent")

	var user struct {
		Username       string
		UserStatus     string
		Enabled        bool
		UserAttributes []struct{ Name, Value string }
	}
	if err := json.Unmarshal([]byte(run("admin-get-user", "--user-pool-id", e.pool.ID, "--username", "clio")), &user); err != nil {
		t.Fatal(err)
	}
	email := ""
	for _, a := range user.UserAttributes {
		if a.Name == "email" {
			email = a.Value
		}
	}
	if user.Username != "clio" || user.UserStatus != "CONFIRMED" || !user.Enabled || email != "clio@example.com" {
		t.Fatalf("admin-get-user: %+v", user)
	}
	var list struct{ Users []struct{ Username string } }
	if err := json.Unmarshal([]byte(run("list-users", "--user-pool-id", e.pool.ID, "--filter", `email ^= "clio"`)), &list); err != nil {
		t.Fatal(err)
	}
	if len(list.Users) != 1 || list.Users[0].Username != "clio" {
		t.Fatalf("list-users --filter: %+v", list)
	}

	before := e.snapshot(t)
	if _, stderr, ok := awsCLI(t, e, k.ID, secret+"x", "admin-delete-user", "--user-pool-id", e.pool.ID, "--username", "clio"); ok || !strings.Contains(stderr, "InvalidSignatureException") {
		t.Errorf("wrong secret: ok=%v %s, want InvalidSignatureException", ok, stderr)
	}
	ro, roSecret, err := e.app.AccessKeys.Create(ctx, accesskey.CreateInput{Description: "read only", ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, stderr, ok := awsCLI(t, e, ro.ID, roSecret, "admin-delete-user", "--user-pool-id", e.pool.ID, "--username", "clio"); ok || !strings.Contains(stderr, "AccessDeniedException") {
		t.Errorf("read-only key writing: ok=%v %s, want AccessDeniedException", ok, stderr)
	}
	if after := e.snapshot(t); after != before {
		t.Fatalf("a refused call changed the store:\n%s\n%s", before, after)
	}

	run("admin-delete-user", "--user-pool-id", e.pool.ID, "--username", "clio")
	if _, stderr, ok := awsCLI(t, e, k.ID, secret, "admin-get-user", "--user-pool-id", e.pool.ID, "--username", "clio"); ok || !strings.Contains(stderr, "UserNotFoundException") {
		t.Fatalf("admin-get-user after delete: ok=%v %s, want UserNotFoundException", ok, stderr)
	}

	// A pool of its own: client with a secret, domain, group, membership.
	var created struct{ UserPool struct{ Id, Name string } }
	if err := json.Unmarshal([]byte(run("create-user-pool", "--pool-name", "cli-pool")), &created); err != nil {
		t.Fatal(err)
	}
	pid := created.UserPool.Id
	if !strings.HasPrefix(pid, "eu-west-1_") || created.UserPool.Name != "cli-pool" {
		t.Fatalf("create-user-pool: %+v", created)
	}
	var client struct {
		UserPoolClient struct{ ClientId, ClientSecret string }
	}
	if err := json.Unmarshal([]byte(run("create-user-pool-client", "--user-pool-id", pid, "--client-name", "alexa", "--generate-secret",
		"--allowed-o-auth-flows", "code", "--allowed-o-auth-scopes", "openid", "--allowed-o-auth-flows-user-pool-client",
		"--callback-urls", "https://layla.amazon.com/api/skill/link/M2CLIVENDOR")), &client); err != nil {
		t.Fatal(err)
	}
	if client.UserPoolClient.ClientId == "" || client.UserPoolClient.ClientSecret == "" {
		t.Fatalf("create-user-pool-client --generate-secret: %+v", client)
	}
	run("create-user-pool-domain", "--user-pool-id", pid, "--domain", "cli-pool-test")
	var domain struct {
		DomainDescription struct{ UserPoolId, Domain string }
	}
	if err := json.Unmarshal([]byte(run("describe-user-pool-domain", "--domain", "cli-pool-test")), &domain); err != nil {
		t.Fatal(err)
	}
	if domain.DomainDescription.UserPoolId != pid {
		t.Fatalf("describe-user-pool-domain: %+v", domain)
	}
	run("create-group", "--user-pool-id", pid, "--group-name", "admins", "--description", "Administrators")
	run("admin-create-user", "--user-pool-id", pid, "--username", "gus", "--message-action", "SUPPRESS")
	run("admin-add-user-to-group", "--user-pool-id", pid, "--username", "gus", "--group-name", "admins")
	var members struct{ Users []struct{ Username string } }
	if err := json.Unmarshal([]byte(run("list-users-in-group", "--user-pool-id", pid, "--group-name", "admins")), &members); err != nil {
		t.Fatal(err)
	}
	if len(members.Users) != 1 || members.Users[0].Username != "gus" {
		t.Fatalf("list-users-in-group: %+v", members)
	}
	var pools struct{ UserPools []struct{ Id string } }
	if err := json.Unmarshal([]byte(run("list-user-pools", "--max-results", "60")), &pools); err != nil {
		t.Fatal(err)
	}
	if len(pools.UserPools) != 2 {
		t.Fatalf("list-user-pools: %+v, want the test's pool and cli-pool", pools)
	}
	// Multi-factor configuration: set, read back, and a refused SMS
	// factor that changes nothing.
	run("set-user-pool-mfa-config", "--user-pool-id", pid, "--mfa-configuration", "OPTIONAL",
		"--software-token-mfa-configuration", "Enabled=true",
		"--web-authn-configuration", "RelyingPartyId=auth.example.com,UserVerification=required")
	var mfa struct {
		MfaConfiguration              string
		SoftwareTokenMfaConfiguration struct{ Enabled bool }
		WebAuthnConfiguration         struct{ RelyingPartyId, UserVerification string }
	}
	if err := json.Unmarshal([]byte(run("get-user-pool-mfa-config", "--user-pool-id", pid)), &mfa); err != nil {
		t.Fatal(err)
	}
	if mfa.MfaConfiguration != "OPTIONAL" || !mfa.SoftwareTokenMfaConfiguration.Enabled ||
		mfa.WebAuthnConfiguration.RelyingPartyId != "auth.example.com" || mfa.WebAuthnConfiguration.UserVerification != "required" {
		t.Fatalf("get-user-pool-mfa-config: %+v", mfa)
	}
	if _, stderr, ok := awsCLI(t, e, k.ID, secret, "set-user-pool-mfa-config", "--user-pool-id", pid, "--mfa-configuration", "ON",
		"--sms-mfa-configuration", `{"SmsAuthenticationMessage":"Code {####}"}`); ok || !strings.Contains(stderr, "InvalidParameterException") {
		t.Fatalf("set-user-pool-mfa-config with SMS: ok=%v %s, want InvalidParameterException", ok, stderr)
	}
	if err := json.Unmarshal([]byte(run("get-user-pool-mfa-config", "--user-pool-id", pid)), &mfa); err != nil || mfa.MfaConfiguration != "OPTIONAL" {
		t.Fatalf("after a refused set-user-pool-mfa-config: %+v %v", mfa, err)
	}
	run("delete-user-pool-domain", "--user-pool-id", pid, "--domain", "cli-pool-test")
	run("delete-user-pool-client", "--user-pool-id", pid, "--client-id", client.UserPoolClient.ClientId)
	run("delete-user-pool", "--user-pool-id", pid)
	if _, stderr, ok := awsCLI(t, e, k.ID, secret, "describe-user-pool", "--user-pool-id", pid); ok || !strings.Contains(stderr, "ResourceNotFoundException") {
		t.Fatalf("describe-user-pool after delete: ok=%v %s, want ResourceNotFoundException", ok, stderr)
	}
}
