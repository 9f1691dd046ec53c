package cli

import (
	"slices"
	"strings"
	"testing"

	"github.com/linkpool/linkpool/internal/pool"
)

func TestPoolMFA(t *testing.T) {
	h := newAdminHarness(t)
	p := h.createPool()

	show := h.ok("pool", "mfa", "show", "--pool", p.ID)
	for _, want := range []string{"MFA:", "OFF", "Authenticator apps (TOTP):", "disabled", "Passkey user verification:", "preferred",
		"Passkey factor:", "SINGLE_FACTOR", "First factors:", "PASSWORD"} {
		if !strings.Contains(show, want) {
			t.Errorf("pool mfa show lacks %q:\n%s", want, show)
		}
	}
	if v := okJSON[mfaView](h, "pool", "mfa", "show", "--pool", p.ID); v.MFA != (pool.MFAConfig{}) || !slices.Equal(v.AllowedFirstAuthFactors, []string{"PASSWORD"}) {
		t.Errorf("pool mfa show --json = %+v", v)
	}

	out := h.ok("pool", "mfa", "set", "--pool", p.ID, "--mode", "optional", "--totp", "--email=true",
		"--email-subject", "Your code", "--email-message", "Code: {####}", "--rp-id", "auth.example.com",
		"--user-verification", "required", "--passkey-factor", "MULTI_FACTOR_WITH_USER_VERIFICATION",
		"--first-factors", "PASSWORD,email_otp", "--first-factors", "WEB_AUTHN")
	for _, want := range []string{"Updated the MFA settings of pool " + p.ID, "OPTIONAL", "Code: {####}", "auth.example.com",
		"MULTI_FACTOR_WITH_USER_VERIFICATION", "PASSWORD, EMAIL_OTP, WEB_AUTHN"} {
		if !strings.Contains(out, want) {
			t.Errorf("pool mfa set lacks %q:\n%s", want, out)
		}
	}
	want := pool.MFAConfig{Mode: pool.MFAOptional, SoftwareToken: true, Email: true, EmailSubject: "Your code", EmailMessage: "Code: {####}",
		WebAuthn: pool.WebAuthnConfig{RelyingPartyID: "auth.example.com", UserVerification: pool.UserVerificationRequired,
			FactorConfiguration: pool.WebAuthnMultiFactorWithUserVerification}}
	wantFirst := []string{pool.FirstFactorPassword, pool.FirstFactorEmailOTP, pool.FirstFactorWebAuthn}
	got := okJSON[pool.Pool](h, "pool", "show", "--pool", p.ID)
	if got.MFA != want || !slices.Equal(got.AllowedFirstAuthFactors, wantFirst) {
		t.Fatalf("stored %+v %v, want %+v %v", got.MFA, got.AllowedFirstAuthFactors, want, wantFirst)
	}
	if got.Name != p.Name || got.PasswordPolicy != p.PasswordPolicy {
		t.Errorf("pool mfa set changed other settings: %+v", got)
	}

	if show := h.ok("pool", "show", "--pool", p.ID); !strings.Contains(show, "OPTIONAL (SOFTWARE_TOKEN_MFA, EMAIL_OTP)") ||
		!strings.Contains(show, "PASSWORD, EMAIL_OTP, WEB_AUTHN") {
		t.Errorf("pool show lacks the MFA summary:\n%s", show)
	}

	// Only what is named changes; the JSON is the pool's fields.
	v := okJSON[mfaView](h, "pool", "mfa", "set", "--pool", p.ID, "--mode", "ON", "--totp=false")
	want.Mode, want.SoftwareToken = pool.MFAOn, false
	if v.MFA != want || !slices.Equal(v.AllowedFirstAuthFactors, wantFirst) {
		t.Fatalf("pool mfa set --json = %+v, want %+v %v", v, want, wantFirst)
	}

	// Turning email off and taking EMAIL_OTP from the first factors is
	// one valid change; an empty list is PASSWORD alone.
	v = okJSON[mfaView](h, "pool", "mfa", "set", "--pool", p.ID, "--mode", "OFF", "--email=false", "--first-factors", "")
	want.Mode, want.Email = pool.MFAOff, false
	if v.MFA != want || !slices.Equal(v.AllowedFirstAuthFactors, []string{"PASSWORD"}) {
		t.Fatalf("after turning email off: %+v", v)
	}
	// Clearing the custom mail.
	v = okJSON[mfaView](h, "pool", "mfa", "set", "--pool", p.ID, "--email-subject", "", "--email-message", "", "--rp-id", "")
	if v.MFA.EmailSubject != "" || v.MFA.EmailMessage != "" || v.MFA.WebAuthn.RelyingPartyID != "" {
		t.Fatalf("after clearing: %+v", v)
	}
}

