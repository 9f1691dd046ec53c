package passkey_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/descope/virtualwebauthn"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/passkey"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store/sqlite/sqlitetest"
)

func TestRegisterAndSignInDiscoverable(t *testing.T) {
	backends(t, func(t *testing.T, newEnv envMaker) {
		e := newEnv(t, nil)
		u := e.user(t, "alice")
		d, c := e.register(t, u, virtualwebauthn.AuthenticatorOptions{}, "Laptop")
		if c.Name != "Laptop" || c.RelyingPartyID != "auth.example.com" || c.Sub != u.Sub || !c.CreatedAt.Equal(e.clock.Now()) {
			t.Fatalf("registered %+v", c)
		}
		list, err := e.svc.List(context.Background(), e.pool, u.Sub)
		mustNil(t, "List", err)
		if len(list) != 1 || !bytes.Equal(list[0].ID, d.cred.ID) || len(list[0].PublicKey) == 0 || list[0].Name != "Laptop" {
			t.Fatalf("List = %+v", list)
		}
		got, uv, err := e.signIn(t, d)
		mustNil(t, "sign in", err)
		if got.Sub != u.Sub || !uv || got.PasswordHash != "" {
			t.Fatalf("signed in %q uv=%v", got.Sub, uv)
		}
		list, _ = e.svc.List(context.Background(), e.pool, u.Sub)
		if !list[0].LastUsedAt.Equal(e.clock.Now()) {
			t.Fatalf("LastUsedAt %v, want %v", list[0].LastUsedAt, e.clock.Now())
		}
		// A second sign-in with the same passkey works too.
		_, _, err = e.signIn(t, d)
		mustNil(t, "second sign in", err)
	})
}

func TestRegistrationOptions(t *testing.T) {
	backends(t, func(t *testing.T, newEnv envMaker) {
		e := newEnv(t, nil)
		u, d := e.userWithPasskey(t, "alice")
		options, err := e.svc.BeginRegistration(context.Background(), e.pool, u.Sub, e.rp)
		mustNil(t, "BeginRegistration", err)
		var o struct {
			RP                     struct{ ID, Name string }
			User                   struct{ ID, Name, DisplayName string }
			ExcludeCredentials     []struct{ ID string }
			AuthenticatorSelection struct {
				ResidentKey      string
				UserVerification string
			}
		}
		mustNil(t, "decode options", json.Unmarshal(options, &o))
		if o.RP.ID != "auth.example.com" || o.RP.Name != "SmartLamp" || o.User.Name != "alice" {
			t.Fatalf("options %s", options)
		}
		if id, _ := base64.RawURLEncoding.DecodeString(o.User.ID); string(id) != u.Sub {
			t.Fatalf("user handle %q, want the sub", id)
		}
		if len(o.ExcludeCredentials) != 1 || o.ExcludeCredentials[0].ID != base64.RawURLEncoding.EncodeToString(d.cred.ID) {
			t.Fatalf("excludeCredentials %+v", o.ExcludeCredentials)
		}
		if o.AuthenticatorSelection.ResidentKey != "required" || o.AuthenticatorSelection.UserVerification != "preferred" {
			t.Fatalf("authenticatorSelection %+v", o.AuthenticatorSelection)
		}
		list, _ := e.svc.List(context.Background(), e.pool, u.Sub)
		if list[0].Name != passkey.DefaultName {
			t.Fatalf("default name %q", list[0].Name)
		}
		// The state is stored sealed on the user, never the challenge in clear.
		stored, err := e.db.GetUser(context.Background(), e.pool.ID, u.Sub)
		mustNil(t, "GetUser", err)
		p := stored.MFA.WebAuthnRegistration
		if p == nil || !p.ExpiresAt.Equal(e.clock.Now().Add(passkey.CeremonyTTL)) {
			t.Fatalf("pending registration %+v", p)
		}
		var ch struct{ Challenge string }
		_ = json.Unmarshal(options, &ch)
		if ch.Challenge == "" || bytes.Contains(p.State, []byte(ch.Challenge)) {
			t.Fatal("the stored state shows the challenge")
		}
	})
}

