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
