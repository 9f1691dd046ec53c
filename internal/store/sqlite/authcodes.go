package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/linkpool/linkpool/internal/store"
)

const authCodeColumns = `id, pool_id, client_id, sub, redirect_uri, scopes, nonce, code_challenge,
	code_challenge_method, auth_time, origin_jti, created_at, expires_at, redeemed_at`

func scanAuthCode(row scanner) (store.AuthCode, error) {
	var c store.AuthCode
	err := row.Scan(&c.ID, &c.PoolID, &c.ClientID, &c.Sub, &c.RedirectURI, jsonCol{&c.Scopes}, &c.Nonce,
		&c.CodeChallenge, &c.CodeChallengeMethod, timeCol{&c.AuthTime}, &c.OriginJTI, timeCol{&c.CreatedAt},
		timeCol{&c.ExpiresAt}, timeCol{&c.RedeemedAt})
	return c, err
}

// CreateAuthCode stores an issued authorization code.
func (db *DB) CreateAuthCode(ctx context.Context, c store.AuthCode) error {
	const op = "create auth code"
	var e encoder
	scopes := e.json(c.Scopes)
	if e.err != nil {
		return wrap(op, e.err)
	}
	_, err := db.exec(ctx, op, `INSERT INTO auth_codes (`+authCodeColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.ID, c.PoolID, c.ClientID, c.Sub, c.RedirectURI, scopes, c.Nonce, c.CodeChallenge,
		c.CodeChallengeMethod, micros(c.AuthTime), c.OriginJTI, micros(c.CreatedAt), micros(c.ExpiresAt),
		micros(c.RedeemedAt))
	return err
}

// ConsumeAuthCode redeems the code at now. The redemption is one
// conditional UPDATE, so of concurrent redemptions exactly one matches
// the unredeemed row (RFC 6749 §4.1.2: a code is used once). When it
// matches nothing, a read in the same transaction tells an unknown or
// expired code (store.ErrNotFound) from a redeemed one, which comes back
// with store.ErrConflict so that the caller can revoke the tokens issued
// from it (RFC 6749 §4.1.2, RFC 9700 §4.5).
func (db *DB) ConsumeAuthCode(ctx context.Context, id string, now time.Time) (store.AuthCode, error) {
	const op = "consume auth code"
	at := micros(now)
	if at == 0 {
		return store.AuthCode{}, fmt.Errorf("%s: redemption time is zero", op)
	}
	var code store.AuthCode
	err := db.writeTx(ctx, op, func(tx *sql.Tx) error {
		var err error
		code, err = scanAuthCode(tx.QueryRowContext(ctx, `UPDATE auth_codes SET redeemed_at = ?
			WHERE id = ? AND redeemed_at = 0 AND expires_at > ?
			RETURNING `+authCodeColumns, at, id, at))
		if !errors.Is(err, sql.ErrNoRows) {
			return wrap(op, err)
		}
		code, err = scanAuthCode(tx.QueryRowContext(ctx, `SELECT `+authCodeColumns+` FROM auth_codes WHERE id = ?`, id))
		switch {
		case err != nil:
			return wrap(op, err)
		case code.ExpiresAt.UnixMicro() <= at:
			return fmt.Errorf("%s: code expired: %w", op, store.ErrNotFound)
		}
		return fmt.Errorf("%s: code already redeemed: %w", op, store.ErrConflict)
	})
	switch {
	case err == nil:
		return code, nil
	case errors.Is(err, store.ErrConflict):
		return code, err
	}
	return store.AuthCode{}, err
}
