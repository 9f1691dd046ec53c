package storetest

import (
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/store"
)

func testKeySetCRUD(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := createPool(t, ctx, s, false)
	other := createPool(t, ctx, s, false)
	_, err := s.GetKeySet(ctx, p.ID)
	mustNotFound(t, err, "GetKeySet before any key")

	first := store.KeySet{
		PoolID: p.ID,
		Keys: []store.SigningKey{
			newSigningKey("k-next", store.KeyNext),
			newSigningKey("k-active", store.KeyActive),
		},
		UpdatedAt: base(),
	}
	first.Keys[0].Use = store.UseID
	first.Keys[0].Alg = "RS256"
	first.Keys[0].NotAfter = time.Time{}

	calls := 0
	mustOK(t, s.UpdateKeySet(ctx, p.ID, func(ks store.KeySet) (store.KeySet, error) {
		calls++
		if ks.Version != 0 || len(ks.Keys) != 0 || ks.PoolID != p.ID {
			t.Errorf("UpdateKeySet on a pool without keys saw PoolID=%q Version=%d and %d keys, want %q, 0, 0", ks.PoolID, ks.Version, len(ks.Keys), p.ID)
		}
		return first, nil
	}), "UpdateKeySet first")
	if calls == 0 {
		t.Fatal("UpdateKeySet never called its callback")
	}
	got, err := s.GetKeySet(ctx, p.ID)
	mustOK(t, err, "GetKeySet")
	want := first
	want.Version = 1
	mustEqual(t, "GetKeySet after first update", got, want)

	rotated := want
	rotated.Keys = []store.SigningKey{
		newSigningKey("k-next-2", store.KeyNext),
		newSigningKey("k-next", store.KeyActive),
		newSigningKey("k-active", store.KeyRetired),
	}
	rotated.UpdatedAt = base().Add(time.Hour)
	mustOK(t, s.UpdateKeySet(ctx, p.ID, func(ks store.KeySet) (store.KeySet, error) {
		if d := diff(ks, want); d != "" {
			t.Errorf("UpdateKeySet callback saw %s", d)
		}
		return rotated, nil
	}), "UpdateKeySet rotate")
	got, err = s.GetKeySet(ctx, p.ID)
	mustOK(t, err, "GetKeySet after rotation")
	rotated.Version = 2
	mustEqual(t, "GetKeySet after rotation", got, rotated)

	err = s.UpdateKeySet(ctx, p.ID, func(ks store.KeySet) (store.KeySet, error) {
		ks.Keys = nil
		return ks, errRefused
	})
	if err != errRefused {
		t.Fatalf("UpdateKeySet with failing callback: got %v, want the callback's error unchanged", err)
	}
	got, err = s.GetKeySet(ctx, p.ID)
	mustOK(t, err, "GetKeySet after refused update")
	mustEqual(t, "refused update must store nothing", got, rotated)

	_, err = s.GetKeySet(ctx, other.ID)
	mustNotFound(t, err, "GetKeySet of another pool")
}
