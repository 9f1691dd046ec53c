package token

import (
	"bytes"
	"cmp"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/seal"
	"github.com/linkpool/linkpool/internal/store"
)

// material is the parsed, immutable part of one signing key. It is shared
// between successive versions of a pool's key set, so a key is parsed and
// its signer built once, however often the set changes around it.
type material struct {
	kid    string
	alg    string
	use    string
	pub    crypto.PublicKey
	jwk    json.RawMessage // public JWK as published
	signer *jwsSigner      // nil until the key has been active
}

// key is one key of one key-set version.
type key struct {
	*material
	state     string
	createdAt time.Time
	notAfter  time.Time
}

// published reports whether the key is in the JWKS at now: next and active
// keys always, retired keys until NotAfter.
func (k *key) published(now time.Time) bool {
	return k.state != store.KeyRetired || now.Before(k.notAfter)
}

// poolKeys is one instance's parsed view of one version of a pool's key
// set. Apart from checked and jwks it is immutable once built.
type poolKeys struct {
	poolID  string
	version int64
	active  [len(uses)]*key
	ordered []*key // JWKS order
	byKID   map[string]*key
	// algs are the algorithms of the keys of each use, the allow-list
	// handed to the JWS parser.
	algs [len(uses)][]jose.SignatureAlgorithm

	checked atomic.Int64 // unix nanoseconds of the last read from the store

	jwksMu sync.Mutex
	jwks   atomic.Pointer[jwksDoc]
}

func (pk *poolKeys) checkedAt() time.Time { return time.Unix(0, pk.checked.Load()) }

// stateRank orders keys within a use in the JWKS: the signing key first,
// then the next key, then retired keys.
func stateRank(s string) int {
	switch s {
	case store.KeyActive:
		return 0
	case store.KeyNext:
		return 1
	}
	return 2
}

// parseKeySet builds the in-memory view of set. Material of keys present
// in prev is reused; new keys are checked against their kid, and active
// keys are unsealed and get a signer.
func parseKeySet(box *seal.Box, set store.KeySet, prev *poolKeys, now time.Time) (*poolKeys, error) {
	pk := &poolKeys{
		poolID:  set.PoolID,
		version: set.Version,
		byKID:   make(map[string]*key, len(set.Keys)),
	}
	pk.checked.Store(now.UnixNano())
	for _, sk := range set.Keys {
		ui, err := useIndex(sk.Use)
		if err != nil {
			return nil, &KeyError{PoolID: set.PoolID, KID: sk.KID, Reason: "bad use", Err: err}
		}
		if _, dup := pk.byKID[sk.KID]; dup {
			return nil, &KeyError{PoolID: set.PoolID, KID: sk.KID, Reason: "duplicate kid"}
		}
		var m *material
		if prev != nil {
			if old := prev.byKID[sk.KID]; old != nil && old.alg == sk.Alg && old.use == sk.Use {
				m = old.material
			}
		}
		if m == nil {
			if m, err = parsePublic(set.PoolID, sk); err != nil {
				return nil, err
			}
		}
		if sk.State == store.KeyActive && m.signer == nil {
			signer, err := unsealSigner(box, set.PoolID, sk, m.pub)
			if err != nil {
				return nil, err
			}
			// A copy, so that a material shared with an older version
			// is never written to while another goroutine reads it.
			mm := *m
			mm.signer = signer
			m = &mm
		}
		k := &key{material: m, state: sk.State, createdAt: sk.CreatedAt, notAfter: sk.NotAfter}
		switch sk.State {
		case store.KeyActive:
			// Should a set ever hold two active keys for a use, the
			// newest signs.
			if cur := pk.active[ui]; cur == nil || k.createdAt.After(cur.createdAt) {
				pk.active[ui] = k
			}
		case store.KeyNext, store.KeyRetired:
		default:
			return nil, &KeyError{PoolID: set.PoolID, KID: sk.KID, Reason: "bad state " + sk.State}
		}
		pk.byKID[sk.KID] = k
		pk.ordered = append(pk.ordered, k)
		if a := jose.SignatureAlgorithm(sk.Alg); !slices.Contains(pk.algs[ui], a) {
			pk.algs[ui] = append(pk.algs[ui], a)
		}
	}
	slices.SortFunc(pk.ordered, func(a, b *key) int {
		ua, _ := useIndex(a.use)
		ub, _ := useIndex(b.use)
		return cmp.Or(
			cmp.Compare(ua, ub),
			cmp.Compare(stateRank(a.state), stateRank(b.state)),
			b.createdAt.Compare(a.createdAt), // newest first
			cmp.Compare(a.kid, b.kid),
		)
	})
	return pk, nil
}

