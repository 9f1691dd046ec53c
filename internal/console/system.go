package console

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/admin"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
)

// The system pool: the user pool the console's operators sign in to. Its
// id and its app client's id are fixed, so that every instance of a
// deployment finds the same pool, and two instances starting at once on
// one database create it once: the second create fails as taken, and the
// instance reads what the first one stored.
const (
	// SystemPoolID is the system pool's id.
	SystemPoolID = "lp-system-1_LPConsole"
	// SystemClientID is the id of the console's app client in the
	// system pool: a public client (no secret) with the code grant,
	// which the console uses with PKCE S256.
	SystemClientID = "linkpoolconsole00000000000"
	// GroupAdmin holds the operators who may change things.
	GroupAdmin = "admin"
	// GroupReadOnly holds the operators who may look at everything and
	// change nothing.
	GroupReadOnly = "read-only"

	systemPoolName   = "linkpool console"
	systemClientName = "console"
	// CallbackPath and SignedOutPath are the console's paths the system
	// pool sends the browser back to after sign-in and sign-out.
	CallbackPath  = "/console/callback"
	SignedOutPath = "/console/signed-out"
)

// systemGroups are the groups EnsureSystemPool creates, with their
// descriptions.
var systemGroups = []pool.Group{
	{Name: GroupAdmin, Description: "Console operators who may view and change everything"},
	{Name: GroupReadOnly, Description: "Console operators who may view everything and change nothing"},
}

// EnsureSystemPool creates the system pool and its two groups where they
// are missing, through the admin service, and returns the pool. It is
// idempotent and safe to run from several instances at once. Self
// sign-up is off: operators are created with `linkpool admin create`.
func EnsureSystemPool(ctx context.Context, svc *admin.Service, now time.Time) (pool.Pool, error) {
	p, err := svc.DescribeUserPool(ctx, SystemPoolID)
	if account.TypeOf(err) == account.ResourceNotFoundException {
		np := pool.NewPool("lp-system-1", systemPoolName, now)
		np.ID = SystemPoolID
		np.AllowAdminCreateUserOnly = true
		np.AliasAttributes = []string{pool.AttrEmail}
		p, err = svc.CreateUserPool(ctx, np)
		if errors.Is(err, store.ErrAlreadyExists) {
			// Another instance created it first.
			p, err = svc.DescribeUserPool(ctx, SystemPoolID)
		}
	}
	if err != nil {
		return pool.Pool{}, fmt.Errorf("system pool: %w", err)
	}
	for _, g := range systemGroups {
		if _, err := svc.GetGroup(ctx, SystemPoolID, g.Name); account.TypeOf(err) != account.ResourceNotFoundException {
			if err != nil {
				return pool.Pool{}, fmt.Errorf("system pool group %s: %w", g.Name, err)
			}
			continue
		}
		g.PoolID = SystemPoolID
		if _, err := svc.CreateGroup(ctx, g); err != nil && account.TypeOf(err) != account.GroupExistsException {
			return pool.Pool{}, fmt.Errorf("system pool group %s: %w", g.Name, err)
		}
	}
	return p, nil
}

// EnsureSystemClient creates the console's app client in the system pool,
// or corrects its callback and sign-out URLs, so that the system pool
// sends the browser back exactly to consoleURL + CallbackPath. Every
// instance of a deployment must serve the console at the same URL: an
// instance started with another one takes the client over.
func EnsureSystemClient(ctx context.Context, svc *admin.Service, consoleURL string, now time.Time) (pool.Client, error) {
	callbacks := []string{consoleURL + CallbackPath}
	logouts := []string{consoleURL + SignedOutPath}
	c, err := svc.DescribeUserPoolClient(ctx, SystemPoolID, SystemClientID)
	if account.TypeOf(err) == account.ResourceNotFoundException {
		nc := pool.NewClient(SystemPoolID, systemClientName, now)
		nc.ID = SystemClientID
		nc.CallbackURLs, nc.LogoutURLs = callbacks, logouts
		nc.AllowedOAuthFlows = []string{pool.FlowCode}
		nc.AllowedOAuthFlowsUserPoolClient = true
		nc.AllowedOAuthScopes = []string{pool.ScopeOpenID}
		nc.ExplicitAuthFlows = []string{"ALLOW_REFRESH_TOKEN_AUTH"}
		// The console keeps no tokens: it reads the ID token once.
		nc.EnableTokenRevocation = true
		c, _, err = svc.CreateUserPoolClient(ctx, nc, false)
		if errors.Is(err, store.ErrAlreadyExists) {
			c, err = svc.DescribeUserPoolClient(ctx, SystemPoolID, SystemClientID)
		}
	}
	if err != nil {
		return pool.Client{}, fmt.Errorf("console app client: %w", err)
	}
	if slices.Equal(c.CallbackURLs, callbacks) && slices.Equal(c.LogoutURLs, logouts) {
		return c, nil
	}
	c, err = svc.UpdateUserPoolClient(ctx, SystemPoolID, SystemClientID, func(c *pool.Client) {
		c.CallbackURLs, c.LogoutURLs, c.DefaultRedirectURI = callbacks, logouts, ""
	})
	if err != nil {
		return pool.Client{}, fmt.Errorf("console app client: %w", err)
	}
	return c, nil
}

// CreateOperatorInput is an operator `linkpool admin create` adds to the
// system pool.
type CreateOperatorInput struct {
	Username string
	Email    string
	// Password is a permanent password; empty means a temporary one is
	// generated, which the operator changes at the first sign-in.
	Password string
	// ReadOnly puts the operator in GroupReadOnly instead of GroupAdmin.
	ReadOnly bool
}

// CreateOperator creates an operator in the system pool (which it
// ensures first) with the account service's AdminCreateUser, the email
// address verified, and adds them to their group with the admin
// service's AdminAddUserToGroup. When the group cannot be joined the
// user is deleted again. It returns the result of AdminCreateUser, whose
// TemporaryPassword is the generated password when none was given.
func CreateOperator(ctx context.Context, svc *admin.Service, in CreateOperatorInput, now time.Time) (account.AdminCreateUserResult, error) {
	p, err := EnsureSystemPool(ctx, svc, now)
	if err != nil {
		return account.AdminCreateUserResult{}, err
	}
	res, err := svc.Accounts().AdminCreateUser(ctx, p, account.AdminCreateUserInput{
		Username:          in.Username,
		TemporaryPassword: in.Password,
		Attributes:        map[string]string{pool.AttrEmail: in.Email},
		EmailVerified:     true,
		Permanent:         in.Password != "",
		// The password is shown once to whoever runs `admin create`.
		MessageAction: account.MessageSuppress,
	})
	if err != nil {
		return res, err
	}
	group := GroupAdmin
	if in.ReadOnly {
		group = GroupReadOnly
	}
	if _, err := svc.AdminAddUserToGroup(ctx, SystemPoolID, group, res.User.Username); err != nil {
		_ = svc.Accounts().AdminDeleteUser(context.WithoutCancel(ctx), p, res.User.Username)
		return account.AdminCreateUserResult{}, err
	}
	return res, nil
}
