package admin

import (
	"context"
	"slices"

	"github.com/linkpool/linkpool/internal/audit"
	"github.com/linkpool/linkpool/internal/locales"
	"github.com/linkpool/linkpool/internal/pool"
)

// CreateUserPool validates and stores p (made with pool.NewPool) and
// creates its signing keys. A pool with a webhook trigger gets a webhook
// signing secret (TriggerSecret reads it). When the keys cannot be created the pool is
// deleted again, so a failed call leaves nothing behind.
func (s *Service) CreateUserPool(ctx context.Context, p pool.Pool) (_ pool.Pool, err error) {
	defer func() { s.record(ctx, "CreateUserPool", p.ID, p.ID, audit.Diff(pool.Pool{}, p), err) }()
	s.ensureTriggerSecret(&p)
	if err := validatePool(p); err != nil {
		return p, err
	}
	if err := s.st.CreatePool(ctx, p); err != nil {
		return p, storeErr(err, "create pool", KindPool, p.ID)
	}
	if err := s.keys.Ensure(ctx, p.ID, p.SigningAlgorithm); err != nil {
		_ = s.st.DeletePool(context.WithoutCancel(ctx), p.ID)
		return p, storeErr(err, "create signing keys", KindPool, p.ID)
	}
	return p, nil
}

// DescribeUserPool returns a pool.
func (s *Service) DescribeUserPool(ctx context.Context, id string) (pool.Pool, error) {
	p, err := s.st.GetPool(ctx, id)
	return p, storeErr(err, "get pool", KindPool, id)
}

// immutable are the settings fixed when a pool is created (Cognito's
// UsernameAttributes, AliasAttributes and UsernameConfiguration).
var immutable = []struct {
	field string
	same  func(a, b *pool.Pool) bool
}{
	{"UsernameAttributes", func(a, b *pool.Pool) bool { return slices.Equal(a.UsernameAttributes, b.UsernameAttributes) }},
	{"AliasAttributes", func(a, b *pool.Pool) bool { return slices.Equal(a.AliasAttributes, b.AliasAttributes) }},
	{"CaseSensitive", func(a, b *pool.Pool) bool { return a.CaseSensitive == b.CaseSensitive }},
}

// UpdateUserPool applies edit to the stored pool, validates the result
// and stores it. edit sets the fields to change; UpdateUserPool refuses
// changes to the settings fixed at creation and to the pool's id and
// creation date, and sets LastModifiedDate. A pool's first webhook
// trigger gives it a signing secret. A refused edit stores nothing.
func (s *Service) UpdateUserPool(ctx context.Context, id string, edit func(*pool.Pool)) (pool.Pool, error) {
	return s.updatePool(ctx, "UpdateUserPool", id, edit)
}

// updatePool is UpdateUserPool, recorded as action.
func (s *Service) updatePool(ctx context.Context, action, id string, edit func(*pool.Pool)) (_ pool.Pool, err error) {
	var before, updated pool.Pool
	defer func() { s.record(ctx, action, id, id, audit.Diff(before, updated), err) }()
	err = s.st.UpdatePool(ctx, id, func(old pool.Pool) (pool.Pool, error) {
		p := old
		p.UsernameAttributes = slices.Clone(old.UsernameAttributes)
		p.AliasAttributes = slices.Clone(old.AliasAttributes)
		edit(&p)
		for _, im := range immutable {
			if !im.same(&old, &p) {
				return old, invalidParam(im.field, "cannot be changed after the pool is created; create a new pool instead")
			}
		}
		p.ID, p.CreatedAt = old.ID, old.CreatedAt
		p.UpdatedAt = s.now()
		s.ensureTriggerSecret(&p)
		if err := validatePool(p); err != nil {
			return old, err
		}
		before, updated = old, p
		return p, nil
	})
	if err != nil {
		before, updated = pool.Pool{}, pool.Pool{}
	}
	return updated, storeErr(err, "update pool", KindPool, id)
}

// validatePool checks p, and its own wording of messages against the
// catalogs (the known languages and keys, each message's placeholders).
func validatePool(p pool.Pool) error {
	if err := p.Validate(); err != nil {
		return validated(err)
	}
	if err := locales.CheckOverrides(p.Branding.Messages); err != nil {
		return invalidParam("Branding.Messages", "%v", err)
	}
	return nil
}

// DeleteUserPool deletes a pool with all its clients, users, groups,
// domains, tokens and keys.
func (s *Service) DeleteUserPool(ctx context.Context, id string) (err error) {
	defer func() { s.record(ctx, "DeleteUserPool", id, id, nil, err) }()
	return storeErr(s.st.DeletePool(ctx, id), "delete pool", KindPool, id)
}

// ListUserPools returns one page of pools, at most maxResults (1-60), and
// the token of the next page ("" on the last).
func (s *Service) ListUserPools(ctx context.Context, maxResults int, nextToken string) ([]pool.Pool, string, error) {
	o, err := pageOptions(maxResults, "MaxResults", true, nextToken)
	if err != nil {
		return nil, "", err
	}
	page, err := s.st.ListPools(ctx, o)
	if err != nil {
		return nil, "", pageErr(err, "NextToken", "list pools")
	}
	return page.Items, page.Next, nil
}

// ValidateUserPool checks p as CreateUserPool and UpdateUserPool do and
// returns their InvalidParameterException, without storing anything: the
// console previews a pool's branding with it before it is saved.
func ValidateUserPool(p pool.Pool) error { return validatePool(p) }
