package storetest

import (
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/store"
)

func newAccessKey(id string) store.AccessKey {
	return store.AccessKey{
		ID: id, Sealed: []byte{0x01, 0x00, 0xfe, 0xff, 0x42}, Description: "deploy " + id,
		AllPools: true, CreatedAt: base(),
	}
}

func testAccessKeyCRUD(t *testing.T, s store.Store) {
	ctx := t.Context()
	now := base()
	all := newAccessKey("AKIA" + randomHex(8))
	_, err := s.GetAccessKey(ctx, all.ID)
	mustNotFound(t, err, "GetAccessKey before create")
	mustOK(t, s.CreateAccessKey(ctx, all), "CreateAccessKey")
	got, err := s.GetAccessKey(ctx, all.ID)
	mustOK(t, err, "GetAccessKey")
	mustEqual(t, "GetAccessKey", got, all)

	dup := newAccessKey(all.ID)
	dup.Description, dup.ReadOnly = "other", true
	mustAlreadyExists(t, s.CreateAccessKey(ctx, dup), "CreateAccessKey with a taken id")
	got, err = s.GetAccessKey(ctx, all.ID)
	mustOK(t, err, "GetAccessKey after duplicate")
	mustEqual(t, "duplicate create must change nothing", got, all)

	// A read-only key limited to two pools, with an empty description.
	limited := newAccessKey("AKIA0" + randomHex(8))
	limited.AllPools, limited.PoolIDs, limited.ReadOnly, limited.Description = false, []string{"eu-west-1_b", "eu-west-1_a"}, true, ""
	mustOK(t, s.CreateAccessKey(ctx, limited), "CreateAccessKey limited")
	got, err = s.GetAccessKey(ctx, limited.ID)
	mustOK(t, err, "GetAccessKey limited")
	mustEqual(t, "limited key", got, limited)

	list, err := s.ListAccessKeys(ctx)
	mustOK(t, err, "ListAccessKeys")
	want := []store.AccessKey{limited, all} // ordered by ID
	if want[1].ID < want[0].ID {
		want[0], want[1] = want[1], want[0]
	}
	mustEqual(t, "ListAccessKeys", list, want)

	// Touch moves LastUsedAt forward only.
	used := now.Add(time.Minute)
	mustOK(t, s.TouchAccessKey(ctx, all.ID, used), "TouchAccessKey")
	mustOK(t, s.TouchAccessKey(ctx, all.ID, now), "TouchAccessKey with an earlier time")
	got, err = s.GetAccessKey(ctx, all.ID)
	mustOK(t, err, "GetAccessKey after touch")
	touched := all
	touched.LastUsedAt = used
	mustEqual(t, "GetAccessKey after touch", got, touched)
	mustNotFound(t, s.TouchAccessKey(ctx, "AKIAMISSING", now), "TouchAccessKey of a missing key")

	mustOK(t, s.DeleteAccessKey(ctx, all.ID), "DeleteAccessKey")
	_, err = s.GetAccessKey(ctx, all.ID)
	mustNotFound(t, err, "GetAccessKey after delete")
	mustNotFound(t, s.DeleteAccessKey(ctx, all.ID), "DeleteAccessKey twice")
	mustNotFound(t, s.TouchAccessKey(ctx, all.ID, now), "TouchAccessKey after delete")
	list, err = s.ListAccessKeys(ctx)
	mustOK(t, err, "ListAccessKeys after delete")
	mustEqual(t, "ListAccessKeys after delete", list, []store.AccessKey{limited})
}
