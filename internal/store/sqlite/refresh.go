package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/linkpool/linkpool/internal/store"
)

const refreshColumns = `id, origin_jti, pool_id, client_id, sub, scopes, auth_time, code_id,
	secret_hash, prev_secret_hash, prev_valid_until, grace_depth, created_at, last_used_at, expires_at, revoked_at`

func scanRefreshToken(row scanner) (store.RefreshToken, error) {
	var t store.RefreshToken
	err := row.Scan(refreshDests(&t)...)
	return t, err
}

// refreshDests are the scan destinations of refreshColumns in t.
func refreshDests(t *store.RefreshToken) []any {
	return []any{&t.ID, &t.OriginJTI, &t.PoolID, &t.ClientID, &t.Sub, jsonCol{&t.Scopes}, timeCol{&t.AuthTime},
		&t.CodeID, &t.SecretHash, &t.PrevSecretHash, timeCol{&t.PrevValidUntil}, &t.GraceDepth, timeCol{&t.CreatedAt},
		timeCol{&t.LastUsedAt}, timeCol{&t.ExpiresAt}, timeCol{&t.RevokedAt}}
}

// refreshValues returns the columns after id, origin_jti, pool_id,
// client_id and sub, in refreshColumns order.
func refreshValues(t store.RefreshToken) ([]any, error) {
	var e encoder
	v := []any{e.json(t.Scopes), micros(t.AuthTime), t.CodeID, t.SecretHash, t.PrevSecretHash,
		micros(t.PrevValidUntil), t.GraceDepth, micros(t.CreatedAt), micros(t.LastUsedAt), micros(t.ExpiresAt), micros(t.RevokedAt)}
	return v, e.err
}

// CreateRefreshToken stores a new grant family. The id and the origin are
// unique. A grant of a code marked replayed is refused with
// store.ErrConflict: the check is part of the INSERT, and SQLite runs one
// writer at a time, so ConsumeAuthCode's mark either commits first (the
// INSERT stores nothing) or after the grant (the replay's revocation then
// sees it).
func (db *DB) CreateRefreshToken(ctx context.Context, t store.RefreshToken) error {
	const op = "create refresh token"
	v, err := refreshValues(t)
	if err != nil {
		return wrap(op, err)
	}
	res, err := db.exec(ctx, op, `INSERT INTO refresh_tokens (`+refreshColumns+`)
		SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?
		WHERE NOT EXISTS (SELECT 1 FROM auth_codes WHERE id = ? AND replayed_at <> 0)`,
		append(append([]any{t.ID, t.OriginJTI, t.PoolID, t.ClientID, t.Sub}, v...), t.CodeID)...)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return wrap(op, err)
	} else if n == 0 {
		return fmt.Errorf("%s: authorization code replayed: %w", op, store.ErrConflict)
	}
	return nil
}

// GetRefreshToken returns the grant family with the given id.
func (db *DB) GetRefreshToken(ctx context.Context, id string) (store.RefreshToken, error) {
	t, err := scanRefreshToken(db.rq.QueryRowContext(ctx, `SELECT `+refreshColumns+` FROM refresh_tokens WHERE id = ?`, id))
	return t, wrap("get refresh token", err)
}

// refreshGrantQuery reads a grant and its user in one statement, both by
// primary key.
var refreshGrantQuery = `SELECT ` + store.Qualified("rt", refreshColumns) + `, ` + store.Qualified("u", userColumns) + `
	FROM refresh_tokens rt JOIN users u ON u.pool_id = rt.pool_id AND u.sub = rt.sub WHERE rt.id = ?`