func TestSignInWithUsername(t *testing.T) {
	backends(t, func(t *testing.T, newEnv envMaker) {
		e := newEnv(t, nil)
		ctx := context.Background()
		alice, bob := e.user(t, "alice"), e.user(t, "bob")
		da, _ := e.register(t, alice, virtualwebauthn.AuthenticatorOptions{}, "")
		db, _ := e.register(t, bob, virtualwebauthn.AuthenticatorOptions{}, "")

		options, state, err := e.svc.BeginSignIn(ctx, e.pool, &alice, e.rp)
		mustNil(t, "BeginSignIn", err)
		var o struct{ AllowCredentials []struct{ ID string } }
		mustNil(t, "decode", json.Unmarshal(options, &o))
		if len(o.AllowCredentials) != 1 || o.AllowCredentials[0].ID != base64.RawURLEncoding.EncodeToString(da.cred.ID) {
			t.Fatalf("allowCredentials %s", options)
		}
		e.clock.Advance(time.Second)
		got, _, err := e.svc.FinishSignIn(ctx, e.pool, e.rp, state, assert(t, e.vrp, da, options))
		mustNil(t, "FinishSignIn", err)
		if got.Sub != alice.Sub {
			t.Fatalf("signed in %s", got.Sub)
		}

		// Bob's passkey does not finish a ceremony begun for Alice.
		options, state, err = e.svc.BeginSignIn(ctx, e.pool, &alice, e.rp)
		mustNil(t, "BeginSignIn", err)
		o2, _ := virtualwebauthn.ParseAssertionOptions(string(options))
		_, _, err = e.svc.FinishSignIn(ctx, e.pool, e.rp, state, []byte(virtualwebauthn.CreateAssertionResponse(e.vrp, db.auth, db.cred, *o2)))
		wantType(t, "other user's passkey", err, account.NotAuthorizedException)

		// A user without passkeys gets a ceremony that nothing finishes.
		carol := e.user(t, "carol")
		options, state, err = e.svc.BeginSignIn(ctx, e.pool, &carol, e.rp)
		mustNil(t, "BeginSignIn without passkeys", err)
		_, _, err = e.svc.FinishSignIn(ctx, e.pool, e.rp, state, assert(t, e.vrp, da, options))
		wantType(t, "passkey of another user", err, account.NotAuthorizedException)
	})
}

func TestRegistrationStateIsSingleUseAndExpires(t *testing.T) {
	backends(t, func(t *testing.T, newEnv envMaker) {
		e := newEnv(t, nil)
		ctx := context.Background()
		u := e.user(t, "alice")
		d := newDevice(u, virtualwebauthn.AuthenticatorOptions{})

		options, err := e.svc.BeginRegistration(ctx, e.pool, u.Sub, e.rp)
		mustNil(t, "BeginRegistration", err)
		answer := attest(t, e.vrp, d, options)
		_, err = e.svc.FinishRegistration(ctx, e.pool, u.Sub, e.rp, answer, "")
		mustNil(t, "FinishRegistration", err)
		_, err = e.svc.FinishRegistration(ctx, e.pool, u.Sub, e.rp, answer, "")
		wantType(t, "replayed registration", err, passkey.WebAuthnChallengeNotFoundException)

		// Expired.
		d2 := newDevice(u, virtualwebauthn.AuthenticatorOptions{})
		options, err = e.svc.BeginRegistration(ctx, e.pool, u.Sub, e.rp)
		mustNil(t, "BeginRegistration", err)
		e.clock.Advance(passkey.CeremonyTTL)
		_, err = e.svc.FinishRegistration(ctx, e.pool, u.Sub, e.rp, attest(t, e.vrp, d2, options), "")
		wantType(t, "expired registration", err, passkey.WebAuthnChallengeNotFoundException)

		// Begun for another relying party.
		other := e.rp
		other.ID, other.Origins = "example.com", []string{origin}
		options, err = e.svc.BeginRegistration(ctx, e.pool, u.Sub, other)
		mustNil(t, "BeginRegistration", err)
		_, err = e.svc.FinishRegistration(ctx, e.pool, u.Sub, e.rp, attest(t, e.vrp, d2, options), "")
		wantType(t, "foreign RP", err, passkey.WebAuthnRelyingPartyMismatchException)

		// Another user's ceremony is not this user's.
		bob := e.user(t, "bob")
		options, err = e.svc.BeginRegistration(ctx, e.pool, u.Sub, e.rp)
		mustNil(t, "BeginRegistration", err)
		_, err = e.svc.FinishRegistration(ctx, e.pool, bob.Sub, e.rp, attest(t, e.vrp, d2, options), "")
		wantType(t, "other user", err, passkey.WebAuthnChallengeNotFoundException)

		// Malformed answers are bad input and spend the ceremony.
		_, err = e.svc.FinishRegistration(ctx, e.pool, u.Sub, e.rp, []byte(`{"id":"x"}`), "")
		wantType(t, "malformed", err, account.InvalidParameterException)
		_, err = e.svc.FinishRegistration(ctx, e.pool, u.Sub, e.rp, attest(t, e.vrp, d2, options), "")
		wantType(t, "after malformed", err, passkey.WebAuthnChallengeNotFoundException)

		// A name over the limit changes nothing.
		options, err = e.svc.BeginRegistration(ctx, e.pool, u.Sub, e.rp)
		mustNil(t, "BeginRegistration", err)
		_, err = e.svc.FinishRegistration(ctx, e.pool, u.Sub, e.rp, attest(t, e.vrp, d2, options), strings.Repeat("n", pool.MaxDeviceNameLen+1))
		wantType(t, "long name", err, account.InvalidParameterException)

		list, _ := e.svc.List(ctx, e.pool, u.Sub)
		if len(list) != 1 {
			t.Fatalf("%d passkeys, want 1", len(list))
		}
	})
}

