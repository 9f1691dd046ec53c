package sqlite

import (
	"context"
	"database/sql"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
)

const groupColumns = `pool_id, name, description, precedence, role_arn, created_at, updated_at`

func scanGroup(row scanner) (pool.Group, error) {
	var (
		g    pool.Group
		prec sql.NullInt64
	)
	err := row.Scan(&g.PoolID, &g.Name, &g.Description, &prec, &g.RoleArn, timeCol{&g.CreatedAt}, timeCol{&g.UpdatedAt})
	if prec.Valid {
		p := int(prec.Int64)
		g.Precedence = &p
	}
	return g, err
}

func precedence(g pool.Group) sql.NullInt64 {
	if g.Precedence == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: int64(*g.Precedence), Valid: true}
}

// CreateGroup stores a new group; names are unique in the pool.
func (db *DB) CreateGroup(ctx context.Context, g pool.Group) error {
	defer db.configWrote()
	_, err := db.exec(ctx, "create group", `INSERT INTO groups (`+groupColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		g.PoolID, g.Name, g.Description, precedence(g), g.RoleArn, micros(g.CreatedAt), micros(g.UpdatedAt))
	return err
}

// GetGroup returns the group with the given name.
func (db *DB) GetGroup(ctx context.Context, poolID, name string) (pool.Group, error) {
	g, err := scanGroup(db.rq.QueryRowContext(ctx, `SELECT `+groupColumns+` FROM groups WHERE pool_id = ? AND name = ?`, poolID, name))
	return g, wrap("get group", err)
}

// ListGroups lists the pool's groups ordered by name.
func (db *DB) ListGroups(ctx context.Context, poolID string, opts store.ListOptions) (store.Page[pool.Group], error) {
	const op = "list groups"
	after, fetch, err := pageArgs(op, "groups/"+poolID, opts)
	if err != nil {
		return store.Page[pool.Group]{}, err
	}
	items, err := queryAll(ctx, db.rq, op, scanGroup,
		`SELECT `+groupColumns+` FROM groups WHERE pool_id = ? AND name > ? ORDER BY name LIMIT ?`, poolID, after, fetch)
	if err != nil {
		return store.Page[pool.Group]{}, err
	}
	return makePage(items, "groups/"+poolID, opts, func(g pool.Group) string { return g.Name }), nil
}

// UpdateGroup runs fn on the stored group and stores the result; the pool
// and the name do not change.
func (db *DB) UpdateGroup(ctx context.Context, poolID, name string, fn func(pool.Group) (pool.Group, error)) error {
	defer db.configWrote()
	const op = "update group"
	return db.writeTx(ctx, op, func(tx *wtx) error {
		old, err := scanGroup(tx.QueryRow(`SELECT `+groupColumns+` FROM groups WHERE pool_id = ? AND name = ?`, poolID, name))
		if err != nil {
			return wrap(op, err)
		}
		g, err := fn(old)
		if err != nil {
			return err
		}
		_, err = tx.Exec(`UPDATE groups SET description = ?, precedence = ?, role_arn = ?,
			created_at = ?, updated_at = ? WHERE pool_id = ? AND name = ?`,
			g.Description, precedence(g), g.RoleArn, micros(g.CreatedAt), micros(g.UpdatedAt), poolID, name)
		return wrap(op, err)
	})
}

// DeleteGroup deletes the group; its memberships go by cascade.
func (db *DB) DeleteGroup(ctx context.Context, poolID, name string) error {
	defer db.configWrote()
	return db.execOne(ctx, "delete group", `DELETE FROM groups WHERE pool_id = ? AND name = ?`, poolID, name)
}

