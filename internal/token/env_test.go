package token_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/seal"
	"github.com/linkpool/linkpool/internal/store"
	"github.com/linkpool/linkpool/internal/testclock"
	"github.com/linkpool/linkpool/internal/token"
)

// newClock is a settable time source shared by the services of a test.
func newClock() *testclock.Clock {
	return testclock.New(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
}

// backend opens handles on one fresh database. Each handle stands for one
// linkpool instance sharing the database.
type backend struct {
	name  string
	fresh func(t testing.TB) (open func(t testing.TB) store.Store)
}

// env is one pool in a fresh database, with a master key and a clock.
type env struct {
	open   func(t testing.TB) store.Store
	st     store.Store
	box    *seal.Box
	clock  *testclock.Clock
	poolID string
}

func newBox(t testing.TB) *seal.Box {
	t.Helper()
	key := make([]byte, seal.KeySize)
	_, _ = rand.Read(key)
	box, err := seal.New(key)
	if err != nil {
		t.Fatal(err)
	}
	return box
}

func newEnv(t testing.TB, b backend) *env {
	t.Helper()
	open := b.fresh(t)
	st := open(t)
	c := newClock()
	p := pool.NewPool("us-east-1", "keys test", c.Now())
	if err := st.CreatePool(context.Background(), p); err != nil {
		t.Fatalf("CreatePool: %v", err)
	}
	return &env{open: open, st: st, box: newBox(t), clock: c, poolID: p.ID}
}

// keys returns a new Keys instance over its own store handle.
func (e *env) instance(t testing.TB, refresh time.Duration) *token.Keys {
	t.Helper()
	return token.NewKeys(e.open(t), e.box, token.KeysOptions{Now: e.clock.Now, RefreshInterval: refresh})
}

// keys returns a Keys over the env's main store handle.
func (e *env) keys(refresh time.Duration) *token.Keys {
	return token.NewKeys(e.st, e.box, token.KeysOptions{Now: e.clock.Now, RefreshInterval: refresh})
}

func mustEnsure(t testing.TB, k *token.Keys, poolID, alg string) {
	t.Helper()
	if err := k.Ensure(context.Background(), poolID, alg); err != nil {
		t.Fatalf("Ensure(%s): %v", alg, err)
	}
}

// byState returns the kid of the only key with use and state.
func byState(t testing.TB, keys []token.KeyInfo, use, state string) string {
	t.Helper()
	var kid string
	for _, k := range keys {
		if k.Use == use && k.State == state {
			if kid != "" {
				t.Fatalf("two %s %s keys: %s and %s", state, use, kid, k.KID)
			}
			kid = k.KID
		}
	}
	if kid == "" {
		t.Fatalf("no %s %s key in %+v", state, use, keys)
	}
	return kid
}

func mustList(t testing.TB, k *token.Keys, poolID string) []token.KeyInfo {
	t.Helper()
	keys, err := k.List(context.Background(), poolID)
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	return keys
}

// header decodes the protected header of a compact JWS.
func header(t testing.TB, tok string) map[string]any {
	t.Helper()
	part, _, _ := strings.Cut(tok, ".")
	raw, err := base64.RawURLEncoding.DecodeString(part)
	if err != nil {
		t.Fatalf("header is not base64url: %v", err)
	}
	var h map[string]any
	if err := json.Unmarshal(raw, &h); err != nil {
		t.Fatalf("header is not JSON: %v", err)
	}
	return h
}

func kidOf(t testing.TB, tok string) string {
	t.Helper()
	kid, _ := header(t, tok)["kid"].(string)
	return kid
}

// jwks fetches and parses the pool's JWKS the way a relying party does.
func jwks(t testing.TB, k *token.Keys, poolID string) (jose.JSONWebKeySet, []byte) {
	t.Helper()
	raw, err := k.JWKS(context.Background(), poolID)
	if err != nil {
		t.Fatalf("JWKS: %v", err)
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(raw, &set); err != nil {
		t.Fatalf("JWKS is not a JSON Web Key Set: %v\n%s", err, raw)
	}
	return set, raw
}

func kids(set jose.JSONWebKeySet) []string {
	out := make([]string, len(set.Keys))
	for i, k := range set.Keys {
		out[i] = k.KeyID
	}
	return out
}

func sign(t testing.TB, k *token.Keys, poolID, use string, claims any) string {
	t.Helper()
	tok, err := k.Sign(context.Background(), poolID, use, claims)
	if err != nil {
		t.Fatalf("Sign(%s): %v", use, err)
	}
	return tok
}

var sampleClaims = map[string]any{"sub": "user-1", "token_use": store.UseAccess, "scope": "openid"}
