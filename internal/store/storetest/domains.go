package storetest

import (
	"testing"

	"github.com/linkpool/linkpool/internal/store"
)

func testDomainCRUD(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := createPool(t, ctx, s, false)
	other := createPool(t, ctx, s, false)

	prefix := newDomain(p.ID, false)
	custom := newDomain(p.ID, true)
	_, err := s.GetDomain(ctx, prefix.Domain)
	mustNotFound(t, err, "GetDomain before create")
	mustOK(t, s.CreateDomain(ctx, prefix), "CreateDomain prefix")
	mustOK(t, s.CreateDomain(ctx, custom), "CreateDomain custom")
	got, err := s.GetDomain(ctx, prefix.Domain)
	mustOK(t, err, "GetDomain prefix")
	mustEqual(t, "GetDomain prefix", got, prefix)
	got, err = s.GetDomain(ctx, custom.Domain)
	mustOK(t, err, "GetDomain custom")
	mustEqual(t, "GetDomain custom", got, custom)

	// Domain names are unique across pools.
	dup := newDomain(other.ID, true)
	dup.Domain = prefix.Domain
	mustAlreadyExists(t, s.CreateDomain(ctx, dup), "CreateDomain with a name taken by another pool")
	got, err = s.GetDomain(ctx, prefix.Domain)
	mustOK(t, err, "GetDomain after duplicate")
	mustEqual(t, "duplicate create must change nothing", got, prefix)

	otherDomain := newDomain(other.ID, false)
	mustOK(t, s.CreateDomain(ctx, otherDomain), "CreateDomain other pool")

	list, err := s.ListDomains(ctx, p.ID)
	mustOK(t, err, "ListDomains")
	want := []string{prefix.Domain, custom.Domain}
	if custom.Domain < prefix.Domain {
		want = []string{custom.Domain, prefix.Domain}
	}
	var names []string
	for _, d := range list {
		names = append(names, d.Domain)
	}
	if !equalStrings(names, want) {
		t.Fatalf("ListDomains = %v, want %v (ordered by name, this pool only)", names, want)
	}
	for _, d := range list {
		if d.Domain == custom.Domain {
			mustEqual(t, "ListDomains item", d, custom)
		}
	}

	mustOK(t, s.DeleteDomain(ctx, prefix.Domain), "DeleteDomain")
	_, err = s.GetDomain(ctx, prefix.Domain)
	mustNotFound(t, err, "GetDomain after delete")
	mustNotFound(t, s.DeleteDomain(ctx, prefix.Domain), "DeleteDomain twice")
	list, err = s.ListDomains(ctx, p.ID)
	mustOK(t, err, "ListDomains after delete")
	if len(list) != 1 || list[0].Domain != custom.Domain {
		t.Fatalf("ListDomains after delete = %v, want only %s", list, custom.Domain)
	}

	// The freed name can be taken by another pool.
	dup.Domain = prefix.Domain
	mustOK(t, s.CreateDomain(ctx, dup), "CreateDomain with a freed name")

	empty := createPool(t, ctx, s, false)
	list, err = s.ListDomains(ctx, empty.ID)
	mustOK(t, err, "ListDomains of a pool without domains")
	if len(list) != 0 {
		t.Fatalf("ListDomains of a pool without domains = %v", list)
	}
}
