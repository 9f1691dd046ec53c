package postgres

import (
	"context"
	"slices"

	"github.com/jackc/pgx/v5"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
)

const idpColumns = `pool_id, name, type, details, attribute_mapping, idp_identifiers,
	sealed_secrets, created_at, updated_at`

const idpValues = `($1, $2, $3, $4, $5, $6, $7, $8, $9)`

// idpArgs returns the column values of p in idpColumns order.
func idpArgs(p *pool.IdentityProvider) ([]any, error) {
	details, err := encodeJSON(p.ProviderDetails)
	if err != nil {
		return nil, err
	}
	mapping, err := encodeJSON(p.AttributeMapping)
	if err != nil {
		return nil, err
	}
	return []any{
		p.PoolID, p.ProviderName, p.ProviderType, details, mapping, p.IdpIdentifiers,
		p.SealedSecrets, ts(p.CreatedAt), ts(p.UpdatedAt),
	}, nil
}

func scanIdentityProvider(row pgx.Row) (pool.IdentityProvider, error) {
	var (
		p                pool.IdentityProvider
		details, mapping []byte
	)
	err := row.Scan(&p.PoolID, &p.ProviderName, &p.ProviderType, &details, &mapping, &p.IdpIdentifiers,
		&p.SealedSecrets, (*utcTime)(&p.CreatedAt), (*utcTime)(&p.UpdatedAt))
	if err != nil {
		return pool.IdentityProvider{}, err
	}
	if err := decodeJSON(details, &p.ProviderDetails); err != nil {
		return pool.IdentityProvider{}, err
	}
	if err := decodeJSON(mapping, &p.AttributeMapping); err != nil {
		return pool.IdentityProvider{}, err
	}
	return p, nil
}

// addIdentifiers inserts the idp_identifiers rows of ids for the
// provider, in byte order so that concurrent writers take them in one
// order; an identifier another provider of the pool has violates the
// primary key (store.ErrAlreadyExists once wrapped).
func addIdentifiers(ctx context.Context, tx pgx.Tx, poolID, name string, ids []string) error {
	ids = slices.Sorted(slices.Values(ids))
	for _, id := range ids {
		if _, err := tx.Exec(ctx, `INSERT INTO idp_identifiers (pool_id, identifier, provider_name) VALUES ($1, $2, $3)`,
			poolID, id, name); err != nil {
			return err
		}
	}
	return nil
}

// CreateIdentityProvider stores a new provider of an existing pool and its
// identifiers in one transaction. The primary keys reject a taken name or
// identifier with store.ErrAlreadyExists.
func (db *DB) CreateIdentityProvider(ctx context.Context, p pool.IdentityProvider) error {
	defer db.configWrote()
	const op = "create identity provider"
	args, err := idpArgs(&p)
	if err != nil {
		return wrap(op, err)
	}
	return db.inTx(ctx, op, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO identity_providers (`+idpColumns+`) VALUES `+idpValues, args...); err != nil {
			return err
		}
		return addIdentifiers(ctx, tx, p.PoolID, p.ProviderName, p.IdpIdentifiers)
	})
}

// GetIdentityProvider returns the pool's provider of that name.
func (db *DB) GetIdentityProvider(ctx context.Context, poolID, name string) (pool.IdentityProvider, error) {
	p, err := scanIdentityProvider(db.pool.QueryRow(ctx, `SELECT `+idpColumns+` FROM identity_providers
		WHERE pool_id = $1 AND name = $2`, poolID, name))
	return p, wrap("get identity provider", err)
}

// GetIdentityProviderByIdentifier returns the pool's provider that lists
// identifier: a primary-key read of idp_identifiers and of the provider.
func (db *DB) GetIdentityProviderByIdentifier(ctx context.Context, poolID, identifier string) (pool.IdentityProvider, error) {
	p, err := scanIdentityProvider(db.pool.QueryRow(ctx, `SELECT `+store.Qualified("p", idpColumns)+`
		FROM idp_identifiers i JOIN identity_providers p ON p.pool_id = i.pool_id AND p.name = i.provider_name
		WHERE i.pool_id = $1 AND i.identifier = $2`, poolID, identifier))
	return p, wrap("get identity provider by identifier", err)
}

// ListIdentityProviders returns one page of the pool's providers ordered
// by name.
func (db *DB) ListIdentityProviders(ctx context.Context, poolID string, opts store.ListOptions) (store.Page[pool.IdentityProvider], error) {
	const op = "list identity providers"
	scope := "idps/" + poolID
	after, err := pageKey(op, scope, opts.PageToken)
	if err != nil {
		return store.Page[pool.IdentityProvider]{}, err
	}
	limit := store.PageLimit(opts)
	rows, err := db.pool.Query(ctx, `SELECT `+idpColumns+` FROM identity_providers
		WHERE pool_id = $1 AND name > $2 ORDER BY name LIMIT $3`, poolID, after, limit+1)
	if err != nil {
		return store.Page[pool.IdentityProvider]{}, wrap(op, err)
	}
	page, err := collectPage(rows, scope, limit, scanIdentityProvider,
		func(p *pool.IdentityProvider) string { return p.ProviderName })
	return page, wrap(op, err)
}

// UpdateIdentityProvider runs fn on the locked provider and stores the
// result under the same pool and name (a changed PoolID or ProviderName
// in the result is ignored). The identifiers fn removes are freed and
// those it adds taken in the same transaction; one another provider has
// fails with store.ErrAlreadyExists and stores nothing.
func (db *DB) UpdateIdentityProvider(ctx context.Context, poolID, name string, fn func(pool.IdentityProvider) (pool.IdentityProvider, error)) error {
	defer db.configWrote()
	const op = "update identity provider"
	return db.inTx(ctx, op, func(tx pgx.Tx) error {
		cur, err := scanIdentityProvider(tx.QueryRow(ctx, `SELECT `+idpColumns+` FROM identity_providers
			WHERE pool_id = $1 AND name = $2 FOR UPDATE`, poolID, name))
		if err != nil {
			return err
		}
		next, err := fn(cur)
		if err != nil {
			return &callbackError{err}
		}
		next.PoolID, next.ProviderName = cur.PoolID, cur.ProviderName
		args, err := idpArgs(&next)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE identity_providers SET (`+idpColumns+`) = `+idpValues+`
			WHERE pool_id = $1 AND name = $2`, args...); err != nil {
			return err
		}
		var added []string
		for _, id := range cur.IdpIdentifiers {
			if slices.Contains(next.IdpIdentifiers, id) {
				continue
			}
			if _, err := tx.Exec(ctx, `DELETE FROM idp_identifiers WHERE pool_id = $1 AND identifier = $2 AND provider_name = $3`,
				poolID, id, name); err != nil {
				return err
			}
		}
		for _, id := range next.IdpIdentifiers {
			if !slices.Contains(cur.IdpIdentifiers, id) {
				added = append(added, id)
			}
		}
		return addIdentifiers(ctx, tx, poolID, name, added)
	})
}

// DeleteIdentityProvider deletes the provider; its identifiers go by
// foreign-key cascade, its users' identities stay.
func (db *DB) DeleteIdentityProvider(ctx context.Context, poolID, name string) error {
	defer db.configWrote()
	const op = "delete identity provider"
	tag, err := db.pool.Exec(ctx, `DELETE FROM identity_providers WHERE pool_id = $1 AND name = $2`, poolID, name)
	if err != nil {
		return wrap(op, err)
	}
	if tag.RowsAffected() == 0 {
		return notFound(op)
	}
	return nil
}
