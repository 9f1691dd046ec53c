package app_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/app"
	"github.com/linkpool/linkpool/internal/cognitoapi"
	"github.com/linkpool/linkpool/internal/password"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/seal/sealtest"
	"github.com/linkpool/linkpool/internal/smarthome/skillstore"
	"github.com/linkpool/linkpool/internal/store"
	"github.com/linkpool/linkpool/internal/store/sqlite"
	"github.com/linkpool/linkpool/internal/store/sqlite/sqlitetest"
)

// logBuffer collects the JSON log records of a server, safe for the
// server's goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// records returns the records logged so far.
func (b *logBuffer) records(t *testing.T) []map[string]any {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(b.buf.String()), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		out = append(out, m)
	}
	return out
}

// writeEntered is the real store, announcing when the write of the
// token endpoint (ConsumeAuthCode) or of SignUp (CreateUser) has started,
// and keeping how it ended.
type writeEntered struct {
	skillstore.Database
	entered chan struct{}
	once    sync.Once
	mu      sync.Mutex
	err     error
	done    bool
}

func (c *writeEntered) note(err error) {
	c.mu.Lock()
	c.err, c.done = err, true
	c.mu.Unlock()
}

func (c *writeEntered) ConsumeAuthCode(ctx context.Context, id string, now time.Time) (store.AuthCode, error) {
	c.once.Do(func() { close(c.entered) })
	ac, err := c.Database.ConsumeAuthCode(ctx, id, now)
	c.note(err)
	return ac, err
}

func (c *writeEntered) CreateUser(ctx context.Context, u pool.User) error {
	c.once.Do(func() { close(c.entered) })
	err := c.Database.CreateUser(ctx, u)
	c.note(err)
	return err
}

// requestsCounted returns linkpool_http_requests_total for route and
// code ("" for every code).
func requestsCounted(t *testing.T, a *app.App, route, code string) float64 {
	t.Helper()
	mfs, err := a.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var n float64
	for _, mf := range mfs {
		if mf.GetName() != "linkpool_http_requests_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["route"] == route && (code == "" || labels["code"] == code) {
				n += m.GetCounter().GetValue()
			}
		}
	}
	return n
}

// TestClientGoneIsNotAServerError: a request whose client goes away
// while the server waits for the database (its write blocked by a write
// lock held elsewhere) has its store call cancelled through the request's
// context, is counted as 499 in the HTTP metrics, never as 500 or 503,
// and leaves no ERROR record in the log, only debug ones: a code exchange
// at the token endpoint, and SignUp on the Cognito JSON API.
func TestClientGoneIsNotAServerError(t *testing.T) {
	for _, tc := range []struct {
		name, route, path string
		request           func(base string, p pool.Pool, c pool.Client, secret string) *http.Request
	}{
		{"token endpoint", "/oauth2/token", "/oauth2/token", func(base string, p pool.Pool, c pool.Client, secret string) *http.Request {
			form := url.Values{"grant_type": {"authorization_code"}, "code": {"9f1c3a52-5d0e-4c1e-9b7a-1d2e3f4a5b6c"},
				"redirect_uri": {rpCallback}}
			req, _ := http.NewRequest(http.MethodPost, base+"/"+p.ID+"/oauth2/token", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.SetBasicAuth(c.ID, secret)
			return req
		}},
		{"cognito api", "cognito-idp", "/", func(base string, p pool.Pool, c pool.Client, secret string) *http.Request {
			body, _ := json.Marshal(map[string]any{"ClientId": c.ID, "Username": "gone", "Password": "Gone-Pass-1!x",
				"SecretHash":     secretHash(c.ID, secret, "gone"),
				"UserAttributes": []map[string]string{{"Name": "email", "Value": "gone@example.com"}}})
			req, _ := http.NewRequest(http.MethodPost, base+"/", bytes.NewReader(body))
			req.Header.Set("Content-Type", cognitoapi.ContentType)
			req.Header.Set("X-Amz-Target", cognitoapi.TargetPrefix+"SignUp")
			return req
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, logs, watch, base, p, c, secret := goneLab(t)
			reqCtx, cancel := context.WithCancel(context.Background())
			defer cancel()
			req := tc.request(base, p, c, secret).WithContext(reqCtx)
			answered := make(chan error, 1)
			go func() {
				resp, err := http.DefaultClient.Do(req)
				if err == nil {
					resp.Body.Close()
					err = errors.New("answered " + resp.Status)
				}
				answered <- err
			}()
			select {
			case <-watch.entered:
			case err := <-answered:
				t.Fatalf("the request ended before its store write started: %v", err)
			case <-time.After(time.Minute):
				t.Fatal("the request never reached its store write")
			}
			cancel()
			if err := <-answered; !errors.Is(err, context.Canceled) {
				t.Fatalf("client: %v, want its own cancellation", err)
			}

			// Wait for the server to finish the request: it is counted last.
			for deadline := time.Now().Add(time.Minute); requestsCounted(t, a, tc.route, "") == 0; time.Sleep(10 * time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatal("the server never finished the cancelled request")
				}
			}
			if n := requestsCounted(t, a, tc.route, "499"); n != 1 {
				t.Fatalf("%v requests counted with code 499, want 1; log:\n%s", n, logs.buf.String())
			}
			if n := requestsCounted(t, a, tc.route, ""); n != 1 {
				t.Fatalf("%v requests counted in all, want the one 499", n)
			}
			watch.mu.Lock()
			storeErr, done := watch.err, watch.done
			watch.mu.Unlock()
			if !done || !errors.Is(storeErr, context.Canceled) {
				t.Fatalf("the store write ended with %v (done %v), want the request's cancellation", storeErr, done)
			}

			var gone, access bool
			for _, r := range logs.records(t) {
				if r["level"] == "ERROR" {
					t.Fatalf("a cancelled request logged an error: %v", r)
				}
				switch r["msg"] {
				case "client went away":
					gone = r["level"] == "DEBUG" && r["path"] == tc.path
				case "request":
					if strings.HasSuffix(r["path"].(string), tc.path) {
						access = r["level"] == "DEBUG" && r["status"] == float64(499)
					}
				}
			}
			if !gone || !access {
				t.Fatalf("debug records: client went away %v, access line with 499 %v; log:\n%s", gone, access, logs.buf.String())
			}
		})
	}
}

// secretHash is Cognito's SECRET_HASH: Base64 HMAC-SHA256 of username +
// client id under the client secret.
func secretHash(clientID, secret, username string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(username + clientID))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// goneLab is a server on a loopback port over a SQLite file whose write
// lock is held by another connection, with a confidential client that
// may sign up users, logging JSON at debug level.
func goneLab(t *testing.T) (*app.App, *logBuffer, *writeEntered, string, pool.Pool, pool.Client, string) {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "linkpool.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	watch := &writeEntered{Database: db, entered: make(chan struct{})}
	logs := &logBuffer{}
	box := sealtest.Box(t)

	srv := httptest.NewUnstartedServer(nil)
	publicURL := "http://" + srv.Listener.Addr().String()
	a, err := app.New(app.Config{
		Store: watch, Box: box, PublicURL: publicURL, HashConcurrency: 1, NoMail: true,
		PasswordParams: &password.Params{Memory: 64, Time: 1, Threads: 1},
		Log:            slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = a.Server.Handler()
	srv.Start()
	t.Cleanup(srv.Close)

	p, c, secret := seedCodeClient(t, db, box, "gone")
	sqlitetest.HoldWriteLock(t, path)
	return a, logs, watch, publicURL, p, c, secret
}