func TestSignInStateReplayedExpiredForeign(t *testing.T) {
	backends(t, func(t *testing.T, newEnv envMaker) {
		e := newEnv(t, nil)
		ctx := context.Background()
		_, d := e.userWithPasskey(t, "alice")

		e.clock.Advance(time.Second)
		options, state, err := e.svc.BeginSignIn(ctx, e.pool, nil, e.rp)
		mustNil(t, "BeginSignIn", err)
		answer := assert(t, e.vrp, d, options)
		_, _, err = e.svc.FinishSignIn(ctx, e.pool, e.rp, state, answer)
		mustNil(t, "FinishSignIn", err)
		_, _, err = e.svc.FinishSignIn(ctx, e.pool, e.rp, state, answer)
		wantType(t, "replayed sign-in", err, passkey.WebAuthnChallengeNotFoundException)

		e.clock.Advance(time.Second)
		options, state, err = e.svc.BeginSignIn(ctx, e.pool, nil, e.rp)
		mustNil(t, "BeginSignIn", err)
		e.clock.Advance(passkey.CeremonyTTL)
		_, _, err = e.svc.FinishSignIn(ctx, e.pool, e.rp, state, assert(t, e.vrp, d, options))
		wantType(t, "expired sign-in", err, passkey.WebAuthnChallengeNotFoundException)

		options, state, err = e.svc.BeginSignIn(ctx, e.pool, nil, e.rp)
		mustNil(t, "BeginSignIn", err)
		other := e.rp
		other.ID = "example.com"
		_, _, err = e.svc.FinishSignIn(ctx, e.pool, other, state, assert(t, e.vrp, d, options))
		wantType(t, "foreign RP", err, passkey.WebAuthnRelyingPartyMismatchException)

		// A state of another pool does not open here.
		e2 := newEnv(t, nil)
		e2.svc = e.svc
		_, _, err = e.svc.FinishSignIn(ctx, e2.pool, e.rp, state, assert(t, e.vrp, d, options))
		wantType(t, "other pool", err, passkey.WebAuthnChallengeNotFoundException)

		for _, bad := range []string{"", "not base64!", base64.RawURLEncoding.EncodeToString([]byte("forged")), state[:len(state)-4]} {
			_, _, err = e.svc.FinishSignIn(ctx, e.pool, e.rp, bad, assert(t, e.vrp, d, options))
			wantType(t, "forged state", err, passkey.WebAuthnChallengeNotFoundException)
		}
		// The untouched state still works.
		_, _, err = e.svc.FinishSignIn(ctx, e.pool, e.rp, state, assert(t, e.vrp, d, options))
		mustNil(t, "FinishSignIn", err)
	})
}

