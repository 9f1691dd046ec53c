package samlflow

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/crewjam/saml"

	"github.com/linkpool/linkpool/internal/federation/fedtest"
	"github.com/linkpool/linkpool/internal/federation/upstream"
	"github.com/linkpool/linkpool/internal/pool"
)

// TestMetadataCache: metadata from a URL is fetched once per
// MetadataTTL; when a refresh fails the cached copy is used for up to
// MetadataMaxStale, trying again at most once per MetadataRetry; then the
// sign-in is Unavailable until a fetch succeeds again.
func TestMetadataCache(t *testing.T) {
	idp := fedtest.NewSAMLIdP(t)
	var fetches atomic.Int32
	var down atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fetches.Add(1)
		if down.Load() {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		w.Write(idp.MetadataXML())
	}))
	t.Cleanup(srv.Close)

	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	c := New(nil)
	c.clock = func() time.Time { return now }
	cfg := Config{Details: map[string]string{pool.DetailMetadataURL: srv.URL}}
	get := func() error {
		_, err := c.idpMetadata(context.Background(), cfg)
		return err
	}
	step := func(name string, advance time.Duration, wantErr bool, wantFetches int32) {
		t.Helper()
		now = now.Add(advance)
		err := get()
		if (err != nil) != wantErr || fetches.Load() != wantFetches {
			t.Fatalf("%s: err %v (want error: %v), %d fetches, want %d", name, err, wantErr, fetches.Load(), wantFetches)
		}
	}
	step("first", 0, false, 1)
	step("cached", MetadataTTL-time.Second, false, 1)
	step("expired: fetched again", 2*time.Second, false, 2)
	down.Store(true)
	step("refresh fails: stale copy", MetadataTTL+time.Second, false, 3)
	step("within MetadataRetry: no new try", MetadataRetry-time.Second, false, 3)
	step("after MetadataRetry: tried again, stale copy", 2*time.Second, false, 4)
	step("past MetadataMaxStale: unavailable", MetadataMaxStale, true, 5)
	step("still down: tried on every sign-in", 0, true, 6)
	down.Store(false)
	step("back", 0, false, 7)
	step("cached again", time.Minute, false, 7)
	if upstream.KindOf(fmt.Errorf("x: %w", unavailable("d", nil))) != upstream.Unavailable {
		t.Fatal("unavailable is not Unavailable")
	}
}

// TestMetadataCacheBound: the cache holds at most MaxCachedMetadata
// URLs, dropping the one fetched longest ago.
func TestMetadataCacheBound(t *testing.T) {
	c := New(nil)
	start := time.Now()
	for i := range MaxCachedMetadata + 10 {
		c.store(fmt.Sprintf("https://idp%d.example/md", i), cachedMetadata{md: &saml.EntityDescriptor{}, fetched: start.Add(time.Duration(i) * time.Second)})
	}
	if len(c.metadata) != MaxCachedMetadata {
		t.Fatalf("%d entries, want %d", len(c.metadata), MaxCachedMetadata)
	}
	for i := range 10 {
		if _, ok := c.metadata[fmt.Sprintf("https://idp%d.example/md", i)]; ok {
			t.Errorf("entry %d, among the oldest, is still cached", i)
		}
	}
	if _, ok := c.metadata[fmt.Sprintf("https://idp%d.example/md", MaxCachedMetadata+9)]; !ok {
		t.Error("the newest entry is not cached")
	}
}

// TestMetadataConcurrent: concurrent sign-ins with a cold cache all get
// the metadata (those that arrive while a download is under way share
// it; how many do depends on scheduling), and it is cached afterwards.
// Run under -race (make race) it also checks the cache's locking.
func TestMetadataConcurrent(t *testing.T) {
	idp := fedtest.NewSAMLIdP(t)
	var fetches atomic.Int32
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fetches.Add(1)
		<-release
		w.Write(idp.MetadataXML())
	}))
	t.Cleanup(srv.Close)
	c := New(nil)
	cfg := Config{Details: map[string]string{pool.DetailMetadataURL: srv.URL}}
	const n = 8
	errs := make(chan error, n)
	var started sync.WaitGroup
	started.Add(n)
	for range n {
		go func() {
			started.Done()
			_, err := c.idpMetadata(context.Background(), cfg)
			errs <- err
		}()
	}
	started.Wait()
	// Wait until the one download is under way, then let it finish.
	for fetches.Load() == 0 {
		runtime.Gosched()
	}
	close(release)
	for range n {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if got := fetches.Load(); got < 1 || got > n {
		t.Fatalf("%d fetches", got)
	}
	before := fetches.Load()
	if _, err := c.idpMetadata(context.Background(), cfg); err != nil || fetches.Load() != before {
		t.Fatalf("cached: %v, %d fetches after %d", err, fetches.Load(), before)
	}
}

// TestMetadataFetchOutlivesItsCaller: the shared download does not run
// on the context of the sign-in that started it: that sign-in giving up
// (its browser gone) returns at once, and the download goes on for the
// others and fills the cache.
func TestMetadataFetchOutlivesItsCaller(t *testing.T) {
	idp := fedtest.NewSAMLIdP(t)
	var fetches atomic.Int32
	entered := make(chan struct{}, 4)
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fetches.Add(1)
		entered <- struct{}{}
		<-release
		w.Write(idp.MetadataXML())
	}))
	t.Cleanup(srv.Close)
	c := New(nil)
	cfg := Config{Details: map[string]string{pool.DetailMetadataURL: srv.URL}}

	ctx, cancel := context.WithCancel(context.Background())
	first := make(chan error, 1)
	go func() {
		_, err := c.idpMetadata(ctx, cfg)
		first <- err
	}()
	<-entered // the download is under way
	cancel()
	if err := <-first; err == nil {
		t.Fatal("the sign-in that gave up got metadata")
	}
	close(release)
	if _, err := c.idpMetadata(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	if got := fetches.Load(); got != 1 {
		t.Errorf("%d downloads, want the first one to have completed and been shared or cached", got)
	}
}
