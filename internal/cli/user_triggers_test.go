package cli

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/linkpool/linkpool/internal/apptest"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/trigger"
)

// TestUserCreateRunsPreSignUp: `linkpool user create` is AdminCreateUser
// on the command line and runs the pool's pre sign-up trigger as
// PreSignUp_AdminCreateUser; the trigger's refusal is the command's error
// and stores nothing.
func TestUserCreateRunsPreSignUp(t *testing.T) {
	h := newAdminHarness(t)
	p := h.createPool()
	tr := apptest.NewTriggers(t)
	out := h.ok("pool", "triggers", "set", "--pool", p.ID, "--pre-sign-up", tr.URL(pool.TriggerPreSignUp))
	tr.Secret = strings.TrimSpace(h.ok("pool", "triggers", "secret", "--pool", p.ID))
	if !strings.Contains(out, tr.Secret) {
		t.Fatalf("pool triggers set did not print the secret:\n%s", out)
	}
	tr.Handle(pool.TriggerPreSignUp, func(_ context.Context, ev events.CognitoEventUserPoolsPreSignup) (events.CognitoEventUserPoolsPreSignup, error) {
		if strings.HasSuffix(ev.Request.UserAttributes["email"], "@evil.test") {
			return ev, errors.New("not from evil.test")
		}
		return ev, nil
	})

	h.ok("user", "create", "--pool", p.ID, "--username", "alice", "--email", "alice@example.com")
	if got := tr.Sources(); len(got) != 1 || got[0] != trigger.SourcePreSignUpAdminCreate {
		t.Fatalf("sources = %v, want [%s]", got, trigger.SourcePreSignUpAdminCreate)
	}
	h.fails(1, "PreSignUp failed with error not from evil.test.", "user", "create", "--pool", p.ID, "--username", "eve", "--email", "eve@evil.test")
	if r := h.run("user", "show", "--pool", p.ID, "--username", "eve"); r.code == 0 {
		t.Fatalf("a user refused by pre sign-up was stored:\n%s", r.stdout)
	}
	if tr.BadSignatures() != 0 {
		t.Fatal("an event failed the signature check")
	}
}
