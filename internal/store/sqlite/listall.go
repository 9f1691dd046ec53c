package sqlite

import (
	"context"
	"fmt"

	"github.com/linkpool/linkpool/internal/smarthome/skillstore"
	"github.com/linkpool/linkpool/internal/store"
)

// Whole-store listings for export. Each is one range scan of a primary
// key: refresh_tokens(id), lamps(owner, id), alexa_grants(owner).

// ListAllRefreshTokens pages through every grant family by id.
func (db *DB) ListAllRefreshTokens(ctx context.Context, opts store.ListOptions) (store.Page[store.RefreshToken], error) {
	const op = "list all refresh tokens"
	after, fetch, err := pageArgs(op, "refresh_tokens", opts)
	if err != nil {
		return store.Page[store.RefreshToken]{}, err
	}
	items, err := queryAll(ctx, db.rq, op, scanRefreshToken,
		`SELECT `+refreshColumns+` FROM refresh_tokens WHERE id > ? ORDER BY id LIMIT ?`, after, fetch)
	if err != nil {
		return store.Page[store.RefreshToken]{}, err
	}
	return makePage(items, "refresh_tokens", opts, func(t store.RefreshToken) string { return t.ID }), nil
}

// ListAllLamps pages through every lamp by owner, then id. The page key
// joins both with a NUL byte, which neither contains.
func (db *DB) ListAllLamps(ctx context.Context, opts store.ListOptions) (store.Page[skillstore.Lamp], error) {
	const op = "list all lamps"
	owner, id, err := store.PageKeyPair("lamps", opts.PageToken)
	if err != nil {
		return store.Page[skillstore.Lamp]{}, fmt.Errorf("%s: sqlite: %w", op, err)
	}
	items, err := queryAll(ctx, db.rq, op, scanLamp,
		`SELECT `+lampColumns+` FROM lamps WHERE (owner, id) > (?, ?) ORDER BY owner, id LIMIT ?`, owner, id, store.PageLimit(opts)+1)
	if err != nil {
		return store.Page[skillstore.Lamp]{}, err
	}
	return makePage(items, "lamps", opts, func(l skillstore.Lamp) string { return l.Owner + "\x00" + l.ID }), nil
}

// ListAlexaGrants pages through every owner's grant by owner.
func (db *DB) ListAlexaGrants(ctx context.Context, opts store.ListOptions) (store.Page[skillstore.AlexaGrant], error) {
	const op = "list alexa grants"
	after, fetch, err := pageArgs(op, "alexa_grants", opts)
	if err != nil {
		return store.Page[skillstore.AlexaGrant]{}, err
	}
	items, err := queryAll(ctx, db.rq, op, scanAlexaGrant,
		`SELECT owner, sealed_tokens, token_expires_at, created_at, updated_at
		FROM alexa_grants WHERE owner > ? ORDER BY owner LIMIT ?`, after, fetch)
	if err != nil {
		return store.Page[skillstore.AlexaGrant]{}, err
	}
	return makePage(items, "alexa_grants", opts, func(g skillstore.AlexaGrant) string { return g.Owner }), nil
}

func scanAlexaGrant(row scanner) (skillstore.AlexaGrant, error) {
	var g skillstore.AlexaGrant
	err := row.Scan(&g.Owner, &g.SealedTokens, timeCol{&g.TokenExpiresAt}, timeCol{&g.CreatedAt}, timeCol{&g.UpdatedAt})
	if len(g.SealedTokens) == 0 {
		g.SealedTokens = nil
	}
	return g, err
}
