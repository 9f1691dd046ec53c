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
	code_challenge_method, auth_time, origin_jti, created_at, expires_at, redeemed_at, replayed_at`

func scanAuthCode(row scanner) (store.AuthCode, error) {
	var c store.AuthCode
	err := row.Scan(&c.ID, &c.PoolID, &c.ClientID, &c.Sub, &c.RedirectURI, jsonCol{&c.Scopes}, &c.Nonce,
		&c.CodeChallenge, &c.CodeChallengeMethod, timeCol{&c.AuthTime}, &c.OriginJTI, timeCol{&c.CreatedAt},
		timeCol{&c.ExpiresAt}, timeCol{&c.RedeemedAt}, timeCol{&c.ReplayedAt})
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
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.ID, c.PoolID, c.ClientID, c.Sub, c.RedirectURI, scopes, c.Nonce, c.CodeChallenge,
		c.CodeChallengeMethod, micros(c.AuthTime), c.OriginJTI, micros(c.CreatedAt), micros(c.ExpiresAt),
		micros(c.RedeemedAt), micros(c.ReplayedAt))
	return err
}

// ConsumeAuthCode redeems the code at now. The redemption is one
// conditional UPDATE, so of concurrent redemptions exactly one matches
// the unredeemed row (RFC 6749 §4.1.2: a code is used once). When it
// matches nothing, a second UPDATE in the same transaction marks a
// redeemed code replayed (keeping the first replay's time) and returns it
// with store.ErrConflict, so that the caller can revoke the tokens issued
// from it (RFC 6749 §4.1.2, RFC 9700 §4.5); an unknown or unredeemed
// expired code is store.ErrNotFound.
func (db *DB) ConsumeAuthCode(ctx context.Context, id string, now time.Time) (store.AuthCode, error) {
	const op = "consume auth code"
	at := micros(now)
	if at == 0 {
		return store.AuthCode{}, fmt.Errorf("%s: redemption time is zero", op)
	}
	var code store.AuthCode
	replayed := false
	err := db.writeTx(ctx, op, func(tx *wtx) error {
		var err error
		code, err = scanAuthCode(tx.QueryRow(`UPDATE auth_codes SET redeemed_at = ?
			WHERE id = ? AND redeemed_at = 0 AND expires_at > ?
			RETURNING `+authCodeColumns, at, id, at))
		if !errors.Is(err, sql.ErrNoRows) {
			return wrap(op, err)
		}
		code, err = scanAuthCode(tx.QueryRow(`UPDATE auth_codes
			SET replayed_at = CASE WHEN replayed_at = 0 THEN ? ELSE replayed_at END
			WHERE id = ? AND redeemed_at <> 0
			RETURNING `+authCodeColumns, at, id))
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%s: unknown or expired code: %w", op, store.ErrNotFound)
		}
		// The mark commits; the conflict is reported after the commit.
		replayed = err == nil
		return wrap(op, err)
	})
	switch {
	case err != nil:
		return store.AuthCode{}, err
	case replayed:
		return code, fmt.Errorf("%s: code already redeemed: %w", op, store.ErrConflict)
	}
	return code, nil
}
