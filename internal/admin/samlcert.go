package admin

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"math/big"
	"sync"
	"time"

	"github.com/linkpool/linkpool/internal/store"
)

// SAMLEntityID is the SAML service-provider entity id of a pool,
// Cognito's urn:amazon:cognito:sp:<poolId>; it is also the subject (CN)
// of the pool's SAML certificate.
func SAMLEntityID(poolID string) string { return "urn:amazon:cognito:sp:" + poolID }

// SAMLCertificateValidity is how long a pool's SAML certificate is
// valid: ten years, as Cognito's.
const SAMLCertificateValidity = 10 * 365 * 24 * time.Hour

// samlKeyBits is the RSA modulus size of the SAML key pair. XML
// Encryption's key transport needs RSA; 2048 bits is Cognito's size.
const samlKeyBits = 2048

// SAMLCertificate returns the pool's SAML key pair: the self-signed
// certificate that identity providers use to verify its signed
// AuthnRequests and to encrypt assertions to it, and the private key.
// The first call for a pool generates the pair and stores it (the
// private key sealed, bound to the pool); when instances race, the one
// stored first is everybody's. Every call reads the stored row, which
// answers ResourceNotFoundException for a missing or deleted pool, but
// opens and parses a key only once per process: the result is cached
// by pool and reused while the row is unchanged.
func (s *Service) SAMLCertificate(ctx context.Context, poolID string) (*x509.Certificate, crypto.Signer, error) {
	k, err := s.st.GetSAMLKey(ctx, poolID)
	if errors.Is(err, store.ErrNotFound) {
		k, err = s.createSAMLKey(ctx, poolID)
	}
	if err != nil {
		return nil, nil, storeErr(err, "saml key", KindPool, poolID)
	}
	return s.saml.open(s, k)
}

// createSAMLKey generates a key pair for the pool and stores it unless
// the pool has one; it returns the stored key. Generation (tens of
// milliseconds) is serialised per process, so concurrent first uses
// generate once.
func (s *Service) createSAMLKey(ctx context.Context, poolID string) (store.SAMLKey, error) {
	s.saml.gen.Lock()
	defer s.saml.gen.Unlock()
	if k, err := s.st.GetSAMLKey(ctx, poolID); !errors.Is(err, store.ErrNotFound) {
		return k, err
	}
	if _, err := s.st.GetPool(ctx, poolID); err != nil {
		return store.SAMLKey{}, err
	}
	k, err := newSAMLKey(s, poolID, s.now())
	if err != nil {
		return store.SAMLKey{}, err
	}
	return s.st.EnsureSAMLKey(ctx, k)
}

// newSAMLKey generates an RSA key and its self-signed certificate, valid
// from an hour before now (clock skew at the identity provider) for
// SAMLCertificateValidity.
func newSAMLKey(s *Service, poolID string, now time.Time) (store.SAMLKey, error) {
	priv, err := rsa.GenerateKey(rand.Reader, samlKeyBits)
	if err != nil {
		return store.SAMLKey{}, fmt.Errorf("saml key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return store.SAMLKey{}, fmt.Errorf("saml key: %w", err)
	}
	name := pkix.Name{CommonName: SAMLEntityID(poolID)}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               name,
		Issuer:                name,
		NotBefore:             now.Add(-time.Hour).UTC(),
		NotAfter:              now.Add(SAMLCertificateValidity).UTC(),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		BasicConstraintsValid: true,
	}
	cert, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	if err != nil {
		return store.SAMLKey{}, fmt.Errorf("saml key: certificate: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return store.SAMLKey{}, fmt.Errorf("saml key: %w", err)
	}
	k := store.SAMLKey{PoolID: poolID, Certificate: cert, CreatedAt: now}
	k.Sealed = s.box.Seal(der, k.SealContext())
	clear(der)
	return k, nil
}

// samlKeys caches the opened SAML key pairs by pool.
type samlKeys struct {
	gen sync.Mutex // held while a key pair is generated

	mu     sync.Mutex
	byPool map[string]openedSAMLKey
}

type openedSAMLKey struct {
	sealed []byte // the row it was opened from
	cert   *x509.Certificate
	key    crypto.Signer
}

// open returns the key pair of k, from the cache when k is the row it
// was opened from.
func (c *samlKeys) open(s *Service, k store.SAMLKey) (*x509.Certificate, crypto.Signer, error) {
	c.mu.Lock()
	o, ok := c.byPool[k.PoolID]
	c.mu.Unlock()
	if ok && bytes.Equal(o.sealed, k.Sealed) && bytes.Equal(o.cert.Raw, k.Certificate) {
		return o.cert, o.key, nil
	}
	cert, err := x509.ParseCertificate(k.Certificate)
	if err != nil {
		return nil, nil, fmt.Errorf("saml key of pool %s: certificate: %w", k.PoolID, err)
	}
	der, err := s.box.Open(k.Sealed, k.SealContext())
	if err != nil {
		return nil, nil, fmt.Errorf("saml key of pool %s: cannot unseal the private key (wrong master key?): %w", k.PoolID, err)
	}
	parsed, err := x509.ParsePKCS8PrivateKey(der)
	clear(der)
	if err != nil {
		return nil, nil, fmt.Errorf("saml key of pool %s: private key: %w", k.PoolID, err)
	}
	key, ok := parsed.(*rsa.PrivateKey)
	if !ok || !key.PublicKey.Equal(cert.PublicKey) {
		return nil, nil, fmt.Errorf("saml key of pool %s: the private key is not the certificate's RSA key", k.PoolID)
	}
	c.mu.Lock()
	if c.byPool == nil {
		c.byPool = map[string]openedSAMLKey{}
	}
	c.byPool[k.PoolID] = openedSAMLKey{sealed: k.Sealed, cert: cert, key: key}
	c.mu.Unlock()
	return cert, key, nil
}
