package token_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
	"github.com/linkpool/linkpool/internal/token"
)

func TestRotate(t *testing.T) {
	for _, alg := range []string{pool.AlgRS256, pool.AlgES256} {
		t.Run(alg, func(t *testing.T) {
			e := newEnv(t, sqliteBackend)
			k := e.keys(0)
			ctx := context.Background()
			mustEnsure(t, k, e.poolID, alg)
			before := mustList(t, k, e.poolID)
			oldActive := byState(t, before, store.UseAccess, store.KeyActive)
			oldNext := byState(t, before, store.UseAccess, store.KeyNext)
			oldIDActive := byState(t, before, store.UseID, store.KeyActive)

			oldTok := sign(t, k, e.poolID, store.UseAccess, sampleClaims)
			if kidOf(t, oldTok) != oldActive {
				t.Fatal("token not signed by the active key")
			}

			const ttl = time.Hour
			// Other instances may sign with the old key for one refresh
			// interval after the rotation; the retired key stays
			// published for that long beyond the token lifetime.
			const keep = ttl + token.DefaultRefreshInterval
			res, err := k.Rotate(ctx, e.poolID, alg, ttl, 1)
			if err != nil {
				t.Fatalf("Rotate: %v", err)
			}
			rotatedAt := e.clock.Now()
			if res.Version != 2 || len(res.Activated) != 2 || len(res.Retired) != 2 || len(res.Created) != 2 || len(res.Dropped) != 0 {
				t.Fatalf("RotateResult = %+v, want version 2, two activated, retired and created, none dropped", res)
			}
			after := mustList(t, k, e.poolID)
			if len(after) != 6 {
				t.Fatalf("after one rotation %d keys, want 6", len(after))
			}
			if got := byState(t, after, store.UseAccess, store.KeyActive); got != oldNext {
				t.Fatalf("active access key = %s, want the former next key %s", got, oldNext)
			}
			if got := byState(t, after, store.UseAccess, store.KeyRetired); got != oldActive {
				t.Fatalf("retired access key = %s, want the former active key %s", got, oldActive)
			}
			if got := byState(t, after, store.UseID, store.KeyRetired); got != oldIDActive {
				t.Fatalf("retired id key = %s, want %s", got, oldIDActive)
			}
			newNext := byState(t, after, store.UseAccess, store.KeyNext)
			if slices.Contains(kidList(before), newNext) {
				t.Fatal("next key after rotation is not new")
			}
			for _, ki := range after {
				if ki.State == store.KeyRetired && !ki.NotAfter.Equal(rotatedAt.Add(keep)) {
					t.Fatalf("retired key NotAfter = %v, want rotation time + TTL + refresh interval %v", ki.NotAfter, rotatedAt.Add(keep))
				}
			}

			// The former next key signs now; the new next key is
			// published but does not sign.
			newTok := sign(t, k, e.poolID, store.UseAccess, sampleClaims)
			if kidOf(t, newTok) != oldNext {
				t.Fatalf("after rotation tokens are signed by %s, want %s", kidOf(t, newTok), oldNext)
			}
			set, _ := jwks(t, k, e.poolID)
			for _, want := range []string{oldActive, oldNext, newNext} {
				if len(set.Key(want)) != 1 {
					t.Fatalf("JWKS %v lacks %s", kids(set), want)
				}
			}
			// Tokens of the retired key still verify until it expires.
			if _, err := k.Verify(ctx, e.poolID, store.UseAccess, oldTok); err != nil {
				t.Fatalf("token of the retired key no longer verifies: %v", err)
			}

			e.clock.Advance(keep - time.Second)
			set, _ = jwks(t, k, e.poolID)
			if len(set.Key(oldActive)) != 1 {
				t.Fatal("retired key left the JWKS before NotAfter")
			}
			e.clock.Advance(time.Second)
			set, _ = jwks(t, k, e.poolID)
			if len(set.Key(oldActive)) != 0 || len(set.Keys) != 4 {
				t.Fatalf("JWKS at NotAfter = %v, want the retired keys gone", kids(set))
			}
			if _, err := k.Verify(ctx, e.poolID, store.UseAccess, oldTok); !errors.Is(err, token.ErrUnknownKey) {
				t.Fatalf("Verify with an expired retired key: error = %v, want ErrUnknownKey", err)
			}
			if _, err := k.Verify(ctx, e.poolID, store.UseAccess, newTok); err != nil {
				t.Fatalf("Verify of a current token: %v", err)
			}

			// The next rotation drops the expired retired keys.
			res, err = k.Rotate(ctx, e.poolID, alg, ttl, 0)
			if err != nil {
				t.Fatal(err)
			}
			if got := kidList(res.Dropped); !slices.Contains(got, oldActive) || len(got) != 2 {
				t.Fatalf("second rotation dropped %v, want the two expired retired keys incl. %s", got, oldActive)
			}
			final := mustList(t, k, e.poolID)
			if len(final) != 6 || slices.Contains(kidList(final), oldActive) {
				t.Fatalf("after second rotation keys = %v", kidList(final))
			}
			if got := byState(t, final, store.UseAccess, store.KeyActive); got != newNext {
				t.Fatalf("second rotation activated %s, want %s", got, newNext)
			}
		})
	}
}

