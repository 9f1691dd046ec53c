package oauth_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/linkpool/linkpool/internal/store/sqlite"
	"github.com/linkpool/linkpool/internal/store/sqlite/sqlitetest"
)

// TestRefreshWithoutRotationWritesNothing: a refresh of a client that does
// not rotate refresh tokens (Cognito's default) makes no store write, so
// it succeeds while another process holds the database's write lock. A
// refresh that wrote would wait for the lock and fail.
func TestRefreshWithoutRotationWritesNothing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "linkpool.db")
	st, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	h := newHarnessOn(t, st)
	first := h.exchange(t, h.authorize(t, h.authQuery()))
	h.refresh(t, first.RefreshToken) // keys and configuration cached
	release := sqlitetest.HoldWriteLock(t, path)
	for range 3 {
		if r := h.refresh(t, first.RefreshToken); r.AccessToken == "" {
			t.Fatalf("refresh under another process's write lock: %+v", r)
		}
	}
	release()
}
