package confcache_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/confcache"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
	"github.com/linkpool/linkpool/internal/store/postgres"
	"github.com/linkpool/linkpool/internal/store/postgres/pgtest"
	"github.com/linkpool/linkpool/internal/store/sqlite"
)

// backends open two handles on one fresh database: what a server and the
// CLI (or a second instance) hold on the same SQLite file or PostgreSQL
// database. Each handle counts only its own writes.
var backends = []struct {
	name string
	open func(t *testing.T) (a, b store.Store)
}{
	{"sqlite", func(t *testing.T) (store.Store, store.Store) {
		path := filepath.Join(t.TempDir(), "linkpool.db")
		return openSQLite(t, path), openSQLite(t, path)
	}},
	{"postgres", func(t *testing.T) (store.Store, store.Store) {
		url := pgtest.URL(t)
		return openPostgres(t, url), openPostgres(t, url)
	}},
}

func openSQLite(t *testing.T, path string) store.Store {
	t.Helper()
	db, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func openPostgres(t *testing.T, url string) store.Store {
	t.Helper()
	db, err := postgres.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func newCache(t *testing.T, st store.Store, edit ...func(*confcache.Config)) *confcache.Cache {
	t.Helper()
	cfg := confcache.Config{Store: st, PollInterval: 10 * time.Millisecond}
	for _, f := range edit {
		f(&cfg)
	}
	c := confcache.New(cfg)
	t.Cleanup(c.Close)
	return c
}

// eventually calls cond until it holds, failing the test after a minute:
// it waits for a poll, it asserts nothing about how long that takes.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not seen", what)
		}
	}
}

func seed(t *testing.T, st store.Store) (pool.Pool, pool.Client) {
	t.Helper()
	ctx := context.Background()
	p := pool.NewPool("us-east-1", "cached", time.Now())
	if err := st.CreatePool(ctx, p); err != nil {
		t.Fatal(err)
	}
	c := pool.NewClient(p.ID, "alexa", time.Now())
	if err := st.CreateClient(ctx, c); err != nil {
		t.Fatal(err)
	}
	return p, c
}

// TestOtherHandleChangesAreSeen: changes made through a second handle on
// the same database (another process or instance) reach a running cache
// by its poll: an update, a delete, a domain and a pool created after a
// lookup that found nothing.
func TestOtherHandleChangesAreSeen(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			ctx := context.Background()
			server, cli := be.open(t)
			p, c := seed(t, server)
			cache := newCache(t, server)
			clientName := func() string {
				got, found, err := cache.Clients.Get(ctx, c.ID)
				if err != nil {
					t.Fatal(err)
				}
				if !found {
					return "<none>"
				}
				return got.Name
			}
			if got := clientName(); got != "alexa" {
				t.Fatalf("client name %q", got)
			}
			if _, found, err := cache.Domains.Get(ctx, "lamps"); err != nil || found {
				t.Fatalf("domain before creation: %v %v", found, err)
			}
			if err := cli.UpdateClient(ctx, c.ID, func(c pool.Client) (pool.Client, error) { c.Name = "renamed"; return c, nil }); err != nil {
				t.Fatal(err)
			}
			// Once the cache has read the version the update wrote, the
			// update is served: what the linkpool_config_version metric
			// promises.
			want, err := cli.ConfigVersion(ctx)
			if err != nil {
				t.Fatal(err)
			}
			eventually(t, "version of the client update", func() bool { return cache.Version() >= want })
			if got := clientName(); got != "renamed" {
				t.Fatalf("client name %q once version %d is read, want renamed", got, want)
			}
			if err := cli.CreateDomain(ctx, pool.Domain{Domain: "lamps", PoolID: p.ID}); err != nil {
				t.Fatal(err)
			}
			eventually(t, "domain creation", func() bool {
				d, found, err := cache.Domains.Get(ctx, "lamps")
				return err == nil && found && d.PoolID == p.ID
			})
			if err := cli.DeleteClient(ctx, c.ID); err != nil {
				t.Fatal(err)
			}
			eventually(t, "client deletion", func() bool { return clientName() == "<none>" })
			if err := cli.UpdatePool(ctx, p.ID, func(p pool.Pool) (pool.Pool, error) { p.Name = "renamed"; return p, nil }); err != nil {
				t.Fatal(err)
			}
			eventually(t, "pool update", func() bool {
				got, found, err := cache.Pools.Get(ctx, p.ID)
				return err == nil && found && got.Name == "renamed"
			})
		})
	}
}

// TestOwnWritesAreSeenAtOnce: a write through the cache's own handle is
// served by the next lookup, without waiting for a poll (the poller of
// this cache never runs again after its first read).
func TestOwnWritesAreSeenAtOnce(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			ctx := context.Background()
			server, _ := be.open(t)
			p, c := seed(t, server)
			cache := newCache(t, server, func(c *confcache.Config) { c.PollInterval = time.Hour })
			if got, _, err := cache.Clients.Get(ctx, c.ID); err != nil || got.Name != "alexa" {
				t.Fatalf("%+v %v", got, err)
			}
			if err := server.UpdateClient(ctx, c.ID, func(c pool.Client) (pool.Client, error) { c.Name = "renamed"; return c, nil }); err != nil {
				t.Fatal(err)
			}
			if got, _, err := cache.Clients.Get(ctx, c.ID); err != nil || got.Name != "renamed" {
				t.Fatalf("after update: %+v %v", got.Name, err)
			}
			if err := server.DeletePool(ctx, p.ID); err != nil {
				t.Fatal(err)
			}
			if _, found, err := cache.Clients.Get(ctx, c.ID); err != nil || found {
				t.Fatalf("client of a deleted pool: found %v, %v", found, err)
			}
			if _, found, err := cache.Pools.Get(ctx, p.ID); err != nil || found {
				t.Fatalf("deleted pool: found %v, %v", found, err)
			}
		})
	}
}

// TestCachedUntilChanged: without a change, a lookup is served from
// memory: with the database closed underneath, a cached pool is still
// returned (within MaxStale), while an uncached one fails.
func TestCachedUntilChanged(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "linkpool.db"))
	if err != nil {
		t.Fatal(err)
	}
	p, _ := seed(t, db)
	cache := newCache(t, db, func(c *confcache.Config) { c.MaxStale = time.Hour })
	if _, found, err := cache.Pools.Get(ctx, p.ID); err != nil || !found {
		t.Fatalf("%v %v", found, err)
	}
	db.Close()
	if got, found, err := cache.Pools.Get(ctx, p.ID); err != nil || !found || got.ID != p.ID {
		t.Fatalf("cached pool with the database closed: %v %v", found, err)
	}
	if _, _, err := cache.Pools.Get(ctx, "us-east-1_Nope"); err == nil {
		t.Fatal("uncached lookup with the database closed: no error")
	}
}

// TestStaleAfterOutage: once the version has not been read for MaxStale,
// lookups go to the store again and fail as it fails, instead of serving
// configuration that may have changed meanwhile.
func TestStaleAfterOutage(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "linkpool.db"))
	if err != nil {
		t.Fatal(err)
	}
	p, _ := seed(t, db)
	cache := newCache(t, db, func(c *confcache.Config) { c.MaxStale = 20 * time.Millisecond })
	if _, found, err := cache.Pools.Get(ctx, p.ID); err != nil || !found {
		t.Fatalf("%v %v", found, err)
	}
	db.Close()
	eventually(t, "stale cache bypassed", func() bool {
		_, _, err := cache.Pools.Get(ctx, p.ID)
		return err != nil && !errors.Is(err, store.ErrNotFound)
	})
}