// TestRotateAlgorithmChange: rotating with another algorithm replaces the
// next keys, which never signed, with keys of that algorithm, which sign
// from the first rotation after they have been published for
// token.PublishFor; tokens of the old algorithm verify until they expire.
func TestRotateAlgorithmChange(t *testing.T) {
	e := newEnv(t, sqliteBackend)
	k := e.keys(0)
	ctx := context.Background()
	mustEnsure(t, k, e.poolID, pool.AlgRS256)
	before := mustList(t, k, e.poolID)
	oldTok := sign(t, k, e.poolID, store.UseAccess, sampleClaims)

	res, err := k.Rotate(ctx, e.poolID, pool.AlgES256, time.Hour, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Dropped) != 2 || len(res.Activated) != 0 || len(res.Created) != 2 {
		t.Fatalf("RotateResult = %+v, want the two RS256 next keys dropped, none activated and two ES256 next keys created", res)
	}
	for _, d := range res.Dropped {
		if d.State != store.KeyNext || d.Alg != pool.AlgRS256 {
			t.Fatalf("dropped %+v, want only RS256 next keys", d)
		}
	}
	if kid := kidOf(t, sign(t, k, e.poolID, store.UseAccess, sampleClaims)); kid != kidOf(t, oldTok) {
		t.Fatalf("right after the switch tokens are signed by %s, want the RS256 key %s until the ES256 key is published long enough", kid, kidOf(t, oldTok))
	}
	if _, err := k.Rotate(ctx, e.poolID, pool.AlgES256, time.Hour, 0); !errors.Is(err, token.ErrKeyNotReady) {
		t.Fatalf("activating the fresh ES256 keys at once: err = %v, want ErrKeyNotReady", err)
	}
	e.clock.Advance(res.ReadyAt.Sub(e.clock.Now()))
	if res, err = k.Rotate(ctx, e.poolID, pool.AlgES256, time.Hour, 0); err != nil || len(res.Activated) != 2 {
		t.Fatalf("rotation at ReadyAt: %+v, %v; want the two ES256 keys activated", res, err)
	}
	after := mustList(t, k, e.poolID)
	for _, ki := range after {
		want := pool.AlgES256
		if ki.State == store.KeyRetired {
			want = pool.AlgRS256
		}
		if ki.Alg != want {
			t.Fatalf("key %+v: alg %s, want %s", ki, ki.Alg, want)
		}
	}
	newTok := sign(t, k, e.poolID, store.UseAccess, sampleClaims)
	if h := header(t, newTok); h["alg"] != pool.AlgES256 || slices.Contains(kidList(before), kidOf(t, newTok)) {
		t.Fatalf("after switching algorithm the header is %v, want ES256 with a new kid", h)
	}
	for _, tok := range []string{oldTok, newTok} {
		if _, err := k.Verify(ctx, e.poolID, store.UseAccess, tok); err != nil {
			t.Fatalf("Verify: %v", err)
		}
	}
}

