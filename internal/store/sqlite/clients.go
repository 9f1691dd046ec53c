package sqlite

import (
	"context"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
)

const clientColumns = `id, pool_id, name, sealed_secret, callback_urls, logout_urls,
	default_redirect_uri, allowed_oauth_flows, allowed_oauth_flows_user_pool_client,
	allowed_oauth_scopes, supported_identity_providers, explicit_auth_flows,
	read_attributes, write_attributes, access_token_validity, id_token_validity,
	refresh_token_validity, token_validity_units, enable_token_revocation,
	prevent_user_existence_errors, refresh_token_rotation, auth_session_validity,
	id_token_on_refresh, created_at, updated_at`

func scanClient(row scanner) (pool.Client, error) {
	var c pool.Client
	err := row.Scan(&c.ID, &c.PoolID, &c.Name, &c.SealedSecret, jsonCol{&c.CallbackURLs}, jsonCol{&c.LogoutURLs},
		&c.DefaultRedirectURI, jsonCol{&c.AllowedOAuthFlows}, &c.AllowedOAuthFlowsUserPoolClient,
		jsonCol{&c.AllowedOAuthScopes}, jsonCol{&c.SupportedIdentityProviders}, jsonCol{&c.ExplicitAuthFlows},
		jsonCol{&c.ReadAttributes}, jsonCol{&c.WriteAttributes}, &c.AccessTokenValidity, &c.IDTokenValidity,
		&c.RefreshTokenValidity, jsonCol{&c.TokenValidityUnits}, &c.EnableTokenRevocation,
		&c.PreventUserExistenceErrors, jsonCol{&c.RefreshTokenRotation}, &c.AuthSessionValidity,
		&c.IDTokenOnRefresh, timeCol{&c.CreatedAt}, timeCol{&c.UpdatedAt})
	if len(c.SealedSecret) == 0 {
		c.SealedSecret = nil
	}
	return c, err
}

// clientValues returns the columns after id and pool_id, in clientColumns
// order.
func clientValues(c pool.Client) ([]any, error) {
	var e encoder
	v := []any{c.Name, blob(c.SealedSecret), e.json(c.CallbackURLs), e.json(c.LogoutURLs),
		c.DefaultRedirectURI, e.json(c.AllowedOAuthFlows), c.AllowedOAuthFlowsUserPoolClient,
		e.json(c.AllowedOAuthScopes), e.json(c.SupportedIdentityProviders), e.json(c.ExplicitAuthFlows),
		e.json(c.ReadAttributes), e.json(c.WriteAttributes), c.AccessTokenValidity, c.IDTokenValidity,
		c.RefreshTokenValidity, e.json(c.TokenValidityUnits), c.EnableTokenRevocation,
		c.PreventUserExistenceErrors, e.json(c.RefreshTokenRotation), c.AuthSessionValidity,
		c.IDTokenOnRefresh, micros(c.CreatedAt), micros(c.UpdatedAt)}
	return v, e.err
}

// CreateClient stores a new app client. Client ids are unique across
// pools.
func (db *DB) CreateClient(ctx context.Context, c pool.Client) error {
	defer db.configWrote()
	const op = "create client"
	v, err := clientValues(c)
	if err != nil {
		return wrap(op, err)
	}
	_, err = db.exec(ctx, op, `INSERT INTO clients (`+clientColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		append([]any{c.ID, c.PoolID}, v...)...)
	return err
}

// GetClient returns the app client with the given id.
func (db *DB) GetClient(ctx context.Context, clientID string) (pool.Client, error) {
	c, err := scanClient(db.rq.QueryRowContext(ctx, `SELECT `+clientColumns+` FROM clients WHERE id = ?`, clientID))
	return c, wrap("get client", err)
}

// ListClients lists the pool's app clients ordered by id.
func (db *DB) ListClients(ctx context.Context, poolID string, opts store.ListOptions) (store.Page[pool.Client], error) {
	const op = "list clients"
	after, fetch, err := pageArgs(op, "clients/"+poolID, opts)
	if err != nil {
		return store.Page[pool.Client]{}, err
	}
	items, err := queryAll(ctx, db.rq, op, scanClient,
		`SELECT `+clientColumns+` FROM clients WHERE pool_id = ? AND id > ? ORDER BY id LIMIT ?`, poolID, after, fetch)
	if err != nil {
		return store.Page[pool.Client]{}, err
	}
	return makePage(items, "clients/"+poolID, opts, func(c pool.Client) string { return c.ID }), nil
}

// UpdateClient runs fn on the stored client and stores the result; the id
// and the pool do not change.
func (db *DB) UpdateClient(ctx context.Context, clientID string, fn func(pool.Client) (pool.Client, error)) error {
	defer db.configWrote()
	const op = "update client"
	return db.writeTx(ctx, op, func(tx *wtx) error {
		old, err := scanClient(tx.QueryRow(`SELECT `+clientColumns+` FROM clients WHERE id = ?`, clientID))
		if err != nil {
			return wrap(op, err)
		}
		c, err := fn(old)
		if err != nil {
			return err
		}
		v, err := clientValues(c)
		if err != nil {
			return wrap(op, err)
		}
		_, err = tx.Exec(`UPDATE clients SET name = ?, sealed_secret = ?, callback_urls = ?,
			logout_urls = ?, default_redirect_uri = ?, allowed_oauth_flows = ?,
			allowed_oauth_flows_user_pool_client = ?, allowed_oauth_scopes = ?,
			supported_identity_providers = ?, explicit_auth_flows = ?, read_attributes = ?,
			write_attributes = ?, access_token_validity = ?, id_token_validity = ?,
			refresh_token_validity = ?, token_validity_units = ?, enable_token_revocation = ?,
			prevent_user_existence_errors = ?, refresh_token_rotation = ?, auth_session_validity = ?,
			id_token_on_refresh = ?, created_at = ?, updated_at = ?
			WHERE id = ?`, append(v, clientID)...)
		return wrap(op, err)
	})
}

// DeleteClient deletes the app client.
func (db *DB) DeleteClient(ctx context.Context, clientID string) error {
	defer db.configWrote()
	return db.execOne(ctx, "delete client", `DELETE FROM clients WHERE id = ?`, clientID)
}
