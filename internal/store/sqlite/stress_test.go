package sqlite_test

import (
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
	"github.com/linkpool/linkpool/internal/store/sqlite"
)

// TestStress runs 8 goroutines × 200 mixed writes and reads against two
// DB handles on one file, as two server processes would share it. SQLite
// allows one writer: the handles contend for the file lock, and no
// SQLITE_BUSY ("database is locked") may reach a caller. Afterwards every
// counter holds exactly the increments made, across both handles.
func TestStress(t *testing.T) {
	if testing.Short() {
		t.Skip("SQLite stress test: -short")
	}
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "linkpool.db")
	handles := []*sqlite.DB{openPath(t, path), openPath(t, path)}
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)

	p := pool.NewPool("eu-west-1", "stress", now)
	if err := handles[0].CreatePool(ctx, p); err != nil {
		t.Fatal(err)
	}
	c := pool.NewClient(p.ID, "stress", now)
	if err := handles[1].CreateClient(ctx, c); err != nil {
		t.Fatal(err)
	}

	const workers, ops = 8, 200
	type tally struct {
		errs       []error
		increments int
		keyUpdates int
		sub        string
	}
	tallies := make([]tally, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db := handles[w%2]
			tl := &tallies[w]
			fail := func(op string, err error) {
				if err != nil {
					tl.errs = append(tl.errs, fmt.Errorf("%s: %w", op, err))
				}
			}
			u := pool.User{
				PoolID: p.ID, Sub: pool.NewSub(), Username: fmt.Sprintf("worker%d", w),
				UsernameKey: fmt.Sprintf("worker%d", w), Status: pool.StatusConfirmed, Enabled: true,
				CreatedAt: now, UpdatedAt: now,
			}
			tl.sub = u.Sub
			fail("CreateUser", db.CreateUser(ctx, u))
			rt := store.RefreshToken{
				ID: fmt.Sprintf("rt-%d", w), OriginJTI: pool.NewSub(), PoolID: p.ID, ClientID: c.ID, Sub: u.Sub,
				SecretHash: "s0", CreatedAt: now, ExpiresAt: now.Add(time.Hour),
			}
			fail("CreateRefreshToken", db.CreateRefreshToken(ctx, rt))
			for i := range ops {
				switch i % 8 {
				case 0:
					extra := u
					extra.Sub, extra.Username = pool.NewSub(), fmt.Sprintf("w%d-u%d", w, i)
					extra.UsernameKey = extra.Username
					fail("CreateUser", db.CreateUser(ctx, extra))
				case 1:
					err := db.UpdateUser(ctx, p.ID, u.Sub, func(u pool.User) (pool.User, error) {
						u.FailedLogins++
						return u, nil
					})
					fail("UpdateUser", err)
					if err == nil {
						tl.increments++
					}
				case 2:
					_, err := db.GetUserByUsername(ctx, p.ID, u.UsernameKey)
					fail("GetUserByUsername", err)
				case 3:
					code := store.AuthCode{ID: fmt.Sprintf("code-%d-%d", w, i), PoolID: p.ID, ClientID: c.ID, Sub: u.Sub,
						CreatedAt: now, ExpiresAt: now.Add(time.Minute)}
					fail("CreateAuthCode", db.CreateAuthCode(ctx, code))
					_, err := handles[(w+1)%2].ConsumeAuthCode(ctx, code.ID, now)
					fail("ConsumeAuthCode", err)
				case 4:
					fail("UpdateRefreshToken", db.UpdateRefreshToken(ctx, rt.ID, func(t store.RefreshToken) (store.RefreshToken, error) {
						t.PrevSecretHash, t.SecretHash = t.SecretHash, fmt.Sprintf("s%d", i)
						return t, nil
					}))
				case 5:
					_, err := db.GetRefreshToken(ctx, rt.ID)
					fail("GetRefreshToken", err)
				case 6:
					s := store.Session{ID: fmt.Sprintf("sess-%d-%d", w, i), PoolID: p.ID, Sub: u.Sub, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
					fail("CreateSession", db.CreateSession(ctx, s))
					_, err := db.GetSession(ctx, s.ID)
					fail("GetSession", err)
				case 7:
					err := db.UpdateKeySet(ctx, p.ID, func(ks store.KeySet) (store.KeySet, error) {
						ks.UpdatedAt = now
						return ks, nil
					})
					fail("UpdateKeySet", err)
					if err == nil {
						tl.keyUpdates++
					}
					_, err = db.ListUsers(ctx, p.ID, store.ListOptions{Limit: 10})
					fail("ListUsers", err)
				}
			}
		}()
	}
	wg.Wait()

	keyUpdates := 0
	for w, tl := range tallies {
		for _, err := range tl.errs {
			t.Errorf("worker %d: %v", w, err)
		}
		keyUpdates += tl.keyUpdates
		u, err := handles[0].GetUser(ctx, p.ID, tl.sub)
		if err != nil {
			t.Fatalf("GetUser worker %d: %v", w, err)
		}
		if u.FailedLogins != tl.increments {
			t.Errorf("worker %d: FailedLogins = %d after %d increments", w, u.FailedLogins, tl.increments)
		}
	}
	ks, err := handles[1].GetKeySet(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if ks.Version != int64(keyUpdates) {
		t.Errorf("key set version %d after %d updates through two handles", ks.Version, keyUpdates)
	}
	page, err := handles[0].ListUsers(ctx, p.ID, store.ListOptions{Limit: store.MaxPageSize})
	if err != nil {
		t.Fatal(err)
	}
	if want := workers * (1 + ops/8); len(page.Items) != want {
		t.Errorf("%d users, want %d", len(page.Items), want)
	}
}
