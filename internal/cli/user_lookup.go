package cli

import (
	"context"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/admin"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
)

// start is adminCmd.start for a command on the user r names: it
// parses the command line (--pool, --username and the other required
// flags), opens the store and finds the pool and the user. The caller
// closes the deps.
func (r *userRef) start(ctx context.Context, c *adminCmd, args []string, required ...string) (*deps, pool.Pool, pool.User, error) {
	if err := c.parse(args, append([]string{"pool", "username"}, required...)...); err != nil {
		return nil, pool.Pool{}, pool.User{}, err
	}
	return r.open(ctx, c)
}

// open opens the store and finds the pool and the user r names, once the
// command line is parsed. The caller closes the deps.
func (r *userRef) open(ctx context.Context, c *adminCmd) (*deps, pool.Pool, pool.User, error) {
	d, err := c.open(ctx)
	if err != nil {
		return nil, pool.Pool{}, pool.User{}, err
	}
	p, u, err := findPoolUser(ctx, d, r.pool, r.username)
	if err != nil {
		d.close()
		return nil, p, u, err
	}
	return d, p, u, nil
}

// findPoolUser returns the pool and the user an operator names: by
// username or, where the pool signs users in with it, by email address
// (account.Service.Lookup applies the pool's rules).
func findPoolUser(ctx context.Context, d *deps, poolID, username string) (pool.Pool, pool.User, error) {
	p, err := d.getPool(ctx, poolID)
	if err != nil {
		return p, pool.User{}, err
	}
	u, err := d.accounts.Lookup(ctx, p, username)
	if err != nil {
		return p, u, userErr(err, username)
	}
	return p, u, nil
}

// userErr names the user in a not-found error; other account errors keep
// their Cognito type and message.
func userErr(err error, username string) error {
	if account.TypeOf(err) == account.UserNotFoundException {
		return &admin.ResourceError{Kind: "user", ID: username, Err: store.ErrNotFound}
	}
	return err
}
