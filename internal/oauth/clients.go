package oauth

import (
	"context"
	"crypto/sha256"
	"fmt"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
)

// The configuration the token endpoint reads per request, kept in the
// configuration cache (internal/confcache): clients with their secrets'
// hashes, and whether a pool has groups.

// authClient is an app client as the token endpoint authenticates it,
// kept in the configuration cache (internal/confcache) and dropped with
// it: the token endpoint makes no store round trip and opens no sealed
// secret per request. Only the SHA-256 of the secret is held in memory.
type authClient struct {
	c pool.Client
	// secretSum is the SHA-256 of the client secret, when it has one.
	secretSum [sha256.Size]byte
}

// sealedSecretError is a client secret that does not open with the
// master key: a server fault, not the caller's.
type sealedSecretError struct{ err error }

func (e *sealedSecretError) Error() string { return "open client secret: " + e.err.Error() }
func (e *sealedSecretError) Unwrap() error { return e.err }

// loadAuthClient reads a client and opens its secret.
func (s *Service) loadAuthClient(ctx context.Context, id string) (authClient, error) {
	c, err := s.store.GetClient(ctx, id)
	if err != nil {
		return authClient{}, fmt.Errorf("get client: %w", err)
	}
	ac := authClient{c: c}
	if c.HasSecret() {
		want, err := s.box.Open(c.SealedSecret, c.SecretAAD())
		if err != nil {
			return authClient{}, &sealedSecretError{err}
		}
		ac.secretSum = sha256.Sum256(want)
		clear(want)
	}
	return ac, nil
}

// client returns the client with the given id through the configuration
// cache; found is false when there is none.
func (s *Service) client(ctx context.Context, id string) (pool.Client, bool, error) {
	c, found, err := s.cache.Clients.Get(ctx, id)
	if err != nil {
		return pool.Client{}, false, fmt.Errorf("get client: %w", err)
	}
	return c, found, nil
}

// loadPoolHasGroups tells whether a pool has any group: when it has none,
// no user is in one.
func (s *Service) loadPoolHasGroups(ctx context.Context, poolID string) (bool, error) {
	page, err := s.store.ListGroups(ctx, poolID, store.ListOptions{Limit: 1})
	if err != nil {
		return false, err
	}
	return len(page.Items) > 0, nil
}
