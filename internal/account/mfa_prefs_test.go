package account_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/pool"
)

func on(preferred bool) *account.FactorSetting {
	return &account.FactorSetting{Enabled: true, Preferred: preferred}
}

var off = &account.FactorSetting{}

func TestSetMFAPreference(t *testing.T) {
	e := newEnv(t, mfaPool)
	ctx := context.Background()
	u := e.signUp(t, "alice", "alice@example.com", goodPW)
	set := func(pref account.MFAPreference) (pool.UserMFA, error) {
		t.Helper()
		_, err := e.svc.SetMFAPreference(ctx, e.pool, u.Sub, pref)
		return e.user(t, u.Sub).MFA, err
	}

	// TOTP needs a verified device.
	_, err := set(account.MFAPreference{SoftwareToken: on(false)})
	wantErr(t, err, account.InvalidParameterException)
	if _, err := e.svc.AssociateSoftwareToken(ctx, e.pool, u.Sub); err != nil {
		t.Fatal(err)
	}
	_, err = set(account.MFAPreference{SoftwareToken: on(true)})
	wantErr(t, err, account.InvalidParameterException)

	// Email needs an address, and nothing else.
	m, err := set(account.MFAPreference{Email: on(true)})
	if err != nil || !m.EmailEnabled || m.Preferred != pool.FactorEmail {
		t.Fatalf("enable email: %+v, %v", m, err)
	}
	e.enrolTOTP(t, u.Sub)
	if m := e.user(t, u.Sub).MFA; m.Preferred != pool.FactorEmail || !m.SoftwareTokenEnabled {
		t.Fatalf("after the device: %+v", m)
	}
	// Preferring one factor takes the preference from the other; nil
	// leaves a factor as it is.
	m, err = set(account.MFAPreference{SoftwareToken: on(true)})
	if err != nil || m.Preferred != pool.FactorSoftwareToken || !m.EmailEnabled || !m.SoftwareTokenEnabled {
		t.Fatalf("prefer TOTP: %+v, %v", m, err)
	}
	got, err := e.svc.SetMFAPreference(ctx, e.pool, u.Sub, account.MFAPreference{})
	if err != nil || got.MFA.Preferred != pool.FactorSoftwareToken || got.PasswordHash != "" {
		t.Fatalf("empty request: %+v, %v", got.MFA, err)
	}
	// Enabled but no longer preferred: no preference.
	m, err = set(account.MFAPreference{SoftwareToken: on(false)})
	if err != nil || m.Preferred != "" || !m.SoftwareTokenEnabled {
		t.Fatalf("unprefer TOTP: %+v, %v", m, err)
	}
	if _, err := set(account.MFAPreference{Email: on(true)}); err != nil {
		t.Fatal(err)
	}
	// Disabling the preferred factor drops the preference; the device
	// stays.
	m, err = set(account.MFAPreference{Email: off})
	if err != nil || m.Preferred != "" || m.EmailEnabled || !m.SoftwareTokenEnabled {
		t.Fatalf("disable email: %+v, %v", m, err)
	}
	m, err = set(account.MFAPreference{SoftwareToken: off})
	if err != nil || m.SoftwareTokenEnabled || m.TOTP == nil {
		t.Fatalf("disable TOTP: %+v, %v", m, err)
	}
	// Re-enabling and preferring both in one request, one each way.
	m, err = set(account.MFAPreference{SoftwareToken: on(false), Email: on(true)})
	if err != nil || m.Preferred != pool.FactorEmail || !m.SoftwareTokenEnabled || !m.EmailEnabled {
		t.Fatalf("both: %+v, %v", m, err)
	}
	m, err = set(account.MFAPreference{SoftwareToken: on(true), Email: on(false)})
	if err != nil || m.Preferred != pool.FactorSoftwareToken {
		t.Fatalf("both, other way: %+v, %v", m, err)
	}
}

