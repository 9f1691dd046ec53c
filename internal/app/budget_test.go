package app_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/linkpool/linkpool/internal/app"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/seal"
	"github.com/linkpool/linkpool/internal/seal/sealtest"
	"github.com/linkpool/linkpool/internal/smarthome/skillstore"
	"github.com/linkpool/linkpool/internal/store"
	"github.com/linkpool/linkpool/internal/store/sqlite"
	"github.com/linkpool/linkpool/internal/store/sqlite/sqlitetest"
)

// consumeWatch is the real store, noting the context and the outcome of
// the token endpoint's write (ConsumeAuthCode).
type consumeWatch struct {
	skillstore.Database
	mu       sync.Mutex
	deadline bool
	err      error
}

func (c *consumeWatch) ConsumeAuthCode(ctx context.Context, id string, now time.Time) (store.AuthCode, error) {
	ac, err := c.Database.ConsumeAuthCode(ctx, id, now)
	_, hasDeadline := ctx.Deadline()
	c.mu.Lock()
	c.deadline, c.err = hasDeadline, err
	c.mu.Unlock()
	return ac, err
}

// TestTokenEndpointAnswersWithinBudgetWhileDatabaseLocked holds the write
// lock of the SQLite file from another connection (BEGIN IMMEDIATE), as
// another instance or a long admin command does. A code exchange, which
// must write, waits for the lock only until the request's budget ends
// (not SQLite's busy timeout), and answers 503 temporarily_unavailable
// in JSON with Retry-After: never invalid_grant, which unlinks the user.
func TestTokenEndpointAnswersWithinBudgetWhileDatabaseLocked(t *testing.T) {
	if testing.Short() {
		t.Skip("database lock test: -short")
	}
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "linkpool.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	watch := &consumeWatch{Database: db}
	box := sealtest.Box(t)
	a, err := app.New(app.Config{Store: watch, Box: box, PublicURL: "http://id.example.com", HashConcurrency: 1, NoMail: true})
	if err != nil {
		t.Fatal(err)
	}
	p, c, secret := seedCodeClient(t, db, box, "budget")

	sqlitetest.HoldWriteLock(t, path)

	form := url.Values{"grant_type": {"authorization_code"}, "code": {"9f1c3a52-5d0e-4c1e-9b7a-1d2e3f4a5b6c"},
		"redirect_uri": {rpCallback}, "client_id": {c.ID}, "client_secret": {secret}}
	req := httptest.NewRequest(http.MethodPost, "http://id.example.com/"+p.ID+"/oauth2/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	a.Server.Handler().ServeHTTP(rec, req)

	var body struct{ Error string }
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || rec.Code != http.StatusServiceUnavailable || body.Error != "temporarily_unavailable" {
		t.Fatalf("token request with the database locked: %d %q, want 503 temporarily_unavailable", rec.Code, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") || rec.Header().Get("Retry-After") == "" {
		t.Fatalf("Content-Type %q, Retry-After %q: want JSON with Retry-After", ct, rec.Header().Get("Retry-After"))
	}
	watch.mu.Lock()
	defer watch.mu.Unlock()
	if !watch.deadline {
		t.Fatal("the token endpoint's store write ran without a deadline: it waits for SQLite's busy timeout, past Alexa's 4.5 s")
	}
	if !errors.Is(watch.err, context.DeadlineExceeded) {
		t.Fatalf("the store write ended with %v, want the request budget's deadline", watch.err)
	}
}

// seedCodeClient creates a pool named name in db and a confidential
// code-grant client of it (openid, rpCallback), as Alexa's, and returns
// them with the client's secret.
func seedCodeClient(t *testing.T, db store.Store, box *seal.Box, name string) (pool.Pool, pool.Client, string) {
	t.Helper()
	ctx := context.Background()
	now := time.Now()
	p := pool.NewPool("eu-west-1", name, now)
	if err := db.CreatePool(ctx, p); err != nil {
		t.Fatal(err)
	}
	c := pool.NewClient(p.ID, "alexa", now)
	secret := pool.NewClientSecret()
	c.SealedSecret = box.Seal([]byte(secret), c.SecretAAD())
	c.CallbackURLs = []string{rpCallback}
	c.AllowedOAuthFlows = []string{pool.FlowCode}
	c.AllowedOAuthFlowsUserPoolClient = true
	c.AllowedOAuthScopes = []string{pool.ScopeOpenID}
	if err := db.CreateClient(ctx, c); err != nil {
		t.Fatal(err)
	}
	return p, c, secret
}
