package oauth_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	mrand "math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/apptest"
	"github.com/linkpool/linkpool/internal/oauth"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/seal"
	"github.com/linkpool/linkpool/internal/smarthome/skillstore"
	"github.com/linkpool/linkpool/internal/store/sqlite/sqlitetest"
	"github.com/linkpool/linkpool/internal/token"
	"github.com/linkpool/linkpool/internal/transfer"
	"github.com/linkpool/linkpool/internal/web"
)

// rotating turns refresh-token rotation on with a 30-second grace period.
func rotating(c *pool.Client) {
	c.RefreshTokenRotation = pool.RefreshTokenRotation{Feature: pool.RotationEnabled, RetryGracePeriodSeconds: 30}
}

// mustRefresh refreshes with rt and fails the test unless it worked.
func (h *harness) mustRefresh(t *testing.T, what, rt string) string {
	t.Helper()
	r := h.refresh(t, rt)
	if r.Status != http.StatusOK || r.RefreshToken == "" {
		t.Fatalf("%s: %d %s", what, r.Status, r.Error)
	}
	return r.RefreshToken
}

// grantID is the grant part of a refresh token.
func grantID(rt string) string { id, _, _ := strings.Cut(rt, "."); return id }

// TestRefreshWithForgedSecretLeavesGrantIntact: a real grant id with a
// secret that was never issued is refused with invalid_grant and changes
// nothing; only a genuine superseded secret may trigger reuse revocation.
func TestRefreshWithForgedSecretLeavesGrantIntact(t *testing.T) {
	h := newHarness(t, rotating)
	first := h.exchange(t, h.authorize(t, h.authQuery()))
	current := h.mustRefresh(t, "rotation", first.RefreshToken)
	before := h.grants(t)

	b := make([]byte, 32)
	_, _ = rand.Read(b)
	forged := grantID(current) + "." + base64.RawURLEncoding.EncodeToString(b)
	for _, when := range []time.Duration{0, time.Hour} {
		h.clock.Advance(when)
		if r := h.refresh(t, forged); r.Status != http.StatusBadRequest || r.Error != "invalid_grant" {
			t.Fatalf("forged secret after %v: %d %s, want 400 invalid_grant", when, r.Status, r.Error)
		}
		if after := h.grants(t); len(after) != 1 || after[0].Revoked() || after[0].SecretHash != before[0].SecretHash ||
			after[0].PrevSecretHash != before[0].PrevSecretHash {
			t.Fatalf("a forged secret changed the grant: %+v", after)
		}
	}
	h.mustRefresh(t, "the real token after a forged one", current)
}

// TestConcurrentRefreshRetriesKeepGrantUsable: N refreshes of one token
// at once all succeed and return the same successor; then every token
// returned so far, and the original, presented concurrently and again
// one by one in random order within the grace period, all succeed; the
// token the client ends up holding works after the grace period. A
// superseded token presented after the grace period still revokes the
// grant.
func TestConcurrentRefreshRetriesKeepGrantUsable(t *testing.T) {
	if testing.Short() {
		t.Skip("concurrency stress: -short")
	}
	const n = 8
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			h := newHarnessOn(t, be.open(t), rotating)
			original := h.exchange(t, h.authorize(t, h.authQuery())).RefreshToken

			got := h.refreshAll(t, repeat(original, n))
			for _, rt := range got {
				if rt != got[0] {
					t.Fatalf("concurrent refreshes of one token returned different successors: %q", got)
				}
			}
			seen := []string{original, got[0]}

			var batch []string
			for range n {
				batch = append(batch, seen[mrand.IntN(len(seen))])
			}
			seen = appendNew(seen, h.refreshAll(t, batch)...)

			order := append(append([]string(nil), seen...), original, original)
			mrand.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
			held := ""
			for i, rt := range order {
				held = h.mustRefresh(t, "sequential retry "+string(rune('a'+i)), rt)
			}
			if gs := h.grants(t); len(gs) != 1 || gs[0].Revoked() {
				t.Fatalf("grant after the retries: %+v", gs)
			}

			h.clock.Advance(time.Minute)
			held = h.mustRefresh(t, "the held token after the grace period", held)
			h.clock.Advance(time.Minute)
			if r := h.refresh(t, original); r.Status != http.StatusBadRequest || r.Error != "invalid_grant" {
				t.Fatalf("superseded token after the grace period: %d %s", r.Status, r.Error)
			}
			if r := h.refresh(t, held); r.Error != "invalid_grant" {
				t.Fatalf("reuse of a superseded token did not revoke the grant: %d %s", r.Status, r.Error)
			}
		})
	}
}

// TestLateRetryAfterTwoRotationsGetsCurrentToken: A→B, then B→C, then a
// late retry of A inside A's grace period returns C, which keeps working
// after the grace period.
func TestLateRetryAfterTwoRotationsGetsCurrentToken(t *testing.T) {
	h := newHarness(t, rotating)
	a := h.exchange(t, h.authorize(t, h.authQuery())).RefreshToken
	b := h.mustRefresh(t, "A→B", a)
	h.clock.Advance(5 * time.Second)
	c := h.mustRefresh(t, "B→C", b)
	h.clock.Advance(5 * time.Second)
	late := h.mustRefresh(t, "late retry of A", a)
	if late != c {
		t.Errorf("late retry of A returned another token than the current one")
	}
	h.clock.Advance(time.Hour)
	h.mustRefresh(t, "the late retry's token after the grace period", late)
}

