package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
)

const groupColumns = `pool_id, name, description, precedence, role_arn, created_at, updated_at`

const groupValues = `($1, $2, $3, $4, $5, $6, $7)`

func groupArgs(g *pool.Group) []any {
	return []any{g.PoolID, g.Name, g.Description, g.Precedence, g.RoleArn, ts(g.CreatedAt), ts(g.UpdatedAt)}
}

func scanGroup(row pgx.Row) (pool.Group, error) {
	var g pool.Group
	err := row.Scan(&g.PoolID, &g.Name, &g.Description, &g.Precedence, &g.RoleArn,
		(*utcTime)(&g.CreatedAt), (*utcTime)(&g.UpdatedAt))
	return g, err
}

// CreateGroup stores a new group of an existing pool.
func (db *DB) CreateGroup(ctx context.Context, g pool.Group) error {
	defer db.configWrote()
	_, err := db.pool.Exec(ctx, `INSERT INTO groups (`+groupColumns+`) VALUES `+groupValues, groupArgs(&g)...)
	return wrap("create group", err)
}

// GetGroup returns the group with the given name.
func (db *DB) GetGroup(ctx context.Context, poolID, name string) (pool.Group, error) {
	g, err := scanGroup(db.pool.QueryRow(ctx, `SELECT `+groupColumns+` FROM groups
		WHERE pool_id = $1 AND name = $2`, poolID, name))
	return g, wrap("get group", err)
}

// ListGroups returns one page of the pool's groups ordered by name.
func (db *DB) ListGroups(ctx context.Context, poolID string, opts store.ListOptions) (store.Page[pool.Group], error) {
	const op = "list groups"
	scope := "groups/" + poolID
	after, err := pageKey(op, scope, opts.PageToken)
	if err != nil {
		return store.Page[pool.Group]{}, err
	}
	limit := store.PageLimit(opts)
	rows, err := db.pool.Query(ctx, `SELECT `+groupColumns+` FROM groups
		WHERE pool_id = $1 AND name > $2 ORDER BY name LIMIT $3`, poolID, after, limit+1)
	if err != nil {
		return store.Page[pool.Group]{}, wrap(op, err)
	}
	page, err := collectPage(rows, scope, limit, scanGroup, func(g *pool.Group) string { return g.Name })
	return page, wrap(op, err)
}

// UpdateGroup runs fn on the locked group and stores the result under the
// same pool and name; a changed PoolID or Name in the result is ignored.
func (db *DB) UpdateGroup(ctx context.Context, poolID, name string, fn func(pool.Group) (pool.Group, error)) error {
	defer db.configWrote()
	const op = "update group"
	return db.inTx(ctx, op, func(tx pgx.Tx) error {
		cur, err := scanGroup(tx.QueryRow(ctx, `SELECT `+groupColumns+` FROM groups
			WHERE pool_id = $1 AND name = $2 FOR UPDATE`, poolID, name))
		if err != nil {
			return wrap(op, err)
		}
		next, err := fn(cur)
		if err != nil {
			return &callbackError{err}
		}
		next.PoolID, next.Name = cur.PoolID, cur.Name
		_, err = tx.Exec(ctx, `UPDATE groups SET (`+groupColumns+`) = `+groupValues+`
			WHERE pool_id = $1 AND name = $2`, groupArgs(&next)...)
		return err
	})
}

// DeleteGroup deletes the group and, by foreign key, its memberships.
func (db *DB) DeleteGroup(ctx context.Context, poolID, name string) error {
	defer db.configWrote()
	tag, err := db.pool.Exec(ctx, `DELETE FROM groups WHERE pool_id = $1 AND name = $2`, poolID, name)
	if err != nil {
		return wrap("delete group", err)
	}
	if tag.RowsAffected() == 0 {
		return notFound("delete group")
	}
	return nil
}

