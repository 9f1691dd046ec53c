package passkey_test

import (
	"context"
	"testing"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/store/sqlite/sqlitetest"
)

// FuzzFinishSignIn feeds FinishSignIn arbitrary states and answers,
// seeded with a valid pair: it never panics, refuses with an
// *account.Error only, and signs in no one but the passkey's user.
func FuzzFinishSignIn(f *testing.F) {
	e := newEnvOn(f, sqlitetest.Open(f), nil)
	ctx := context.Background()
	u, d := e.userWithPasskey(f, "alice")
	e.clock.Advance(1)
	options, state, err := e.svc.BeginSignIn(ctx, e.pool, nil, e.rp)
	if err != nil {
		f.Fatal(err)
	}
	d.cred.Counter = 1
	valid := assert(f, e.vrp, d, options)
	f.Add(state, valid)
	f.Add(state, valid[:len(valid)/2])
	f.Add(state, []byte(`{"id":"","rawId":"","type":"public-key","response":{}}`))
	f.Add("", []byte("{}"))
	f.Add(state+"A", valid)
	f.Fuzz(func(t *testing.T, state string, answer []byte) {
		got, _, err := e.svc.FinishSignIn(ctx, e.pool, e.rp, state, answer)
		if err != nil {
			if account.TypeOf(err) == "" {
				t.Fatalf("error %T %v is not an *account.Error", err, err)
			}
			return
		}
		if got.Sub != u.Sub {
			t.Fatalf("signed in %q", got.Sub)
		}
	})
}