// AddUserToGroup adds the user to the group. Adding a member again
// changes nothing; a missing user or group violates a foreign key and
// fails with store.ErrNotFound.
func (db *DB) AddUserToGroup(ctx context.Context, poolID, group, sub string) error {
	_, err := db.exec(ctx, "add user to group",
		`INSERT INTO group_members (pool_id, group_name, sub) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, poolID, group, sub)
	return err
}

// RemoveUserFromGroup removes the user from the group; removing a
// non-member succeeds.
func (db *DB) RemoveUserFromGroup(ctx context.Context, poolID, group, sub string) error {
	_, err := db.exec(ctx, "remove user from group",
		`DELETE FROM group_members WHERE pool_id = ? AND group_name = ? AND sub = ?`, poolID, group, sub)
	return err
}

// ListGroupsForUser returns the user's groups by precedence, lowest
// first, groups without precedence last, then by name: the order of
// Cognito's cognito:groups claim.
func (db *DB) ListGroupsForUser(ctx context.Context, poolID, sub string) ([]pool.Group, error) {
	return queryAll(ctx, db.rq, "list groups for user", scanGroup, `SELECT g.pool_id, g.name, g.description,
			g.precedence, g.role_arn, g.created_at, g.updated_at
		FROM group_members m JOIN groups g ON g.pool_id = m.pool_id AND g.name = m.group_name
		WHERE m.pool_id = ? AND m.sub = ?
		ORDER BY g.precedence IS NULL, g.precedence, g.name`, poolID, sub)
}

// ListUsersInGroup lists the group's members ordered by sub.
func (db *DB) ListUsersInGroup(ctx context.Context, poolID, group string, opts store.ListOptions) (store.Page[pool.User], error) {
	const op = "list users in group"
	after, fetch, err := pageArgs(op, "members/"+poolID+"/"+group, opts)
	if err != nil {
		return store.Page[pool.User]{}, err
	}
	items, err := queryAll(ctx, db.rq, op, scanUser, `SELECT u.pool_id, u.sub, u.username, u.username_key,
			u.email_key, u.attributes, u.status, u.enabled, u.password_hash, u.password_set_at,
			u.failed_logins, u.locked_until, u.pending_code, u.tokens_valid_after, u.created_at, u.updated_at, u.srp_salt, u.srp_verifier, u.identities, u.mfa
		FROM group_members m JOIN users u ON u.pool_id = m.pool_id AND u.sub = m.sub
		WHERE m.pool_id = ? AND m.group_name = ? AND m.sub > ?
		ORDER BY m.sub LIMIT ?`, poolID, group, after, fetch)
	if err != nil {
		return store.Page[pool.User]{}, err
	}
	return makePage(items, "members/"+poolID+"/"+group, opts, func(u pool.User) string { return u.Sub }), nil
}

// CreateUserInGroup creates the group when it is missing, the user with
// its identities and the membership in one write of the group commit; a
// conflict rolls the write's savepoint back, so nothing of it stays.
func (db *DB) CreateUserInGroup(ctx context.Context, u pool.User, g pool.Group) error {
	const op = "create user in group"
	v, err := userValues(u)
	if err != nil {
		return wrap(op, err)
	}
	createdGroup := false
	err = db.writeTx(ctx, op, func(tx *wtx) error {
		res, err := tx.Exec(`INSERT INTO groups (`+groupColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			u.PoolID, g.Name, g.Description, precedence(g), g.RoleArn, micros(g.CreatedAt), micros(g.UpdatedAt))
		if err != nil {
			return wrap(op, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return wrap(op, err)
		}
		if _, err := tx.Exec(`INSERT INTO users (`+userColumns+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, append([]any{u.PoolID, u.Sub}, v...)...); err != nil {
			return wrap(op, err)
		}
		if err := linkIdentities(tx, u.PoolID, u.Sub, nil, u.Identities); err != nil {
			return wrap(op, err)
		}
		if _, err := tx.Exec(`INSERT INTO group_members (pool_id, group_name, sub) VALUES (?, ?, ?)`, u.PoolID, g.Name, u.Sub); err != nil {
			return wrap(op, err)
		}
		createdGroup = n == 1
		return nil
	})
	if err == nil && createdGroup {
		db.configWrote()
	}
	return err
}
