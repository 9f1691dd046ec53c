package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/linkpool/linkpool/internal/smarthome/skillstore"
	"github.com/linkpool/linkpool/internal/store"
)

// Whole-store listings for export. Each is one range scan of a primary
// key: refresh_tokens(id), lamps(owner, id), alexa_grants(owner). The
// order is the index's, so a page never needs a sort.

// ListAllRefreshTokens pages through every grant family by id.
func (db *DB) ListAllRefreshTokens(ctx context.Context, opts store.ListOptions) (store.Page[store.RefreshToken], error) {
	const op, scope = "list all refresh tokens", "refresh_tokens"
	after, err := pageKey(op, scope, opts.PageToken)
	if err != nil {
		return store.Page[store.RefreshToken]{}, err
	}
	limit := store.PageLimit(opts)
	rows, err := db.pool.Query(ctx, `SELECT `+refreshTokenColumns+` FROM refresh_tokens
		WHERE id > $1 ORDER BY id LIMIT $2`, after, limit+1)
	if err != nil {
		return store.Page[store.RefreshToken]{}, wrap(op, err)
	}
	page, err := collectPage(rows, scope, limit, scanRefreshToken, func(t *store.RefreshToken) string { return t.ID })
	return page, wrap(op, err)
}

// ListAllLamps pages through every lamp by owner, then id. The page key
// joins both with a NUL byte, which PostgreSQL text never contains. The
// row comparison uses each column's own collation, the primary key's.
func (db *DB) ListAllLamps(ctx context.Context, opts store.ListOptions) (store.Page[skillstore.Lamp], error) {
	const op, scope = "list all lamps", "lamps"
	owner, id, err := store.PageKeyPair(scope, opts.PageToken)
	if err != nil {
		return store.Page[skillstore.Lamp]{}, &Error{Op: op, Err: err}
	}
	limit := store.PageLimit(opts)
	var rows pgx.Rows
	if owner == "" && id == "" {
		rows, err = db.pool.Query(ctx, `SELECT `+lampColumns+` FROM lamps ORDER BY owner, id LIMIT $1`, limit+1)
	} else {
		rows, err = db.pool.Query(ctx, `SELECT `+lampColumns+` FROM lamps
			WHERE (owner, id) > ($1, $2) ORDER BY owner, id LIMIT $3`, owner, id, limit+1)
	}
	if err != nil {
		return store.Page[skillstore.Lamp]{}, wrap(op, err)
	}
	page, err := collectPage(rows, scope, limit, scanLamp, func(l *skillstore.Lamp) string { return l.Owner + "\x00" + l.ID })
	return page, wrap(op, err)
}

// ListAlexaGrants pages through every owner's grant by owner.
func (db *DB) ListAlexaGrants(ctx context.Context, opts store.ListOptions) (store.Page[skillstore.AlexaGrant], error) {
	const op, scope = "list alexa grants", "alexa_grants"
	after, err := pageKey(op, scope, opts.PageToken)
	if err != nil {
		return store.Page[skillstore.AlexaGrant]{}, err
	}
	limit := store.PageLimit(opts)
	var rows pgx.Rows
	if after == "" {
		rows, err = db.pool.Query(ctx, `SELECT owner, sealed_tokens, token_expires_at, created_at, updated_at
			FROM alexa_grants ORDER BY owner LIMIT $1`, limit+1)
	} else {
		rows, err = db.pool.Query(ctx, `SELECT owner, sealed_tokens, token_expires_at, created_at, updated_at
			FROM alexa_grants WHERE owner > $1 ORDER BY owner LIMIT $2`, after, limit+1)
	}
	if err != nil {
		return store.Page[skillstore.AlexaGrant]{}, wrap(op, err)
	}
	page, err := collectPage(rows, scope, limit, scanAlexaGrant, func(g *skillstore.AlexaGrant) string { return g.Owner })
	return page, wrap(op, err)
}

func scanAlexaGrant(row pgx.Row) (skillstore.AlexaGrant, error) {
	var g skillstore.AlexaGrant
	err := row.Scan(&g.Owner, &g.SealedTokens, (*utcTime)(&g.TokenExpiresAt),
		(*utcTime)(&g.CreatedAt), (*utcTime)(&g.UpdatedAt))
	return g, err
}
