package admin

import (
	"context"

	"github.com/linkpool/linkpool/internal/audit"
	"github.com/linkpool/linkpool/internal/pool"
)

// CreateUserPoolDomain validates d and maps it to its pool. A domain
// that is taken is Cognito's InvalidParameterException "Domain already
// associated with another user pool.".
func (s *Service) CreateUserPoolDomain(ctx context.Context, d pool.Domain) (_ pool.Domain, err error) {
	defer func() { s.record(ctx, "CreateUserPoolDomain", d.PoolID, d.Domain, audit.Diff(pool.Domain{}, d), err) }()
	if d.CreatedAt.IsZero() {
		d.CreatedAt = s.now()
	}
	if err := d.Validate(); err != nil {
		return d, validated(err)
	}
	if _, err := s.DescribeUserPool(ctx, d.PoolID); err != nil {
		return d, err
	}
	if err := s.st.CreateDomain(ctx, d); err != nil {
		return d, storeErr(err, "create domain", KindDomain, d.Domain)
	}
	return d, nil
}

// DescribeUserPoolDomain returns a domain (a prefix or a custom host
// name). Where Cognito answers an unknown domain with an empty
// DomainDescription, this returns ResourceNotFoundException; the JSON API
// renders that as Cognito does.
func (s *Service) DescribeUserPoolDomain(ctx context.Context, domain string) (pool.Domain, error) {
	d, err := s.st.GetDomain(ctx, domain)
	return d, storeErr(err, "get domain", KindDomain, domain)
}

// poolDomain returns a domain after checking that it belongs to poolID
// ("" for any pool).
func (s *Service) poolDomain(ctx context.Context, poolID, domain string) (pool.Domain, error) {
	if poolID != "" {
		if _, err := s.DescribeUserPool(ctx, poolID); err != nil {
			return pool.Domain{}, err
		}
	}
	d, err := s.DescribeUserPoolDomain(ctx, domain)
	if err != nil {
		return d, err
	}
	if poolID != "" && d.PoolID != poolID {
		return pool.Domain{}, notFound(KindDomain, domain)
	}
	return d, nil
}

// UpdateUserPoolDomain checks that the domain exists in the pool and
// returns it. Cognito's UpdateUserPoolDomain changes a custom domain's
// ACM certificate or the managed-login version; linkpool has neither (TLS
// is terminated in front of it), so there is nothing to change.
func (s *Service) UpdateUserPoolDomain(ctx context.Context, poolID, domain string) (pool.Domain, error) {
	return s.poolDomain(ctx, poolID, domain)
}

// DeleteUserPoolDomain removes a domain of the pool poolID ("" for any
// pool); the pool stays reachable at its path URL.
func (s *Service) DeleteUserPoolDomain(ctx context.Context, poolID, domain string) (err error) {
	defer func() { s.record(ctx, "DeleteUserPoolDomain", poolID, domain, nil, err) }()
	d, err := s.poolDomain(ctx, poolID, domain)
	if err != nil {
		return err
	}
	poolID = d.PoolID
	return storeErr(s.st.DeleteDomain(ctx, domain), "delete domain", KindDomain, domain)
}

// ListUserPoolDomains returns the domains of a pool. It is not a Cognito
// action: Cognito reports a pool's domains in DescribeUserPool's Domain
// and CustomDomain.
func (s *Service) ListUserPoolDomains(ctx context.Context, poolID string) ([]pool.Domain, error) {
	if _, err := s.DescribeUserPool(ctx, poolID); err != nil {
		return nil, err
	}
	ds, err := s.st.ListDomains(ctx, poolID)
	return ds, storeErr(err, "list domains", KindDomain, poolID)
}
