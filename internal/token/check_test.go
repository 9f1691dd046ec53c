package token_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
	"github.com/linkpool/linkpool/internal/token"
)

// TestCheckKeySet: a key set passes with the master key that sealed it,
// and fails as a *token.KeyError with another key, a tampered sealed key
// or a public key that is not the kid's.
func TestCheckKeySet(t *testing.T) {
	for _, alg := range []string{pool.AlgRS256, pool.AlgES256} {
		t.Run(alg, func(t *testing.T) {
			e := newEnv(t, sqliteBackend)
			k := e.keys(0)
			mustEnsure(t, k, e.poolID, alg)
			// A rotation leaves a retired key besides active and next
			// ones: every state is checked.
			if _, err := k.Rotate(context.Background(), e.poolID, alg, 0, 0); err != nil {
				t.Fatalf("Rotate: %v", err)
			}
			set, err := e.st.GetKeySet(context.Background(), e.poolID)
			if err != nil {
				t.Fatal(err)
			}
			if err := token.CheckKeySet(e.box, set); err != nil {
				t.Fatalf("CheckKeySet with the sealing key: %v", err)
			}
			tests := []struct {
				name   string
				box    bool // use another master key
				mutate func(sk *store.SigningKey, other store.SigningKey)
			}{
				{name: "other master key", box: true},
				{name: "tampered sealed key", mutate: func(sk *store.SigningKey, _ store.SigningKey) {
					sk.Sealed = append([]byte(nil), sk.Sealed...)
					sk.Sealed[len(sk.Sealed)-1] ^= 1
				}},
				{name: "foreign public key", mutate: func(sk *store.SigningKey, other store.SigningKey) { sk.Public = other.Public }},
				{name: "unknown state", mutate: func(sk *store.SigningKey, _ store.SigningKey) { sk.State = "lost" }},
			}
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					bad := set
					bad.Keys = append([]store.SigningKey(nil), set.Keys...)
					box := e.box
					if tc.box {
						box = newBox(t)
					}
					if tc.mutate != nil {
						// A key that does not sign (retired or next) is
						// spoiled: it must be checked as well.
						i := slices.IndexFunc(bad.Keys, func(sk store.SigningKey) bool { return sk.State != store.KeyActive })
						if i < 0 {
							t.Fatal("no key besides the active ones")
						}
						tc.mutate(&bad.Keys[i], bad.Keys[(i+1)%len(bad.Keys)])
					}
					err := token.CheckKeySet(box, bad)
					var ke *token.KeyError
					if !errors.As(err, &ke) {
						t.Fatalf("CheckKeySet = %v, want a *token.KeyError", err)
					}
					if ke.PoolID != e.poolID || !strings.Contains(err.Error(), e.poolID) {
						t.Errorf("error %q does not name the pool", err)
					}
				})
			}
		})
	}
}

// TestResealKeySet: resealed keys open with the new master key only, and
// sign tokens that verify with the unchanged public keys.
func TestResealKeySet(t *testing.T) {
	e := newEnv(t, sqliteBackend)
	k := e.keys(0)
	mustEnsure(t, k, e.poolID, pool.AlgES256)
	set, err := e.st.GetKeySet(context.Background(), e.poolID)
	if err != nil {
		t.Fatal(err)
	}
	to := newBox(t)
	moved, err := token.ResealKeySet(e.box, to, set)
	if err != nil {
		t.Fatalf("ResealKeySet: %v", err)
	}
	if err := token.CheckKeySet(to, moved); err != nil {
		t.Fatalf("the resealed set does not open with the new key: %v", err)
	}
	if err := token.CheckKeySet(e.box, moved); err == nil {
		t.Fatal("the resealed set still opens with the old key")
	}
	for i := range moved.Keys {
		if moved.Keys[i].KID != set.Keys[i].KID || string(moved.Keys[i].Public) != string(set.Keys[i].Public) {
			t.Fatalf("key %d changed beyond its sealing", i)
		}
	}
	// Stored, the moved keys sign with the new master key.
	if err := e.st.UpdateKeySet(context.Background(), e.poolID, func(store.KeySet) (store.KeySet, error) { return moved, nil }); err != nil {
		t.Fatal(err)
	}
	nk := token.NewKeys(e.st, to, token.KeysOptions{Now: e.clock.Now})
	tok, err := nk.Sign(context.Background(), e.poolID, store.UseAccess, map[string]any{"sub": "x"})
	if err != nil {
		t.Fatalf("Sign with the resealed keys: %v", err)
	}
	if _, err := nk.Verify(context.Background(), e.poolID, store.UseAccess, tok); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	var ke *token.KeyError
	if _, err := token.ResealKeySet(newBox(t), to, set); !errors.As(err, &ke) {
		t.Fatalf("wrong master key: %v, want a *token.KeyError", err)
	}
}