func TestWrongOrigin(t *testing.T) {
	backends(t, func(t *testing.T, newEnv envMaker) {
		e := newEnv(t, nil)
		ctx := context.Background()
		u := e.user(t, "alice")
		evil := e.vrp
		evil.Origin = "https://evil.example.net"

		d := newDevice(u, virtualwebauthn.AuthenticatorOptions{})
		options, err := e.svc.BeginRegistration(ctx, e.pool, u.Sub, e.rp)
		mustNil(t, "BeginRegistration", err)
		_, err = e.svc.FinishRegistration(ctx, e.pool, u.Sub, e.rp, attest(t, evil, d, options), "")
		wantType(t, "registration at another origin", err, passkey.WebAuthnOriginNotAllowedException)
		if list, _ := e.svc.List(ctx, e.pool, u.Sub); len(list) != 0 {
			t.Fatalf("stored %d passkeys", len(list))
		}

		// The authenticator's RP id hash must be the RP id's.
		wrongRP := e.vrp
		wrongRP.ID = "example.org"
		options, err = e.svc.BeginRegistration(ctx, e.pool, u.Sub, e.rp)
		mustNil(t, "BeginRegistration", err)
		_, err = e.svc.FinishRegistration(ctx, e.pool, u.Sub, e.rp, attest(t, wrongRP, d, options), "")
		wantType(t, "registration for another RP id", err, passkey.WebAuthnRelyingPartyMismatchException)

		d, _ = e.register(t, u, virtualwebauthn.AuthenticatorOptions{}, "")
		e.clock.Advance(time.Second)
		options, state, err := e.svc.BeginSignIn(ctx, e.pool, nil, e.rp)
		mustNil(t, "BeginSignIn", err)
		_, _, err = e.svc.FinishSignIn(ctx, e.pool, e.rp, state, assert(t, evil, d, options))
		wantType(t, "sign-in at another origin", err, passkey.WebAuthnOriginNotAllowedException)
	})
}

func TestUserVerification(t *testing.T) {
	backends(t, func(t *testing.T, newEnv envMaker) {
		noUV := virtualwebauthn.AuthenticatorOptions{UserNotVerified: true}
		t.Run("preferred", func(t *testing.T) {
			e := newEnv(t, nil)
			u := e.user(t, "alice")
			d, c := e.register(t, u, noUV, "")
			if c.UserVerified {
				t.Fatal("registered as verified")
			}
			got, uv, err := e.signIn(t, d)
			mustNil(t, "sign in without UV", err)
			if got.Sub != u.Sub || uv {
				t.Fatalf("uv = %v", uv)
			}
		})
		t.Run("required", func(t *testing.T) {
			e := newEnv(t, func(p *pool.Pool) { p.MFA.WebAuthn.UserVerification = pool.UserVerificationRequired })
			ctx := context.Background()
			u := e.user(t, "alice")
			d := newDevice(u, noUV)
			options, err := e.svc.BeginRegistration(ctx, e.pool, u.Sub, e.rp)
			mustNil(t, "BeginRegistration", err)
			if !strings.Contains(string(options), `"userVerification":"required"`) {
				t.Fatalf("options %s", options)
			}
			_, err = e.svc.FinishRegistration(ctx, e.pool, u.Sub, e.rp, attest(t, e.vrp, d, options), "")
			wantType(t, "registration without UV", err, passkey.WebAuthnCredentialNotSupportedException)

			d, _ = e.register(t, u, virtualwebauthn.AuthenticatorOptions{}, "")
			_, uv, err := e.signIn(t, d)
			mustNil(t, "sign in with UV", err)
			if !uv {
				t.Fatal("uv false")
			}
			d.auth.Options.UserNotVerified = true
			_, _, err = e.signIn(t, d)
			wantType(t, "sign in without UV", err, account.NotAuthorizedException)
		})
	})
}

func TestSignCountRegression(t *testing.T) {
	backends(t, func(t *testing.T, newEnv envMaker) {
		e := newEnv(t, nil)
		u, d := e.userWithPasskey(t, "alice")
		d.cred.Counter = 5
		_, _, err := e.signIn(t, d)
		mustNil(t, "sign in", err)
		clone := *d
		clone.cred.Counter = 3
		_, _, err = e.signIn(t, &clone)
		wantType(t, "count went back", err, account.NotAuthorizedException)
		clone.cred.Counter = 5
		_, _, err = e.signIn(t, &clone)
		wantType(t, "count stayed", err, account.NotAuthorizedException)
		if !strings.Contains(e.log.String(), "passkey_clone_warning") || !strings.Contains(e.log.String(), u.Sub) {
			t.Fatalf("no security event logged: %s", e.log.String())
		}
		list, _ := e.svc.List(context.Background(), e.pool, u.Sub)
		if list[0].SignCount != 5 {
			t.Fatalf("sign count %d, want 5", list[0].SignCount)
		}
		d.cred.Counter = 6
		_, _, err = e.signIn(t, d)
		mustNil(t, "sign in with a higher count", err)
	})
}

