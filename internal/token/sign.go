package token

import (
	"context"
	"encoding/json"
	"fmt"

	"go.opentelemetry.io/otel/attribute"

	"github.com/linkpool/linkpool/internal/tracing"
)

// Sign returns claims as a compact JWS (RFC 7515 §7.1) signed with the
// pool's active key for use ("id" or "access"). The header is
// {"alg","kid"} and nothing else, as in Cognito tokens.
//
// The signer, with its encoded header, is built once per key and cached
// (jws.go): Sign reads neither the store nor a key, except for one re-read
// of the key set per refresh interval. Claims are marshalled once with
// encoding/json. It is a span ("token.sign") when tracing is on.
func (k *Keys) Sign(ctx context.Context, poolID, use string, claims any) (_ string, err error) {
	ctx, span := tracing.Start(ctx, "token.sign", attribute.String(tracing.PoolID, poolID), attribute.String("linkpool.token_use", use))
	defer func() { tracing.End(span, err) }()
	ui, err := useIndex(use)
	if err != nil {
		return "", err
	}
	pk, err := k.current(ctx, poolID)
	if err != nil {
		return "", err
	}
	active := pk.active[ui]
	if active == nil {
		return "", fmt.Errorf("%w: no active %s key in pool %s", ErrNoKeys, use, poolID)
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("token: marshal claims: %w", err)
	}
	jws, err := active.signer.sign(payload)
	if err != nil {
		return "", fmt.Errorf("token: sign with key %s: %w", active.kid, err)
	}
	k.signed.Add(1)
	return jws, nil
}

// Signed returns how many JWTs Sign has signed since k was made: the
// number of private-key operations, for tests and benchmarks that bound
// the cost of a flow by its signatures.
func (k *Keys) Signed() uint64 { return k.signed.Load() }
