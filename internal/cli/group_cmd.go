package cli

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/linkpool/linkpool/internal/pool"
)

func runGroup(ctx context.Context, e *env, args []string) error {
	return subcommands(ctx, e, "group", args, map[string]func(context.Context, *env, []string) error{
		"create":      runGroupCreate,
		"show":        runGroupShow,
		"list":        runGroupList,
		"update":      runGroupUpdate,
		"delete":      runGroupDelete,
		"add-user":    runGroupAddUser,
		"remove-user": runGroupRemoveUser,
		"members":     runGroupMembers,
	})
}

// groupSettings are the settings of pool.Group (Cognito CreateGroup).
type groupSettings struct {
	description string
	precedence  int
	roleArn     string
}

func (s *groupSettings) register(fs *flag.FlagSet) {
	fs.StringVar(&s.description, "description", "", "description (at most 2048 characters)")
	fs.IntVar(&s.precedence, "precedence", 0, "precedence: when a user is in several groups, the lowest value decides cognito:preferred_role")
	fs.StringVar(&s.roleArn, "role-arn", "", "IAM role ARN put into tokens as cognito:roles")
}

func (s *groupSettings) apply(g *pool.Group, given map[string]bool) {
	if given["description"] {
		g.Description = s.description
	}
	if given["precedence"] {
		p := s.precedence
		g.Precedence = &p
	}
	if given["role-arn"] {
		g.RoleArn = s.roleArn
	}
}

// groupRef names a group: --pool and --group (or --name).
type groupRef struct {
	pool  string
	group string
}

func (r *groupRef) register(fs *flag.FlagSet) {
	fs.StringVar(&r.pool, "pool", "", "pool id (required)")
	fs.StringVar(&r.group, "group", "", "group name (required)")
	fs.StringVar(&r.group, "name", "", "same as --group")
}

func runGroupCreate(ctx context.Context, e *env, args []string) error {
	c := newAdminCmd(e, "group create", true)
	var poolID, name string
	var s groupSettings
	c.fs.StringVar(&poolID, "pool", "", "pool id (required)")
	c.fs.StringVar(&name, "name", "", "group name (required)")
	s.register(c.fs)
	if err := c.parse(args, "pool", "name"); err != nil {
		return err
	}
	now := time.Now()
	g := pool.Group{PoolID: poolID, Name: name, CreatedAt: now, UpdatedAt: now}
	s.apply(&g, c.given)
	// Validate before the store is opened: a rejected setting changes
	// nothing, not even by creating an empty data directory.
	if err := g.Validate(); err != nil {
		return err
	}
	d, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer d.close()
	if g, err = d.admin.CreateGroup(ctx, g); err != nil {
		return adminErr(err)
	}
	if c.json {
		return printJSON(e.stdout, g)
	}
	fmt.Fprintf(e.stdout, "Created group %s in pool %s.\n\n", name, poolID)
	return printFields(e.stdout, groupFields(g))
}

func groupFields(g pool.Group) [][2]string {
	prec := "-"
	if g.Precedence != nil {
		prec = fmt.Sprint(*g.Precedence)
	}
	return [][2]string{
		{"GroupName", g.Name},
		{"UserPoolId", g.PoolID},
		{"Description", orDash(g.Description)},
		{"Precedence", prec},
		{"RoleArn", orDash(g.RoleArn)},
		{"CreationDate", fmtTime(g.CreatedAt)},
		{"LastModifiedDate", fmtTime(g.UpdatedAt)},
	}
}

func runGroupShow(ctx context.Context, e *env, args []string) error {
	c := newAdminCmd(e, "group show", true)
	var r groupRef
	r.register(c.fs)
	d, err := c.start(ctx, args, "pool", "group")
	if err != nil {
		return err
	}
	defer d.close()
	g, err := getGroup(ctx, d, r)
	if err != nil {
		return err
	}
	if c.json {
		return printJSON(e.stdout, g)
	}
	return printFields(e.stdout, groupFields(g))
}

// getGroup reads a group, naming the pool when the pool is what is
// missing.
func getGroup(ctx context.Context, d *deps, r groupRef) (pool.Group, error) {
	g, err := d.admin.GetGroup(ctx, r.pool, r.group)
	return g, adminErr(err)
}

