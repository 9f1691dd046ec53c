package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/linkpool/linkpool/internal/store"
)

const refreshTokenColumns = `id, origin_jti, pool_id, client_id, sub, scopes, auth_time,
	code_id, secret_hash, prev_secret_hash, prev_valid_until, grace_depth, created_at,
	last_used_at, expires_at, revoked_at`

const refreshTokenValues = `($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`

func refreshTokenArgs(t *store.RefreshToken) []any {
	return []any{
		t.ID, t.OriginJTI, t.PoolID, t.ClientID, t.Sub, t.Scopes, ts(t.AuthTime),
		t.CodeID, t.SecretHash, t.PrevSecretHash, ts(t.PrevValidUntil), t.GraceDepth, ts(t.CreatedAt),
		ts(t.LastUsedAt), ts(t.ExpiresAt), ts(t.RevokedAt),
	}
}

func scanRefreshToken(row pgx.Row) (store.RefreshToken, error) {
	var t store.RefreshToken
	err := row.Scan(refreshDests(&t)...)
	return t, err
}

// refreshDests are the scan destinations of refreshTokenColumns in t.
func refreshDests(t *store.RefreshToken) []any {
	return []any{&t.ID, &t.OriginJTI, &t.PoolID, &t.ClientID, &t.Sub, &t.Scopes, (*utcTime)(&t.AuthTime),
		&t.CodeID, &t.SecretHash, &t.PrevSecretHash, (*utcTime)(&t.PrevValidUntil), &t.GraceDepth, (*utcTime)(&t.CreatedAt),
		(*utcTime)(&t.LastUsedAt), (*utcTime)(&t.ExpiresAt), (*utcTime)(&t.RevokedAt)}
}

// refreshGrantQuery reads a grant and its user in one statement, both by
// primary key.
var refreshGrantQuery = `SELECT ` + store.Qualified("rt", refreshTokenColumns) + `, ` + store.Qualified("u", userColumns) + `
	FROM refresh_tokens rt JOIN users u ON u.pool_id = rt.pool_id AND u.sub = rt.sub WHERE rt.id = $1`

// GetRefreshGrant returns the grant and its user in one statement; a
// grant whose user is gone (the join finds no row) is read alone.
func (db *DB) GetRefreshGrant(ctx context.Context, id string) (store.RefreshGrant, error) {
	var g store.RefreshGrant
	u, err := scanUser(store.Prefixed{Row: db.pool.QueryRow(ctx, refreshGrantQuery, id), Head: refreshDests(&g.Token)})
	if err == nil {
		g.User, g.UserFound = u, true
		return g, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return store.RefreshGrant{}, wrap("get refresh grant", err)
	}
	g.Token, err = db.GetRefreshToken(ctx, id)
	if err != nil {
		return store.RefreshGrant{}, err
	}
	return g, nil
}

// CreateRefreshToken stores a new grant family of an existing pool. The
// id and a non-empty OriginJTI must be unused. A grant of a code marked
// replayed is refused with store.ErrConflict. The code's row is read FOR
// SHARE in the inserting transaction: ConsumeAuthCode's mark, which needs
// the row exclusively, either committed before the lock was granted (READ
// COMMITTED then reads the marked row and nothing is stored) or waits
// until the grant has committed, so the replay's revocation, which starts
// after its mark, sees the grant.
func (db *DB) CreateRefreshToken(ctx context.Context, t store.RefreshToken) error {
	const op = "create refresh token"
	if t.CodeID == "" {
		_, err := db.pool.Exec(ctx, `INSERT INTO refresh_tokens (`+refreshTokenColumns+`) VALUES `+refreshTokenValues,
			refreshTokenArgs(&t)...)
		return wrap(op, err)
	}
	return db.inTx(ctx, op, func(tx pgx.Tx) error {
		var replayed bool
		err := tx.QueryRow(ctx, `SELECT replayed_at IS NOT NULL FROM auth_codes WHERE id = $1 FOR SHARE`, t.CodeID).Scan(&replayed)
		switch {
		case err != nil && !isNoRows(err):
			return err
		case replayed:
			return &Error{Op: op, Err: fmt.Errorf("authorization code replayed: %w", store.ErrConflict)}
		}
		_, err = tx.Exec(ctx, `INSERT INTO refresh_tokens (`+refreshTokenColumns+`) VALUES `+refreshTokenValues,
			refreshTokenArgs(&t)...)
		return err
	})
}

