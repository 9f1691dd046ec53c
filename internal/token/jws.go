package token

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"

	"github.com/linkpool/linkpool/internal/pool"
)

// jwsSigner signs compact JWS (RFC 7515 §7.1) with one private key. The
// protected header, {"alg","kid"} and nothing else as in Cognito's tokens
// (no typ), is encoded once when the key is loaded, so a signature costs
// the payload's base64 encoding, one SHA-256 and the private-key
// operation, in one buffer. Verification is go-jose's (verify.go), which
// checks every token this writes in the tests.
type jwsSigner struct {
	alg string
	// prefix is the encoded header and the dot after it.
	prefix string
	rsa    *rsa.PrivateKey   // RS256
	ec     *ecdsa.PrivateKey // ES256
	// sigLen is the signature's length in bytes: the RSA modulus, or
	// the two 32-byte integers of a P-256 signature (RFC 7518 §3.4).
	sigLen int
}

// newJWSSigner returns the signer of a key whose kid and algorithm
// (pool.AlgRS256 with an RSA key, pool.AlgES256 with a P-256 key) are
// given.
func newJWSSigner(alg, kid string, key crypto.Signer) (*jwsSigner, error) {
	header, err := json.Marshal(struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
	}{alg, kid})
	if err != nil {
		return nil, err
	}
	s := &jwsSigner{alg: alg, prefix: base64.RawURLEncoding.EncodeToString(header) + "."}
	switch k := key.(type) {
	case *rsa.PrivateKey:
		if alg != pool.AlgRS256 {
			return nil, fmt.Errorf("an RSA key cannot sign %s", alg)
		}
		s.rsa, s.sigLen = k, k.Size()
	case *ecdsa.PrivateKey:
		if alg != pool.AlgES256 || k.Curve.Params().BitSize != 256 {
			return nil, fmt.Errorf("an ECDSA key on %s cannot sign %s", k.Curve.Params().Name, alg)
		}
		s.ec, s.sigLen = k, 64
	default:
		return nil, fmt.Errorf("a %T cannot sign %s", key, alg)
	}
	return s, nil
}

// sign returns the compact serialization of payload signed with the key.
func (s *jwsSigner) sign(payload []byte) (string, error) {
	enc := base64.RawURLEncoding
	buf := make([]byte, 0, len(s.prefix)+enc.EncodedLen(len(payload))+1+enc.EncodedLen(s.sigLen))
	buf = append(buf, s.prefix...)
	buf = enc.AppendEncode(buf, payload)
	digest := sha256.Sum256(buf)
	var sig []byte
	if s.rsa != nil {
		var err error
		if sig, err = rsa.SignPKCS1v15(nil, s.rsa, crypto.SHA256, digest[:]); err != nil {
			return "", err
		}
	} else {
		r, ss, err := ecdsa.Sign(rand.Reader, s.ec, digest[:])
		if err != nil {
			return "", err
		}
		var raw [64]byte
		r.FillBytes(raw[:32])
		ss.FillBytes(raw[32:])
		sig = raw[:]
	}
	buf = append(buf, '.')
	buf = enc.AppendEncode(buf, sig)
	return string(buf), nil
}
