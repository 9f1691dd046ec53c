package storetest

import (
	"testing"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
)

func testClientCRUD(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := createPool(t, ctx, s, false)
	other := createPool(t, ctx, s, false)

	c := newClient(p.ID)
	_, err := s.GetClient(ctx, c.ID)
	mustNotFound(t, err, "GetClient before create")
	mustOK(t, s.CreateClient(ctx, c), "CreateClient")
	got, err := s.GetClient(ctx, c.ID)
	mustOK(t, err, "GetClient")
	mustEqual(t, "GetClient", got, c)

	public := newClient(p.ID)
	public.SealedSecret = nil
	public.ReadAttributes, public.WriteAttributes, public.LogoutURLs = nil, nil, nil
	mustOK(t, s.CreateClient(ctx, public), "CreateClient public")
	got, err = s.GetClient(ctx, public.ID)
	mustOK(t, err, "GetClient public")
	mustEqual(t, "GetClient public", got, public)
	if got.HasSecret() {
		t.Fatal("public client came back with a secret")
	}

	// Client ids are unique across pools.
	dup := newClient(other.ID)
	dup.ID = c.ID
	mustAlreadyExists(t, s.CreateClient(ctx, dup), "CreateClient with a taken id in another pool")
	got, err = s.GetClient(ctx, c.ID)
	mustOK(t, err, "GetClient after duplicate")
	mustEqual(t, "duplicate create must change nothing", got, c)

	otherClient := newClient(other.ID)
	mustOK(t, s.CreateClient(ctx, otherClient), "CreateClient in other pool")
	page, err := s.ListClients(ctx, p.ID, store.ListOptions{})
	mustOK(t, err, "ListClients")
	if ids := clientIDs(page.Items); !sameSet(ids, []string{c.ID, public.ID}) {
		t.Fatalf("ListClients(pool) = %v, want %v and %v only", ids, c.ID, public.ID)
	}
	for _, item := range page.Items {
		if item.ID == c.ID {
			mustEqual(t, "ListClients item", item, c)
		}
	}

	get := func() (pool.Client, error) { return s.GetClient(ctx, c.ID) }
	update := func(fn func(pool.Client) (pool.Client, error)) error { return s.UpdateClient(ctx, c.ID, fn) }
	checkUpdate(t, "UpdateClient", c, get, update, mutateClient)
	mustNotFound(t, s.UpdateClient(ctx, pool.NewClientID(), failIfCalled[pool.Client](t, "UpdateClient")), "UpdateClient of a missing client")

	mustOK(t, s.DeleteClient(ctx, c.ID), "DeleteClient")
	_, err = s.GetClient(ctx, c.ID)
	mustNotFound(t, err, "GetClient after delete")
	mustNotFound(t, s.DeleteClient(ctx, c.ID), "DeleteClient twice")
	got, err = s.GetClient(ctx, otherClient.ID)
	mustOK(t, err, "GetClient of the other pool's client")
	mustEqual(t, "other client", got, otherClient)
}

func clientIDs(cs []pool.Client) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	return out
}
