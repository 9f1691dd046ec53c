package token

import (
	"github.com/linkpool/linkpool/internal/seal"
	"github.com/linkpool/linkpool/internal/store"
)

// ResealKeySet returns set with every private key opened with from and
// sealed again with to, for moving a deployment to a new master key. The
// result passes CheckKeySet with to. Failures are *KeyError values that
// name the pool and kid, never key material.
func ResealKeySet(from, to *seal.Box, set store.KeySet) (store.KeySet, error) {
	out := set
	out.Keys = make([]store.SigningKey, len(set.Keys))
	for i, sk := range set.Keys {
		ctx := sealContext(set.PoolID, sk.KID)
		der, err := from.Open(sk.Sealed, ctx)
		if err != nil {
			return store.KeySet{}, &KeyError{PoolID: set.PoolID, KID: sk.KID, Reason: "cannot unseal private key (wrong master key?)", Err: err}
		}
		sk.Sealed = to.Seal(der, ctx)
		clear(der)
		out.Keys[i] = sk
	}
	if err := CheckKeySet(to, out); err != nil {
		return store.KeySet{}, err
	}
	return out, nil
}
