package cli

import (
	"context"
	"encoding/base64"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/linkpool/linkpool/internal/pool"
)

// openHarness opens the harness's store and master key as a command
// does.
func openHarness(t *testing.T, h *adminHarness) *deps {
	t.Helper()
	d, err := openDeps(context.Background(), &storageFlags{data: h.dir}, &env{stderr: &strings.Builder{}, getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// setUpTOTP gives the user an authenticator app named name, the way a
// browser's set-up does, and returns the user.
func setUpTOTP(t *testing.T, h *adminHarness, poolID, username, name string) pool.User {
	t.Helper()
	ctx := context.Background()
	d := openHarness(t, h)
	defer d.close()
	p, u, err := findPoolUser(ctx, d, poolID, username)
	if err != nil {
		t.Fatal(err)
	}
	secret, err := d.accounts.AssociateSoftwareToken(ctx, p, u.Sub)
	if err != nil {
		t.Fatal(err)
	}
	code, err := totp.GenerateCodeCustom(secret, time.Now(), totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	u, err = d.accounts.VerifySoftwareToken(ctx, p, u.Sub, code, name)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// addPasskey stores a passkey of the user created at.
func addPasskey(t *testing.T, h *adminHarness, poolID, sub string, id []byte, name string, at time.Time) {
	t.Helper()
	d := openHarness(t, h)
	defer d.close()
	c := pool.WebAuthnCredential{PoolID: poolID, Sub: sub, ID: id, PublicKey: []byte{0xa5, 1}, Name: name,
		RelyingPartyID: "auth.example.com", Attachment: "platform", Transports: []string{"internal"}, CreatedAt: at}
	if err := d.store.CreateWebAuthnCredential(context.Background(), c); err != nil {
		t.Fatal(err)
	}
}

func TestUserMFA(t *testing.T) {
	h := newAdminHarness(t)
	p := h.createPool()
	h.ok("pool", "mfa", "set", "--pool", p.ID, "--mode", "OPTIONAL", "--totp", "--email")
	h.ok("user", "create", "--pool", p.ID, "--username", "alice", "--email", "alice@example.com", "--email-verified",
		"--password", "Sup3r-Secret!", "--permanent")
	user := []string{"--pool", p.ID, "--username", "alice"}
	cmd := func(args ...string) []string { return append(args, user...) }

	show := h.ok(cmd("user", "mfa", "show")...)
	for _, want := range []string{"Enabled factors:", "Authenticator app:", "none", "Passkeys:", "0"} {
		if !strings.Contains(show, want) {
			t.Errorf("user mfa show of a user without factors lacks %q:\n%s", want, show)
		}
	}
	v := okJSON[userMFAView](h, cmd("user", "mfa", "show")...)
	if len(v.UserMFASettingList) != 0 || v.PreferredMfaSetting != "" || v.SoftwareTokenDevice != nil || v.Passkeys != 0 {
		t.Fatalf("user mfa show --json of a user without factors: %+v", v)
	}

	alice := setUpTOTP(t, h, p.ID, "alice", "alice's phone")
	t0 := time.Now().UTC().Truncate(time.Second)
	first, second := []byte{0xfb, 0xff, 0x00, 0x01}, []byte{0x00, 0x02}
	addPasskey(t, h, p.ID, alice.Sub, first, "laptop", t0.Add(-time.Hour))
	addPasskey(t, h, p.ID, alice.Sub, second, "", t0)

	v = okJSON[userMFAView](h, cmd("user", "mfa", "show")...)
	if !slices.Equal(v.UserMFASettingList, []string{pool.FactorSoftwareToken}) || v.PreferredMfaSetting != pool.FactorSoftwareToken ||
		v.SoftwareTokenDevice == nil || v.SoftwareTokenDevice.FriendlyDeviceName != "alice's phone" || v.SoftwareTokenPending || v.Passkeys != 2 {
		t.Fatalf("user mfa show --json after set-up: %+v", v)
	}
	show = h.ok(cmd("user", "mfa", "show")...)
	for _, want := range []string{"SOFTWARE_TOKEN_MFA", "alice's phone, set up", "Passkeys:", "2", "Second factors at sign-in:"} {
		if !strings.Contains(show, want) {
			t.Errorf("user mfa show lacks %q:\n%s", want, show)
		}
	}

	// The administrator's SetMFAPreference.
	out := h.ok(cmd("user", "mfa", "set", "--email", "preferred")...)
	if !strings.Contains(out, "Updated the MFA settings of user alice") || !strings.Contains(out, "SOFTWARE_TOKEN_MFA, EMAIL_OTP") {
		t.Errorf("user mfa set output:\n%s", out)
	}
	v = okJSON[userMFAView](h, cmd("user", "mfa", "show")...)
	if !slices.Equal(v.UserMFASettingList, []string{pool.FactorSoftwareToken, pool.FactorEmail}) || v.PreferredMfaSetting != pool.FactorEmail {
		t.Fatalf("after --email preferred: %+v", v)
	}
	v = okJSON[userMFAView](h, cmd("user", "mfa", "set", "--totp", "disabled", "--email", "enabled")...)
	if !slices.Equal(v.UserMFASettingList, []string{pool.FactorEmail}) || v.PreferredMfaSetting != "" || v.SoftwareTokenDevice == nil {
		t.Fatalf("after --totp disabled --email enabled: %+v", v)
	}
	v = okJSON[userMFAView](h, cmd("user", "mfa", "set", "--totp", "PREFERRED")...)
	if !slices.Equal(v.UserMFASettingList, []string{pool.FactorSoftwareToken, pool.FactorEmail}) || v.PreferredMfaSetting != pool.FactorSoftwareToken {
		t.Fatalf("after --totp PREFERRED: %+v", v)
	}

	// Passkeys, oldest first.
	list := okJSON[[]passkeyView](h, cmd("user", "passkeys", "list")...)
	b64 := base64.RawURLEncoding.EncodeToString
	if len(list) != 2 || list[0].CredentialID != b64(first) || list[0].FriendlyCredentialName != "laptop" ||
		list[1].CredentialID != b64(second) || list[0].RelyingPartyID != "auth.example.com" || !slices.Equal(list[0].AuthenticatorTransports, []string{"internal"}) {
		t.Fatalf("user passkeys list --json = %+v", list)
	}
	table := h.ok(cmd("user", "passkeys", "list")...)
	for _, want := range []string{"ID", "NAME", "RELYING-PARTY", b64(first), "laptop", b64(second)} {
		if !strings.Contains(table, want) {
			t.Errorf("user passkeys list lacks %q:\n%s", want, table)
		}
	}
	out = h.ok(cmd("user", "passkeys", "delete", "--id", b64(first))...)
	if !strings.Contains(out, "Deleted passkey "+b64(first)+" of user alice") {
		t.Errorf("user passkeys delete output:\n%s", out)
	}
	if list = okJSON[[]passkeyView](h, cmd("user", "passkeys", "list")...); len(list) != 1 || list[0].CredentialID != b64(second) {
		t.Fatalf("after delete: %+v", list)
	}
	h.fails(1, "ResourceNotFoundException", cmd("user", "passkeys", "delete", "--id", b64(first))...)

	// The recovery: every factor and passkey goes; the password stays.
	out = h.ok(cmd("user", "mfa", "reset")...)
	if !strings.Contains(out, "every passkey of user alice") || !strings.Contains(out, "signs in with the password alone") {
		t.Errorf("user mfa reset output:\n%s", out)
	}
	v = okJSON[userMFAView](h, cmd("user", "mfa", "show")...)
	if len(v.UserMFASettingList) != 0 || v.PreferredMfaSetting != "" || v.SoftwareTokenDevice != nil || v.Passkeys != 0 {
		t.Fatalf("user mfa show --json after reset: %+v", v)
	}
	if list = okJSON[[]passkeyView](h, cmd("user", "passkeys", "list")...); len(list) != 0 {
		t.Fatalf("passkeys after reset: %+v", list)
	}
	if out := h.ok(cmd("user", "passkeys", "list", "--json")...); strings.TrimSpace(out) != "[]" {
		t.Errorf("user passkeys list --json without passkeys printed %q", out)
	}
	// A TOTP factor needs its app again.
	h.fails(1, "User has not verified software token mfa", cmd("user", "mfa", "set", "--totp", "enabled")...)
	// In a pool that requires MFA, the reset says what comes next.
	h.ok("pool", "mfa", "set", "--pool", p.ID, "--mode", "ON")
	if out := h.ok(cmd("user", "mfa", "reset")...); !strings.Contains(out, "sets up a second factor at the next sign-in") {
		t.Errorf("user mfa reset in an ON pool:\n%s", out)
	}
}

func TestUserMFARejects(t *testing.T) {
	h := newAdminHarness(t)
	p := h.createPool()
	h.ok("pool", "mfa", "set", "--pool", p.ID, "--mode", "OPTIONAL", "--totp")
	h.ok("user", "create", "--pool", p.ID, "--username", "bob", "--password", "Sup3r-Secret!", "--permanent")
	bob := []string{"--pool", p.ID, "--username", "bob"}
	tests := []struct {
		name string
		code int
		want string
		args []string
	}{
		{"nothing to set", 2, "nothing to set", []string{"user", "mfa", "set"}},
		{"bad factor value", 2, "must be enabled, disabled or preferred", []string{"user", "mfa", "set", "--totp", "on"}},
		{"factor the pool does not offer", 1, "EMAIL_OTP is not enabled for the user pool", []string{"user", "mfa", "set", "--email", "enabled"}},
		{"TOTP without an app", 1, "User has not verified software token mfa", []string{"user", "mfa", "set", "--totp", "preferred"}},
		{"passkey id not base64url", 2, "is not a passkey id", []string{"user", "passkeys", "delete", "--id", "no/such+id"}},
		{"passkey id missing", 2, "--id is required", []string{"user", "passkeys", "delete"}},
		{"unknown passkey", 1, "ResourceNotFoundException", []string{"user", "passkeys", "delete", "--id", "AAEC"}},
		{"unknown subcommand", 2, "unknown subcommand", []string{"user", "mfa", "enable"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := okJSON[userMFAView](h, append([]string{"user", "mfa", "show"}, bob...)...)
			r := h.fails(tc.code, tc.want, append(tc.args, bob...)...)
			if name := strings.Join(tc.args[:3], " "); tc.code == 1 && !strings.HasPrefix(r.stderr, "linkpool "+name+": ") {
				t.Errorf("want one line naming %q, got:\n%s", name, r.stderr)
			}
			if after := okJSON[userMFAView](h, append([]string{"user", "mfa", "show"}, bob...)...); !slices.Equal(after.UserMFASettingList, before.UserMFASettingList) ||
				after.PreferredMfaSetting != before.PreferredMfaSetting {
				t.Errorf("a refused command changed bob's factors: %+v", after)
			}
		})
	}
	for _, args := range [][]string{
		{"user", "mfa", "show"}, {"user", "mfa", "set", "--email", "disabled"}, {"user", "mfa", "reset"},
		{"user", "passkeys", "list"}, {"user", "passkeys", "delete", "--id", "AAEC"},
	} {
		h.fails(1, "user carol does not exist", append(args, "--pool", p.ID, "--username", "carol")...)
	}
	h.fails(1, "pool us-east-1_NOPE12345 does not exist", "user", "mfa", "show", "--pool", "us-east-1_NOPE12345", "--username", "bob")
}
