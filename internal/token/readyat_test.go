package token_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
	"github.com/linkpool/linkpool/internal/token"
)

// TestListReadyAt: the next keys of a new key set may sign at once (no
// ReadyAt); after a rotation the new next keys carry the time from which
// a rotation activates them, which is exactly when Rotate stops refusing.
func TestListReadyAt(t *testing.T) {
	e := newEnv(t, sqliteBackend)
	k := e.keys(0)
	ctx := context.Background()
	mustEnsure(t, k, e.poolID, pool.AlgRS256)
	for _, ki := range mustList(t, k, e.poolID) {
		if !ki.ReadyAt.IsZero() {
			t.Errorf("key %s (%s) of a new set has ReadyAt %v, want none", ki.KID, ki.State, ki.ReadyAt)
		}
	}
	res, err := k.Rotate(ctx, e.poolID, pool.AlgRS256, time.Hour, 0)
	if err != nil {
		t.Fatal(err)
	}
	var next int
	for _, ki := range mustList(t, k, e.poolID) {
		switch {
		case ki.State == store.KeyNext:
			next++
			if !ki.ReadyAt.Equal(res.ReadyAt) {
				t.Errorf("next key %s ReadyAt %v, want the rotation's %v", ki.KID, ki.ReadyAt, res.ReadyAt)
			}
		case !ki.ReadyAt.IsZero():
			t.Errorf("%s key %s has ReadyAt %v", ki.State, ki.KID, ki.ReadyAt)
		}
	}
	if next != 2 {
		t.Fatalf("%d next keys, want 2", next)
	}
	e.clock.Advance(res.ReadyAt.Sub(e.clock.Now()) - time.Second)
	if _, err := k.Rotate(ctx, e.poolID, pool.AlgRS256, time.Hour, 0); !errors.Is(err, token.ErrKeyNotReady) {
		t.Fatalf("rotation a second before ReadyAt: %v, want ErrKeyNotReady", err)
	}
	e.clock.Advance(time.Second)
	if _, err := k.Rotate(ctx, e.poolID, pool.AlgRS256, time.Hour, 0); err != nil {
		t.Fatalf("rotation at ReadyAt: %v", err)
	}
}
