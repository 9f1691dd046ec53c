// saml_spkey.go: the test identity provider's side of the SP key pair:
// requiring signed AuthnRequests, and encrypting an unsigned assertion
// (SAMLKnobs.UnsignedAssertion) to the SP's encryption certificate as a
// real identity provider encrypts whatever it sends.

package fedtest

import (
	"crypto/x509"
	"encoding/base64"
	"strings"

	"github.com/beevik/etree"
	"github.com/crewjam/saml"
	"github.com/crewjam/saml/xmlenc"
)

// RequireSignedRequests makes the identity provider refuse AuthnRequests
// that are not signed with a key of the SP's metadata (crewjam/saml's
// WantAuthnRequestsSigned). A request that is signed is verified either
// way when the SP metadata says AuthnRequestsSigned="true".
func (i *SAMLIdP) RequireSignedRequests(on bool) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.idp.WantAuthnRequestsSigned = on
}

// spEncryptionCert is the certificate of the SP's metadata for
// encryption, or nil when it lists none.
func spEncryptionCert(req *saml.IdpAuthnRequest) (*x509.Certificate, error) {
	if req.SPSSODescriptor == nil {
		return nil, nil
	}
	for _, kd := range req.SPSSODescriptor.KeyDescriptors {
		if kd.Use != "encryption" {
			continue
		}
		for _, c := range kd.KeyInfo.X509Data.X509Certificates {
			der, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(c.Data), ""))
			if err != nil {
				return nil, err
			}
			return x509.ParseCertificate(der)
		}
	}
	return nil, nil
}

// assertionEncrypter is how the identity provider encrypts assertions:
// RSA-OAEP and AES-256-CBC with the EncryptCBC knob, else AES-256-GCM.
func assertionEncrypter(cbc bool) xmlenc.Encrypter {
	enc := xmlenc.OAEP()
	enc.BlockCipher = xmlenc.AES256GCM
	if cbc {
		enc.BlockCipher = xmlenc.AES256CBC
	}
	return enc
}

// encryptAssertionEl replaces req.AssertionEl with an EncryptedAssertion
// for the SP's encryption certificate, if its metadata lists one.
func encryptAssertionEl(req *saml.IdpAuthnRequest, cbc bool) error {
	cert, err := spEncryptionCert(req)
	if err != nil || cert == nil {
		return err
	}
	doc := etree.NewDocument()
	doc.SetRoot(req.AssertionEl.Copy())
	buf, err := doc.WriteToBytes()
	if err != nil {
		return err
	}
	data, err := assertionEncrypter(cbc).Encrypt(cert, buf, nil)
	if err != nil {
		return err
	}
	data.CreateAttr("Type", "http://www.w3.org/2001/04/xmlenc#Element")
	el := etree.NewElement("saml:EncryptedAssertion")
	el.AddChild(data)
	req.AssertionEl = el
	return nil
}
