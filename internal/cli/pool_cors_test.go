package cli

import (
	"slices"
	"strings"
	"testing"

	"github.com/linkpool/linkpool/internal/pool"
)

func TestPoolCORSOrigins(t *testing.T) {
	h := newAdminHarness(t)
	p := h.createPool("--cors-origin", "https://App.example.com/", "--cors-origin", "http://localhost:3000,https://b.example.com:443")
	if want := []string{"https://app.example.com", "http://localhost:3000", "https://b.example.com"}; !slices.Equal(p.CORSOrigins, want) {
		t.Fatalf("CORSOrigins = %q, want %q", p.CORSOrigins, want)
	}
	if show := h.ok("pool", "show", "--pool", p.ID); !strings.Contains(show, "https://app.example.com") {
		t.Errorf("pool show lacks the origins:\n%s", show)
	}

	before := h.ok("pool", "show", "--pool", p.ID, "--json")
	for _, bad := range []string{"https://a.example.com/app", "ftp://a.example.com", "app.example.com", "https://user@a.example.com"} {
		h.fails(1, "invalid CORSOrigins", "pool", "update", "--pool", p.ID, "--cors-origin", bad)
	}
	if after := h.ok("pool", "show", "--pool", p.ID, "--json"); after != before {
		t.Fatalf("a rejected update changed the pool:\n%s\n%s", before, after)
	}

	h.ok("pool", "update", "--pool", p.ID, "--cors-origin", "https://c.example.com")
	if got := okJSON[pool.Pool](h, "pool", "show", "--pool", p.ID); !slices.Equal(got.CORSOrigins, []string{"https://c.example.com"}) {
		t.Fatalf("after update: %q", got.CORSOrigins)
	}
	// "" returns to the default: the clients' callback origins.
	h.ok("pool", "update", "--pool", p.ID, "--cors-origin", "")
	got := okJSON[pool.Pool](h, "pool", "show", "--pool", p.ID)
	if len(got.CORSOrigins) != 0 {
		t.Fatalf("after --cors-origin \"\": %q", got.CORSOrigins)
	}
	if show := h.ok("pool", "show", "--pool", p.ID); !strings.Contains(show, "callback URLs") {
		t.Errorf("pool show does not name the default:\n%s", show)
	}
}