func TestRotateStaleVersionChangesNothing(t *testing.T) {
	e := newEnv(t, sqliteBackend)
	k := e.keys(0)
	mustEnsure(t, k, e.poolID, pool.AlgES256)
	before := mustList(t, k, e.poolID)
	tests := []struct {
		name      string
		alg       string
		ifVersion int64
		want      error
	}{
		{name: "older version", alg: pool.AlgES256, ifVersion: 7, want: token.ErrAlreadyRotated},
		{name: "bad alg", alg: "HS256", ifVersion: 0, want: token.ErrUnsupportedAlg},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := k.Rotate(context.Background(), e.poolID, tc.alg, time.Hour, tc.ifVersion); !errors.Is(err, tc.want) {
				t.Fatalf("Rotate error = %v, want %v", err, tc.want)
			}
			info, err := k.Describe(context.Background(), e.poolID)
			if err != nil {
				t.Fatal(err)
			}
			if info.Version != 1 || !slices.Equal(kidList(info.Keys), kidList(before)) {
				t.Fatal("refused Rotate changed the key set")
			}
		})
	}
}

// TestRotateConcurrent: instances that observed the same version and all
// decide to rotate rotate once between them.
func TestRotateConcurrent(t *testing.T) {
	if testing.Short() {
		t.Skip("concurrency stress: -short")
	}
	tests := []struct {
		name    string
		alg     string
		racers  int
		backend backend
	}{
		{name: "sqlite RS256 two instances", alg: pool.AlgRS256, racers: 2, backend: sqliteBackend},
		{name: "sqlite ES256 eight racers", alg: pool.AlgES256, racers: 8, backend: sqliteBackend},
		{name: "postgres RS256 two instances", alg: pool.AlgRS256, racers: 2, backend: postgresBackend},
		{name: "postgres ES256 eight racers", alg: pool.AlgES256, racers: 8, backend: postgresBackend},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, tc.backend)
			instances := []*token.Keys{e.instance(t, 0), e.instance(t, 0)}
			mustEnsure(t, instances[0], e.poolID, tc.alg)
			info, err := instances[1].Describe(context.Background(), e.poolID)
			if err != nil {
				t.Fatal(err)
			}
			var (
				wg      sync.WaitGroup
				mu      sync.Mutex
				won     int
				lost    int
				results []token.RotateResult
			)
			for i := range tc.racers {
				wg.Go(func() {
					res, err := instances[i%2].Rotate(context.Background(), e.poolID, tc.alg, time.Hour, info.Version)
					mu.Lock()
					defer mu.Unlock()
					switch {
					case err == nil:
						won++
						results = append(results, res)
					case errors.Is(err, token.ErrAlreadyRotated):
						lost++
					default:
						t.Errorf("Rotate: %v", err)
					}
				})
			}
			wg.Wait()
			if won != 1 || lost != tc.racers-1 {
				t.Fatalf("%d rotations succeeded and %d reported ErrAlreadyRotated, want 1 and %d", won, lost, tc.racers-1)
			}
			after, err := instances[0].Describe(context.Background(), e.poolID)
			if err != nil {
				t.Fatal(err)
			}
			if after.Version != info.Version+1 || results[0].Version != after.Version || len(after.Keys) != 6 {
				t.Fatalf("after the race: version %d with %d keys (winner reported %d), want version %d with 6 keys",
					after.Version, len(after.Keys), results[0].Version, info.Version+1)
			}
		})
	}
}

