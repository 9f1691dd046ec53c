package storetest

import (
	"bytes"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/store"
)

func newSAMLKey(poolID string, n byte) store.SAMLKey {
	return store.SAMLKey{
		PoolID:      poolID,
		Sealed:      []byte{0x5e, 0xa1, n, 0, 0xff},
		Certificate: []byte{0x30, 0x82, n, 0x01, 0x00},
		CreatedAt:   base().Add(time.Duration(n) * time.Minute),
	}
}

// testSAMLKeyCRUD: a pool has no SAML key until EnsureSAMLKey stores
// one; a second EnsureSAMLKey keeps and returns the first; keys are per
// pool; a missing pool is ErrNotFound; DeletePool removes the key.
func testSAMLKeyCRUD(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := createPool(t, ctx, s, false)
	other := createPool(t, ctx, s, false)
	_, err := s.GetSAMLKey(ctx, p.ID)
	mustNotFound(t, err, "GetSAMLKey before any key")

	first := newSAMLKey(p.ID, 1)
	got, err := s.EnsureSAMLKey(ctx, first)
	mustOK(t, err, "EnsureSAMLKey first")
	mustEqual(t, "EnsureSAMLKey first", got, first)
	got, err = s.GetSAMLKey(ctx, p.ID)
	mustOK(t, err, "GetSAMLKey")
	mustEqual(t, "GetSAMLKey", got, first)

	got, err = s.EnsureSAMLKey(ctx, newSAMLKey(p.ID, 2))
	mustOK(t, err, "EnsureSAMLKey second")
	mustEqual(t, "EnsureSAMLKey when the pool has a key", got, first)
	got, err = s.GetSAMLKey(ctx, p.ID)
	mustOK(t, err, "GetSAMLKey after second ensure")
	mustEqual(t, "GetSAMLKey after second ensure", got, first)

	_, err = s.GetSAMLKey(ctx, other.ID)
	mustNotFound(t, err, "GetSAMLKey of another pool")
	o := newSAMLKey(other.ID, 3)
	got, err = s.EnsureSAMLKey(ctx, o)
	mustOK(t, err, "EnsureSAMLKey other pool")
	mustEqual(t, "EnsureSAMLKey other pool", got, o)

	_, err = s.EnsureSAMLKey(ctx, newSAMLKey("us-east-1_Missing0", 4))
	mustNotFound(t, err, "EnsureSAMLKey in a missing pool")
	_, err = s.GetSAMLKey(ctx, "us-east-1_Missing0")
	mustNotFound(t, err, "GetSAMLKey of a missing pool after a failed ensure")

	mustOK(t, s.DeletePool(ctx, p.ID), "DeletePool")
	_, err = s.GetSAMLKey(ctx, p.ID)
	mustNotFound(t, err, "GetSAMLKey after DeletePool")
	got, err = s.GetSAMLKey(ctx, other.ID)
	mustOK(t, err, "GetSAMLKey of the other pool after DeletePool")
	mustEqual(t, "other pool's key after DeletePool", got, o)
}

// testSAMLKeyRace: of 20 instances ensuring a key at once, exactly one
// key is stored and every one of them gets it back.
func testSAMLKeyRace(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := createPool(t, ctx, s, false)
	const n = 20
	got := make([]store.SAMLKey, n)
	errs := make([]error, n)
	race(n, func(i int) { got[i], errs[i] = s.EnsureSAMLKey(ctx, newSAMLKey(p.ID, byte(i+1))) })
	stored, err := s.GetSAMLKey(ctx, p.ID)
	mustOK(t, err, "GetSAMLKey after the race")
	for i := range n {
		mustOK(t, errs[i], "EnsureSAMLKey in the race")
		if !bytes.Equal(got[i].Sealed, stored.Sealed) || !bytes.Equal(got[i].Certificate, stored.Certificate) {
			t.Errorf("instance %d got key %x, stored key is %x", i, got[i].Sealed, stored.Sealed)
		}
	}
}
