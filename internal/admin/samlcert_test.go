package admin_test

import (
	"bytes"
	"crypto/rsa"
	"crypto/x509"
	"sync"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/admin"
	"github.com/linkpool/linkpool/internal/seal/sealtest"
	"github.com/linkpool/linkpool/internal/store"
)

// TestSAMLCertificate: the first use makes an RSA-2048 key pair whose
// self-signed certificate names the pool's SP entity id and is valid for
// ten years; later uses, in this process or another instance on the same
// store, return the same pair; the private key is stored sealed.
func TestSAMLCertificate(t *testing.T) {
	e := newEnv(t)
	p := e.pool("saml")
	before := time.Now()
	cert, key, err := e.svc.SAMLCertificate(e.ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if cert.Subject.CommonName != "urn:amazon:cognito:sp:"+p.ID || cert.Issuer.CommonName != cert.Subject.CommonName {
		t.Errorf("certificate subject %q issuer %q, want the SP entity id", cert.Subject, cert.Issuer)
	}
	if err := cert.CheckSignature(cert.SignatureAlgorithm, cert.RawTBSCertificate, cert.Signature); err != nil {
		t.Errorf("certificate is not self-signed: %v", err)
	}
	if d := cert.NotAfter.Sub(before); d < admin.SAMLCertificateValidity-time.Minute || d > admin.SAMLCertificateValidity+time.Minute {
		t.Errorf("certificate valid until %v, want ten years from now", cert.NotAfter)
	}
	if !cert.NotBefore.Before(before) {
		t.Errorf("certificate not valid before %v, want earlier than now", cert.NotBefore)
	}
	rk, ok := key.(*rsa.PrivateKey)
	if !ok || rk.N.BitLen() != 2048 {
		t.Fatalf("private key %T, want RSA 2048", key)
	}
	if !rk.PublicKey.Equal(cert.PublicKey) {
		t.Error("private key does not match the certificate")
	}

	again, key2, err := e.svc.SAMLCertificate(e.ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if again != cert || key2 != key {
		t.Error("second use did not return the cached key pair")
	}

	// Another instance on the same store and master key.
	other := admin.New(admin.Config{Store: e.st, Box: sealtest.Box(t), Keys: e.keys, Accounts: e.svc.Accounts()})
	c3, _, err := other.SAMLCertificate(e.ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(c3.Raw, cert.Raw) {
		t.Error("another instance got another certificate")
	}

	stored, err := e.st.GetSAMLKey(e.ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKCS8PrivateKey(key)
	if bytes.Contains(stored.Sealed, der[len(der)-64:]) {
		t.Error("the stored private key is not sealed")
	}
}

// TestSAMLCertificateRace: instances using a pool's key for the first
// time at once all get the one stored key.
func TestSAMLCertificateRace(t *testing.T) {
	e := newEnv(t)
	p := e.pool("saml-race")
	svcs := []*admin.Service{e.svc,
		admin.New(admin.Config{Store: e.st, Box: sealtest.Box(t), Keys: e.keys, Accounts: e.svc.Accounts()})}
	const n = 8
	certs := make([]*x509.Certificate, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { certs[i], _, errs[i] = svcs[i%2].SAMLCertificate(e.ctx, p.ID) })
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if !bytes.Equal(certs[i].Raw, certs[0].Raw) {
			t.Errorf("caller %d got another certificate", i)
		}
	}
}

// TestSAMLCertificateErrors: a missing pool is ResourceNotFoundException
// and gets no key; a sealed key copied to another pool's row does not
// open there; a deleted pool's key is gone with it.
func TestSAMLCertificateErrors(t *testing.T) {
	e := newEnv(t)
	_, _, err := e.svc.SAMLCertificate(e.ctx, "us-east-1_Missing00")
	wantNotFound(t, err, "User pool us-east-1_Missing00 does not exist.", "pool", "us-east-1_Missing00")

	a, b := e.pool("a"), e.pool("b")
	if _, _, err := e.svc.SAMLCertificate(e.ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	ka, err := e.st.GetSAMLKey(e.ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.EnsureSAMLKey(e.ctx, store.SAMLKey{PoolID: b.ID, Sealed: ka.Sealed, Certificate: ka.Certificate, CreatedAt: ka.CreatedAt}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.svc.SAMLCertificate(e.ctx, b.ID); err == nil {
		t.Error("pool a's sealed key opened as pool b's")
	}

	if err := e.svc.DeleteUserPool(e.ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	_, _, err = e.svc.SAMLCertificate(e.ctx, a.ID)
	wantNotFound(t, err, "User pool "+a.ID+" does not exist.", "pool", a.ID)
	if _, err := e.st.GetSAMLKey(e.ctx, a.ID); err == nil {
		t.Error("the deleted pool's SAML key is still stored")
	}
}