// TestSecretFromBeforeTheBurstRevokesInLaterGrace: A→B, then long after
// A's grace period B→C; A presented within C's grace period is a genuine
// superseded secret past its own grace period, so the grant is revoked.
func TestSecretFromBeforeTheBurstRevokesInLaterGrace(t *testing.T) {
	h := newHarness(t, rotating)
	a := h.exchange(t, h.authorize(t, h.authQuery())).RefreshToken
	b := h.mustRefresh(t, "A→B", a)
	h.clock.Advance(time.Hour)
	c := h.mustRefresh(t, "B→C", b)
	h.clock.Advance(5 * time.Second)
	if r := h.refresh(t, a); r.Status != http.StatusBadRequest || r.Error != "invalid_grant" {
		t.Fatalf("A in C's grace period: %d %s, want 400 invalid_grant", r.Status, r.Error)
	}
	if r := h.refresh(t, c); r.Error != "invalid_grant" {
		t.Fatalf("reuse of A did not revoke the grant: %d %s", r.Status, r.Error)
	}
}

// TestRotationAcrossMasterKeyChangeNeverRevokes: after a transfer into a
// store with another master key, a retry of a token superseded before the
// move still works inside its grace period, the token it returns keeps
// working, and a successor issued under the old key is refused without
// revoking the grant.
func TestRotationAcrossMasterKeyChangeNeverRevokes(t *testing.T) {
	h := newHarness(t, rotating)
	a := h.exchange(t, h.authorize(t, h.authQuery())).RefreshToken
	b := h.mustRefresh(t, "A→B", a)

	moved := h.moveToNewMasterKey(t)
	retried := moved.mustRefresh(t, "retry of A after the key change", a)
	next := moved.mustRefresh(t, "the retry's token", retried)
	if r := moved.refresh(t, b); r.Status == http.StatusOK {
		next = r.RefreshToken
	}
	moved.clock.Advance(time.Hour)
	moved.mustRefresh(t, "the newest token after the grace period", next)
}

// moveToNewMasterKey exports h's store and imports it into a fresh store
// sealed with a new master key, and returns a harness serving it on the
// same clock.
func (h *harness) moveToNewMasterKey(t *testing.T) *harness {
	t.Helper()
	ctx := context.Background()
	var buf bytes.Buffer
	if _, err := transfer.Export(ctx, h.st.(skillstore.Database), &buf); err != nil {
		t.Fatal(err)
	}
	key := make([]byte, seal.KeySize)
	_, _ = rand.Read(key)
	box, err := seal.New(key)
	if err != nil {
		t.Fatal(err)
	}
	st := sqlitetest.Open(t)
	if _, err := transfer.Import(ctx, st, box, bytes.NewReader(buf.Bytes()), transfer.ImportOptions{SourceBox: h.box}); err != nil {
		t.Fatal(err)
	}
	m := *h
	m.st, m.box = st, box
	m.keys = token.NewKeys(st, box, token.KeysOptions{Now: h.clock.Now})
	m.svc = oauth.New(oauth.Config{Store: st, Keys: m.keys, Box: box, Now: h.clock.Now, Cache: apptest.ConfigCache(t, st)})
	mux := http.NewServeMux()
	m.svc.Mount(mux)
	m.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mux.ServeHTTP(w, r.WithContext(web.WithTarget(r.Context(), m.target())))
	}))
	t.Cleanup(m.srv.Close)
	return &m
}

// refreshAll refreshes with every token at once and returns the refresh
// tokens returned, failing the test unless every refresh worked.
func (h *harness) refreshAll(t *testing.T, tokens []string) []string {
	t.Helper()
	out := make([]string, len(tokens))
	errs := make([]string, len(tokens))
	var wg sync.WaitGroup
	for i, rt := range tokens {
		wg.Go(func() {
			r, err := h.tryPost("/oauth2/token", formRefresh(rt), h.client.ID, h.secret)
			switch {
			case err != nil:
				errs[i] = err.Error()
				return
			case r.Status != http.StatusOK || r.RefreshToken == "":
				errs[i] = fmt.Sprintf("%d %s", r.Status, r.Error)
				return
			}
			out[i] = r.RefreshToken
		})
	}
	wg.Wait()
	for i, e := range errs {
		if out[i] == "" {
			t.Fatalf("concurrent refresh %d of %d failed: %q", i, len(tokens), e)
		}
	}
	return out
}

func repeat(s string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s
	}
	return out
}

func appendNew(list []string, vs ...string) []string {
	for _, v := range vs {
		found := false
		for _, w := range list {
			found = found || w == v
		}
		if !found {
			list = append(list, v)
		}
	}
	return list
}
