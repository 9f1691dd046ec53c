package sqlite

import (
	"context"

	"github.com/linkpool/linkpool/internal/smarthome/skillstore"
)

// PutAlexaGrant stores the owner's grant, replacing any earlier one.
func (db *DB) PutAlexaGrant(ctx context.Context, g skillstore.AlexaGrant) error {
	_, err := db.exec(ctx, "put alexa grant", `INSERT INTO alexa_grants
			(owner, grant_code, sealed_tokens, token_expires_at, created_at, updated_at)
		VALUES (?, '', ?, ?, ?, ?)
		ON CONFLICT (owner) DO UPDATE SET grant_code = '', sealed_tokens = excluded.sealed_tokens, token_expires_at = excluded.token_expires_at,
			created_at = excluded.created_at, updated_at = excluded.updated_at`,
		g.Owner, blob(g.SealedTokens), micros(g.TokenExpiresAt), micros(g.CreatedAt), micros(g.UpdatedAt))
	return err
}

// GetAlexaGrant returns the owner's grant.
func (db *DB) GetAlexaGrant(ctx context.Context, owner string) (skillstore.AlexaGrant, error) {
	var g skillstore.AlexaGrant
	err := db.rq.QueryRowContext(ctx, `SELECT owner, sealed_tokens, token_expires_at, created_at, updated_at
		FROM alexa_grants WHERE owner = ?`, owner).
		Scan(&g.Owner, &g.SealedTokens, timeCol{&g.TokenExpiresAt}, timeCol{&g.CreatedAt}, timeCol{&g.UpdatedAt})
	if len(g.SealedTokens) == 0 {
		g.SealedTokens = nil
	}
	return g, wrap("get alexa grant", err)
}
