package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

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

const clientValues = `($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15,
	$16, $17, $18, $19, $20, $21, $22, $23, $24, $25)`

// clientArgs returns the column values of c in clientColumns order.
func clientArgs(c *pool.Client) ([]any, error) {
	units, err := encodeJSON(c.TokenValidityUnits)
	if err != nil {
		return nil, err
	}
	rotation, err := encodeJSON(c.RefreshTokenRotation)
	if err != nil {
		return nil, err
	}
	return []any{
		c.ID, c.PoolID, c.Name, c.SealedSecret, c.CallbackURLs, c.LogoutURLs,
		c.DefaultRedirectURI, c.AllowedOAuthFlows, c.AllowedOAuthFlowsUserPoolClient,
		c.AllowedOAuthScopes, c.SupportedIdentityProviders, c.ExplicitAuthFlows,
		c.ReadAttributes, c.WriteAttributes, c.AccessTokenValidity, c.IDTokenValidity,
		c.RefreshTokenValidity, units, c.EnableTokenRevocation,
		c.PreventUserExistenceErrors, rotation, c.AuthSessionValidity,
		c.IDTokenOnRefresh, ts(c.CreatedAt), ts(c.UpdatedAt),
	}, nil
}

func scanClient(row pgx.Row) (pool.Client, error) {
	var (
		c               pool.Client
		units, rotation []byte
	)
	err := row.Scan(
		&c.ID, &c.PoolID, &c.Name, &c.SealedSecret, &c.CallbackURLs, &c.LogoutURLs,
		&c.DefaultRedirectURI, &c.AllowedOAuthFlows, &c.AllowedOAuthFlowsUserPoolClient,
		&c.AllowedOAuthScopes, &c.SupportedIdentityProviders, &c.ExplicitAuthFlows,
		&c.ReadAttributes, &c.WriteAttributes, &c.AccessTokenValidity, &c.IDTokenValidity,
		&c.RefreshTokenValidity, &units, &c.EnableTokenRevocation,
		&c.PreventUserExistenceErrors, &rotation, &c.AuthSessionValidity,
		&c.IDTokenOnRefresh, (*utcTime)(&c.CreatedAt), (*utcTime)(&c.UpdatedAt),
	)
	if err != nil {
		return pool.Client{}, err
	}
	if err := decodeJSON(units, &c.TokenValidityUnits); err != nil {
		return pool.Client{}, err
	}
	if err := decodeJSON(rotation, &c.RefreshTokenRotation); err != nil {
		return pool.Client{}, err
	}
	return c, nil
}

// CreateClient stores a new app client of an existing pool.
func (db *DB) CreateClient(ctx context.Context, c pool.Client) error {
	defer db.configWrote()
	const op = "create client"
	args, err := clientArgs(&c)
	if err != nil {
		return wrap(op, err)
	}
	_, err = db.pool.Exec(ctx, `INSERT INTO clients (`+clientColumns+`) VALUES `+clientValues, args...)
	return wrap(op, err)
}

// GetClient returns the app client with the given id.
func (db *DB) GetClient(ctx context.Context, clientID string) (pool.Client, error) {
	c, err := scanClient(db.pool.QueryRow(ctx, `SELECT `+clientColumns+` FROM clients WHERE id = $1`, clientID))
	return c, wrap("get client", err)
}

// ListClients returns one page of the pool's app clients ordered by id.
func (db *DB) ListClients(ctx context.Context, poolID string, opts store.ListOptions) (store.Page[pool.Client], error) {
	const op = "list clients"
	scope := "clients/" + poolID
	after, err := pageKey(op, scope, opts.PageToken)
	if err != nil {
		return store.Page[pool.Client]{}, err
	}
	limit := store.PageLimit(opts)
	rows, err := db.pool.Query(ctx, `SELECT `+clientColumns+` FROM clients
		WHERE pool_id = $1 AND id > $2 ORDER BY id LIMIT $3`, poolID, after, limit+1)
	if err != nil {
		return store.Page[pool.Client]{}, wrap(op, err)
	}
	page, err := collectPage(rows, scope, limit, scanClient, func(c *pool.Client) string { return c.ID })
	return page, wrap(op, err)
}

// UpdateClient runs fn on the locked client and stores the result under
// the same id and pool; a changed ID or PoolID in the result is ignored.
func (db *DB) UpdateClient(ctx context.Context, clientID string, fn func(pool.Client) (pool.Client, error)) error {
	defer db.configWrote()
	const op = "update client"
	return db.inTx(ctx, op, func(tx pgx.Tx) error {
		cur, err := scanClient(tx.QueryRow(ctx, `SELECT `+clientColumns+` FROM clients WHERE id = $1 FOR UPDATE`, clientID))
		if err != nil {
			return wrap(op, err)
		}
		next, err := fn(cur)
		if err != nil {
			return &callbackError{err}
		}
		next.ID, next.PoolID = cur.ID, cur.PoolID
		args, err := clientArgs(&next)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE clients SET (`+clientColumns+`) = `+clientValues+` WHERE id = $1`, args...)
		return err
	})
}

// DeleteClient deletes the app client. Grants issued to it are left
// alone; RevokeRefreshTokens with a ClientID filter revokes them.
func (db *DB) DeleteClient(ctx context.Context, clientID string) error {
	defer db.configWrote()
	tag, err := db.pool.Exec(ctx, `DELETE FROM clients WHERE id = $1`, clientID)
	if err != nil {
		return wrap("delete client", err)
	}
	if tag.RowsAffected() == 0 {
		return notFound("delete client")
	}
	return nil
}