// GetRefreshToken returns the grant family with the given id, revoked or
// expired ones included: the caller judges them at its own clock.
func (db *DB) GetRefreshToken(ctx context.Context, id string) (store.RefreshToken, error) {
	t, err := scanRefreshToken(db.pool.QueryRow(ctx, `SELECT `+refreshTokenColumns+` FROM refresh_tokens WHERE id = $1`, id))
	return t, wrap("get refresh token", err)
}

// GetRefreshTokenByOrigin returns the grant family of an authentication,
// found by the origin_jti its tokens carry.
func (db *DB) GetRefreshTokenByOrigin(ctx context.Context, originJTI string) (store.RefreshToken, error) {
	const op = "get refresh token by origin"
	if originJTI == "" {
		return store.RefreshToken{}, notFound(op)
	}
	t, err := scanRefreshToken(db.pool.QueryRow(ctx, `SELECT `+refreshTokenColumns+` FROM refresh_tokens
		WHERE origin_jti = $1 AND origin_jti <> ''`, originJTI))
	return t, wrap(op, err)
}

// UpdateRefreshToken runs fn on the locked grant family and stores the
// result under the same id; a changed ID in the result is ignored. The
// row lock serialises concurrent refreshes of one family, so a rotation
// always starts from the secret the previous rotation stored.
func (db *DB) UpdateRefreshToken(ctx context.Context, id string, fn func(store.RefreshToken) (store.RefreshToken, error)) error {
	const op = "update refresh token"
	return db.inTx(ctx, op, func(tx pgx.Tx) error {
		cur, err := scanRefreshToken(tx.QueryRow(ctx, `SELECT `+refreshTokenColumns+` FROM refresh_tokens
			WHERE id = $1 FOR UPDATE`, id))
		if err != nil {
			return wrap(op, err)
		}
		next, err := fn(cur)
		if err != nil {
			return &callbackError{err}
		}
		next.ID = cur.ID
		_, err = tx.Exec(ctx, `UPDATE refresh_tokens SET (`+refreshTokenColumns+`) = `+refreshTokenValues+`
			WHERE id = $1`, refreshTokenArgs(&next)...)
		return err
	})
}

// errNoPool rejects a RevokeFilter without a PoolID, which would revoke
// across every pool.
var errNoPool = errors.New("revoke filter has no PoolID")

// RevokeRefreshTokens revokes at now every unrevoked grant family that
// matches f (RFC 7009 §2.1: revoking a refresh token revokes its grant).
// The statement is built from the non-empty fields only, so that each
// combination gets a plan that uses the matching index.
func (db *DB) RevokeRefreshTokens(ctx context.Context, f store.RevokeFilter, now time.Time) (int64, error) {
	const op = "revoke refresh tokens"
	if f.PoolID == "" {
		return 0, &Error{Op: op, Err: errNoPool}
	}
	var q strings.Builder
	q.WriteString(`UPDATE refresh_tokens SET revoked_at = $1 WHERE revoked_at IS NULL AND pool_id = $2`)
	args := []any{ts(now), f.PoolID}
	for _, c := range []struct{ column, value string }{
		{"sub", f.Sub}, {"client_id", f.ClientID}, {"code_id", f.CodeID},
	} {
		if c.value == "" {
			continue
		}
		args = append(args, c.value)
		q.WriteString(" AND " + c.column + " = $" + strconv.Itoa(len(args)))
		if c.column == "code_id" {
			// Lets the planner use the partial index on code_id.
			q.WriteString(" AND code_id <> ''")
		}
	}
	tag, err := db.pool.Exec(ctx, q.String(), args...)
	if err != nil {
		return 0, wrap(op, err)
	}
	return tag.RowsAffected(), nil
}

// ListRefreshTokens returns the user's grant families, oldest first.
func (db *DB) ListRefreshTokens(ctx context.Context, poolID, sub string) ([]store.RefreshToken, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+refreshTokenColumns+` FROM refresh_tokens
		WHERE pool_id = $1 AND sub = $2 ORDER BY created_at, id`, poolID, sub)
	if err != nil {
		return nil, wrap("list refresh tokens", err)
	}
	toks, err := collectAll(rows, scanRefreshToken)
	return toks, wrap("list refresh tokens", err)
}