func TestPoolMFARejects(t *testing.T) {
	h := newAdminHarness(t)
	p := h.createPool()
	h.ok("pool", "mfa", "set", "--pool", p.ID, "--mode", "OPTIONAL", "--email", "--totp", "--first-factors", "PASSWORD,EMAIL_OTP")
	before := h.ok("pool", "show", "--pool", p.ID, "--json")
	tests := []struct {
		name string
		code int
		want string
		args []string
	}{
		{"nothing to set", 2, "nothing to set", nil},
		{"missing pool", 2, "--pool is required", []string{"--pool", "", "--mode", "ON"}},
		{"not a boolean", 2, "invalid boolean value", []string{"--totp=maybe"}},
		{"stray argument", 2, "unexpected arguments", []string{"--mode", "ON", "extra"}},
		{"unknown mode", 1, "invalid MfaConfiguration", []string{"--mode", "SOMETIMES"}},
		{"on without factor", 1, "invalid MfaConfiguration", []string{"--mode", "ON", "--email=false", "--totp=false", "--first-factors", "PASSWORD"}},
		{"message without placeholder", 1, "invalid EmailMfaConfiguration.Message", []string{"--email-message", "no code"}},
		{"subject too long", 1, "invalid EmailMfaConfiguration.Subject", []string{"--email-subject", strings.Repeat("s", 141)}},
		{"bad relying party", 1, "invalid WebAuthnConfiguration.RelyingPartyId", []string{"--rp-id", "https://example.com"}},
		{"bad user verification", 1, "invalid WebAuthnConfiguration.UserVerification", []string{"--user-verification", "always"}},
		{"bad passkey factor", 1, "invalid WebAuthnConfiguration.FactorConfiguration", []string{"--passkey-factor", "TWO"}},
		{"email off under EMAIL_OTP", 1, "invalid Policies.SignInPolicy.AllowedFirstAuthFactors", []string{"--email=false"}},
		{"first factors without PASSWORD", 1, "invalid Policies.SignInPolicy.AllowedFirstAuthFactors", []string{"--first-factors", "WEB_AUTHN"}},
		{"unknown first factor", 1, "invalid Policies.SignInPolicy.AllowedFirstAuthFactors", []string{"--first-factors", "PASSWORD,SMS_OTP"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"pool", "mfa", "set", "--pool", p.ID}, tc.args...)
			r := h.fails(tc.code, tc.want, args...)
			if !strings.Contains(r.stderr, "linkpool pool mfa set: "+tc.want) {
				t.Errorf("want an error naming the command, got:\n%s", r.stderr)
			}
			if after := h.ok("pool", "show", "--pool", p.ID, "--json"); after != before {
				t.Errorf("a rejected change changed the pool:\nbefore %s\nafter %s", before, after)
			}
		})
	}
	h.fails(1, "pool us-east-1_NOPE12345 does not exist", "pool", "mfa", "set", "--pool", "us-east-1_NOPE12345", "--mode", "OFF")
	h.fails(1, "pool us-east-1_NOPE12345 does not exist", "pool", "mfa", "show", "--pool", "us-east-1_NOPE12345")
	h.fails(2, "unknown subcommand", "pool", "mfa", "enable", "--pool", p.ID)
}
