package postgres_test

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
)

// TestUpdateKeySetFirstRace races updaters on a pool that has no key set
// yet, the case the row lock alone cannot serialise because there is no
// row to lock. Every updater must see the set its predecessor stored:
// the versions they see are 0, 1, ..., n-1, each exactly once, and no
// key is lost.
func TestUpdateKeySetFirstRace(t *testing.T) {
	if testing.Short() {
		t.Skip("concurrency stress: -short")
	}
	db := openDB(t)
	ctx := t.Context()
	p := pool.NewPool("eu-west-1", "keys", time.Now())
	if err := db.CreatePool(ctx, p); err != nil {
		t.Fatalf("CreatePool: %v", err)
	}
	const n = 8
	var (
		mu   sync.Mutex
		seen []int64 // versions seen by the calls that committed
		wg   sync.WaitGroup
		errs = make([]error, n)
	)
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			var version int64
			errs[i] = db.UpdateKeySet(ctx, p.ID, func(ks store.KeySet) (store.KeySet, error) {
				version = ks.Version
				if len(ks.Keys) != int(ks.Version) {
					return ks, fmt.Errorf("version %d has %d keys", ks.Version, len(ks.Keys))
				}
				ks.Keys = append(ks.Keys, store.SigningKey{
					KID: fmt.Sprintf("k%d", i), Use: store.UseAccess, Alg: pool.AlgES256, State: store.KeyNext,
				})
				return ks, nil
			})
			if errs[i] == nil {
				mu.Lock()
				seen = append(seen, version)
				mu.Unlock()
			}
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("updater %d: %v", i, err)
		}
	}
	slices.Sort(seen)
	want := make([]int64, n)
	for i := range want {
		want[i] = int64(i)
	}
	if !slices.Equal(seen, want) {
		t.Fatalf("updaters saw versions %v, want %v: some did not see their predecessor's set", seen, want)
	}
	ks, err := db.GetKeySet(ctx, p.ID)
	if err != nil {
		t.Fatalf("GetKeySet: %v", err)
	}
	if ks.Version != n || len(ks.Keys) != n {
		t.Fatalf("final key set: version %d with %d keys, want %d and %d", ks.Version, len(ks.Keys), n, n)
	}
}
