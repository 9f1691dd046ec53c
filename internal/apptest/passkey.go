package apptest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"

	"github.com/descope/virtualwebauthn"
)

// PasskeyCredential returns a new P-256 credential for a
// virtualwebauthn authenticator whose COSE key a relying party accepts.
//
// virtualwebauthn encodes the key's x and y coordinates with
// big.Int.Bytes, which drops leading zero bytes: about one key in 128
// comes out with a 31-byte coordinate, which RFC 9053 (7.1.1: leading
// zero octets must be preserved) forbids and which linkpool, like any
// relying party, refuses at registration. Such keys are not handed out.
func PasskeyCredential() virtualwebauthn.Credential {
	for {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			panic("apptest: generate a P-256 key: " + err.Error())
		}
		if len(k.X.Bytes()) != 32 || len(k.Y.Bytes()) != 32 {
			continue
		}
		der, err := x509.MarshalPKCS8PrivateKey(k)
		if err != nil {
			panic("apptest: marshal a P-256 key: " + err.Error())
		}
		return virtualwebauthn.NewCredentialWithImportedKey(virtualwebauthn.KeyTypeEC2, der)
	}
}
