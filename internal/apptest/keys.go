package apptest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/confcache"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/seal"
	"github.com/linkpool/linkpool/internal/store"
	"github.com/linkpool/linkpool/internal/token"
)

// stock holds the signing keys of the process, generated the first time
// a test needs them and shared by every test after that: RSA-2048
// generation takes tens to hundreds of milliseconds, which a harness
// that builds a key set per test case paid again and again.
var stock struct {
	mu   sync.Mutex
	keys map[string][]crypto.Signer
}

// stockKey returns the i-th key of the stock for alg, generating the
// stock up to it.
func stockKey(alg string, i int) (crypto.Signer, error) {
	stock.mu.Lock()
	defer stock.mu.Unlock()
	if stock.keys == nil {
		stock.keys = map[string][]crypto.Signer{}
	}
	for len(stock.keys[alg]) <= i {
		var k crypto.Signer
		var err error
		switch alg {
		case pool.AlgRS256:
			k, err = rsa.GenerateKey(rand.Reader, 2048)
		case pool.AlgES256:
			k, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		default:
			return nil, fmt.Errorf("apptest: no keys for algorithm %q", alg)
		}
		if err != nil {
			return nil, err
		}
		stock.keys[alg] = append(stock.keys[alg], k)
	}
	return stock.keys[alg][i], nil
}

// KeyGenerator returns a token.KeysOptions.GenerateKey that hands out the
// process's stock keys in order, each at most once, so the keys one
// token.Keys gets are distinct (as kids must be within a pool) while
// other Keys reuse them. Several Keys that add keys to the same pool
// (instances over one store) share one generator.
func KeyGenerator() func(alg string) (crypto.Signer, error) {
	var mu sync.Mutex
	next := map[string]int{}
	return func(alg string) (crypto.Signer, error) {
		mu.Lock()
		i := next[alg]
		next[alg] = i + 1
		mu.Unlock()
		return stockKey(alg, i)
	}
}

// NewKeys returns a token.Keys over st and box with the given clock
// (nil: time.Now) that takes its keys from a new KeyGenerator.
func NewKeys(st store.Store, box *seal.Box, now func() time.Time) *token.Keys {
	return token.NewKeys(st, box, token.KeysOptions{Now: now, GenerateKey: KeyGenerator()})
}

// ConfigCache returns a configuration cache (internal/confcache) over st
// for services built by hand, closed when the test ends.
func ConfigCache(t testing.TB, st store.Store) *confcache.Cache {
	t.Helper()
	c := confcache.New(confcache.Config{Store: st})
	t.Cleanup(c.Close)
	return c
}