// TestDisabledUserAndAccountState: a disabled user's passkey, and that
// of a user who must reset the password, are refused as a password would
// be, and the refused attempt changes nothing: the passkey's sign count
// and last use stay as they were, so the user, once enabled, signs in
// with the next count.
func TestDisabledUserAndAccountState(t *testing.T) {
	backends(t, func(t *testing.T, newEnv envMaker) {
		e := newEnv(t, nil)
		ctx := context.Background()
		u, d := e.userWithPasskey(t, "alice")
		d.cred.Counter = 4
		_, _, err := e.signIn(t, d)
		mustNil(t, "sign in", err)
		before, err := e.svc.List(ctx, e.pool, u.Sub)
		mustNil(t, "List", err)
		unchanged := func(what string) {
			t.Helper()
			after, err := e.svc.List(ctx, e.pool, u.Sub)
			mustNil(t, "List", err)
			if len(after) != 1 || after[0].SignCount != before[0].SignCount || !after[0].LastUsedAt.Equal(before[0].LastUsedAt) {
				t.Fatalf("%s: %d passkeys, sign count %d, last use %v; want 1, %d, %v", what, len(after),
					after[0].SignCount, after[0].LastUsedAt, before[0].SignCount, before[0].LastUsedAt)
			}
		}

		mustNil(t, "disable", e.db.UpdateUser(ctx, e.pool.ID, u.Sub, func(u pool.User) (pool.User, error) {
			u.Enabled = false
			return u, nil
		}))
		d.cred.Counter = 9
		_, _, err = e.signIn(t, d)
		wantType(t, "disabled", err, account.NotAuthorizedException)
		if !isDisabled(err) {
			t.Fatalf("error %v is not ErrDisabled", err)
		}
		unchanged("disabled")
		mustNil(t, "reset required", e.db.UpdateUser(ctx, e.pool.ID, u.Sub, func(u pool.User) (pool.User, error) {
			u.Enabled, u.Status = true, pool.StatusResetRequired
			return u, nil
		}))
		d.cred.Counter = 10
		_, _, err = e.signIn(t, d)
		wantType(t, "reset required", err, account.PasswordResetRequiredException)
		unchanged("reset required")
		if strings.Contains(e.log.String(), "passkey_clone_warning") {
			t.Fatalf("clone warning logged: %s", e.log.String())
		}

		// Enabled again, the user signs in with the count after the
		// last accepted one.
		mustNil(t, "enable", e.db.UpdateUser(ctx, e.pool.ID, u.Sub, func(u pool.User) (pool.User, error) {
			u.Status = pool.StatusConfirmed
			return u, nil
		}))
		d.cred.Counter = 5
		_, _, err = e.signIn(t, d)
		mustNil(t, "sign in after enabling", err)
	})
}

func TestUnknownCredential(t *testing.T) {
	backends(t, func(t *testing.T, newEnv envMaker) {
		e := newEnv(t, nil)
		u, d := e.userWithPasskey(t, "alice")
		stranger := newDevice(u, virtualwebauthn.AuthenticatorOptions{})
		_, _, errUnknown := e.signIn(t, stranger)
		wantType(t, "unknown credential", errUnknown, account.NotAuthorizedException)
		// A known credential with a bad signature gets the same answer.
		forged := *d
		forged.cred.Key = stranger.cred.Key
		_, _, errForged := e.signIn(t, &forged)
		wantType(t, "forged signature", errForged, account.NotAuthorizedException)
		if errUnknown.Error() != errForged.Error() {
			t.Fatalf("answers differ: %q vs %q", errUnknown, errForged)
		}
		// A user handle that is not the passkey's user.
		wrongHandle := *d
		wrongHandle.auth.Options.UserHandle = []byte(pool.NewSub())
		_, _, err := e.signIn(t, &wrongHandle)
		wantType(t, "wrong user handle", err, account.NotAuthorizedException)
		_, _, err = e.signIn(t, d)
		mustNil(t, "the real passkey still works", err)
	})
}

