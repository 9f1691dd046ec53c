package admin

import (
	"context"
	"fmt"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/audit"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/seal"
)

// SealSecret generates a client secret, seals it into c with the master
// key (bound to the client by pool.Client.SecretAAD) and returns it.
func SealSecret(box *seal.Box, c *pool.Client) string {
	secret := pool.NewClientSecret()
	c.SealedSecret = box.Seal([]byte(secret), c.SecretAAD())
	return secret
}

// OpenSecret returns a client's plain secret ("" for public clients).
func OpenSecret(box *seal.Box, c *pool.Client) (string, error) {
	if !c.HasSecret() {
		return "", nil
	}
	b, err := box.Open(c.SealedSecret, c.SecretAAD())
	if err != nil {
		return "", fmt.Errorf("open client secret (is this the right master key?): %w", err)
	}
	return string(b), nil
}

// CreateUserPoolClient validates and stores c (made with pool.NewClient
// and the settings of the request) in its pool. With generateSecret the
// client gets a secret, returned in plain once; a client that already
// carries a sealed secret keeps it.
func (s *Service) CreateUserPoolClient(ctx context.Context, c pool.Client, generateSecret bool) (_ pool.Client, _ string, err error) {
	defer func() { s.record(ctx, "CreateUserPoolClient", c.PoolID, c.ID, audit.Diff(pool.Client{}, c), err) }()
	if _, err := s.DescribeUserPool(ctx, c.PoolID); err != nil {
		return c, "", err
	}
	var secret string
	if generateSecret {
		secret = SealSecret(s.box, &c)
	}
	if err := c.Validate(); err != nil {
		return c, "", validated(err)
	}
	if err := s.checkClientProviders(ctx, c); err != nil {
		return c, "", err
	}
	if err := s.st.CreateClient(ctx, c); err != nil {
		return c, "", storeErr(err, "create client", KindClient, c.ID)
	}
	return c, secret, nil
}

// DescribeUserPoolClient returns an app client of the pool poolID. An
// empty poolID finds the client in any pool (the command line names
// clients by id alone).
func (s *Service) DescribeUserPoolClient(ctx context.Context, poolID, clientID string) (pool.Client, error) {
	if poolID != "" {
		if _, err := s.DescribeUserPool(ctx, poolID); err != nil {
			return pool.Client{}, err
		}
	}
	c, err := s.st.GetClient(ctx, clientID)
	if err != nil {
		return c, storeErr(err, "get client", KindClient, clientID)
	}
	if poolID != "" && c.PoolID != poolID {
		return pool.Client{}, notFound(KindClient, clientID)
	}
	return c, nil
}

// ClientSecret returns the plain secret of a client ("" for a public
// client).
func (s *Service) ClientSecret(c pool.Client) (string, error) { return OpenSecret(s.box, &c) }

// updateClient applies fn to the stored client after checking that it
// belongs to poolID ("" for any pool).
func (s *Service) updateClient(ctx context.Context, action, poolID, clientID string, fn func(*pool.Client) error) (_ pool.Client, err error) {
	var before, updated pool.Client
	defer func() {
		p := poolID
		if p == "" {
			p = updated.PoolID
		}
		s.record(ctx, action, p, clientID, audit.Diff(before, updated), err)
	}()
	if _, err := s.DescribeUserPoolClient(ctx, poolID, clientID); err != nil {
		return pool.Client{}, err
	}
	err = s.st.UpdateClient(ctx, clientID, func(old pool.Client) (pool.Client, error) {
		c := old
		if err := fn(&c); err != nil {
			return old, err
		}
		c.ID, c.PoolID, c.CreatedAt = old.ID, old.PoolID, old.CreatedAt
		c.UpdatedAt = s.now()
		if err := c.Validate(); err != nil {
			return old, validated(err)
		}
		before, updated = old, c
		return c, nil
	})
	if err != nil {
		before, updated = pool.Client{}, pool.Client{}
	}
	return updated, storeErr(err, "update client", KindClient, clientID)
}

// UpdateUserPoolClient applies edit to the stored client, validates the
// result and stores it; a refused edit stores nothing. The client's id,
// pool, secret and creation date cannot be changed. Every identity
// provider the edited client lists must be one of the pool's.
func (s *Service) UpdateUserPoolClient(ctx context.Context, poolID, clientID string, edit func(*pool.Client)) (pool.Client, error) {
	cur, err := s.DescribeUserPoolClient(ctx, poolID, clientID)
	if err == nil {
		edit(&cur)
		err = s.checkClientProviders(ctx, cur)
	}
	if err != nil {
		s.record(ctx, "UpdateUserPoolClient", poolID, clientID, nil, err)
		return pool.Client{}, err
	}
	return s.updateClient(ctx, "UpdateUserPoolClient", poolID, clientID, func(c *pool.Client) error {
		sealed := c.SealedSecret
		edit(c)
		c.SealedSecret = sealed
		return nil
	})
}

// RotateUserPoolClientSecret replaces a confidential client's secret and
// returns the new one. The previous secret stops working at once: the
// token endpoint reads the client from the store on every request, and
// only one sealed secret is kept. A public client is refused with an
// InvalidParameterException.
func (s *Service) RotateUserPoolClientSecret(ctx context.Context, poolID, clientID string) (string, error) {
	var secret string
	_, err := s.updateClient(ctx, "RotateUserPoolClientSecret", poolID, clientID, func(c *pool.Client) error {
		if !c.HasSecret() {
			return &account.Error{Type: account.InvalidParameterException, Field: "ClientId",
				Message: fmt.Sprintf("app client %s is public (it has no secret)", clientID)}
		}
		// The stored run is the last one, so secret ends up matching it.
		secret = SealSecret(s.box, c)
		return nil
	})
	return secret, err
}

// DeleteUserPoolClient deletes an app client; its refresh tokens stop
// working.
func (s *Service) DeleteUserPoolClient(ctx context.Context, poolID, clientID string) (err error) {
	defer func() { s.record(ctx, "DeleteUserPoolClient", poolID, clientID, nil, err) }()
	c, err := s.DescribeUserPoolClient(ctx, poolID, clientID)
	if err != nil {
		return err
	}
	poolID = c.PoolID
	return storeErr(s.st.DeleteClient(ctx, clientID), "delete client", KindClient, clientID)
}

// ListUserPoolClients returns one page of a pool's app clients, at most
// maxResults (0-60; 0 means 60), and the token of the next page.
func (s *Service) ListUserPoolClients(ctx context.Context, poolID string, maxResults int, nextToken string) ([]pool.Client, string, error) {
	o, err := pageOptions(maxResults, "MaxResults", false, nextToken)
	if err != nil {
		return nil, "", err
	}
	if _, err := s.DescribeUserPool(ctx, poolID); err != nil {
		return nil, "", err
	}
	page, err := s.st.ListClients(ctx, poolID, o)
	if err != nil {
		return nil, "", pageErr(err, "NextToken", "list clients")
	}
	return page.Items, page.Next, nil
}
