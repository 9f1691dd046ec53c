package admin_test

import (
	"slices"
	"testing"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/admin"
	"github.com/linkpool/linkpool/internal/pool"
)

func TestMFAConfigDefaults(t *testing.T) {
	e := newEnv(t)
	p := e.pool("SmartLamp")
	c, err := e.svc.GetMFAConfig(e.ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	first := firstFactors(t, e, p.ID)
	if c.MFAMode() != pool.MFAOff || c.SoftwareToken || c.Email || c.WebAuthn != (pool.WebAuthnConfig{}) {
		t.Fatalf("new pool's MFA configuration %+v, want off", c)
	}
	if !slices.Equal(first, []string{pool.FirstFactorPassword}) {
		t.Fatalf("new pool's first factors %v, want [PASSWORD]", first)
	}
}

// firstFactors returns the pool's first factors as stored.
func firstFactors(t *testing.T, e *env, poolID string) []string {
	t.Helper()
	p, err := e.svc.DescribeUserPool(e.ctx, poolID)
	if err != nil {
		t.Fatal(err)
	}
	return p.FirstFactors()
}

func TestSetSignInFactors(t *testing.T) {
	e := newEnv(t)
	p := e.pool("SmartLamp")
	want := pool.MFAConfig{
		Mode: pool.MFAOptional, SoftwareToken: true, Email: true,
		EmailSubject: "Your code", EmailMessage: "Code: {####}",
		WebAuthn: pool.WebAuthnConfig{RelyingPartyID: "auth.example.com", UserVerification: pool.UserVerificationRequired,
			FactorConfiguration: pool.WebAuthnMultiFactorWithUserVerification},
	}
	factors := []string{pool.FirstFactorPassword, pool.FirstFactorEmailOTP, pool.FirstFactorWebAuthn}
	updated, err := e.svc.SetSignInFactors(e.ctx, p.ID, want, factors)
	if err != nil {
		t.Fatal(err)
	}
	if updated.MFA != want || !slices.Equal(updated.AllowedFirstAuthFactors, factors) {
		t.Fatalf("SetSignInFactors returned %+v %v", updated.MFA, updated.AllowedFirstAuthFactors)
	}
	c, err := e.svc.GetMFAConfig(e.ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if first := firstFactors(t, e, p.ID); c != want || !slices.Equal(first, factors) {
		t.Fatalf("stored %+v %v, want %+v %v", c, first, want, factors)
	}
	stored, err := e.svc.DescribeUserPool(e.ctx, p.ID)
	if err != nil || stored.Name != p.Name || stored.PasswordPolicy != p.PasswordPolicy {
		t.Fatalf("the rest of the pool changed: %+v, %v", stored, err)
	}

	// nil first factors keep the pool's; so does SetMFAConfig.
	only := pool.MFAConfig{Mode: pool.MFAOn, SoftwareToken: true, Email: true}
	if _, err := e.svc.SetSignInFactors(e.ctx, p.ID, only, nil); err != nil {
		t.Fatal(err)
	}
	c, err = e.svc.GetMFAConfig(e.ctx, p.ID)
	if first := firstFactors(t, e, p.ID); err != nil || c != only || !slices.Equal(first, factors) {
		t.Fatalf("after SetSignInFactors without first factors: %+v %v %v", c, first, err)
	}
	only.EmailSubject = "Code"
	if _, err := e.svc.SetMFAConfig(e.ctx, p.ID, only); err != nil {
		t.Fatal(err)
	}
	c, err = e.svc.GetMFAConfig(e.ctx, p.ID)
	if first := firstFactors(t, e, p.ID); err != nil || c != only || !slices.Equal(first, factors) {
		t.Fatalf("after SetMFAConfig: %+v %v %v", c, first, err)
	}
	// An empty list resets them to PASSWORD alone.
	off := pool.MFAConfig{Mode: pool.MFAOff}
	if _, err := e.svc.SetSignInFactors(e.ctx, p.ID, off, []string{}); err != nil {
		t.Fatal(err)
	}
	c, err = e.svc.GetMFAConfig(e.ctx, p.ID)
	if first := firstFactors(t, e, p.ID); err != nil || c != off || !slices.Equal(first, []string{pool.FirstFactorPassword}) {
		t.Fatalf("after turning MFA off: %+v %v %v", c, first, err)
	}
}

func TestSetSignInFactorsRefused(t *testing.T) {
	e := newEnv(t)
	p := e.pool("SmartLamp")
	good := pool.MFAConfig{Mode: pool.MFAOptional, Email: true}
	goodFactors := []string{pool.FirstFactorPassword, pool.FirstFactorEmailOTP}
	if _, err := e.svc.SetSignInFactors(e.ctx, p.ID, good, goodFactors); err != nil {
		t.Fatal(err)
	}
	before, err := e.svc.DescribeUserPool(e.ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		c       pool.MFAConfig
		factors []string
		field   string
	}{
		{"unknown mode", pool.MFAConfig{Mode: "SOMETIMES", Email: true}, nil, "MfaConfiguration"},
		{"on without a factor", pool.MFAConfig{Mode: pool.MFAOn}, nil, "MfaConfiguration"},
		{"message without placeholder", pool.MFAConfig{Mode: pool.MFAOptional, Email: true, EmailMessage: "no code here"}, nil, "EmailMfaConfiguration.Message"},
		{"bad relying party", pool.MFAConfig{WebAuthn: pool.WebAuthnConfig{RelyingPartyID: "https://example.com"}}, nil, "WebAuthnConfiguration.RelyingPartyId"},
		{"bad user verification", pool.MFAConfig{WebAuthn: pool.WebAuthnConfig{UserVerification: "always"}}, nil, "WebAuthnConfiguration.UserVerification"},
		{"bad factor configuration", pool.MFAConfig{WebAuthn: pool.WebAuthnConfig{FactorConfiguration: "TWO"}}, nil, "WebAuthnConfiguration.FactorConfiguration"},
		// The email factor goes while EMAIL_OTP is still a first factor.
		{"email off under EMAIL_OTP", pool.MFAConfig{Mode: pool.MFAOptional, SoftwareToken: true}, nil, "Policies.SignInPolicy.AllowedFirstAuthFactors"},
		{"first factors without PASSWORD", good, []string{pool.FirstFactorWebAuthn}, "Policies.SignInPolicy.AllowedFirstAuthFactors"},
		{"unknown first factor", good, []string{pool.FirstFactorPassword, "SMS_OTP"}, "Policies.SignInPolicy.AllowedFirstAuthFactors"},
		{"first factor twice", good, []string{pool.FirstFactorPassword, pool.FirstFactorPassword}, "Policies.SignInPolicy.AllowedFirstAuthFactors"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.svc.SetSignInFactors(e.ctx, p.ID, tc.c, tc.factors)
			wantErr(t, err, account.InvalidParameterException, tc.field)
			if tc.factors == nil {
				_, err := e.svc.SetMFAConfig(e.ctx, p.ID, tc.c)
				wantErr(t, err, account.InvalidParameterException, tc.field)
			}
			after, err := e.svc.DescribeUserPool(e.ctx, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			if snapshot(t, after) != snapshot(t, before) {
				t.Fatalf("a refused change changed the pool: %+v", after)
			}
		})
	}

	_, err = e.svc.SetSignInFactors(e.ctx, "us-east-1_NOPE12345", good, nil)
	wantNotFound(t, err, "User pool us-east-1_NOPE12345 does not exist.", admin.KindPool, "us-east-1_NOPE12345")
	_, err = e.svc.SetMFAConfig(e.ctx, "us-east-1_NOPE12345", good)
	wantNotFound(t, err, "User pool us-east-1_NOPE12345 does not exist.", admin.KindPool, "us-east-1_NOPE12345")
	_, err = e.svc.GetMFAConfig(e.ctx, "us-east-1_NOPE12345")
	wantNotFound(t, err, "User pool us-east-1_NOPE12345 does not exist.", admin.KindPool, "us-east-1_NOPE12345")
}
