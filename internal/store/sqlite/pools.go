package sqlite

import (
	"context"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
)

const poolColumns = `id, name, password_policy, lockout_policy, username_attributes,
	alias_attributes, auto_verified_attributes, case_sensitive,
	allow_admin_create_user_only, auto_confirm_sign_up, signing_algorithm,
	schema_attributes, branding, email_from, created_at, updated_at, cors_origins, mfa, first_auth_factors,
	lambda_config, trigger_secret, invite_message`

func scanPool(row scanner) (pool.Pool, error) {
	var p pool.Pool
	err := row.Scan(&p.ID, &p.Name, jsonCol{&p.PasswordPolicy}, jsonCol{&p.LockoutPolicy},
		jsonCol{&p.UsernameAttributes}, jsonCol{&p.AliasAttributes}, jsonCol{&p.AutoVerifiedAttributes},
		&p.CaseSensitive, &p.AllowAdminCreateUserOnly, &p.AutoConfirmSignUp, &p.SigningAlgorithm,
		jsonCol{&p.Schema}, jsonCol{&p.Branding}, &p.EmailFrom, timeCol{&p.CreatedAt}, timeCol{&p.UpdatedAt},
		jsonCol{&p.CORSOrigins}, jsonCol{&p.MFA}, jsonCol{&p.AllowedFirstAuthFactors},
		jsonCol{&p.LambdaConfig}, &p.TriggerSecret, jsonCol{&p.InviteMessage})
	if len(p.TriggerSecret) == 0 {
		p.TriggerSecret = nil
	}
	return p, err
}

// poolValues returns the columns after id, in poolColumns order.
func poolValues(p pool.Pool) ([]any, error) {
	var e encoder
	v := []any{p.Name, e.json(p.PasswordPolicy), e.json(p.LockoutPolicy),
		e.json(p.UsernameAttributes), e.json(p.AliasAttributes), e.json(p.AutoVerifiedAttributes),
		p.CaseSensitive, p.AllowAdminCreateUserOnly, p.AutoConfirmSignUp, p.SigningAlgorithm,
		e.json(p.Schema), e.json(p.Branding), p.EmailFrom, micros(p.CreatedAt), micros(p.UpdatedAt),
		e.json(p.CORSOrigins), e.json(p.MFA), e.json(p.AllowedFirstAuthFactors),
		e.json(p.LambdaConfig), blob(p.TriggerSecret), e.json(p.InviteMessage)}
	return v, e.err
}

// CreatePool stores a new pool.
func (db *DB) CreatePool(ctx context.Context, p pool.Pool) error {
	defer db.configWrote()
	const op = "create pool"
	v, err := poolValues(p)
	if err != nil {
		return wrap(op, err)
	}
	_, err = db.exec(ctx, op, `INSERT INTO pools (`+poolColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, append([]any{p.ID}, v...)...)
	return err
}

// GetPool returns the pool with the given id.
func (db *DB) GetPool(ctx context.Context, id string) (pool.Pool, error) {
	p, err := scanPool(db.rq.QueryRowContext(ctx, `SELECT `+poolColumns+` FROM pools WHERE id = ?`, id))
	return p, wrap("get pool", err)
}

// ListPools lists pools ordered by id.
func (db *DB) ListPools(ctx context.Context, opts store.ListOptions) (store.Page[pool.Pool], error) {
	const op = "list pools"
	after, fetch, err := pageArgs(op, "pools", opts)
	if err != nil {
		return store.Page[pool.Pool]{}, err
	}
	items, err := queryAll(ctx, db.rq, op, scanPool,
		`SELECT `+poolColumns+` FROM pools WHERE id > ? ORDER BY id LIMIT ?`, after, fetch)
	if err != nil {
		return store.Page[pool.Pool]{}, err
	}
	return makePage(items, "pools", opts, func(p pool.Pool) string { return p.ID }), nil
}

// UpdatePool runs fn on the stored pool and stores the result; the id
// does not change.
func (db *DB) UpdatePool(ctx context.Context, id string, fn func(pool.Pool) (pool.Pool, error)) error {
	defer db.configWrote()
	const op = "update pool"
	return db.writeTx(ctx, op, func(tx *wtx) error {
		old, err := scanPool(tx.QueryRow(`SELECT `+poolColumns+` FROM pools WHERE id = ?`, id))
		if err != nil {
			return wrap(op, err)
		}
		p, err := fn(old)
		if err != nil {
			return err
		}
		v, err := poolValues(p)
		if err != nil {
			return wrap(op, err)
		}
		_, err = tx.Exec(`UPDATE pools SET name = ?, password_policy = ?, lockout_policy = ?,
			username_attributes = ?, alias_attributes = ?, auto_verified_attributes = ?,
			case_sensitive = ?, allow_admin_create_user_only = ?, auto_confirm_sign_up = ?,
			signing_algorithm = ?, schema_attributes = ?, branding = ?, email_from = ?,
			created_at = ?, updated_at = ?, cors_origins = ?, mfa = ?, first_auth_factors = ?,
			lambda_config = ?, trigger_secret = ?, invite_message = ?
			WHERE id = ?`, append(v, id)...)
		return wrap(op, err)
	})
}

// DeletePool deletes the pool; foreign keys cascade to its clients,
// domains, users (and their passkeys), groups, codes, tokens, sessions
// and keys.
func (db *DB) DeletePool(ctx context.Context, id string) error {
	defer db.configWrote()
	return db.execOne(ctx, "delete pool", `DELETE FROM pools WHERE id = ?`, id)
}

// queryAll runs a query and scans every row.
func queryAll[T any](ctx context.Context, q querier, op string, scan func(scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, wrap(op, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, wrap(op, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap(op, err)
	}
	return out, nil
}