// GetRefreshGrant returns the grant and its user in one statement; a
// grant whose user is gone (the join finds no row) is read alone.
func (db *DB) GetRefreshGrant(ctx context.Context, id string) (store.RefreshGrant, error) {
	var g store.RefreshGrant
	u, err := scanUser(store.Prefixed{Row: db.rq.QueryRowContext(ctx, refreshGrantQuery, id), Head: refreshDests(&g.Token)})
	if err == nil {
		g.User, g.UserFound = u, true
		return g, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return store.RefreshGrant{}, wrap("get refresh grant", err)
	}
	g.Token, err = db.GetRefreshToken(ctx, id)
	if err != nil {
		return store.RefreshGrant{}, err
	}
	return g, nil
}

// GetRefreshTokenByOrigin returns the grant family of an authentication.
func (db *DB) GetRefreshTokenByOrigin(ctx context.Context, originJTI string) (store.RefreshToken, error) {
	t, err := scanRefreshToken(db.rq.QueryRowContext(ctx, `SELECT `+refreshColumns+` FROM refresh_tokens WHERE origin_jti = ?`, originJTI))
	return t, wrap("get refresh token by origin", err)
}

// UpdateRefreshToken runs fn on the stored grant and stores the result in
// one writer transaction, so concurrent refreshes of one token are
// serialised and rotation never loses an update. The id, origin, pool,
// client and sub do not change.
func (db *DB) UpdateRefreshToken(ctx context.Context, id string, fn func(store.RefreshToken) (store.RefreshToken, error)) error {
	const op = "update refresh token"
	return db.writeTx(ctx, op, func(tx *wtx) error {
		old, err := scanRefreshToken(tx.QueryRow(`SELECT `+refreshColumns+` FROM refresh_tokens WHERE id = ?`, id))
		if err != nil {
			return wrap(op, err)
		}
		t, err := fn(old)
		if err != nil {
			return err
		}
		v, err := refreshValues(t)
		if err != nil {
			return wrap(op, err)
		}
		_, err = tx.Exec(`UPDATE refresh_tokens SET scopes = ?, auth_time = ?, code_id = ?,
			secret_hash = ?, prev_secret_hash = ?, prev_valid_until = ?, grace_depth = ?, created_at = ?,
			last_used_at = ?, expires_at = ?, revoked_at = ?
			WHERE id = ?`, append(v, id)...)
		return wrap(op, err)
	})
}

// errNoPool rejects a revocation without a pool: it would reach across
// pools.
var errNoPool = errors.New("revoke filter has no pool id")

// RevokeRefreshTokens revokes every unrevoked grant matching f at now.
// The WHERE clause is built from fixed fragments for the fields set, so
// each filter uses its index.
func (db *DB) RevokeRefreshTokens(ctx context.Context, f store.RevokeFilter, now time.Time) (int64, error) {
	const op = "revoke refresh tokens"
	if f.PoolID == "" {
		return 0, fmt.Errorf("%s: %w", op, errNoPool)
	}
	at := micros(now)
	if at == 0 {
		return 0, fmt.Errorf("%s: revocation time is zero", op)
	}
	where := []string{"pool_id = ?", "revoked_at = 0"}
	args := []any{at, f.PoolID}
	for _, c := range []struct{ column, value string }{{"sub", f.Sub}, {"client_id", f.ClientID}, {"code_id", f.CodeID}} {
		if c.value != "" {
			where = append(where, c.column+" = ?")
			args = append(args, c.value)
		}
	}
	if f.CodeID != "" {
		where = append(where, "code_id <> ''") // matches the partial index
	}
	res, err := db.exec(ctx, op, `UPDATE refresh_tokens SET revoked_at = ? WHERE `+strings.Join(where, " AND "), args...)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, wrap(op, err)
	}
	return n, nil
}

// ListRefreshTokens returns the user's grant families, revoked and
// expired ones included, oldest first.
func (db *DB) ListRefreshTokens(ctx context.Context, poolID, sub string) ([]store.RefreshToken, error) {
	return queryAll(ctx, db.rq, "list refresh tokens", scanRefreshToken,
		`SELECT `+refreshColumns+` FROM refresh_tokens WHERE pool_id = ? AND sub = ? ORDER BY created_at, id`, poolID, sub)
}
