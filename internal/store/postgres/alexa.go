package postgres

import (
	"context"

	"github.com/linkpool/linkpool/internal/smarthome/skillstore"
)

// PutAlexaGrant stores the owner's grant, replacing any previous one:
// each Alexa.Authorization AcceptGrant directive supersedes the last.
func (db *DB) PutAlexaGrant(ctx context.Context, g skillstore.AlexaGrant) error {
	_, err := db.pool.Exec(ctx, `INSERT INTO alexa_grants
			(owner, grant_code, sealed_tokens, token_expires_at, created_at, updated_at)
		VALUES ($1, '', $2, $3, $4, $5)
		ON CONFLICT (owner) DO UPDATE SET
			grant_code = '',
			sealed_tokens = EXCLUDED.sealed_tokens,
			token_expires_at = EXCLUDED.token_expires_at,
			created_at = EXCLUDED.created_at,
			updated_at = EXCLUDED.updated_at`,
		g.Owner, g.SealedTokens, ts(g.TokenExpiresAt), ts(g.CreatedAt), ts(g.UpdatedAt))
	return wrap("put alexa grant", err)
}

// GetAlexaGrant returns the owner's grant.
func (db *DB) GetAlexaGrant(ctx context.Context, owner string) (skillstore.AlexaGrant, error) {
	var g skillstore.AlexaGrant
	err := db.pool.QueryRow(ctx, `SELECT owner, sealed_tokens, token_expires_at,
			created_at, updated_at
		FROM alexa_grants WHERE owner = $1`, owner).
		Scan(&g.Owner, &g.SealedTokens, (*utcTime)(&g.TokenExpiresAt),
			(*utcTime)(&g.CreatedAt), (*utcTime)(&g.UpdatedAt))
	if err != nil {
		return skillstore.AlexaGrant{}, wrap("get alexa grant", err)
	}
	return g, nil
}
