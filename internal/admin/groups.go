package admin

import (
	"context"

	"github.com/linkpool/linkpool/internal/audit"
	"github.com/linkpool/linkpool/internal/pool"
)

// CreateGroup validates and stores a group in its pool; a taken name is
// GroupExistsException.
func (s *Service) CreateGroup(ctx context.Context, g pool.Group) (_ pool.Group, err error) {
	defer func() { s.record(ctx, "CreateGroup", g.PoolID, g.Name, audit.Diff(pool.Group{}, g), err) }()
	now := s.now()
	if g.CreatedAt.IsZero() {
		g.CreatedAt = now
	}
	if g.UpdatedAt.IsZero() {
		g.UpdatedAt = g.CreatedAt
	}
	if err := g.Validate(); err != nil {
		return g, validated(err)
	}
	if _, err := s.DescribeUserPool(ctx, g.PoolID); err != nil {
		return g, err
	}
	if err := s.st.CreateGroup(ctx, g); err != nil {
		return g, storeErr(err, "create group", KindGroup, g.Name)
	}
	return g, nil
}

// GetGroup returns a group; when the pool is what is missing, the error
// names the pool.
func (s *Service) GetGroup(ctx context.Context, poolID, name string) (pool.Group, error) {
	g, err := s.st.GetGroup(ctx, poolID, name)
	if err == nil {
		return g, nil
	}
	if _, perr := s.DescribeUserPool(ctx, poolID); perr != nil {
		return g, perr
	}
	return g, storeErr(err, "get group", KindGroup, name)
}

// UpdateGroup applies edit to the stored group (Description, Precedence,
// RoleArn), validates the result and stores it; a refused edit stores
// nothing. The name, pool and creation date cannot be changed.
func (s *Service) UpdateGroup(ctx context.Context, poolID, name string, edit func(*pool.Group)) (_ pool.Group, err error) {
	var before, updated pool.Group
	defer func() { s.record(ctx, "UpdateGroup", poolID, name, audit.Diff(before, updated), err) }()
	if _, err := s.GetGroup(ctx, poolID, name); err != nil {
		return pool.Group{}, err
	}
	err = s.st.UpdateGroup(ctx, poolID, name, func(old pool.Group) (pool.Group, error) {
		g := old
		edit(&g)
		g.PoolID, g.Name, g.CreatedAt = old.PoolID, old.Name, old.CreatedAt
		g.UpdatedAt = s.now()
		if err := g.Validate(); err != nil {
			return old, validated(err)
		}
		before, updated = old, g
		return g, nil
	})
	if err != nil {
		before, updated = pool.Group{}, pool.Group{}
	}
	return updated, storeErr(err, "update group", KindGroup, name)
}

// DeleteGroup deletes a group; its members stay in the pool.
func (s *Service) DeleteGroup(ctx context.Context, poolID, name string) (err error) {
	defer func() { s.record(ctx, "DeleteGroup", poolID, name, nil, err) }()
	if _, err := s.GetGroup(ctx, poolID, name); err != nil {
		return err
	}
	return storeErr(s.st.DeleteGroup(ctx, poolID, name), "delete group", KindGroup, name)
}

// ListGroups returns one page of a pool's groups, at most limit (0-60; 0
// means 60), and the token of the next page.
func (s *Service) ListGroups(ctx context.Context, poolID string, limit int, nextToken string) ([]pool.Group, string, error) {
	o, err := pageOptions(limit, "Limit", false, nextToken)
	if err != nil {
		return nil, "", err
	}
	if _, err := s.DescribeUserPool(ctx, poolID); err != nil {
		return nil, "", err
	}
	page, err := s.st.ListGroups(ctx, poolID, o)
	if err != nil {
		return nil, "", pageErr(err, "NextToken", "list groups")
	}
	return page.Items, page.Next, nil
}

// groupUser resolves the group and the user (by username or, where the
// pool signs users in with it, an alias such as the email address) of a
// membership action. An unknown user is the account package's
// UserNotFoundException.
func (s *Service) groupUser(ctx context.Context, poolID, group, username string) (pool.User, error) {
	if _, err := s.GetGroup(ctx, poolID, group); err != nil {
		return pool.User{}, err
	}
	return s.user(ctx, poolID, username)
}

// user resolves a username or alias in a pool.
func (s *Service) user(ctx context.Context, poolID, username string) (pool.User, error) {
	p, err := s.DescribeUserPool(ctx, poolID)
	if err != nil {
		return pool.User{}, err
	}
	return s.accounts.Lookup(ctx, p, username)
}

// AdminAddUserToGroup adds a user to a group; adding a member again
// changes nothing.
func (s *Service) AdminAddUserToGroup(ctx context.Context, poolID, group, username string) (u pool.User, err error) {
	defer func() {
		s.record(ctx, "AdminAddUserToGroup", poolID, u.Sub, audit.Fields(map[string]any{"Group": group}), err)
	}()
	u, err = s.groupUser(ctx, poolID, group, username)
	if err != nil {
		return u, err
	}
	return u, storeErr(s.st.AddUserToGroup(ctx, poolID, group, u.Sub), "add user to group", KindGroup, group)
}

// AdminRemoveUserFromGroup removes a user from a group; removing a user
// who is not a member changes nothing.
func (s *Service) AdminRemoveUserFromGroup(ctx context.Context, poolID, group, username string) (u pool.User, err error) {
	defer func() {
		s.record(ctx, "AdminRemoveUserFromGroup", poolID, u.Sub, audit.Fields(map[string]any{"Group": group}), err)
	}()
	u, err = s.groupUser(ctx, poolID, group, username)
	if err != nil {
		return u, err
	}
	return u, storeErr(s.st.RemoveUserFromGroup(ctx, poolID, group, u.Sub), "remove user from group", KindGroup, group)
}

// AdminListGroupsForUser returns the groups of a user, ordered by
// precedence. It returns them all at once: a user is in few groups.
func (s *Service) AdminListGroupsForUser(ctx context.Context, poolID, username string) ([]pool.Group, error) {
	u, err := s.user(ctx, poolID, username)
	if err != nil {
		return nil, err
	}
	gs, err := s.st.ListGroupsForUser(ctx, poolID, u.Sub)
	return gs, storeErr(err, "list groups for user", KindGroup, "")
}

// ListUsersInGroup returns one page of a group's members, at most limit
// (0-60; 0 means 60), and the token of the next page.
func (s *Service) ListUsersInGroup(ctx context.Context, poolID, group string, limit int, nextToken string) ([]pool.User, string, error) {
	o, err := pageOptions(limit, "Limit", false, nextToken)
	if err != nil {
		return nil, "", err
	}
	if _, err := s.GetGroup(ctx, poolID, group); err != nil {
		return nil, "", err
	}
	page, err := s.st.ListUsersInGroup(ctx, poolID, group, o)
	if err != nil {
		return nil, "", pageErr(err, "NextToken", "list users in group")
	}
	return page.Items, page.Next, nil
}
