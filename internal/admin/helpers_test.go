package admin_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/admin"
	"github.com/linkpool/linkpool/internal/apptest"
	"github.com/linkpool/linkpool/internal/mail"
	"github.com/linkpool/linkpool/internal/password"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/seal"
	"github.com/linkpool/linkpool/internal/seal/sealtest"
	"github.com/linkpool/linkpool/internal/store"
	"github.com/linkpool/linkpool/internal/store/sqlite/sqlitetest"
	"github.com/linkpool/linkpool/internal/token"
)

type env struct {
	t    *testing.T
	ctx  context.Context
	st   store.Store
	keys *token.Keys
	box  *seal.Box
	svc  *admin.Service
}

// newEnv returns a Service on a fresh SQLite store.
func newEnv(t *testing.T) *env { return newEnvAt(t, nil) }

// newEnvAt is newEnv with the clock now (nil: time.Now) for the service,
// its accounts and its signing keys.
func newEnvAt(t *testing.T, now func() time.Time) *env {
	t.Helper()
	st := sqlitetest.Open(t)
	box := sealtest.Box(t)
	keys := apptest.NewKeys(st, box, now)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	accounts := account.New(account.Config{
		Store: st, Hasher: password.NewHasher(apptest.CheapHashing, 0),
		Mailer: mail.NewLog(quiet), CodeKey: box.DeriveKey(account.CodeKeyPurpose), Box: box, Log: quiet, Now: now,
	})
	return &env{t: t, ctx: context.Background(), st: st, keys: keys, box: box,
		svc: admin.New(admin.Config{Store: st, Box: box, Keys: keys, Accounts: accounts, Now: now})}
}

// pool creates a pool named name.
func (e *env) pool(name string) pool.Pool {
	e.t.Helper()
	p, err := e.svc.CreateUserPool(e.ctx, pool.NewPool("us-east-1", name, time.Now()))
	if err != nil {
		e.t.Fatalf("CreateUserPool: %v", err)
	}
	return p
}

// client creates an app client in p.
func (e *env) client(p pool.Pool, name string, secret bool) (pool.Client, string) {
	e.t.Helper()
	c, s, err := e.svc.CreateUserPoolClient(e.ctx, pool.NewClient(p.ID, name, time.Now()), secret)
	if err != nil {
		e.t.Fatalf("CreateUserPoolClient: %v", err)
	}
	return c, s
}

// user creates a confirmed user in p.
func (e *env) user(p pool.Pool, username string) pool.User {
	e.t.Helper()
	res, err := e.svc.Accounts().AdminCreateUser(e.ctx, p, account.AdminCreateUserInput{
		Username: username, TemporaryPassword: "Passw0rd!x", Permanent: true,
		Attributes: map[string]string{"email": username + "@example.com"}, EmailVerified: true,
	})
	if err != nil {
		e.t.Fatalf("AdminCreateUser: %v", err)
	}
	return res.User
}

// wantErr fails unless err is an *account.Error of typ naming field
// (when field is not empty).
func wantErr(t *testing.T, err error, typ, field string) *account.Error {
	t.Helper()
	var ae *account.Error
	if !errors.As(err, &ae) {
		t.Fatalf("error %v (%T), want %s", err, err, typ)
	}
	if ae.Type != typ {
		t.Fatalf("error type %s (%v), want %s", ae.Type, err, typ)
	}
	if field != "" && ae.Field != field {
		t.Fatalf("error field %q (%v), want %q", ae.Field, err, field)
	}
	return ae
}

// wantNotFound fails unless err is ResourceNotFoundException with msg
// whose cause names kind id.
func wantNotFound(t *testing.T, err error, msg, kind, id string) {
	t.Helper()
	ae := wantErr(t, err, account.ResourceNotFoundException, "")
	if ae.Message != msg {
		t.Fatalf("message %q, want %q", ae.Message, msg)
	}
	var re *admin.ResourceError
	if !errors.As(err, &re) || re.Kind != kind || re.ID != id || !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("cause %#v, want %s %s not found", re, kind, id)
	}
}

// snapshot renders v for comparisons before and after a refused call.
func snapshot(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
