package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
)

// KeySize is the master key length: 32 bytes selects AES-256.
const KeySize = 32

// version1 marks values sealed with AES-256-GCM and a 12-byte nonce.
const version1 byte = 1

const (
	nonceSize = 12
	tagSize   = 16
	// overhead is what Seal adds to the plaintext length.
	overhead = 1 + nonceSize + tagSize
)

// ErrOpen is returned (wrapped) by Open for any value that cannot be opened:
// truncated, tampered, sealed under another key or another context, or of
// an unknown version. The cause is deliberately not distinguished.
var ErrOpen = errors.New("seal: cannot open sealed value")

// KeyError reports an unusable master key.
type KeyError struct {
	Reason string
}

func (e *KeyError) Error() string { return "seal: invalid master key: " + e.Reason }

// Box seals and opens values under one master key. It is safe for
// concurrent use.
type Box struct {
	aead cipher.AEAD
	// prk is the HKDF pseudorandom key extracted from the master key, for
	// DeriveKey.
	prk []byte
}

// New returns a Box for a 32-byte AES-256 key. The key is not retained
// beyond the expanded cipher state.
func New(key []byte) (*Box, error) {
	if len(key) != KeySize {
		return nil, &KeyError{Reason: fmt.Sprintf("want %d bytes, got %d", KeySize, len(key))}
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, &KeyError{Reason: err.Error()}
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, &KeyError{Reason: err.Error()}
	}
	prk, err := hkdf.Extract(sha256.New, key, []byte("linkpool/derive"))
	if err != nil {
		return nil, &KeyError{Reason: err.Error()}
	}
	return &Box{aead: aead, prk: prk}, nil
}

// Seal encrypts plaintext and binds it to context (additional
// authenticated data). The result is version || nonce || ciphertext || tag.
//
// A random 96-bit nonce per value keeps the GCM nonce-collision probability
// negligible for far more values than linkpool ever seals under one key
// (NIST SP 800-38D §8.3).
func (b *Box) Seal(plaintext, context []byte) []byte {
	out := make([]byte, 1+nonceSize, overhead+len(plaintext))
	out[0] = version1
	// crypto/rand.Read never returns an error (Go 1.24+); it aborts the
	// process rather than hand out a predictable nonce.
	_, _ = rand.Read(out[1 : 1+nonceSize])
	return b.aead.Seal(out, out[1:1+nonceSize], plaintext, context)
}

// Open authenticates and decrypts a value produced by Seal with the same
// master key and context. Any failure returns an error wrapping ErrOpen;
// Open never panics on short or garbage input.
func (b *Box) Open(sealed, context []byte) ([]byte, error) {
	if len(sealed) < overhead {
		return nil, fmt.Errorf("%w: too short", ErrOpen)
	}
	if sealed[0] != version1 {
		return nil, fmt.Errorf("%w: unknown format version %d", ErrOpen, sealed[0])
	}
	nonce := sealed[1 : 1+nonceSize]
	plain, err := b.aead.Open(nil, nonce, sealed[1+nonceSize:], context)
	if err != nil {
		return nil, fmt.Errorf("%w: authentication failed", ErrOpen)
	}
	return plain, nil
}

// DeriveKey returns a 32-byte key for a purpose other than sealing (for
// example a cookie key), derived from the master key with HKDF-SHA256
// (RFC 5869) and the purpose as info. The same master key and purpose always give the
// same key, so every instance derives the same one.
func (b *Box) DeriveKey(purpose string) []byte {
	k, err := hkdf.Expand(sha256.New, b.prk, purpose, KeySize)
	if err != nil {
		panic("seal: hkdf: " + err.Error())
	}
	return k
}
