package account_test

import (
	"context"
	"errors"
	"math/big"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/seal"
	"github.com/linkpool/linkpool/internal/srp"
)

// srpSignIn runs both steps of USER_SRP_AUTH against svc as a client
// knowing password would, and returns AuthenticateSRP's answer.
func srpSignIn(t *testing.T, svc *account.Service, p pool.Pool, username, password string, conceal bool) (pool.User, error) {
	t.Helper()
	ctx := context.Background()
	cl := srp.NewClient(srp.PoolName(p.ID))
	ch, err := svc.StartSRP(ctx, p, username, conceal)
	if err != nil {
		return pool.User{}, err
	}
	key, err := cl.Key(ch.UserIDForSRP, password, ch.B.Text(16), ch.Salt)
	if err != nil {
		t.Fatal(err)
	}
	block := []byte("secret block")
	ts := srp.FormatTimestamp(time.Now())
	A, _ := srp.ParseA(cl.SRPA())
	return svc.AuthenticateSRP(ctx, p, account.SRPProof{
		Challenge: ch, A: A, SecretBlock: block, Timestamp: ts,
		Signature: srp.Signature(key, srp.PoolName(p.ID), ch.UserIDForSRP, block, ts),
	})
}

// TestSRPVerifierOnEveryPasswordPath: every way a password is set leaves
// a sealed verifier that proves exactly that password.
func TestSRPVerifierOnEveryPasswordPath(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	proves := func(username, pw string) {
		t.Helper()
		if _, err := srpSignIn(t, e.svc, e.pool, username, pw, false); err != nil {
			t.Fatalf("SRP %s with the current password: %v", username, err)
		}
	}
	refused := func(username, pw string) {
		t.Helper()
		_, err := srpSignIn(t, e.svc, e.pool, username, pw, false)
		wantErr(t, err, account.NotAuthorizedException)
	}

	// Sign-up.
	u := e.signUp(t, "sia", "sia@example.com", goodPW)
	proves("sia", goodPW)
	refused("sia", goodPW+"x")
	stored := e.user(t, u.Sub)
	if stored.SRPSalt == "" || len(stored.SRPVerifier) == 0 {
		t.Fatal("no verifier after sign-up")
	}
	// Sealed: the stored bytes are not the verifier, and they open only
	// for this user with this master key.
	s, _ := new(big.Int).SetString(stored.SRPSalt, 16)
	if v := srp.Verifier(s, srp.PoolName(e.pool.ID), "sia", goodPW); string(v) == string(stored.SRPVerifier) {
		t.Fatal("verifier stored in plain")
	}

	// Administrator-set password, permanent.
	if err := e.svc.AdminSetUserPassword(ctx, e.pool, "sia", "Adm1n-set-pass", true); err != nil {
		t.Fatal(err)
	}
	proves("sia", "Adm1n-set-pass")
	refused("sia", goodPW)

	// Forgotten-password reset.
	if _, err := e.svc.ForgotPassword(ctx, e.pool, "sia"); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.ConfirmForgotPassword(ctx, e.pool, "sia", e.box.LastCode(t, "sia@example.com"), "Res3t-password"); err != nil {
		t.Fatal(err)
	}
	proves("sia", "Res3t-password")
	refused("sia", "Adm1n-set-pass")

	// A signed-in user's password change.
	if err := e.svc.ChangePassword(ctx, e.pool, e.user(t, u.Sub), "Res3t-password", "Chang3d-password"); err != nil {
		t.Fatal(err)
	}
	proves("sia", "Chang3d-password")
	refused("sia", "Res3t-password")

	// A temporary password proves the user, who must then change it; by
	// the hosted page's challenge and by the API's.
	for i, complete := range []func(temp string) error{
		func(temp string) error {
			_, err := e.svc.CompleteNewPassword(ctx, e.pool, "tess0", temp, "N3w-password-0")
			return err
		},
		func(string) error {
			u, err := e.svc.Lookup(ctx, e.pool, "tess1")
			if err != nil {
				return err
			}
			_, err = e.svc.RespondNewPassword(ctx, e.pool, u.Sub, "N3w-password-1", nil)
			return err
		},
	} {
		name := []string{"tess0", "tess1"}[i]
		res, err := e.svc.AdminCreateUser(ctx, e.pool, account.AdminCreateUserInput{Username: name, Attributes: map[string]string{"email": name + "@example.com"}})
		if err != nil {
			t.Fatal(err)
		}
		_, err = srpSignIn(t, e.svc, e.pool, name, res.TemporaryPassword, false)
		wantErr(t, err, account.NewPasswordRequired)
		if err := complete(res.TemporaryPassword); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		proves(name, []string{"N3w-password-0", "N3w-password-1"}[i])
		refused(name, res.TemporaryPassword)
	}

	// Another master key opens no verifier: SRP is refused as for a user
	// without one, until the password is used once.
	key := make([]byte, seal.KeySize)
	key[0] = 42
	other, _ := seal.New(key)
	svc2 := e.serviceOn(e.db, e.sender(), func(c *account.Config) { c.Box = other })
	_, err := srpSignIn(t, svc2, e.pool, "sia", "Chang3d-password", false)
	if ae := wantErr(t, err, account.NotAuthorizedException); !errors.Is(ae, account.ErrNoVerifier) {
		t.Fatalf("cause: %v", ae.Cause)
	}
}

