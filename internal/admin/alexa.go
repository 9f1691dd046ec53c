package admin

import (
	"context"
	"errors"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
)

// SetupAlexa creates in one step what Alexa account linking needs (the
// command line's `init alexa`): the pool p, its app client c, which
// carries its sealed secret already (SealSecret), and, when dom is not
// nil, the pool's domain. A taken domain is refused before anything is
// created; when a later step fails, the pool is deleted again with
// everything created in it, so a failed call leaves nothing behind. It
// returns what it stored.
//
// The client is stored with IDTokenOnRefresh off: Alexa keeps the access
// token, the refresh token and expires_in of a refresh and never reads an
// ID token, so each of its refreshes (the request such a pool serves
// most) signs one JWT instead of two. The code exchange still returns the
// ID token; `client update --id-token-on-refresh` turns it back on.
func (s *Service) SetupAlexa(ctx context.Context, p pool.Pool, c pool.Client, dom *pool.Domain) (pool.Pool, pool.Client, *pool.Domain, error) {
	c.IDTokenOnRefresh = false
	if c.PoolID != p.ID {
		return p, c, dom, invalidParam("UserPoolId", "the app client must belong to the new pool %s", p.ID)
	}
	if dom != nil {
		if dom.PoolID != p.ID {
			return p, c, dom, invalidParam("UserPoolId", "the domain must belong to the new pool %s", p.ID)
		}
		if err := dom.Validate(); err != nil {
			return p, c, dom, validated(err)
		}
		_, err := s.DescribeUserPoolDomain(ctx, dom.Domain)
		if err == nil {
			return p, c, dom, exists(KindDomain, dom.Domain)
		}
		if !errors.Is(err, store.ErrNotFound) {
			return p, c, dom, err
		}
	}
	p, err := s.CreateUserPool(ctx, p)
	if err != nil {
		return p, c, dom, err
	}
	undo := func(err error) (pool.Pool, pool.Client, *pool.Domain, error) {
		derr := s.st.DeletePool(context.WithoutCancel(ctx), p.ID)
		s.record(ctx, "DeleteUserPool", p.ID, p.ID, nil, derr)
		return p, c, dom, err
	}
	if c, _, err = s.CreateUserPoolClient(ctx, c, false); err != nil {
		return undo(err)
	}
	if dom != nil {
		d, err := s.CreateUserPoolDomain(ctx, *dom)
		if err != nil {
			return undo(err)
		}
		dom = &d
	}
	return p, c, dom, nil
}
