package account_test

import (
	"context"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/pool"
)

// addPasskey stores a passkey for sub with the given id.
func (e *env) addPasskey(t *testing.T, sub string, id byte) {
	t.Helper()
	err := e.db.CreateWebAuthnCredential(context.Background(), pool.WebAuthnCredential{
		PoolID: e.pool.ID, Sub: sub, ID: []byte{id, 1, 2, 3}, PublicKey: []byte{0xa5, id},
		RelyingPartyID: "auth.example.com", CreatedAt: e.clock.Now(),
	})
	if err != nil {
		t.Fatalf("CreateWebAuthnCredential: %v", err)
	}
}

func TestResetMFA(t *testing.T) {
	e := newEnv(t, func(p *pool.Pool) { mfaPool(p); p.MFA.Mode = pool.MFAOn })
	ctx := context.Background()
	u := e.signUp(t, "alice", "alice@example.com", goodPW)
	other := e.signUp(t, "bob", "bob@example.com", goodPW)
	e.enrolTOTP(t, u.Sub)
	if _, err := e.svc.AssociateSoftwareToken(ctx, e.pool, u.Sub); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.SetMFAPreference(ctx, e.pool, u.Sub, account.MFAPreference{Email: on(true)}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.SendEmailOTP(ctx, e.pool, u.Sub, pool.CodeEmailMFA); err != nil {
		t.Fatal(err)
	}
	code := e.box.LastOTP(t, "alice@example.com")
	if err := e.db.UpdateUser(ctx, e.pool.ID, u.Sub, func(u pool.User) (pool.User, error) {
		u.MFA.WebAuthnRegistration = &pool.PendingCeremony{State: []byte("state"), ExpiresAt: e.clock.Now().Add(time.Minute)}
		return u, nil
	}); err != nil {
		t.Fatal(err)
	}
	e.addPasskey(t, u.Sub, 1)
	e.addPasskey(t, u.Sub, 2)
	e.addPasskey(t, other.Sub, 3)
	sessionsValidAfter := e.user(t, u.Sub).TokensValidAfter

	got, err := e.svc.ResetMFA(ctx, e.pool, u.Sub)
	if err != nil {
		t.Fatal(err)
	}
	stored := e.user(t, u.Sub)
	for _, m := range []pool.UserMFA{got.MFA, stored.MFA} {
		if m.TOTP != nil || m.PendingTOTP != nil || m.SoftwareTokenEnabled || m.EmailEnabled || m.Preferred != "" || m.WebAuthnRegistration != nil {
			t.Fatalf("factors left after reset: %+v", m)
		}
	}
	if c := stored.MFA.EmailCode; c == nil || c.Hash != "" || c.DaySent != 1 {
		t.Fatalf("email code state after reset: %+v (want no code, the day's count kept)", c)
	}
	_, err = e.svc.VerifyEmailOTP(ctx, e.pool, u.Sub, code, pool.CodeEmailMFA)
	wantErr(t, err, account.ExpiredCodeException)
	if creds, err := e.db.ListWebAuthnCredentials(ctx, e.pool.ID, u.Sub); err != nil || len(creds) != 0 {
		t.Fatalf("passkeys after reset: %d, %v", len(creds), err)
	}
	if creds, err := e.db.ListWebAuthnCredentials(ctx, e.pool.ID, other.Sub); err != nil || len(creds) != 1 {
		t.Fatalf("another user's passkeys after reset: %d, %v", len(creds), err)
	}
	if !stored.TokensValidAfter.Equal(sessionsValidAfter) {
		t.Fatal("ResetMFA signed the user out")
	}
	step, err := account.NextStep(e.pool, stored, account.ByPassword)
	if err != nil || step.Challenge != account.ChallengeMFASetup {
		t.Fatalf("next sign-in: %+v, %v", step, err)
	}
	_, err = e.svc.VerifyTOTP(ctx, e.pool, u.Sub, "123456")
	wantErr(t, err, account.SoftwareTokenMFANotFoundException)

	// A user without factors resets to the same; an unknown one is not
	// found.
	if _, err := e.svc.ResetMFA(ctx, e.pool, u.Sub); err != nil {
		t.Fatalf("second reset: %v", err)
	}
	_, err = e.svc.ResetMFA(ctx, e.pool, pool.NewSub())
	wantErr(t, err, account.UserNotFoundException)
}