func TestMaxPasskeys(t *testing.T) {
	backends(t, func(t *testing.T, newEnv envMaker) {
		e := newEnv(t, nil)
		ctx := context.Background()
		u := e.user(t, "alice")
		for range pool.MaxPasskeys {
			e.register(t, u, virtualwebauthn.AuthenticatorOptions{}, "")
		}
		_, err := e.svc.BeginRegistration(ctx, e.pool, u.Sub, e.rp)
		wantType(t, "one too many", err, account.LimitExceededException)
		list, _ := e.svc.List(ctx, e.pool, u.Sub)
		if len(list) != pool.MaxPasskeys {
			t.Fatalf("%d passkeys", len(list))
		}
		mustNil(t, "delete", e.svc.Delete(ctx, e.pool, u.Sub, list[0].ID))
		e.register(t, u, virtualwebauthn.AuthenticatorOptions{}, "")
	})
}

func TestDelete(t *testing.T) {
	backends(t, func(t *testing.T, newEnv envMaker) {
		e := newEnv(t, nil)
		ctx := context.Background()
		alice, bob := e.user(t, "alice"), e.user(t, "bob")
		d, c := e.register(t, alice, virtualwebauthn.AuthenticatorOptions{}, "")
		wantType(t, "delete another user's", e.svc.Delete(ctx, e.pool, bob.Sub, c.ID), account.ResourceNotFoundException)
		mustNil(t, "delete", e.svc.Delete(ctx, e.pool, alice.Sub, c.ID))
		wantType(t, "delete again", e.svc.Delete(ctx, e.pool, alice.Sub, c.ID), account.ResourceNotFoundException)
		if list, _ := e.svc.List(ctx, e.pool, alice.Sub); len(list) != 0 {
			t.Fatalf("%d passkeys left", len(list))
		}
		_, _, err := e.signIn(t, d)
		wantType(t, "deleted passkey", err, account.NotAuthorizedException)
	})
}

func TestNotEnabled(t *testing.T) {
	backends(t, func(t *testing.T, newEnv envMaker) {
		e := newEnv(t, func(p *pool.Pool) { p.AllowedFirstAuthFactors = nil })
		ctx := context.Background()
		u := e.user(t, "alice")
		_, err := e.svc.BeginRegistration(ctx, e.pool, u.Sub, e.rp)
		wantType(t, "registration", err, passkey.WebAuthnNotEnabledException)
		_, _, err = e.svc.BeginSignIn(ctx, e.pool, nil, e.rp)
		wantType(t, "sign-in", err, passkey.WebAuthnNotEnabledException)

		// A pool that requires MFA without counting a verified passkey as
		// two factors offers no passkey sign-in, and registers no passkey
		// that could never sign in.
		e = newEnv(t, func(p *pool.Pool) {
			p.MFA.Mode, p.MFA.SoftwareToken = pool.MFAOn, true
		})
		_, _, err = e.svc.BeginSignIn(ctx, e.pool, nil, e.rp)
		wantType(t, "MFA required: sign-in", err, passkey.WebAuthnNotEnabledException)
		u = e.user(t, "alice")
		_, err = e.svc.BeginRegistration(ctx, e.pool, u.Sub, e.rp)
		wantType(t, "MFA required: registration", err, passkey.WebAuthnNotEnabledException)
		if passkey.Enabled(e.pool) {
			t.Fatal("Enabled in a pool that requires MFA of single-factor passkeys")
		}

		// A registration begun while MFA was optional is not finished
		// once the pool requires it.
		optional := e.pool
		optional.MFA.Mode = pool.MFAOptional
		options, err := e.svc.BeginRegistration(ctx, optional, u.Sub, e.rp)
		mustNil(t, "BeginRegistration with MFA optional", err)
		answer := attest(t, e.vrp, newDevice(u, virtualwebauthn.AuthenticatorOptions{}), options)
		_, err = e.svc.FinishRegistration(ctx, e.pool, u.Sub, e.rp, answer, "")
		wantType(t, "MFA required: finish", err, passkey.WebAuthnNotEnabledException)
		if list, _ := e.svc.List(ctx, e.pool, u.Sub); len(list) != 0 {
			t.Fatalf("%d passkeys stored", len(list))
		}
	})
}

