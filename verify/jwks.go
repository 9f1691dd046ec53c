package verify

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/go-jose/go-jose/v4"
	"go.opentelemetry.io/otel/trace"

	"github.com/linkpool/linkpool/internal/tracing"
)

// keyEntry is one verification key and when a key-set fetch last listed it.
type keyEntry struct {
	key      any    // *rsa.PublicKey, *ecdsa.PublicKey or ed25519.PublicKey
	alg      string // the JWK's alg, "" when the JWK names none
	lastSeen time.Time
}

// keySet is an immutable snapshot of the known keys, replaced as a whole
// (copy on write) and read without locks through an atomic.Pointer.
type keySet struct {
	keys map[string]keyEntry
	// fetchedAt is when the fetch that built this set started.
	fetchedAt time.Time
	// missing are the kids presented before that fetch started that it
	// did not list: tokens of these kids are refused as ErrUnknownKey.
	missing map[string]struct{}
}

// maxPending bounds the kids remembered between two fetches, and
// maxKIDLen the length of one; a kid not remembered is refused as
// ErrKeyNotFetched until a later fetch, never accepted.
const (
	maxPending = 1024
	maxKIDLen  = 256
)

// ask records that a token with kid was presented and its key not found,
// so that the next fetch can tell whether the issuer publishes it.
func (v *Verifier) ask(kid string) {
	if len(kid) > maxKIDLen {
		return
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.pending == nil {
		v.pending = make(map[string]struct{})
	}
	if len(v.pending) < maxPending {
		v.pending[kid] = struct{}{}
	}
}

// Prefetch fetches the key set now instead of at the first Verify. It
// counts as a fetch for MinRefreshInterval.
func (v *Verifier) Prefetch(ctx context.Context) error {
	_, err := v.refresh(ctx)
	return err
}

// refresh returns a key set at most MinRefreshInterval old, fetching it
// when the last attempt is older. Concurrent callers share one fetch
// (singleflight); each caller stops waiting when its own ctx ends, while
// the fetch itself runs to its own timeout so that it still serves the
// others.
func (v *Verifier) refresh(ctx context.Context) (*keySet, error) {
	ch := v.group.DoChan("jwks", func() (any, error) {
		return v.refreshOnce(context.WithoutCancel(ctx))
	})
	select {
	case r := <-ch:
		if r.Err != nil {
			return nil, r.Err
		}
		return r.Val.(*keySet), nil
	case <-ctx.Done():
		return nil, unavailable("waiting for the key set", ctx.Err())
	}
}

func (v *Verifier) refreshOnce(ctx context.Context) (*keySet, error) {
	now := v.cfg.Now()
	v.mu.Lock()
	if !v.lastAttempt.IsZero() && now.Sub(v.lastAttempt) < v.cfg.MinRefreshInterval {
		lastErr := v.lastErr
		v.mu.Unlock()
		if lastErr != nil {
			return nil, lastErr
		}
		return v.keys.Load(), nil
	}
	v.lastAttempt = now
	asked := v.pending
	v.pending = nil
	v.mu.Unlock()

	if v.cfg.HTTPClient.Timeout == 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, DefaultFetchTimeout)
		defer cancel()
	}
	fetched, err := v.fetch(ctx)
	v.mu.Lock()
	v.lastErr = err
	v.mu.Unlock()
	if err != nil {
		return nil, err
	}
	merged := &keySet{keys: make(map[string]keyEntry, len(fetched)), fetchedAt: now, missing: make(map[string]struct{})}
	for kid := range asked {
		if _, ok := fetched[kid]; !ok {
			merged.missing[kid] = struct{}{}
		}
	}
	if old := v.keys.Load(); old != nil {
		// Keys that left the key set keep verifying until MaxKeyAge
		// after they were last seen.
		for kid, e := range old.keys {
			if now.Sub(e.lastSeen) <= v.cfg.MaxKeyAge {
				merged.keys[kid] = e
			}
		}
	}
	for kid, e := range fetched {
		e.lastSeen = now
		merged.keys[kid] = e
	}
	v.keys.Store(merged)
	return merged, nil
}

// fetch downloads and parses the JSON Web Key Set (RFC 7517 §5). Keys
// that cannot be used for signature verification are skipped, so one
// unsupported key does not hide the others. Every failure is
// ErrUnavailable: it is about the issuer, not about a token.
func (v *Verifier) fetch(ctx context.Context) (_ map[string]keyEntry, err error) {
	ctx, span := tracing.StartKind(ctx, trace.SpanKindClient, "verify.jwks_fetch")
	defer func() { tracing.End(span, err) }()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, v.cfg.JWKSURL, nil)
	if err != nil {
		return nil, unavailable("building the key set request", err)
	}
	req.Header.Set("Accept", "application/json")
	tracing.Inject(ctx, req.Header)
	resp, err := v.cfg.HTTPClient.Do(req)
	if err != nil {
		return nil, unavailable("fetching the key set", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, unavailable(fmt.Sprintf("key set endpoint answered HTTP %d", resp.StatusCode), nil)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxJWKSSize+1))
	if err != nil {
		return nil, unavailable("reading the key set", err)
	}
	if len(body) > maxJWKSSize {
		return nil, unavailable("key set document is larger than 1 MiB", nil)
	}
	var doc struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, unavailable("key set is not a JSON Web Key Set", err)
	}
	keys := make(map[string]keyEntry, len(doc.Keys))
	for _, raw := range doc.Keys {
		var k jose.JSONWebKey
		if err := k.UnmarshalJSON(raw); err != nil {
			continue
		}
		if k.KeyID == "" || (k.Use != "" && k.Use != "sig") || !k.Valid() {
			continue
		}
		if k.Algorithm != "" && !v.allows(k.Algorithm) {
			continue
		}
		if !k.IsPublic() {
			k = k.Public()
		}
		switch k.Key.(type) {
		case []byte, nil:
			continue // symmetric keys never verify our tokens
		}
		keys[k.KeyID] = keyEntry{key: k.Key, alg: k.Algorithm}
	}
	if len(keys) == 0 {
		return nil, unavailable("key set has no usable signing keys", nil)
	}
	return keys, nil
}

func (v *Verifier) allows(alg string) bool {
	for _, a := range v.algs {
		if string(a) == alg {
			return true
		}
	}
	return false
}