// TestRefreshPicksUpRotation: an instance that did not rotate signs with
// the new active key once its cached set is older than RefreshInterval.
func TestRefreshPicksUpRotation(t *testing.T) {
	for _, b := range multiInstance {
		t.Run(b.name, func(t *testing.T) {
			const refresh = 10 * time.Second
			e := newEnv(t, b)
			a := e.instance(t, refresh)
			other := e.instance(t, refresh)
			ctx := context.Background()
			mustEnsure(t, a, e.poolID, pool.AlgES256)

			firstKid := kidOf(t, sign(t, other, e.poolID, store.UseID, sampleClaims))
			_, jwksBefore := jwks(t, other, e.poolID)
			if _, err := a.Rotate(ctx, e.poolID, pool.AlgES256, time.Hour, 0); err != nil {
				t.Fatal(err)
			}
			keys := mustList(t, a, e.poolID)
			newActive := byState(t, keys, store.UseID, store.KeyActive)
			newNext := byState(t, keys, store.UseID, store.KeyNext)
			if got := kidOf(t, sign(t, a, e.poolID, store.UseID, sampleClaims)); got != newActive {
				t.Fatalf("rotating instance signs with %s, want %s at once", got, newActive)
			}

			e.clock.Advance(refresh - time.Millisecond)
			if got := kidOf(t, sign(t, other, e.poolID, store.UseID, sampleClaims)); got != firstKid {
				t.Fatalf("within the refresh interval the other instance signs with %s, want its cached %s", got, firstKid)
			}
			if _, raw := jwks(t, other, e.poolID); string(raw) != string(jwksBefore) {
				t.Fatal("cached JWKS changed within the refresh interval")
			}

			e.clock.Advance(time.Millisecond)
			if got := kidOf(t, sign(t, other, e.poolID, store.UseID, sampleClaims)); got != newActive {
				t.Fatalf("after the refresh interval the other instance signs with %s, want %s", got, newActive)
			}
			set, _ := jwks(t, other, e.poolID)
			if len(set.Key(newNext)) != 1 || len(set.Key(firstKid)) != 1 {
				t.Fatalf("refreshed JWKS %v lacks the new next key or the retired key", kids(set))
			}
		})
	}
}

// TestRotateTwiceCannotSignWithAnUnpublishedKey: a second rotation right
// after the first would make a key sign that verifiers fetched seconds ago
// at best. It is refused, changing nothing, until the new next key has
// been published for token.PublishFor plus token.MaxRefreshInterval.
func TestRotateTwiceCannotSignWithAnUnpublishedKey(t *testing.T) {
	if testing.Short() {
		t.Skip("slow rotation sequence: -short")
	}
	e := newEnv(t, sqliteBackend)
	k := e.keys(0)
	ctx := context.Background()
	mustEnsure(t, k, e.poolID, pool.AlgRS256)
	first, err := k.Rotate(ctx, e.poolID, pool.AlgRS256, time.Hour, 0)
	if err != nil {
		t.Fatalf("first rotation: %v", err)
	}
	fresh := byState(t, mustList(t, k, e.poolID), store.UseAccess, store.KeyNext)
	wantReady := e.clock.Now().Add(token.PublishFor + token.MaxRefreshInterval)
	if !first.ReadyAt.Equal(wantReady) {
		t.Fatalf("ReadyAt = %v, want %v", first.ReadyAt, wantReady)
	}
	before := mustList(t, k, e.poolID)

	e.clock.Advance(token.PublishFor + token.MaxRefreshInterval - time.Second)
	_, err = k.Rotate(ctx, e.poolID, pool.AlgRS256, time.Hour, 0)
	var nr *token.NotReadyError
	if !errors.Is(err, token.ErrKeyNotReady) || !errors.As(err, &nr) || !nr.ReadyAt.Equal(wantReady) {
		t.Fatalf("second rotation before ReadyAt: err = %v, want a NotReadyError naming %v", err, wantReady)
	}
	if !strings.Contains(err.Error(), wantReady.UTC().Format(time.RFC3339)) {
		t.Errorf("error %q does not say when the rotation becomes possible", err)
	}
	if after := mustList(t, k, e.poolID); !slices.Equal(kidList(after), kidList(before)) ||
		byState(t, after, store.UseAccess, store.KeyNext) != fresh {
		t.Fatalf("refused rotation changed the key set: %v -> %v", kidList(before), kidList(after))
	}
	if kid := kidOf(t, sign(t, k, e.poolID, store.UseAccess, sampleClaims)); kid == fresh {
		t.Fatal("the freshly published key signs")
	}

	e.clock.Advance(time.Second)
	if _, err := k.Rotate(ctx, e.poolID, pool.AlgRS256, time.Hour, 0); err != nil {
		t.Fatalf("rotation at ReadyAt: %v", err)
	}
	if kid := kidOf(t, sign(t, k, e.poolID, store.UseAccess, sampleClaims)); kid != fresh {
		t.Fatalf("after the rotation at ReadyAt tokens are signed by %s, want %s", kid, fresh)
	}
}