// AddUserToGroup adds the user to the group; adding a member again
// changes nothing. The foreign keys to users and groups turn a missing
// user or group into store.ErrNotFound.
func (db *DB) AddUserToGroup(ctx context.Context, poolID, group, sub string) error {
	_, err := db.pool.Exec(ctx, `INSERT INTO group_members (pool_id, group_name, sub)
		VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, poolID, group, sub)
	return wrap("add user to group", err)
}

// RemoveUserFromGroup removes the user from the group. Removing a user
// who is not a member changes nothing; it fails with store.ErrNotFound
// only when the user or the group does not exist.
func (db *DB) RemoveUserFromGroup(ctx context.Context, poolID, group, sub string) error {
	const op = "remove user from group"
	var exists bool
	err := db.pool.QueryRow(ctx, `WITH removed AS (
			DELETE FROM group_members WHERE pool_id = $1 AND group_name = $2 AND sub = $3 RETURNING 1
		)
		SELECT EXISTS (SELECT 1 FROM removed)
			OR (EXISTS (SELECT 1 FROM groups WHERE pool_id = $1 AND name = $2)
				AND EXISTS (SELECT 1 FROM users WHERE pool_id = $1 AND sub = $3))`,
		poolID, group, sub).Scan(&exists)
	if err != nil {
		return wrap(op, err)
	}
	if !exists {
		return notFound(op)
	}
	return nil
}

// ListGroupsForUser returns the user's groups ordered by precedence,
// lowest first and unset last, then by name: the order in which Cognito
// picks cognito:preferred_role ("Adding groups to a user pool").
func (db *DB) ListGroupsForUser(ctx context.Context, poolID, sub string) ([]pool.Group, error) {
	rows, err := db.pool.Query(ctx, `SELECT g.pool_id, g.name, g.description, g.precedence,
			g.role_arn, g.created_at, g.updated_at
		FROM group_members m
		JOIN groups g ON g.pool_id = m.pool_id AND g.name = m.group_name
		WHERE m.pool_id = $1 AND m.sub = $2
		ORDER BY g.precedence ASC NULLS LAST, g.name`, poolID, sub)
	if err != nil {
		return nil, wrap("list groups for user", err)
	}
	gs, err := collectAll(rows, scanGroup)
	return gs, wrap("list groups for user", err)
}

// ListUsersInGroup returns one page of the group's members ordered by
// username key.
func (db *DB) ListUsersInGroup(ctx context.Context, poolID, group string, opts store.ListOptions) (store.Page[pool.User], error) {
	const op = "list users in group"
	scope := "members/" + poolID + "/" + group
	after, err := pageKey(op, scope, opts.PageToken)
	if err != nil {
		return store.Page[pool.User]{}, err
	}
	limit := store.PageLimit(opts)
	rows, err := db.pool.Query(ctx, `SELECT u.pool_id, u.sub, u.username, u.username_key,
			u.email_key, u.attributes, u.status, u.enabled, u.password_hash, u.password_set_at,
			u.failed_logins, u.locked_until, u.pending_code, u.tokens_valid_after,
			u.created_at, u.updated_at, u.srp_salt, u.srp_verifier, u.identities, u.mfa
		FROM group_members m
		JOIN users u ON u.pool_id = m.pool_id AND u.sub = m.sub
		WHERE m.pool_id = $1 AND m.group_name = $2 AND u.username_key > $3
		ORDER BY u.username_key LIMIT $4`, poolID, group, after, limit+1)
	if err != nil {
		return store.Page[pool.User]{}, wrap(op, err)
	}
	page, err := collectPage(rows, scope, limit, scanUser, userPageKey)
	return page, wrap(op, err)
}

// CreateUserInGroup creates the group when it is missing, the user with
// its identities and the membership in one transaction; a conflict rolls
// all of it back.
func (db *DB) CreateUserInGroup(ctx context.Context, u pool.User, g pool.Group) error {
	const op = "create user in group"
	args, err := userArgs(&u)
	if err != nil {
		return wrap(op, err)
	}
	g.PoolID = u.PoolID
	createdGroup := false
	err = db.inTx(ctx, op, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO groups (`+groupColumns+`) VALUES `+groupValues+` ON CONFLICT DO NOTHING`, groupArgs(&g)...)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO users (`+userColumns+`) VALUES `+userValues, args...); err != nil {
			return err
		}
		if err := linkIdentities(ctx, tx, u.PoolID, u.Sub, nil, u.Identities); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO group_members (pool_id, group_name, sub) VALUES ($1, $2, $3)`, u.PoolID, g.Name, u.Sub); err != nil {
			return err
		}
		createdGroup = tag.RowsAffected() == 1
		return nil
	})
	if err == nil && createdGroup {
		db.configWrote()
	}
	return err
}
