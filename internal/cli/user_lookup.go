package cli

import (
	"context"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/admin"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
)

// findUser returns the pool and the user an operator names: by username
// or, where the pool signs users in with it, by email address
// (account.Service.Lookup applies the pool's rules).
func findUser(ctx context.Context, d *deps, poolID, username string) (pool.User, error) {
	_, u, err := findPoolUser(ctx, d, poolID, username)
	return u, err
}

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
