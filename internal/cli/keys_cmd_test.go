package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/seal"
	"github.com/linkpool/linkpool/internal/store"
)

func keysByState(keys []keyView) map[string]map[string]keyView {
	out := map[string]map[string]keyView{}
	for _, k := range keys {
		if out[k.State] == nil {
			out[k.State] = map[string]keyView{}
		}
		out[k.State][k.Use] = k
	}
	return out
}

func TestKeysRotate(t *testing.T) {
	h := newAdminHarness(t)
	p := h.createPool()
	// The longest token lifetime of the pool's clients decides how long a
	// retired key stays published.
	h.ok("client", "create", "--pool", p.ID, "--name", "long", "--id-token-validity", "12")

	before := keysByState(okJSON[[]keyView](h, "keys", "list", "--pool", p.ID))
	for _, use := range []string{store.UseID, store.UseAccess} {
		if before[store.KeyActive][use].KID == "" || before[store.KeyNext][use].KID == "" {
			t.Fatalf("new pool lacks an active or next %s key: %+v", use, before)
		}
	}
	table := h.ok("keys", "list", "--pool", p.ID)
	for _, want := range []string{"KID", "NOT-AFTER", "READY-AT", "active", "next", "ES256", before[store.KeyActive][store.UseID].KID} {
		if !strings.Contains(table, want) {
			t.Errorf("keys list lacks %q:\n%s", want, table)
		}
	}

	start := time.Now()
	out := h.ok("keys", "rotate", "--pool", p.ID)
	for _, use := range []string{store.UseID, store.UseAccess} {
		if !strings.Contains(out, before[store.KeyActive][use].KID) || !strings.Contains(out, before[store.KeyNext][use].KID) {
			t.Errorf("rotate output does not show the old and new %s kids:\n%s", use, out)
		}
	}
	after := keysByState(okJSON[[]keyView](h, "keys", "list", "--pool", p.ID))
	for _, use := range []string{store.UseID, store.UseAccess} {
		t.Run(use, func(t *testing.T) {
			old, retired := before[store.KeyActive][use], after[store.KeyRetired][use]
			if retired.KID != old.KID || !retired.Published {
				t.Errorf("old active key %s not listed as retired and published: %+v", old.KID, after)
			}
			// At least the 12 h ID-token lifetime; the key manager may add
			// its cache refresh interval.
			if na := retired.NotAfter; na == nil || na.Before(start.Add(12*time.Hour)) || na.After(time.Now().Add(12*time.Hour+time.Minute)) {
				t.Errorf("retired key NotAfter = %v, want 12 h from the rotation", na)
			}
			if got, want := after[store.KeyActive][use].KID, before[store.KeyNext][use].KID; got != want {
				t.Errorf("active kid = %s, want the former next key %s", got, want)
			}
			if next := after[store.KeyNext][use].KID; next == "" || next == before[store.KeyNext][use].KID {
				t.Errorf("no new next key: %+v", after)
			}
			// A new pool's next keys may sign at once; the new ones only
			// once published long enough.
			if ra := before[store.KeyNext][use].ReadyAt; ra != nil {
				t.Errorf("next key of a new pool has ready_at %v", ra)
			}
			if ra := after[store.KeyNext][use].ReadyAt; ra == nil || !ra.After(time.Now()) {
				t.Errorf("new next key ready_at = %v, want a time to come", ra)
			}
		})
	}
	h.fails(1, "does not exist", "keys", "rotate", "--pool", "us-east-1_NOPE12345")
}

// TestKeysRotateTwiceRefusesAnUnpublishedKey: a second 'keys rotate' right
// after the first would make the next key sign seconds after it was first
// published, before verifiers that cached the JWKS know it. It is refused
// with the time it becomes possible, and the keys stay as they were.
func TestKeysRotateTwiceRefusesAnUnpublishedKey(t *testing.T) {
	h := newAdminHarness(t)
	p := h.createPool()
	h.ok("keys", "rotate", "--pool", p.ID)
	before := keysByState(okJSON[[]keyView](h, "keys", "list", "--pool", p.ID))
	res := h.fails(1, "can start signing at", "keys", "rotate", "--pool", p.ID)
	if !strings.Contains(res.stderr, before[store.KeyNext][store.UseID].KID) && !strings.Contains(res.stderr, before[store.KeyNext][store.UseAccess].KID) {
		t.Errorf("refusal does not name the next key:\n%s", res.stderr)
	}
	after := keysByState(okJSON[[]keyView](h, "keys", "list", "--pool", p.ID))
	for _, use := range []string{store.UseID, store.UseAccess} {
		for _, state := range []string{store.KeyActive, store.KeyNext, store.KeyRetired} {
			if after[state][use].KID != before[state][use].KID {
				t.Errorf("refused rotation changed the %s %s key: %s -> %s", state, use, before[state][use].KID, after[state][use].KID)
			}
		}
	}
}