// TestMFARequiredPasskeysVerifyTheUser: where MFA is required and a
// passkey with user verification counts as two factors, registration
// and sign-in both require user verification, so that every passkey
// registered there can sign in and none registered there cannot.
func TestMFARequiredPasskeysVerifyTheUser(t *testing.T) {
	backends(t, func(t *testing.T, newEnv envMaker) {
		e := newEnv(t, func(p *pool.Pool) {
			p.MFA.Mode, p.MFA.SoftwareToken = pool.MFAOn, true
			p.MFA.WebAuthn.FactorConfiguration = pool.WebAuthnMultiFactorWithUserVerification
		})
		ctx := context.Background()
		if !passkey.Enabled(e.pool) || e.rp.UserVerification != pool.UserVerificationRequired {
			t.Fatalf("Enabled %v, RP user verification %q", passkey.Enabled(e.pool), e.rp.UserVerification)
		}
		u := e.user(t, "alice")
		options, err := e.svc.BeginRegistration(ctx, e.pool, u.Sub, e.rp)
		mustNil(t, "BeginRegistration", err)
		if !strings.Contains(string(options), `"userVerification":"required"`) {
			t.Fatalf("creation options %s", options)
		}
		noUV := newDevice(u, virtualwebauthn.AuthenticatorOptions{UserNotVerified: true})
		_, err = e.svc.FinishRegistration(ctx, e.pool, u.Sub, e.rp, attest(t, e.vrp, noUV, options), "")
		wantType(t, "registration without user verification", err, passkey.WebAuthnCredentialNotSupportedException)
		if list, _ := e.svc.List(ctx, e.pool, u.Sub); len(list) != 0 {
			t.Fatalf("%d passkeys stored", len(list))
		}

		d, _ := e.register(t, u, virtualwebauthn.AuthenticatorOptions{}, "")
		e.clock.Advance(time.Second)
		options, state, err := e.svc.BeginSignIn(ctx, e.pool, nil, e.rp)
		mustNil(t, "BeginSignIn", err)
		if !strings.Contains(string(options), `"userVerification":"required"`) {
			t.Fatalf("request options %s", options)
		}
		got, uv, err := e.svc.FinishSignIn(ctx, e.pool, e.rp, state, assert(t, e.vrp, d, options))
		mustNil(t, "sign in with user verification", err)
		if got.Sub != u.Sub || !uv {
			t.Fatalf("signed in %q uv=%v", got.Sub, uv)
		}
		step, err := account.NextStep(e.pool, got, account.ByPasskeyVerified)
		if err != nil || !step.Done() {
			t.Fatalf("NextStep after a verified passkey: %+v %v", step, err)
		}
		d.auth.Options.UserNotVerified = true
		_, _, err = e.signIn(t, d)
		wantType(t, "sign in without user verification", err, account.NotAuthorizedException)
	})
}

func TestFederatedUserCannotRegister(t *testing.T) {
	backends(t, func(t *testing.T, newEnv envMaker) {
		e := newEnv(t, nil)
		ctx := context.Background()
		u := e.user(t, "Google_1234")
		mustNil(t, "make federated", e.db.UpdateUser(ctx, e.pool.ID, u.Sub, func(u pool.User) (pool.User, error) {
			u.Status = pool.StatusExternalProvider
			return u, nil
		}))
		_, err := e.svc.BeginRegistration(ctx, e.pool, u.Sub, e.rp)
		wantType(t, "federated user", err, account.NotAuthorizedException)
		stored, _ := e.db.GetUser(ctx, e.pool.ID, u.Sub)
		if stored.MFA.WebAuthnRegistration != nil {
			t.Fatal("a registration was stored")
		}
	})
}

