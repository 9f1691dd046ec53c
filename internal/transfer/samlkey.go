package transfer

import (
	"crypto"
	"crypto/x509"
	"errors"
	"time"

	"github.com/linkpool/linkpool/internal/seal"
	"github.com/linkpool/linkpool/internal/store"
)

// typeSAMLKey is a pool's SAML key pair (store.SAMLKey), after its key
// set. An export of a deployment without one has no such line, and its
// end record no saml_keys count, so readers from before it read it.
const typeSAMLKey = "saml_key"

// samlKeyRecord is store.SAMLKey: the private key as sealed_key, sealed
// with the master key and bound to the pool, the certificate in DER.
type samlKeyRecord struct {
	PoolID      string    `json:"pool_id"`
	SealedKey   []byte    `json:"sealed_key"`
	Certificate []byte    `json:"certificate"`
	CreatedAt   time.Time `json:"created_at,omitzero"`
}

func samlKeyToRecord(k store.SAMLKey) samlKeyRecord {
	return samlKeyRecord{PoolID: k.PoolID, SealedKey: k.Sealed, Certificate: k.Certificate, CreatedAt: k.CreatedAt}
}

func (r samlKeyRecord) samlKey() store.SAMLKey {
	return store.SAMLKey{PoolID: r.PoolID, Sealed: r.SealedKey, Certificate: r.Certificate, CreatedAt: r.CreatedAt}
}

// checkSAMLKey opens k's private key with box and checks that it is the
// key of k's certificate; with to set, it returns k sealed again with
// to. Errors name no key material.
func checkSAMLKey(box, to *seal.Box, k store.SAMLKey) (store.SAMLKey, error) {
	cert, err := x509.ParseCertificate(k.Certificate)
	if err != nil {
		return k, errors.New("the certificate does not parse")
	}
	der, err := box.Open(k.Sealed, k.SealContext())
	if err != nil {
		return k, err
	}
	defer clear(der)
	parsed, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return k, errors.New("the private key does not parse")
	}
	key, ok := parsed.(crypto.Signer)
	if !ok {
		return k, errors.New("the private key cannot sign")
	}
	if pub, ok := cert.PublicKey.(interface{ Equal(crypto.PublicKey) bool }); !ok || !pub.Equal(key.Public()) {
		return k, errors.New("the private key is not the certificate's key")
	}
	if to != nil {
		k.Sealed = to.Seal(der, k.SealContext())
	}
	return k, nil
}

// samlKeyCount is the SAML keys' part of Counts.String, empty for none.
