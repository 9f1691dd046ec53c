package accesskey

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/linkpool/linkpool/internal/audit"
	"github.com/linkpool/linkpool/internal/seal"
	"github.com/linkpool/linkpool/internal/store"
)

// Key is an access key as callers see it: never the secret. Region is the
// region of the credential scope of the request it authenticated (empty
// outside Authenticate).
type Key struct {
	ID          string    `json:"AccessKeyId"`
	Description string    `json:"Description"`
	AllPools    bool      `json:"AllPools"`
	PoolIDs     []string  `json:"PoolIds,omitempty"`
	ReadOnly    bool      `json:"ReadOnly"`
	CreatedAt   time.Time `json:"CreateDate"`
	LastUsedAt  time.Time `json:"LastUsedDate,omitzero"`
	Region      string    `json:"-"`
}

func keyOf(k store.AccessKey) Key {
	return Key{ID: k.ID, Description: k.Description, AllPools: k.AllPools, PoolIDs: k.PoolIDs,
		ReadOnly: k.ReadOnly, CreatedAt: k.CreatedAt, LastUsedAt: k.LastUsedAt}
}

// Config configures a Service.
type Config struct {
	Store store.Store
	Box   *seal.Box
	Log   *slog.Logger
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Audit records the creation and deletion of keys; nil records
	// nothing.
	Audit *audit.Recorder
	// CacheTTL is how long an unsealed key is kept in memory (default one
	// minute): a key deleted by another process stops working within it.
	CacheTTL time.Duration
}

// DefaultCacheTTL is Config.CacheTTL's default.
const DefaultCacheTTL = time.Minute

// touchInterval is how often, per key and process, a use is recorded in
// LastUsedAt.
const touchInterval = time.Minute

// Service owns access keys: creation, listing, deletion, and the
// authentication and authorization of signed requests.
type Service struct {
	st    store.Store
	box   *seal.Box
	log   *slog.Logger
	now   func() time.Time
	ttl   time.Duration
	audit *audit.Recorder

	mu    sync.Mutex
	cache map[string]*cached
	// deletes counts Delete calls; a lookup caches what it read only if
	// none happened meanwhile.
	deletes uint64
}

// cached is an unsealed key.
type cached struct {
	key     store.AccessKey // Sealed cleared
	secret  []byte
	loaded  time.Time
	touched time.Time
	// derived holds signing keys by credential scope (date, region and
	// service), which clients keep for a day.
	derived map[string][]byte
}

// maxDerived bounds cached.derived.
const maxDerived = 16

// signingKey returns the signing key of the scope, derived once.
func (s *Service) signingKey(c *cached, a authorization) []byte {
	scope := a.scope()
	s.mu.Lock()
	k, ok := c.derived[scope]
	s.mu.Unlock()
	if ok {
		return k
	}
	k = signingKey(c.secret, a.Date, a.Region, a.Service)
	s.mu.Lock()
	if c.derived == nil || len(c.derived) >= maxDerived {
		c.derived = map[string][]byte{}
	}
	c.derived[scope] = k
	s.mu.Unlock()
	return k
}

// New returns a Service.
func New(cfg Config) *Service {
	s := &Service{st: cfg.Store, box: cfg.Box, log: cfg.Log, now: cfg.Now, ttl: cfg.CacheTTL, audit: cfg.Audit, cache: map[string]*cached{}}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.ttl <= 0 {
		s.ttl = DefaultCacheTTL
	}
	return s
}

// CreateInput is what an operator chooses for a new key. No PoolIDs means
// every pool.
type CreateInput struct {
	Description string
	PoolIDs     []string
	ReadOnly    bool
}

// InvalidInputError is a rejected CreateInput or key id.
type InvalidInputError struct{ Reason string }

func (e *InvalidInputError) Error() string { return e.Reason }

// MaxDescription is the longest description, in characters.
const MaxDescription = 256

var idPattern = regexp.MustCompile(`^AKIA[A-Z2-7]{16}$`)

// ValidID reports whether id has the form of the ids this package issues.
func ValidID(id string) bool { return idPattern.MatchString(id) }

func sealContext(id string) []byte { return []byte("access-key/" + id) }

