package passkey_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/descope/virtualwebauthn"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/apptest"
	"github.com/linkpool/linkpool/internal/passkey"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/seal"
	"github.com/linkpool/linkpool/internal/store"
	"github.com/linkpool/linkpool/internal/store/postgres"
	"github.com/linkpool/linkpool/internal/store/postgres/pgtest"
	"github.com/linkpool/linkpool/internal/store/sqlite/sqlitetest"
	"github.com/linkpool/linkpool/internal/testclock"
)

const origin = "https://auth.example.com"

// env is a passkey Service on a real store, a pool that allows passkeys
// and a settable clock.
type env struct {
	svc   *passkey.Service
	db    store.Store
	pool  pool.Pool
	clock *testclock.Clock
	log   *apptest.Log
	rp    passkey.RP
	vrp   virtualwebauthn.RelyingParty
}

func newBox(t testing.TB) *seal.Box {
	t.Helper()
	key := make([]byte, seal.KeySize)
	key[0] = 7
	b, err := seal.New(key)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// envMaker makes an env on one backend.
type envMaker func(t *testing.T, edit func(p *pool.Pool)) *env

// backends runs test on SQLite and on PostgreSQL.
func backends(t *testing.T, test func(t *testing.T, newEnv envMaker)) {
	t.Run("sqlite", func(t *testing.T) {
		test(t, func(t *testing.T, edit func(p *pool.Pool)) *env { return newEnvOn(t, sqlitetest.Open(t), edit) })
	})
	t.Run("postgres", func(t *testing.T) {
		test(t, func(t *testing.T, edit func(p *pool.Pool)) *env {
			t.Helper()
			st, err := postgres.Open(context.Background(), pgtest.URL(t))
			if err != nil {
				t.Fatalf("postgres.Open: %v", err)
			}
			t.Cleanup(func() { st.Close() })
			return newEnvOn(t, st, edit)
		})
	})
}

func newEnvOn(t testing.TB, st store.Store, edit func(p *pool.Pool)) *env {
	t.Helper()
	e := &env{db: st, clock: testclock.New(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)), log: &apptest.Log{}}
	e.pool = pool.NewPool("us-east-1", "SmartLamp", e.clock.Now())
	e.pool.AllowedFirstAuthFactors = []string{pool.FirstFactorPassword, pool.FirstFactorWebAuthn}
	if edit != nil {
		edit(&e.pool)
	}
	if err := e.db.CreatePool(context.Background(), e.pool); err != nil {
		t.Fatalf("create pool: %v", err)
	}
	e.svc = passkey.New(passkey.Config{Store: e.db, Box: newBox(t), Log: e.log.Logger(), Now: e.clock.Now})
	rp, err := passkey.RPFor(e.pool, origin)
	if err != nil {
		t.Fatalf("RPFor: %v", err)
	}
	e.rp = rp
	e.vrp = virtualwebauthn.RelyingParty{ID: rp.ID, Name: rp.Name, Origin: origin}
	return e
}

// user creates a confirmed, enabled user.
func (e *env) user(t testing.TB, username string) pool.User {
	t.Helper()
	now := e.clock.Now()
	u := pool.User{
		PoolID: e.pool.ID, Sub: pool.NewSub(), Username: username, UsernameKey: e.pool.UsernameKey(username),
		Attributes: map[string]string{pool.AttrEmail: username + "@example.com", pool.AttrEmailVerified: "true"},
		Status:     pool.StatusConfirmed, Enabled: true, CreatedAt: now, UpdatedAt: now,
	}
	if err := e.db.CreateUser(context.Background(), u); err != nil {
		t.Fatalf("create user: %v", err)
	}
	return u
}

// device is a virtual authenticator holding one credential of a user.
type device struct {
	auth virtualwebauthn.Authenticator
	cred virtualwebauthn.Credential
}

func newDevice(u pool.User, opts virtualwebauthn.AuthenticatorOptions) *device {
	opts.UserHandle = []byte(u.Sub)
	return &device{auth: virtualwebauthn.NewAuthenticatorWithOptions(opts), cred: apptest.PasskeyCredential()}
}

// attest answers registration options with the device's credential, as
// a browser at vrp's origin would.
func attest(t testing.TB, vrp virtualwebauthn.RelyingParty, d *device, options json.RawMessage) []byte {
	t.Helper()
	o, err := virtualwebauthn.ParseAttestationOptions(string(options))
	if err != nil {
		t.Fatalf("parse creation options %s: %v", options, err)
	}
	return []byte(virtualwebauthn.CreateAttestationResponse(vrp, d.auth, d.cred, *o))
}

// assert answers sign-in options with the device's credential.
func assert(t testing.TB, vrp virtualwebauthn.RelyingParty, d *device, options json.RawMessage) []byte {
	t.Helper()
	o, err := virtualwebauthn.ParseAssertionOptions(string(options))
	if err != nil {
		t.Fatalf("parse request options %s: %v", options, err)
	}
	return []byte(virtualwebauthn.CreateAssertionResponse(vrp, d.auth, d.cred, *o))
}

// register registers a new device for u and returns it.
func (e *env) register(t testing.TB, u pool.User, opts virtualwebauthn.AuthenticatorOptions, name string) (*device, pool.WebAuthnCredential) {
	t.Helper()
	ctx := context.Background()
	d := newDevice(u, opts)
	options, err := e.svc.BeginRegistration(ctx, e.pool, u.Sub, e.rp)
	if err != nil {
		t.Fatalf("BeginRegistration: %v", err)
	}
	c, err := e.svc.FinishRegistration(ctx, e.pool, u.Sub, e.rp, attest(t, e.vrp, d, options), name)
	if err != nil {
		var ae *account.Error
		if errors.As(err, &ae) && ae.Cause != nil {
			t.Fatalf("FinishRegistration: %v (%+v)", err, ae.Cause)
		}
		t.Fatalf("FinishRegistration: %v", err)
	}
	return d, c
}

// userWithPasskey signs up username and registers a passkey for them
// on an authenticator with the default options.
func (e *env) userWithPasskey(t testing.TB, username string) (pool.User, *device) {
	t.Helper()
	u := e.user(t, username)
	d, _ := e.register(t, u, virtualwebauthn.AuthenticatorOptions{}, "")
	return u, d
}

// signIn runs a discoverable sign-in with d; the clock moves a second
// first, as between two real sign-ins.
func (e *env) signIn(t testing.TB, d *device) (pool.User, bool, error) {
	t.Helper()
	e.clock.Advance(time.Second)
	ctx := context.Background()
	options, state, err := e.svc.BeginSignIn(ctx, e.pool, nil, e.rp)
	if err != nil {
		t.Fatalf("BeginSignIn: %v", err)
	}
	return e.svc.FinishSignIn(ctx, e.pool, e.rp, state, assert(t, e.vrp, d, options))
}

// wantType fails t unless err is an *account.Error of type typ.
func wantType(t *testing.T, what string, err error, typ string) {
	t.Helper()
	if got := account.TypeOf(err); got != typ {
		t.Fatalf("%s: error %v (type %q), want %s", what, err, got, typ)
	}
}

func mustNil(t testing.TB, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func isDisabled(err error) bool { return errors.Is(err, account.ErrDisabled) }