// parsePublic checks a stored key's public JWK: it must be a public key of
// the type its algorithm needs, and its thumbprint must be its kid.
func parsePublic(poolID string, sk store.SigningKey) (*material, error) {
	fail := func(reason string, err error) (*material, error) {
		return nil, &KeyError{PoolID: poolID, KID: sk.KID, Reason: reason, Err: err}
	}
	if err := checkAlg(sk.Alg); err != nil {
		return fail("bad algorithm", err)
	}
	var stored jose.JSONWebKey
	if err := stored.UnmarshalJSON(sk.Public); err != nil {
		return fail("unreadable public key", err)
	}
	if !stored.IsPublic() || !stored.Valid() {
		return fail("public key is not a valid public JWK", nil)
	}
	if err := checkKeyType(stored.Key, sk.Alg); err != nil {
		return fail(err.Error(), nil)
	}
	// Re-encode from the parsed key: what is published is exactly the
	// public key, whatever else the stored JSON may hold.
	jwk, err := publicJWK(stored.Key, sk.Alg)
	if err != nil {
		return fail("public key", err)
	}
	if jwk.KeyID != sk.KID {
		return fail("kid is not the thumbprint of the public key", nil)
	}
	raw, err := jwk.MarshalJSON()
	if err != nil {
		return fail("public key", err)
	}
	return &material{kid: sk.KID, alg: sk.Alg, use: sk.Use, pub: stored.Key, jwk: raw}, nil
}

type keyTypeError string

func (e keyTypeError) Error() string { return string(e) }

// checkKeyType accepts RSA keys of at least 2048 bits for RS256
// (RFC 7518 §3.3) and P-256 keys for ES256 (RFC 7518 §3.4).
func checkKeyType(pub crypto.PublicKey, alg string) error {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		if alg != pool.AlgRS256 {
			return keyTypeError("RSA key for " + alg)
		}
		if k.N.BitLen() < rsaBits {
			return keyTypeError("RSA key shorter than 2048 bits")
		}
		return nil
	case *ecdsa.PublicKey:
		if alg != pool.AlgES256 {
			return keyTypeError("EC key for " + alg)
		}
		if k.Curve != elliptic.P256() {
			return keyTypeError("EC key not on P-256")
		}
		return nil
	}
	return keyTypeError("unsupported key type")
}

// unsealSigner opens a stored private key and builds its JWS signer
// (jws.go), which puts the kid in the protected header and nothing
// besides alg (Cognito's header shape: no typ).
func unsealSigner(box *seal.Box, poolID string, sk store.SigningKey, pub crypto.PublicKey) (*jwsSigner, error) {
	fail := func(reason string, err error) (*jwsSigner, error) {
		return nil, &KeyError{PoolID: poolID, KID: sk.KID, Reason: reason, Err: err}
	}
	der, err := box.Open(sk.Sealed, sealContext(poolID, sk.KID))
	if err != nil {
		return fail("cannot unseal private key (wrong master key?)", err)
	}
	defer clear(der)
	priv, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return fail("unreadable private key", nil)
	}
	signer, ok := priv.(crypto.Signer)
	if !ok {
		return fail("private key cannot sign", nil)
	}
	type equaler interface{ Equal(crypto.PublicKey) bool }
	if eq, ok := signer.Public().(equaler); !ok || !eq.Equal(pub) {
		return fail("private key does not match the public key", nil)
	}
	s, err := newJWSSigner(sk.Alg, sk.KID, signer)
	if err != nil {
		return fail("cannot build signer", err)
	}
	return s, nil
}

// jwksDoc is a rendered JWKS, valid until the next retired key expires.
type jwksDoc struct {
	body       []byte
	validUntil time.Time
}

// jwksAt returns the JWKS JSON at now, rendering it only when the cached
// document predates the expiry of a retired key.
func (pk *poolKeys) jwksAt(now time.Time) []byte {
	if d := pk.jwks.Load(); d != nil && now.Before(d.validUntil) {
		return d.body
	}
	pk.jwksMu.Lock()
	defer pk.jwksMu.Unlock()
	if d := pk.jwks.Load(); d != nil && now.Before(d.validUntil) {
		return d.body
	}
	var buf bytes.Buffer
	buf.WriteString(`{"keys":[`)
	validUntil := time.Unix(1<<62, 0) // until the set changes
	first := true
	for _, k := range pk.ordered {
		if !k.published(now) {
			continue
		}
		if k.state == store.KeyRetired && k.notAfter.Before(validUntil) {
			validUntil = k.notAfter
		}
		if !first {
			buf.WriteByte(',')
		}
		first = false
		buf.Write(k.jwk)
	}
	buf.WriteString(`]}`)
	d := &jwksDoc{body: buf.Bytes(), validUntil: validUntil}
	pk.jwks.Store(d)
	return d.body
}
