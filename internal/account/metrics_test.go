package account_test

import (
	"context"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/pool"
)

// TestSignInMetrics: failed sign-ins are counted by reason, and a
// lockout once, in the registry given as Config.Metrics.
func TestSignInMetrics(t *testing.T) {
	e := newEnv(t, mfaPool)
	reg := prometheus.NewRegistry()
	svc := e.serviceOn(e.db, e.box, func(c *account.Config) { c.Metrics = reg })
	ctx := context.Background()
	u := e.signUp(t, "alice", "alice@example.com", goodPW)
	if _, err := svc.Authenticate(ctx, e.pool, "nobody", goodPW); err == nil {
		t.Fatal("an unknown user signed in")
	}
	for range e.pool.LockoutPolicy.MaxFailedAttempts - 1 {
		_, err := svc.Authenticate(ctx, e.pool, "alice", "Wr0ng-Horse")
		wantErr(t, err, account.NotAuthorizedException)
	}
	if _, err := svc.SendEmailOTP(ctx, e.pool, u.Sub, pool.CodeEmailMFA); err != nil {
		t.Fatal(err)
	}
	code := e.box.LastOTP(t, "alice@example.com")
	_, err := svc.VerifyEmailOTP(ctx, e.pool, u.Sub, otherCode(code), pool.CodeEmailMFA)
	wantErr(t, err, account.CodeMismatchException)
	_, err = svc.VerifyEmailOTP(ctx, e.pool, u.Sub, code, pool.CodeEmailMFA)
	wantErr(t, err, account.NotAuthorizedException)
	_, err = svc.Authenticate(ctx, e.pool, "alice", goodPW)
	wantErr(t, err, account.NotAuthorizedException)

	want := map[string]float64{
		account.FailureUnknownUser:   1,
		account.FailureWrongPassword: float64(e.pool.LockoutPolicy.MaxFailedAttempts - 1),
		account.FailureWrongCode:     1,
		account.FailureLockedOut:     2,
	}
	failures, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	var lockouts float64 = -1
	for _, f := range failures {
		for _, m := range f.GetMetric() {
			switch f.GetName() {
			case "linkpool_sign_in_failures_total":
				got[m.GetLabel()[0].GetValue()] = m.GetCounter().GetValue()
			case "linkpool_lockouts_total":
				lockouts = m.GetCounter().GetValue()
			}
		}
	}
	for reason, n := range want {
		if got[reason] != n {
			t.Errorf("sign-in failures %s = %v, want %v", reason, got[reason], n)
		}
	}
	if lockouts != 1 {
		t.Errorf("lockouts = %v, want 1", lockouts)
	}
	if len(got) != len(want) {
		t.Errorf("failure series %v, want the %d reasons", got, len(want))
	}
}
