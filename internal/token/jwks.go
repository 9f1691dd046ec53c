package token

import "context"

// JWKS returns the pool's JSON Web Key Set (RFC 7517 §5) as served at
// /<pool>/.well-known/jwks.json: every published key, that is next and
// active keys and retired keys before their NotAfter, each as
// {"alg","e","kid","kty","n","use":"sig"} (or crv/x/y for ES256). Keys are
// ordered ID keys first, then access keys; within a use the active key,
// the next key, then retired keys newest first.
//
// The document is rendered once per key-set version and re-rendered only
// when a retired key expires. The returned slice is shared: callers must
// not modify it.
func (k *Keys) JWKS(ctx context.Context, poolID string) ([]byte, error) {
	pk, err := k.current(ctx, poolID)
	if err != nil {
		return nil, err
	}
	return pk.jwksAt(k.now()), nil
}
