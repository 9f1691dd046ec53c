package acme_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"golang.org/x/crypto/acme/autocert"

	"github.com/linkpool/linkpool/internal/acme"
	"github.com/linkpool/linkpool/internal/seal"
	"github.com/linkpool/linkpool/internal/seal/sealtest"
	"github.com/linkpool/linkpool/internal/store/sqlite/sqlitetest"
)

const (
	prodDir    = "https://acme-v02.api.letsencrypt.org/directory"
	stagingDir = "https://acme-staging-v02.api.letsencrypt.org/directory"
)

// TestCacheSealed stores values sealed and bound to their key and CA: a
// value moved to another key, read with another master key or under
// another CA's directory is a miss, never another entry's value.
func TestCacheSealed(t *testing.T) {
	ctx := context.Background()
	db := sqlitetest.Open(t)
	box := sealtest.Box(t)
	c := acme.NewCache(db, box, prodDir, nil)
	value := []byte("-----BEGIN EC PRIVATE KEY-----\nsecret\n-----END EC PRIVATE KEY-----\n")

	if _, err := c.Get(ctx, "a.example.test"); !errors.Is(err, autocert.ErrCacheMiss) {
		t.Fatalf("Get before Put = %v, want ErrCacheMiss", err)
	}
	if err := c.Put(ctx, "a.example.test", value); err != nil {
		t.Fatal(err)
	}
	got, err := c.Get(ctx, "a.example.test")
	if err != nil || !bytes.Equal(got, value) {
		t.Fatalf("Get = %q, %v", got, err)
	}
	raw, err := db.GetACMECache(ctx, acme.StoreKey(prodDir, "a.example.test"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte("secret")) || bytes.Contains(raw, []byte("PRIVATE KEY")) {
		t.Fatal("value stored in clear")
	}

	// Moved to another name: does not open under that name.
	if err := db.PutACMECache(ctx, acme.StoreKey(prodDir, "b.example.test"), raw, time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Get(ctx, "b.example.test"); !errors.Is(err, autocert.ErrCacheMiss) {
		t.Fatalf("Get of a moved value = %v, want ErrCacheMiss", err)
	}
	// Another master key: a miss, to be obtained again.
	other, err := seal.New(bytes.Repeat([]byte{7}, seal.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := acme.NewCache(db, other, prodDir, nil).Get(ctx, "a.example.test"); !errors.Is(err, autocert.ErrCacheMiss) {
		t.Fatalf("Get with another master key = %v, want ErrCacheMiss", err)
	}
	// Another CA: its own entries.
	staging := acme.NewCache(db, box, stagingDir, nil)
	if _, err := staging.Get(ctx, "a.example.test"); !errors.Is(err, autocert.ErrCacheMiss) {
		t.Fatalf("Get under the staging CA = %v, want ErrCacheMiss", err)
	}

	if err := c.Delete(ctx, "a.example.test"); err != nil {
		t.Fatal(err)
	}
	if err := c.Delete(ctx, "a.example.test"); err != nil {
		t.Fatalf("Delete of an absent key = %v", err)
	}
	if _, err := c.Get(ctx, "a.example.test"); !errors.Is(err, autocert.ErrCacheMiss) {
		t.Fatalf("Get after Delete = %v, want ErrCacheMiss", err)
	}
}
