package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
)

const poolColumns = `id, name, password_policy, lockout_policy, username_attributes,
	alias_attributes, auto_verified_attributes, case_sensitive,
	allow_admin_create_user_only, auto_confirm_sign_up, signing_algorithm,
	schema_attributes, branding, email_from, created_at, updated_at, cors_origins, mfa, first_auth_factors,
	lambda_config, trigger_secret, invite_message`

// poolArgs returns the column values of p in poolColumns order.
func poolArgs(p *pool.Pool) ([]any, error) {
	password, err := encodeJSON(p.PasswordPolicy)
	if err != nil {
		return nil, err
	}
	lockout, err := encodeJSON(p.LockoutPolicy)
	if err != nil {
		return nil, err
	}
	schema, err := encodeJSON(p.Schema)
	if err != nil {
		return nil, err
	}
	branding, err := encodeJSON(p.Branding)
	if err != nil {
		return nil, err
	}
	mfa, err := encodeJSON(p.MFA)
	if err != nil {
		return nil, err
	}
	lambda, err := encodeJSON(p.LambdaConfig)
	if err != nil {
		return nil, err
	}
	invite, err := encodeJSON(p.InviteMessage)
	if err != nil {
		return nil, err
	}
	var secret []byte
	if len(p.TriggerSecret) > 0 {
		secret = p.TriggerSecret
	}
	return []any{
		p.ID, p.Name, password, lockout, p.UsernameAttributes,
		p.AliasAttributes, p.AutoVerifiedAttributes, p.CaseSensitive,
		p.AllowAdminCreateUserOnly, p.AutoConfirmSignUp, p.SigningAlgorithm,
		schema, branding, p.EmailFrom, ts(p.CreatedAt), ts(p.UpdatedAt), p.CORSOrigins,
		mfa, p.AllowedFirstAuthFactors, lambda, secret, invite,
	}, nil
}

func scanPool(row pgx.Row) (pool.Pool, error) {
	var (
		p                                                        pool.Pool
		password, lockout, schema, branding, mfa, lambda, invite []byte
	)
	err := row.Scan(
		&p.ID, &p.Name, &password, &lockout, &p.UsernameAttributes,
		&p.AliasAttributes, &p.AutoVerifiedAttributes, &p.CaseSensitive,
		&p.AllowAdminCreateUserOnly, &p.AutoConfirmSignUp, &p.SigningAlgorithm,
		&schema, &branding, &p.EmailFrom, (*utcTime)(&p.CreatedAt), (*utcTime)(&p.UpdatedAt), &p.CORSOrigins,
		&mfa, &p.AllowedFirstAuthFactors, &lambda, &p.TriggerSecret, &invite,
	)
	if err != nil {
		return pool.Pool{}, err
	}
	for _, f := range []struct {
		b []byte
		v any
	}{{password, &p.PasswordPolicy}, {lockout, &p.LockoutPolicy}, {schema, &p.Schema}, {branding, &p.Branding}, {mfa, &p.MFA}, {lambda, &p.LambdaConfig}, {invite, &p.InviteMessage}} {
		if err := decodeJSON(f.b, f.v); err != nil {
			return pool.Pool{}, err
		}
	}
	return p, nil
}

// CreatePool stores a new pool; the id must be free.
func (db *DB) CreatePool(ctx context.Context, p pool.Pool) error {
	defer db.configWrote()
	const op = "create pool"
	args, err := poolArgs(&p)
	if err != nil {
		return wrap(op, err)
	}
	_, err = db.pool.Exec(ctx, `INSERT INTO pools (`+poolColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)`, args...)
	return wrap(op, err)
}

// GetPool returns the pool with the given id.
func (db *DB) GetPool(ctx context.Context, id string) (pool.Pool, error) {
	p, err := scanPool(db.pool.QueryRow(ctx, `SELECT `+poolColumns+` FROM pools WHERE id = $1`, id))
	return p, wrap("get pool", err)
}

// ListPools returns one page of pools ordered by id.
func (db *DB) ListPools(ctx context.Context, opts store.ListOptions) (store.Page[pool.Pool], error) {
	const op, scope = "list pools", "pools"
	after, err := pageKey(op, scope, opts.PageToken)
	if err != nil {
		return store.Page[pool.Pool]{}, err
	}
	limit := store.PageLimit(opts)
	rows, err := db.pool.Query(ctx, `SELECT `+poolColumns+` FROM pools
		WHERE id > $1 ORDER BY id LIMIT $2`, after, limit+1)
	if err != nil {
		return store.Page[pool.Pool]{}, wrap(op, err)
	}
	page, err := collectPage(rows, scope, limit, scanPool, func(p *pool.Pool) string { return p.ID })
	return page, wrap(op, err)
}

// UpdatePool runs fn on the locked pool and stores the result under the
// same id; a changed ID in the result is ignored.
func (db *DB) UpdatePool(ctx context.Context, id string, fn func(pool.Pool) (pool.Pool, error)) error {
	defer db.configWrote()
	const op = "update pool"
	return db.inTx(ctx, op, func(tx pgx.Tx) error {
		cur, err := scanPool(tx.QueryRow(ctx, `SELECT `+poolColumns+` FROM pools WHERE id = $1 FOR UPDATE`, id))
		if err != nil {
			return wrap(op, err)
		}
		next, err := fn(cur)
		if err != nil {
			return &callbackError{err}
		}
		next.ID = id
		args, err := poolArgs(&next)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE pools SET (`+poolColumns+`) =
			($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)
			WHERE id = $1`, args...)
		return err
	})
}

// DeletePool deletes the pool; foreign keys with ON DELETE CASCADE delete
// its clients, domains, users, groups, codes, tokens, sessions and keys.
func (db *DB) DeletePool(ctx context.Context, id string) error {
	defer db.configWrote()
	tag, err := db.pool.Exec(ctx, `DELETE FROM pools WHERE id = $1`, id)
	if err != nil {
		return wrap("delete pool", err)
	}
	if tag.RowsAffected() == 0 {
		return notFound("delete pool")
	}
	return nil
}
