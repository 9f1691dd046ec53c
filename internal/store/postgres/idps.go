package postgres

import (
	"context"
	"errors"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
)

var errIdentityProvidersPending = errors.New("identity providers are not stored yet")

func (db *DB) CreateIdentityProvider(ctx context.Context, p pool.IdentityProvider) error {
	return errIdentityProvidersPending
}

func (db *DB) GetIdentityProvider(ctx context.Context, poolID, name string) (pool.IdentityProvider, error) {
	return pool.IdentityProvider{}, errIdentityProvidersPending
}

func (db *DB) GetIdentityProviderByIdentifier(ctx context.Context, poolID, identifier string) (pool.IdentityProvider, error) {
	return pool.IdentityProvider{}, errIdentityProvidersPending
}

func (db *DB) ListIdentityProviders(ctx context.Context, poolID string, opts store.ListOptions) (store.Page[pool.IdentityProvider], error) {
	return store.Page[pool.IdentityProvider]{}, errIdentityProvidersPending
}

func (db *DB) UpdateIdentityProvider(ctx context.Context, poolID, name string, fn func(pool.IdentityProvider) (pool.IdentityProvider, error)) error {
	return errIdentityProvidersPending
}

func (db *DB) DeleteIdentityProvider(ctx context.Context, poolID, name string) error {
	return errIdentityProvidersPending
}

func (db *DB) GetUserByIdentity(ctx context.Context, poolID, providerName, subject string) (pool.User, error) {
	return pool.User{}, errIdentityProvidersPending
}
