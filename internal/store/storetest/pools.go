package storetest

import (
	"testing"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
)

func testPoolCRUD(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newPool(false)
	_, err := s.GetPool(ctx, p.ID)
	mustNotFound(t, err, "GetPool before create")

	mustOK(t, s.CreatePool(ctx, p), "CreatePool")
	got, err := s.GetPool(ctx, p.ID)
	mustOK(t, err, "GetPool")
	mustEqual(t, "GetPool", got, p)

	dup := newPool(true)
	dup.ID = p.ID
	mustAlreadyExists(t, s.CreatePool(ctx, dup), "CreatePool with a taken id")
	got, err = s.GetPool(ctx, p.ID)
	mustOK(t, err, "GetPool after duplicate create")
	mustEqual(t, "duplicate create must change nothing", got, p)

	get := func() (pool.Pool, error) { return s.GetPool(ctx, p.ID) }
	update := func(fn func(pool.Pool) (pool.Pool, error)) error { return s.UpdatePool(ctx, p.ID, fn) }
	checkUpdate(t, "UpdatePool", p, get, update, mutatePool)

	missing := pool.NewPoolID("eu-west-1")
	mustNotFound(t, s.UpdatePool(ctx, missing, failIfCalled[pool.Pool](t, "UpdatePool")), "UpdatePool of a missing pool")

	mustOK(t, s.DeletePool(ctx, p.ID), "DeletePool")
	_, err = s.GetPool(ctx, p.ID)
	mustNotFound(t, err, "GetPool after delete")
	mustNotFound(t, s.DeletePool(ctx, p.ID), "DeletePool twice")
	mustNotFound(t, s.UpdatePool(ctx, p.ID, failIfCalled[pool.Pool](t, "UpdatePool")), "UpdatePool after delete")
}

// testCreateInMissingPool: pool-owned rows cannot be orphans.
func testCreateInMissingPool(t *testing.T, s store.Store) {
	ctx := t.Context()
	ghost := newPool(false) // never created
	tests := []struct {
		name   string
		create func() error
	}{
		{"CreateClient", func() error { return s.CreateClient(ctx, newClient(ghost.ID)) }},
		{"CreateDomain", func() error { return s.CreateDomain(ctx, newDomain(ghost.ID, false)) }},
		{"CreateUser", func() error { return s.CreateUser(ctx, newUser(ghost, "ghost", "ghost@example.com")) }},
		{"CreateGroup", func() error { return s.CreateGroup(ctx, newGroup(ghost.ID, "ghosts", nil)) }},
		{"UpdateKeySet", func() error {
			return s.UpdateKeySet(ctx, ghost.ID, func(ks store.KeySet) (store.KeySet, error) {
				ks.Keys = []store.SigningKey{newSigningKey("k1", store.KeyActive)}
				return ks, nil
			})
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mustNotFound(t, tc.create(), tc.name+" in a missing pool")
		})
	}
	_, err := s.GetPool(ctx, ghost.ID)
	mustNotFound(t, err, "GetPool of the missing pool")
	page, err := s.ListClients(ctx, ghost.ID, store.ListOptions{})
	mustOK(t, err, "ListClients")
	if len(page.Items) != 0 {
		t.Fatalf("ListClients of a missing pool returned %d clients", len(page.Items))
	}
	_, err = s.GetKeySet(ctx, ghost.ID)
	mustNotFound(t, err, "GetKeySet of the missing pool")
}
