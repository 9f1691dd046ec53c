package sqlite

import (
	"context"
	"slices"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
)

const idpColumns = `pool_id, name, type, details, attribute_mapping, idp_identifiers,
	sealed_secrets, created_at, updated_at`

func scanIdentityProvider(row scanner) (pool.IdentityProvider, error) {
	var p pool.IdentityProvider
	err := row.Scan(&p.PoolID, &p.ProviderName, &p.ProviderType, jsonCol{&p.ProviderDetails},
		jsonCol{&p.AttributeMapping}, jsonCol{&p.IdpIdentifiers}, &p.SealedSecrets,
		timeCol{&p.CreatedAt}, timeCol{&p.UpdatedAt})
	if len(p.SealedSecrets) == 0 {
		p.SealedSecrets = nil
	}
	return p, err
}

// idpValues returns the columns after pool_id and name, in idpColumns
// order.
func idpValues(p pool.IdentityProvider) ([]any, error) {
	var e encoder
	v := []any{p.ProviderType, e.json(p.ProviderDetails), e.json(p.AttributeMapping), e.json(p.IdpIdentifiers),
		blob(p.SealedSecrets), micros(p.CreatedAt), micros(p.UpdatedAt)}
	return v, e.err
}

// addIdentifiers inserts the idp_identifiers rows of ids for the provider;
// an identifier another provider of the pool has violates the primary
// key (store.ErrAlreadyExists once wrapped).
func addIdentifiers(tx *wtx, poolID, name string, ids []string) error {
	for _, id := range ids {
		if _, err := tx.Exec(`INSERT INTO idp_identifiers (pool_id, identifier, provider_name) VALUES (?, ?, ?)`,
			poolID, id, name); err != nil {
			return err
		}
	}
	return nil
}

// CreateIdentityProvider stores a new provider and its identifiers in one
// transaction. The name is unique in the pool, and so is each identifier
// (primary keys); the pool must exist (foreign key: store.ErrNotFound).
func (db *DB) CreateIdentityProvider(ctx context.Context, p pool.IdentityProvider) error {
	defer db.configWrote()
	const op = "create identity provider"
	v, err := idpValues(p)
	if err != nil {
		return wrap(op, err)
	}
	return db.writeTx(ctx, op, func(tx *wtx) error {
		if _, err := tx.Exec(`INSERT INTO identity_providers (`+idpColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			append([]any{p.PoolID, p.ProviderName}, v...)...); err != nil {
			return wrap(op, err)
		}
		return wrap(op, addIdentifiers(tx, p.PoolID, p.ProviderName, p.IdpIdentifiers))
	})
}

// GetIdentityProvider returns the pool's provider of that name.
func (db *DB) GetIdentityProvider(ctx context.Context, poolID, name string) (pool.IdentityProvider, error) {
	p, err := scanIdentityProvider(db.rq.QueryRowContext(ctx, `SELECT `+idpColumns+` FROM identity_providers
		WHERE pool_id = ? AND name = ?`, poolID, name))
	return p, wrap("get identity provider", err)
}

// GetIdentityProviderByIdentifier returns the pool's provider that lists
// identifier: a primary-key read of idp_identifiers and of the provider.
func (db *DB) GetIdentityProviderByIdentifier(ctx context.Context, poolID, identifier string) (pool.IdentityProvider, error) {
	p, err := scanIdentityProvider(db.rq.QueryRowContext(ctx, `SELECT `+store.Qualified("p", idpColumns)+`
		FROM idp_identifiers i JOIN identity_providers p ON p.pool_id = i.pool_id AND p.name = i.provider_name
		WHERE i.pool_id = ? AND i.identifier = ?`, poolID, identifier))
	return p, wrap("get identity provider by identifier", err)
}

// ListIdentityProviders lists the pool's providers ordered by name.
func (db *DB) ListIdentityProviders(ctx context.Context, poolID string, opts store.ListOptions) (store.Page[pool.IdentityProvider], error) {
	const op = "list identity providers"
	scope := "idps/" + poolID
	after, fetch, err := pageArgs(op, scope, opts)
	if err != nil {
		return store.Page[pool.IdentityProvider]{}, err
	}
	items, err := queryAll(ctx, db.rq, op, scanIdentityProvider, `SELECT `+idpColumns+` FROM identity_providers
		WHERE pool_id = ? AND name > ? ORDER BY name LIMIT ?`, poolID, after, fetch)
	if err != nil {
		return store.Page[pool.IdentityProvider]{}, err
	}
	return makePage(items, scope, opts, func(p pool.IdentityProvider) string { return p.ProviderName }), nil
}

// UpdateIdentityProvider runs fn on the stored provider and stores the
// result under the same pool and name (a changed PoolID or ProviderName
// in the result is ignored). The identifiers fn removes are freed and
// those it adds taken in the same transaction; one another provider has
// fails with store.ErrAlreadyExists and stores nothing.
func (db *DB) UpdateIdentityProvider(ctx context.Context, poolID, name string, fn func(pool.IdentityProvider) (pool.IdentityProvider, error)) error {
	defer db.configWrote()
	const op = "update identity provider"
	return db.writeTx(ctx, op, func(tx *wtx) error {
		old, err := scanIdentityProvider(tx.QueryRow(`SELECT `+idpColumns+` FROM identity_providers
			WHERE pool_id = ? AND name = ?`, poolID, name))
		if err != nil {
			return wrap(op, err)
		}
		p, err := fn(old)
		if err != nil {
			return err
		}
		v, err := idpValues(p)
		if err != nil {
			return wrap(op, err)
		}
		if _, err := tx.Exec(`UPDATE identity_providers SET type = ?, details = ?, attribute_mapping = ?,
			idp_identifiers = ?, sealed_secrets = ?, created_at = ?, updated_at = ?
			WHERE pool_id = ? AND name = ?`, append(v, poolID, name)...); err != nil {
			return wrap(op, err)
		}
		var added []string
		for _, id := range old.IdpIdentifiers {
			if !slices.Contains(p.IdpIdentifiers, id) {
				if _, err := tx.Exec(`DELETE FROM idp_identifiers WHERE pool_id = ? AND identifier = ? AND provider_name = ?`,
					poolID, id, name); err != nil {
					return wrap(op, err)
				}
			}
		}
		for _, id := range p.IdpIdentifiers {
			if !slices.Contains(old.IdpIdentifiers, id) {
				added = append(added, id)
			}
		}
		return wrap(op, addIdentifiers(tx, poolID, name, added))
	})
}

// DeleteIdentityProvider deletes the provider; its identifiers go by
// foreign-key cascade, its users' identities stay.
func (db *DB) DeleteIdentityProvider(ctx context.Context, poolID, name string) error {
	defer db.configWrote()
	return db.execOne(ctx, "delete identity provider", `DELETE FROM identity_providers WHERE pool_id = ? AND name = ?`, poolID, name)
}