// TestSetMFAPreferenceRefusals: every refusal is an
// InvalidParameterException that changes nothing.
func TestSetMFAPreferenceRefusals(t *testing.T) {
	e := newEnv(t, func(p *pool.Pool) { p.MFA = pool.MFAConfig{Mode: pool.MFAOptional, SoftwareToken: true} })
	ctx := context.Background()
	u := e.signUp(t, "alice", "alice@example.com", goodPW)
	e.pool.MFA.Email = true
	e.enrolTOTP(t, u.Sub)
	noAddr, err := e.svc.AdminCreateUser(ctx, e.pool, account.AdminCreateUserInput{Username: "noaddr", TemporaryPassword: goodPW, Permanent: true})
	if err != nil {
		t.Fatal(err)
	}
	offEmail := e.pool
	offEmail.MFA.Email = false
	offAll := e.pool
	offAll.MFA.Mode = pool.MFAOff
	before := e.user(t, u.Sub)
	for _, tt := range []struct {
		name string
		p    pool.Pool
		sub  string
		pref account.MFAPreference
	}{
		{"both preferred", e.pool, u.Sub, account.MFAPreference{SoftwareToken: on(true), Email: on(true)}},
		{"preferred but disabled", e.pool, u.Sub, account.MFAPreference{Email: &account.FactorSetting{Preferred: true}}},
		{"pool without email", offEmail, u.Sub, account.MFAPreference{Email: on(false)}},
		{"pool with MFA off", offAll, u.Sub, account.MFAPreference{SoftwareToken: on(true)}},
		{"user without an address", e.pool, noAddr.User.Sub, account.MFAPreference{Email: on(false)}},
		{"user without a device", e.pool, noAddr.User.Sub, account.MFAPreference{SoftwareToken: on(false)}},
		{"valid first, invalid second", e.pool, u.Sub, account.MFAPreference{SoftwareToken: off, Email: &account.FactorSetting{Preferred: true}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.svc.SetMFAPreference(ctx, tt.p, tt.sub, tt.pref)
			wantErr(t, err, account.InvalidParameterException)
		})
	}
	if after := e.user(t, u.Sub); !reflect.DeepEqual(after.MFA, before.MFA) || !after.UpdatedAt.Equal(before.UpdatedAt) {
		t.Fatalf("a refusal changed the user: %+v -> %+v", before.MFA, after.MFA)
	}
	// Disabling a factor the pool does not offer is allowed.
	if _, err := e.svc.SetMFAPreference(ctx, offAll, u.Sub, account.MFAPreference{SoftwareToken: off}); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.SetMFAPreference(ctx, e.pool, pool.NewSub(), account.MFAPreference{SoftwareToken: off})
	wantErr(t, err, account.UserNotFoundException)
}

// TestSetMFAPreferenceRequiredPool: in a pool that requires MFA a user
// may disable every factor; the next sign-in then sets one up.
func TestSetMFAPreferenceRequiredPool(t *testing.T) {
	e := newEnv(t, func(p *pool.Pool) { mfaPool(p); p.MFA.Mode = pool.MFAOn })
	ctx := context.Background()
	u := e.signUp(t, "alice", "alice@example.com", goodPW)
	e.enrolTOTP(t, u.Sub)
	step, err := account.NextStep(e.pool, e.user(t, u.Sub), account.ByPassword)
	if err != nil || step.Challenge != pool.FactorSoftwareToken {
		t.Fatalf("with a device: %+v, %v", step, err)
	}
	got, err := e.svc.SetMFAPreference(ctx, e.pool, u.Sub, account.MFAPreference{SoftwareToken: off, Email: off})
	if err != nil {
		t.Fatal(err)
	}
	step, err = account.NextStep(e.pool, got, account.ByPassword)
	if err != nil || step.Challenge != account.ChallengeMFASetup {
		t.Fatalf("without factors: %+v, %v", step, err)
	}
}