func TestKeysRotateChangesAlgorithm(t *testing.T) {
	h := newAdminHarness(t)
	p := okJSON[pool.Pool](h, "pool", "create", "--name", "Rsa")
	if p.SigningAlgorithm != pool.AlgRS256 {
		t.Fatalf("default algorithm %s", p.SigningAlgorithm)
	}
	out := h.ok("pool", "update", "--pool", p.ID, "--signing-alg", "ES256")
	if !strings.Contains(out, "next 'linkpool keys rotate") {
		t.Errorf("pool update does not say when the algorithm changes:\n%s", out)
	}
	if show := h.ok("pool", "show", "--pool", p.ID); !strings.Contains(show, "still signed with RS256") {
		t.Errorf("pool show does not tell that RS256 still signs:\n%s", show)
	}
	// The first rotation publishes ES256 next keys; RS256 keeps signing
	// until they have been published for token.PublishFor, and a second
	// rotation before then is refused (the token package tests the
	// activation with a clock).
	if out := h.ok("keys", "rotate", "--pool", p.ID); !strings.Contains(out, "can start signing at") {
		t.Errorf("rotate output does not say when the ES256 keys can sign:\n%s", out)
	}
	after := keysByState(okJSON[[]keyView](h, "keys", "list", "--pool", p.ID))
	for _, use := range []string{store.UseID, store.UseAccess} {
		if a := after[store.KeyActive][use]; a.Alg != pool.AlgRS256 {
			t.Errorf("active %s key right after the rotation: %+v, want the RS256 key still signing", use, a)
		}
		if n := after[store.KeyNext][use]; n.Alg != pool.AlgES256 {
			t.Errorf("next %s key after rotation: %+v, want ES256", use, n)
		}
	}
	if show := h.ok("pool", "show", "--pool", p.ID); !strings.Contains(show, "still signed with RS256") {
		t.Errorf("pool show right after the rotation does not tell that RS256 still signs:\n%s", show)
	}
	h.fails(1, "can start signing at", "keys", "rotate", "--pool", p.ID)
}

func TestKeysMasterKey(t *testing.T) {
	h := newAdminHarness(t)
	path := filepath.Join(t.TempDir(), "shared", "master.key")
	out := h.ok("keys", "master-key", "--out", path)
	if !strings.Contains(out, path) {
		t.Errorf("output:\n%s", out)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Errorf("mode %04o, want 0600", perm)
	}
	key, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := seal.ParseKey(string(key)); err != nil {
		t.Errorf("written key does not parse: %v", err)
	}
	if strings.Contains(out, strings.TrimSpace(string(key))) {
		t.Error("the key is printed")
	}
	h.fails(1, "refusing to overwrite", "keys", "master-key", "--out", path)
	if again, _ := os.ReadFile(path); string(again) != string(key) {
		t.Error("the existing key file was changed")
	}
	h.fails(2, "--out is required", "keys", "master-key")

	// The new key is usable by every command through the environment.
	h.env["LINKPOOL_MASTER_KEY_FILE"] = path
	p := h.createPool()
	c := okJSON[clientJSON](h, "client", "create", "--pool", p.ID, "--name", "m2m", "--generate-secret", "--flows", "client_credentials", "--scopes", "api/read")
	if got := okJSON[clientJSON](h, "client", "show", "--client", c.ID, "--reveal-secret"); got.ClientSecret != c.ClientSecret {
		t.Error("secret sealed with the key file does not open with it")
	}
	if _, err := os.Stat(filepath.Join(h.dir, "master.key")); err == nil {
		t.Error("a master key was created in the data directory although LINKPOOL_MASTER_KEY_FILE was set")
	}
}
