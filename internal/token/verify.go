package token

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/go-jose/go-jose/v4"
)

// MaxTokenBytes bounds the size of a token Verify looks at. Cognito-shaped
// tokens are one to two kilobytes.
const MaxTokenBytes = 8 << 10

// Verify checks that tok is a token this pool signed for use and returns
// its claims as raw JSON. It checks, in order and before decoding any
// claim: the size (at most MaxTokenBytes) and shape (exactly two dots) of
// the compact serialisation; that the header's alg is one the pool signs
// this use with, so "none", HMAC and any other algorithm are refused
// (RFC 8725 §3.1); that kid names a published key of this use, so an ID
// token is not accepted where an access token is due; and the signature.
//
// Verify does not interpret the claims: the caller checks exp, iat, nbf, iss,
// token_use and client_id (Cognito "Verifying a JSON Web Token"). Errors
// wrap ErrMalformed, ErrAlgorithm, ErrUnknownKey or ErrSignature, or come
// from loading the pool's keys; none of them contains the token.
func (k *Keys) Verify(ctx context.Context, poolID, use, tok string) ([]byte, error) {
	ui, err := useIndex(use)
	if err != nil {
		return nil, err
	}
	// Cheap checks first: the Split-DoS class (CVE-2025-27144) and
	// oversized input never reach the parser.
	if len(tok) > MaxTokenBytes {
		return nil, fmt.Errorf("%w: longer than %d bytes", ErrMalformed, MaxTokenBytes)
	}
	if strings.Count(tok, ".") != 2 || strings.HasPrefix(tok, ".") {
		return nil, fmt.Errorf("%w: not a compact JWS", ErrMalformed)
	}
	pk, err := k.current(ctx, poolID)
	if err != nil {
		return nil, err
	}
	allowed := pk.algs[ui]
	if len(allowed) == 0 {
		return nil, fmt.Errorf("%w: pool has no %s keys", ErrUnknownKey, use)
	}
	jws, err := jose.ParseSignedCompact(tok, allowed)
	if err != nil {
		var algErr *jose.ErrUnexpectedSignatureAlgorithm
		if errors.As(err, &algErr) {
			return nil, ErrAlgorithm
		}
		return nil, fmt.Errorf("%w: unparsable", ErrMalformed)
	}
	if len(jws.Signatures) != 1 {
		return nil, fmt.Errorf("%w: want one signature", ErrMalformed)
	}
	hdr := jws.Signatures[0].Header
	key := pk.byKID[hdr.KeyID]
	if key == nil || key.use != use || !key.published(k.now()) {
		return nil, ErrUnknownKey
	}
	if hdr.Algorithm != key.alg {
		// An allowed algorithm, but not this key's.
		return nil, fmt.Errorf("%w: %s with a %s key", ErrAlgorithm, hdr.Algorithm, key.alg)
	}
	payload, err := jws.Verify(key.pub)
	if err != nil {
		return nil, ErrSignature
	}
	return payload, nil
}