// TestConcurrentReplay answers one ceremony with one assertion from
// several goroutines at once, as several instances might: exactly one
// signs in.
func TestConcurrentReplay(t *testing.T) {
	backends(t, func(t *testing.T, newEnv envMaker) {
		e := newEnv(t, nil)
		ctx := context.Background()
		_, d := e.userWithPasskey(t, "alice")
		for _, counter := range []uint32{0, 7} {
			e.clock.Advance(time.Second)
			options, state, err := e.svc.BeginSignIn(ctx, e.pool, nil, e.rp)
			mustNil(t, "BeginSignIn", err)
			d.cred.Counter = counter
			answer := assert(t, e.vrp, d, options)
			const n = 8
			errs := make(chan error, n)
			for range n {
				go func() {
					_, _, err := e.svc.FinishSignIn(ctx, e.pool, e.rp, state, answer)
					errs <- err
				}()
			}
			ok := 0
			for range n {
				err := <-errs
				switch {
				case err == nil:
					ok++
				case account.TypeOf(err) == "":
					t.Errorf("counter %d: internal error %v", counter, err)
				}
			}
			if ok != 1 {
				t.Fatalf("counter %d: %d of %d concurrent answers signed in, want 1", counter, ok, n)
			}
		}
	})
}

// TestConcurrentRegistration finishes one registration from several
// goroutines at once: exactly one stores the passkey.
func TestConcurrentRegistration(t *testing.T) {
	backends(t, func(t *testing.T, newEnv envMaker) {
		e := newEnv(t, nil)
		ctx := context.Background()
		u := e.user(t, "alice")
		options, err := e.svc.BeginRegistration(ctx, e.pool, u.Sub, e.rp)
		mustNil(t, "BeginRegistration", err)
		answer := attest(t, e.vrp, newDevice(u, virtualwebauthn.AuthenticatorOptions{}), options)
		const n = 8
		errs := make(chan error, n)
		for range n {
			go func() {
				_, err := e.svc.FinishRegistration(ctx, e.pool, u.Sub, e.rp, answer, "")
				errs <- err
			}()
		}
		ok := 0
		for range n {
			err := <-errs
			switch {
			case err == nil:
				ok++
			case account.TypeOf(err) != passkey.WebAuthnChallengeNotFoundException:
				t.Errorf("error %v, want WebAuthnChallengeNotFoundException", err)
			}
		}
		list, _ := e.svc.List(ctx, e.pool, u.Sub)
		if ok != 1 || len(list) != 1 {
			t.Fatalf("%d of %d registrations succeeded, %d passkeys stored; want 1 and 1", ok, n, len(list))
		}
	})
}

// shortXKey is a P-256 private key (PKCS #8) whose public x coordinate
// has a leading zero byte.
const shortXKey = "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgpCqokE7dk5Q7+8xKzNfmXDDICR2lhrWuGgm/B2eQ2dChRANCAAQAsVEC9hNjL+yI9rIPSr9YlI562SqoltVCqf2Vs2TtspCAMjRw0KOFTkMyVqZAZOYoFu5YI3MQ+iCQptafx5tc"

// TestShortKeyCoordinateRefused: a COSE key whose coordinate lost its
// leading zero byte (as virtualwebauthn encodes about one key in 128) is
// not a P-256 key (RFC 9053, 7.1.1): the registration is refused with
// WebAuthnCredentialNotSupportedException and nothing is stored. The
// tests' authenticators use apptest.PasskeyCredential for this reason.
func TestShortKeyCoordinateRefused(t *testing.T) {
	e := newEnvOn(t, sqlitetest.Open(t), nil)
	ctx := context.Background()
	u := e.user(t, "alice")
	der, err := base64.StdEncoding.DecodeString(shortXKey)
	mustNil(t, "decode key", err)
	d := newDevice(u, virtualwebauthn.AuthenticatorOptions{})
	d.cred = virtualwebauthn.NewCredentialWithImportedKey(virtualwebauthn.KeyTypeEC2, der)
	if n := len(d.cred.Key.AttestationData()); n != 76 {
		t.Fatalf("COSE key of %d bytes, want 76 (a 31-byte x)", n)
	}
	options, err := e.svc.BeginRegistration(ctx, e.pool, u.Sub, e.rp)
	mustNil(t, "BeginRegistration", err)
	_, err = e.svc.FinishRegistration(ctx, e.pool, u.Sub, e.rp, attest(t, e.vrp, d, options), "")
	wantType(t, "short coordinate", err, passkey.WebAuthnCredentialNotSupportedException)
	if list, _ := e.svc.List(ctx, e.pool, u.Sub); len(list) != 0 {
		t.Fatalf("%d passkeys stored", len(list))
	}
}