func runGroupList(ctx context.Context, e *env, args []string) error {
	c := newAdminCmd(e, "group list", true)
	d, p, err := c.startOnPool(ctx, args)
	if err != nil {
		return err
	}
	defer d.close()
	groups, err := listPages(ctx, func(ctx context.Context, limit int, next string) ([]pool.Group, string, error) {
		return d.admin.ListGroups(ctx, p.ID, limit, next)
	})
	if err != nil {
		return err
	}
	return printList(e.stdout, c.json, groups, []string{"GROUP", "PRECEDENCE", "DESCRIPTION", "CREATED"}, func(g pool.Group) []string {
		f := groupFields(g)
		return []string{g.Name, f[3][1], f[2][1], fmtTime(g.CreatedAt)}
	})
}

func runGroupUpdate(ctx context.Context, e *env, args []string) error {
	c := newAdminCmd(e, "group update", true)
	var r groupRef
	var s groupSettings
	r.register(c.fs)
	s.register(c.fs)
	if err := c.parse(args, "pool", "group"); err != nil {
		return err
	}
	if !c.given["description"] && !c.given["precedence"] && !c.given["role-arn"] {
		return usagef("nothing to update: give --description, --precedence or --role-arn")
	}
	d, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer d.close()
	updated, err := d.admin.UpdateGroup(ctx, r.pool, r.group, func(g *pool.Group) { s.apply(g, c.given) })
	if err != nil {
		return adminErr(err)
	}
	if c.json {
		return printJSON(e.stdout, updated)
	}
	fmt.Fprintf(e.stdout, "Updated group %s.\n\n", r.group)
	return printFields(e.stdout, groupFields(updated))
}

func runGroupDelete(ctx context.Context, e *env, args []string) error {
	c := newAdminCmd(e, "group delete", false)
	var r groupRef
	r.register(c.fs)
	d, err := c.start(ctx, args, "pool", "group")
	if err != nil {
		return err
	}
	defer d.close()
	if err := d.admin.DeleteGroup(ctx, r.pool, r.group); err != nil {
		return adminErr(err)
	}
	fmt.Fprintf(e.stdout, "Deleted group %s; its members stay in the pool. Tokens issued from now on no longer list it in cognito:groups.\n", r.group)
	return nil
}

// runGroupMembership adds a user to a group or removes one.
func runGroupMembership(ctx context.Context, e *env, args []string, add bool) error {
	name := "group remove-user"
	if add {
		name = "group add-user"
	}
	c := newAdminCmd(e, name, false)
	var r groupRef
	var username string
	r.register(c.fs)
	c.fs.StringVar(&username, "username", "", "username (or an alias such as the email address) of the user (required)")
	d, err := c.start(ctx, args, "pool", "group", "username")
	if err != nil {
		return err
	}
	defer d.close()
	membership := d.admin.AdminRemoveUserFromGroup
	if add {
		membership = d.admin.AdminAddUserToGroup
	}
	u, err := membership(ctx, r.pool, r.group, username)
	if err != nil {
		return userErr(adminErr(err), username)
	}
	verb := "Removed %s from group %s"
	if add {
		verb = "Added %s to group %s"
	}
	fmt.Fprintf(e.stdout, verb+"; tokens issued from now on reflect it in cognito:groups.\n", u.Username, r.group)
	return nil
}

func runGroupAddUser(ctx context.Context, e *env, args []string) error {
	return runGroupMembership(ctx, e, args, true)
}

func runGroupRemoveUser(ctx context.Context, e *env, args []string) error {
	return runGroupMembership(ctx, e, args, false)
}

func runGroupMembers(ctx context.Context, e *env, args []string) error {
	c := newAdminCmd(e, "group members", true)
	var r groupRef
	r.register(c.fs)
	d, err := c.start(ctx, args, "pool", "group")
	if err != nil {
		return err
	}
	defer d.close()
	users, err := listPages(ctx, func(ctx context.Context, limit int, next string) ([]pool.User, string, error) {
		return d.admin.ListUsersInGroup(ctx, r.pool, r.group, limit, next)
	})
	if err != nil {
		return err
	}
	return printUsers(e, c.json, users)
}
