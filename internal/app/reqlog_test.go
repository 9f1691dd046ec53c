package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/linkpool/linkpool/internal/app"
	"github.com/linkpool/linkpool/internal/cognitoapi"
	"github.com/linkpool/linkpool/internal/password"
	"github.com/linkpool/linkpool/internal/seal/sealtest"
	"github.com/linkpool/linkpool/internal/store/sqlite"
)

// TestLogLinesCarryRequestID: the lines a refused request logs (the
// token endpoint's refusal, the Cognito API's, and the access line) carry
// the request id the response's X-Request-Id shows, each exactly once,
// through the logger the server was given (no request_id of its own).
func TestLogLinesCarryRequestID(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "linkpool.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	box := sealtest.Box(t)
	logs := &logBuffer{}
	srv := httptest.NewUnstartedServer(nil)
	base := "http://" + srv.Listener.Addr().String()
	a, err := app.New(app.Config{
		Store: db, Box: box, PublicURL: base, HashConcurrency: 1, NoMail: true,
		PasswordParams: &password.Params{Memory: 64, Time: 1, Threads: 1},
		Log:            slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = a.Server.Handler()
	srv.Start()
	t.Cleanup(srv.Close)
	p, c, secret := seedCodeClient(t, db, box, "reqlog")

	for _, tc := range []struct {
		name, refusal string
		request       func() *http.Request
	}{
		{"token endpoint", "token request refused", func() *http.Request {
			form := url.Values{"grant_type": {"authorization_code"}, "code": {"9f1c3a52-5d0e-4c1e-9b7a-1d2e3f4a5b6c"},
				"redirect_uri": {rpCallback}}
			req, _ := http.NewRequest(http.MethodPost, base+"/"+p.ID+"/oauth2/token", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.SetBasicAuth(c.ID, secret)
			return req
		}},
		{"cognito api", "cognito api: refused", func() *http.Request {
			body, _ := json.Marshal(map[string]any{"ClientId": c.ID, "AuthFlow": "USER_PASSWORD_AUTH",
				"AuthParameters": map[string]string{"USERNAME": "nobody", "PASSWORD": "Wrong-Pass-1!x",
					"SECRET_HASH": secretHash(c.ID, secret, "nobody")}})
			req, _ := http.NewRequest(http.MethodPost, base+"/", bytes.NewReader(body))
			req.Header.Set("Content-Type", cognitoapi.ContentType)
			req.Header.Set("X-Amz-Target", cognitoapi.TargetPrefix+"InitiateAuth")
			return req
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			logs.mu.Lock()
			logs.buf.Reset()
			logs.mu.Unlock()
			resp, err := http.DefaultClient.Do(tc.request())
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusBadRequest {
				t.Fatalf("status %d, want 400", resp.StatusCode)
			}
			id := resp.Header.Get("X-Request-Id")
			if id == "" {
				t.Fatal("no X-Request-Id in the response")
			}
			var refused, access bool
			for _, r := range logs.records(t) {
				switch r["msg"] {
				case tc.refusal:
					refused = r["request_id"] == id
				case "request":
					access = r["request_id"] == id
				}
			}
			if !refused || !access {
				t.Fatalf("request id %s: on the refusal %v, on the access line %v; log:\n%s", id, refused, access, logs.buf.String())
			}
			logs.mu.Lock()
			all := logs.buf.String()
			logs.mu.Unlock()
			for _, line := range strings.Split(strings.TrimSpace(all), "\n") {
				if n := strings.Count(line, `"request_id"`); n != 1 {
					t.Fatalf("line with request_id %d times: %s", n, line)
				}
			}
		})
	}
}
