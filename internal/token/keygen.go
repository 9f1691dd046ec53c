package token

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/seal"
	"github.com/linkpool/linkpool/internal/store"
)

// rsaBits is the RSA modulus size for RS256 keys, Cognito's key size.
const rsaBits = 2048

// uses lists the token uses in JWKS order.
var uses = [...]string{store.UseID, store.UseAccess}

func useIndex(use string) (int, error) {
	for i, u := range uses {
		if u == use {
			return i, nil
		}
	}
	return 0, fmt.Errorf("%w: %q", ErrUnknownUse, use)
}

func checkAlg(alg string) error {
	if alg != pool.AlgRS256 && alg != pool.AlgES256 {
		return fmt.Errorf("%w: %q", ErrUnsupportedAlg, alg)
	}
	return nil
}

// generateKey makes a private key for alg: RSA-2048 for RS256 (tens to
// hundreds of milliseconds, so never on a request path) or P-256 for ES256.
func generateKey(alg string) (crypto.Signer, error) {
	switch alg {
	case pool.AlgRS256:
		return rsa.GenerateKey(rand.Reader, rsaBits)
	case pool.AlgES256:
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	}
	return nil, fmt.Errorf("%w: %q", ErrUnsupportedAlg, alg)
}

// publicJWK returns the public JWK of pub as published in the JWKS, with
// kid set to the standard base64 SHA-256 thumbprint (RFC 7638 §3), which
// gives Cognito's 44-character kid shape.
func publicJWK(pub crypto.PublicKey, alg string) (jose.JSONWebKey, error) {
	jwk := jose.JSONWebKey{Key: pub, Algorithm: alg, Use: "sig"}
	tp, err := jwk.Thumbprint(crypto.SHA256)
	if err != nil {
		return jose.JSONWebKey{}, err
	}
	jwk.KeyID = base64.StdEncoding.EncodeToString(tp)
	return jwk, nil
}

// sealContext binds a sealed private key to its pool and kid, so that a
// sealed blob copied to another row does not open there.
func sealContext(poolID, kid string) []byte {
	return []byte("signing-key/" + poolID + "/" + kid)
}

// newSigningKey seals priv into a stored key of the given use and state.
func newSigningKey(box *seal.Box, poolID, use, alg, state string, priv crypto.Signer, now time.Time) (store.SigningKey, error) {
	jwk, err := publicJWK(priv.Public(), alg)
	if err != nil {
		return store.SigningKey{}, fmt.Errorf("token: public key: %w", err)
	}
	pub, err := jwk.MarshalJSON()
	if err != nil {
		return store.SigningKey{}, fmt.Errorf("token: public key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return store.SigningKey{}, fmt.Errorf("token: private key: %w", err)
	}
	sealed := box.Seal(der, sealContext(poolID, jwk.KeyID))
	clear(der)
	return store.SigningKey{
		KID:       jwk.KeyID,
		Use:       use,
		Alg:       alg,
		State:     state,
		Sealed:    sealed,
		Public:    pub,
		CreatedAt: now,
	}, nil
}

// keySupply hands out private keys generated before a key-set transaction
// starts, so that slow RSA generation never runs while the store holds
// its write lock. An update callback may run more than once; each run
// starts a fresh cursor over the same keys, and only the run whose result
// is stored matters. Should a run need more keys than were generated (the
// set changed between the read and the update), it generates them itself.
type keySupply struct {
	alg      string
	generate func(alg string) (crypto.Signer, error)
	keys     [len(uses)][]crypto.Signer
}

// newKeySupply generates need[i] keys for uses[i] with generate.
func newKeySupply(generate func(string) (crypto.Signer, error), alg string, need [len(uses)]int) (*keySupply, error) {
	s := &keySupply{alg: alg, generate: generate}
	for i, n := range need {
		for range n {
			k, err := generate(alg)
			if err != nil {
				return nil, fmt.Errorf("token: generate %s key: %w", alg, err)
			}
			s.keys[i] = append(s.keys[i], k)
		}
	}
	return s, nil
}

type keyCursor struct {
	s    *keySupply
	next [len(uses)]int
}

func (s *keySupply) cursor() *keyCursor { return &keyCursor{s: s} }

func (c *keyCursor) take(useIdx int) (crypto.Signer, error) {
	if i := c.next[useIdx]; i < len(c.s.keys[useIdx]) {
		c.next[useIdx]++
		return c.s.keys[useIdx][i], nil
	}
	k, err := c.s.generate(c.s.alg)
	if err != nil {
		return nil, fmt.Errorf("token: generate %s key: %w", c.s.alg, err)
	}
	c.s.keys[useIdx] = append(c.s.keys[useIdx], k)
	c.next[useIdx]++
	return k, nil
}

// NewKeySet returns a complete key set for a new pool, sealed with box:
// an active and a next key of alg for each token use, as Ensure would
// store them. It serves generators of test data (transfer.Seed), which
// write the set into an export rather than a store.
func NewKeySet(box *seal.Box, poolID, alg string, now time.Time) (store.KeySet, error) {
	if err := checkAlg(alg); err != nil {
		return store.KeySet{}, err
	}
	ks := store.KeySet{PoolID: poolID, UpdatedAt: now}
	for _, use := range uses {
		for _, state := range []string{store.KeyActive, store.KeyNext} {
			priv, err := generateKey(alg)
			if err != nil {
				return store.KeySet{}, fmt.Errorf("token: generate %s key: %w", alg, err)
			}
			sk, err := newSigningKey(box, poolID, use, alg, state, priv, now)
			if err != nil {
				return store.KeySet{}, err
			}
			ks.Keys = append(ks.Keys, sk)
		}
	}
	return ks, nil
}
