package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/linkpool/linkpool/internal/store"
)

const authCodeColumns = `id, pool_id, client_id, sub, redirect_uri, scopes, nonce,
	code_challenge, code_challenge_method, auth_time, origin_jti, created_at,
	expires_at, redeemed_at, replayed_at`

func scanAuthCode(row pgx.Row) (store.AuthCode, error) {
	var c store.AuthCode
	err := row.Scan(&c.ID, &c.PoolID, &c.ClientID, &c.Sub, &c.RedirectURI, &c.Scopes, &c.Nonce,
		&c.CodeChallenge, &c.CodeChallengeMethod, (*utcTime)(&c.AuthTime), &c.OriginJTI,
		(*utcTime)(&c.CreatedAt), (*utcTime)(&c.ExpiresAt), (*utcTime)(&c.RedeemedAt), (*utcTime)(&c.ReplayedAt))
	return c, err
}

// CreateAuthCode stores an issued authorization code (RFC 6749 §4.1.2)
// of an existing pool.
func (db *DB) CreateAuthCode(ctx context.Context, c store.AuthCode) error {
	_, err := db.pool.Exec(ctx, `INSERT INTO auth_codes (`+authCodeColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
		c.ID, c.PoolID, c.ClientID, c.Sub, c.RedirectURI, c.Scopes, c.Nonce,
		c.CodeChallenge, c.CodeChallengeMethod, ts(c.AuthTime), c.OriginJTI,
		ts(c.CreatedAt), ts(c.ExpiresAt), ts(c.RedeemedAt), ts(c.ReplayedAt))
	return wrap("create auth code", err)
}

// ConsumeAuthCode redeems the code at now. RFC 6749 §4.1.2 makes a code
// single-use, so the redemption is one conditional UPDATE: PostgreSQL
// lets exactly one of several concurrent statements match the unredeemed
// row, and the others see it redeemed once the winner commits.
//
// When nothing matched, a second UPDATE marks a redeemed code replayed,
// keeping the first replay's time, and returns it with store.ErrConflict,
// so that the caller can revoke the tokens the first redemption issued, as
// RFC 6749 §4.1.2 recommends; the mark makes CreateRefreshToken refuse a
// grant of the code from then on. An unknown code, or an expired one that
// was never redeemed, is store.ErrNotFound.
func (db *DB) ConsumeAuthCode(ctx context.Context, id string, now time.Time) (store.AuthCode, error) {
	const op = "consume auth code"
	c, err := scanAuthCode(db.pool.QueryRow(ctx, `UPDATE auth_codes SET redeemed_at = $2
		WHERE id = $1 AND redeemed_at IS NULL AND expires_at > $2
		RETURNING `+authCodeColumns, id, ts(now)))
	if err == nil {
		return c, nil
	}
	if !isNoRows(err) {
		return store.AuthCode{}, wrap(op, err)
	}
	c, err = scanAuthCode(db.pool.QueryRow(ctx, `UPDATE auth_codes SET replayed_at = COALESCE(replayed_at, $2)
		WHERE id = $1 AND redeemed_at IS NOT NULL
		RETURNING `+authCodeColumns, id, ts(now)))
	if isNoRows(err) {
		return store.AuthCode{}, notFound(op)
	}
	if err != nil {
		return store.AuthCode{}, wrap(op, err)
	}
	return c, &Error{Op: op, Err: store.ErrConflict}
}
