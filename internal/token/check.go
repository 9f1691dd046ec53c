package token

import (
	"time"

	"github.com/linkpool/linkpool/internal/seal"
	"github.com/linkpool/linkpool/internal/store"
)

// CheckKeySet verifies that every key of a stored key set is usable with
// box, as an import into another database needs before it writes the set:
// each public JWK is a key of its algorithm whose thumbprint is its kid,
// and each sealed private key, whatever its state, opens with box and
// matches its public key. A failure is a *KeyError; its text names the
// pool and kid, never key material.
func CheckKeySet(box *seal.Box, set store.KeySet) error {
	if _, err := parseKeySet(box, set, nil, time.Time{}); err != nil {
		return err
	}
	for _, sk := range set.Keys {
		m, err := parsePublic(set.PoolID, sk)
		if err != nil {
			return err
		}
		if _, err := unsealSigner(box, set.PoolID, sk, m.pub); err != nil {
			return err
		}
	}
	return nil
}