// Create issues a key and returns it with its secret, which is shown
// once and kept only sealed.
func (s *Service) Create(ctx context.Context, in CreateInput) (key Key, _ string, err error) {
	defer func() {
		s.audit.Record(ctx, audit.Entry{Action: "CreateAccessKey", Target: key.ID, Changed: audit.Fields(map[string]any{
			"Description": in.Description, "PoolIDs": in.PoolIDs, "ReadOnly": in.ReadOnly, "SecretAccessKey": nil,
		})}, err)
	}()
	if n := len([]rune(in.Description)); n > MaxDescription {
		return Key{}, "", &InvalidInputError{fmt.Sprintf("description: at most %d characters, got %d", MaxDescription, n)}
	}
	if strings.IndexFunc(in.Description, unicode.IsControl) >= 0 {
		return Key{}, "", &InvalidInputError{"description: control characters are not allowed"}
	}
	pools := slices.Clone(in.PoolIDs)
	slices.Sort(pools)
	pools = slices.Compact(pools)
	for _, id := range pools {
		if _, err := s.st.GetPool(ctx, id); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return Key{}, "", fmt.Errorf("pool %s does not exist: %w", id, err)
			}
			return Key{}, "", fmt.Errorf("create access key: %w", err)
		}
	}
	var idBytes [10]byte
	var secretBytes [30]byte
	rand.Read(idBytes[:])
	rand.Read(secretBytes[:])
	id := "AKIA" + base32.StdEncoding.EncodeToString(idBytes[:])
	secret := base64.StdEncoding.EncodeToString(secretBytes[:])
	k := store.AccessKey{
		ID: id, Sealed: s.box.Seal([]byte(secret), sealContext(id)), Description: in.Description,
		AllPools: len(pools) == 0, PoolIDs: pools, ReadOnly: in.ReadOnly, CreatedAt: s.now().UTC().Truncate(time.Microsecond),
	}
	if len(pools) == 0 {
		k.PoolIDs = nil
	}
	if err := s.st.CreateAccessKey(ctx, k); err != nil {
		return Key{}, "", fmt.Errorf("create access key: %w", err)
	}
	s.log.Info("access key created", "access_key_id", id, "all_pools", k.AllPools, "pools", k.PoolIDs, "read_only", k.ReadOnly)
	return keyOf(k), secret, nil
}

// List returns every key, by id.
func (s *Service) List(ctx context.Context) ([]Key, error) {
	ks, err := s.st.ListAccessKeys(ctx)
	if err != nil {
		return nil, fmt.Errorf("list access keys: %w", err)
	}
	out := make([]Key, 0, len(ks))
	for _, k := range ks {
		out = append(out, keyOf(k))
	}
	return out, nil
}

// Get returns one key; an error wrapping store.ErrNotFound when it does
// not exist.
func (s *Service) Get(ctx context.Context, id string) (Key, error) {
	k, err := s.st.GetAccessKey(ctx, id)
	if err != nil {
		return Key{}, fmt.Errorf("access key %s: %w", printable(id, 64), err)
	}
	return keyOf(k), nil
}

// Delete deletes a key. This process stops accepting it at once, others
// within their cache TTL.
func (s *Service) Delete(ctx context.Context, id string) (err error) {
	defer func() { s.audit.Record(ctx, audit.Entry{Action: "DeleteAccessKey", Target: printable(id, 64)}, err) }()
	err = s.st.DeleteAccessKey(ctx, id)
	// Evicted after the store's delete, and the deletes counted, so that a
	// lookup that read the key before the delete does not cache it again.
	s.mu.Lock()
	delete(s.cache, id)
	s.deletes++
	s.mu.Unlock()
	if err != nil {
		return fmt.Errorf("access key %s: %w", printable(id, 64), err)
	}
	s.log.Info("access key deleted", "access_key_id", id)
	return nil
}

// lookup returns the unsealed key id, from the cache when it is fresh.
// A key that does not exist is UnrecognizedClientException; a store
// failure is returned as it is (the caller answers 5xx).
func (s *Service) lookup(ctx context.Context, id string, now time.Time) (*cached, error) {
	if !ValidID(id) {
		return nil, unrecognized()
	}
	s.mu.Lock()
	c, ok := s.cache[id]
	deletes := s.deletes
	s.mu.Unlock()
	if ok && now.Sub(c.loaded) < s.ttl && now.Sub(c.loaded) >= 0 {
		return c, nil
	}
	k, err := s.st.GetAccessKey(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		s.mu.Lock()
		delete(s.cache, id)
		s.mu.Unlock()
		return nil, unrecognized()
	}
	if err != nil {
		return nil, fmt.Errorf("access key lookup: %w", err)
	}
	secret, err := s.box.Open(k.Sealed, sealContext(id))
	if err != nil {
		return nil, fmt.Errorf("access key %s: unseal secret: %w", id, err)
	}
	k.Sealed = nil
	nc := &cached{key: k, secret: secret, loaded: now}
	if ok {
		nc.touched = c.touched
	}
	s.mu.Lock()
	if s.deletes == deletes { // no key deleted while the store was read
		s.cache[id] = nc
	}
	s.mu.Unlock()
	return nc, nil
}

// touch records a use of the key at most once per touchInterval in this
// process, so that LastUsedAt costs no write per request. A failure is
// logged and otherwise ignored: LastUsedAt is best effort.
func (s *Service) touch(ctx context.Context, c *cached, now time.Time) {
	s.mu.Lock()
	due := now.Sub(c.touched) >= touchInterval
	if due {
		c.touched = now
	}
	s.mu.Unlock()
	if !due {
		return
	}
	if err := s.st.TouchAccessKey(ctx, c.key.ID, now); err != nil && !errors.Is(err, store.ErrNotFound) {
		s.log.Warn("access key: recording last use failed", "access_key_id", c.key.ID, "err", err)
	}
}
