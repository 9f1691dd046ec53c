package admin

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/linkpool/linkpool/internal/store"
	"github.com/linkpool/linkpool/internal/token"
)

// RotateSigningKeys rotates a pool's signing keys for ID and access
// tokens (token.Keys.Rotate): the published next key starts signing, the
// active key is retired but stays in the JWKS for the longest ID- or
// access-token lifetime of the pool's clients, which it returns with the
// result, and a new next key is published. A pool without a complete key
// set gets one first. A next key signs only after it has been published
// for token.PublishFor; a rotation sooner is refused with the time it
// becomes possible.
func (s *Service) RotateSigningKeys(ctx context.Context, poolID string) (_ token.RotateResult, _ time.Duration, err error) {
	defer func() { s.record(ctx, "RotateSigningKeys", poolID, poolID, nil, err) }()
	p, err := s.DescribeUserPool(ctx, poolID)
	if err != nil {
		return token.RotateResult{}, 0, err
	}
	ttl, err := s.maxTokenTTL(ctx, p.ID)
	if err != nil {
		return token.RotateResult{}, 0, err
	}
	if err := s.keys.Ensure(ctx, p.ID, p.SigningAlgorithm); err != nil {
		return token.RotateResult{}, 0, err
	}
	res, err := s.keys.Rotate(ctx, p.ID, p.SigningAlgorithm, ttl, 0)
	return res, ttl, err
}

// maxTokenTTL is the longest ID- or access-token lifetime among the
// pool's app clients: a retired key must stay in the JWKS that long, so
// that every token it signed still verifies until it expires.
func (s *Service) maxTokenTTL(ctx context.Context, poolID string) (time.Duration, error) {
	var ttl time.Duration
	opts := store.ListOptions{Limit: store.MaxPageSize}
	for {
		page, err := s.st.ListClients(ctx, poolID, opts)
		if err != nil {
			return 0, fmt.Errorf("list clients: %w", err)
		}
		for _, c := range page.Items {
			ttl = max(ttl, c.AccessTokenTTL(), c.IDTokenTTL())
		}
		if page.Next == "" {
			return ttl, nil
		}
		opts.PageToken = page.Next
	}
}

// SigningKeys is a pool's signing keys with their publication schedule.
type SigningKeys struct {
	token.KeySetInfo
	// RetainFor is how long a key retired now would stay in the JWKS:
	// the longest ID- or access-token lifetime of the pool's clients.
	RetainFor time.Duration
}

// DescribeSigningKeys returns a pool's signing keys (what `keys list`
// shows) with, for each next key, when a rotation can make it sign.
//
// Errors: ResourceNotFoundException for an unknown pool.
func (s *Service) DescribeSigningKeys(ctx context.Context, poolID string) (SigningKeys, error) {
	p, err := s.DescribeUserPool(ctx, poolID)
	if err != nil {
		return SigningKeys{}, err
	}
	ttl, err := s.maxTokenTTL(ctx, p.ID)
	if err != nil {
		return SigningKeys{}, err
	}
	set, err := s.keys.Describe(ctx, p.ID)
	if errors.Is(err, token.ErrNoKeys) {
		return SigningKeys{KeySetInfo: token.KeySetInfo{PoolID: p.ID}, RetainFor: ttl}, nil
	}
	if err != nil {
		return SigningKeys{}, err
	}
	return SigningKeys{KeySetInfo: set, RetainFor: ttl}, nil
}