// TestSRPVerifierDerivedOnPasswordSignIn: a user with only a password
// hash gets a verifier from the first successful password sign-in.
func TestSRPVerifierDerivedOnPasswordSignIn(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	u := e.signUp(t, "vic", "vic@example.com", goodPW)
	if err := e.db.UpdateUser(ctx, e.pool.ID, u.Sub, func(u pool.User) (pool.User, error) {
		u.SRPSalt, u.SRPVerifier = "", nil
		return u, nil
	}); err != nil {
		t.Fatal(err)
	}
	_, err := srpSignIn(t, e.svc, e.pool, "vic", goodPW, false)
	if ae := wantErr(t, err, account.NotAuthorizedException); !errors.Is(ae, account.ErrNoVerifier) {
		t.Fatalf("cause: %v", ae.Cause)
	}
	// Concealed, the challenge is answered like an unknown user's.
	_, err = srpSignIn(t, e.svc, e.pool, "vic", goodPW, true)
	wantErr(t, err, account.NotAuthorizedException)
	if e.user(t, u.Sub).FailedLogins != 0 {
		t.Fatal("an unprovable SRP sign-in counted as a failure")
	}
	// A wrong password derives nothing; the right one does.
	_, err = e.svc.Authenticate(ctx, e.pool, "vic", goodPW+"x")
	wantErr(t, err, account.NotAuthorizedException)
	if len(e.user(t, u.Sub).SRPVerifier) != 0 {
		t.Fatal("a wrong password stored a verifier")
	}
	if _, err := e.svc.Authenticate(ctx, e.pool, "vic", goodPW); err != nil {
		t.Fatal(err)
	}
	if _, err := srpSignIn(t, e.svc, e.pool, "vic", goodPW, false); err != nil {
		t.Fatalf("SRP after a password sign-in: %v", err)
	}
}

// TestSRPUnknownUser: concealed, an unknown user gets a challenge (with a
// stable salt) whose proof fails as UserNotFoundException after the same
// work; not concealed, the start fails.
func TestSRPUnknownUser(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	_, err := e.svc.StartSRP(ctx, e.pool, "nobody", false)
	wantErr(t, err, account.UserNotFoundException)
	a, err := e.svc.StartSRP(ctx, e.pool, "nobody", true)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := e.svc.StartSRP(ctx, e.pool, "NOBODY", true)
	if a.Sub != "" || a.Salt == "" || a.Salt != b.Salt || a.B.Cmp(b.B) == 0 || a.UserIDForSRP != "nobody" {
		t.Fatalf("concealed challenges %+v %+v", a, b)
	}
	_, err = srpSignIn(t, e.svc, e.pool, "nobody", goodPW, true)
	wantErr(t, err, account.UserNotFoundException)
}
