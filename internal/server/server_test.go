package server_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/confcache"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/server"
	"github.com/linkpool/linkpool/internal/store/sqlite"
	"github.com/linkpool/linkpool/internal/store/sqlite/sqlitetest"
	"github.com/linkpool/linkpool/internal/web"
)

// seedPool stores a pool with a prefix domain ("smartlamp") and a custom
// domain ("login.lamp.example") on a fresh SQLite store.
func seedPool(t *testing.T) (*sqlite.DB, pool.Pool) {
	t.Helper()
	ctx := context.Background()
	st := sqlitetest.Open(t)
	p := pool.NewPool("us-east-1", "p", time.Now())
	if err := st.CreatePool(ctx, p); err != nil {
		t.Fatal(err)
	}
	for _, d := range []pool.Domain{{Domain: "smartlamp", PoolID: p.ID}, {Domain: "login.lamp.example", PoolID: p.ID, Custom: true}} {
		if err := st.CreateDomain(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	return st, p
}

// newCache returns a configuration cache over st, closed when the test
// ends.
func newCache(t *testing.T, st *sqlite.DB, edit ...func(*confcache.Config)) *confcache.Cache {
	t.Helper()
	cfg := confcache.Config{Store: st}
	for _, f := range edit {
		f(&cfg)
	}
	c := confcache.New(cfg)
	t.Cleanup(c.Close)
	return c
}

// newServer serves, for every pool route, the resolved target as text.
func newServer(t *testing.T, edit ...func(*confcache.Config)) (*server.Server, *sqlite.DB, pool.Pool) {
	t.Helper()
	st, p := seedPool(t)
	s, err := server.New(server.Config{
		PublicURL: "https://id.example.com", AuthDomain: "auth.example.com", Store: st, Cache: newCache(t, st, edit...),
		Mount: []func(*http.ServeMux){func(m *http.ServeMux) {
			m.HandleFunc("GET /probe", func(w http.ResponseWriter, r *http.Request) {
				tg := web.MustTarget(r)
				io.WriteString(w, strings.Join([]string{tg.Pool.ID, tg.Base, tg.BasePath, tg.Issuer, r.URL.Path}, " "))
			})
		}},
		Global: []func(*http.ServeMux){func(m *http.ServeMux) {
			m.HandleFunc("GET /global", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "global") })
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return s, st, p
}

func get(h http.Handler, host, path string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodGet, path, nil)
	r.Host = host
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	return rec
}

func TestPoolResolution(t *testing.T) {
	s, _, p := newServer(t)
	h := s.Handler()
	issuer := "https://id.example.com/" + p.ID
	cases := []struct {
		name, host, path string
		status           int
		body             string
	}{
		{"prefix domain", "smartlamp.auth.example.com", "/probe", 200, p.ID + " https://smartlamp.auth.example.com  " + issuer + " /probe"},
		{"prefix domain, mixed case and port", "SmartLamp.Auth.Example.com:443", "/probe", 200, p.ID + " https://SmartLamp.Auth.Example.com:443  " + issuer + " /probe"},
		{"custom domain", "login.lamp.example", "/probe", 200, p.ID + " https://login.lamp.example  " + issuer + " /probe"},
		{"path form", "id.example.com", "/" + p.ID + "/probe", 200, p.ID + " " + issuer + " /" + p.ID + " " + issuer + " /probe"},
		{"unknown prefix falls through to global routes", "nope.auth.example.com", "/global", 200, "global"},
		{"a prefix is not a custom domain", "smartlamp", "/probe", 404, ""},
		{"unknown pool id", "id.example.com", "/us-east-1_AAAAAAAAA/probe", 404, ""},
		{"global route", "id.example.com", "/global", 200, "global"},
		{"health", "id.example.com", "/healthz", 200, "ok\n"},
		{"readiness", "id.example.com", "/readyz", 200, "ok\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := get(h, tc.host, tc.path)
			if rec.Code != tc.status || tc.body != "" && rec.Body.String() != tc.body {
				t.Fatalf("got %d %q, want %d %q", rec.Code, rec.Body, tc.status, tc.body)
			}
		})
	}
}

func TestCacheFollowsDeletes(t *testing.T) {
	s, st, _ := newServer(t)
	if err := st.DeleteDomain(context.Background(), "smartlamp"); err != nil {
		t.Fatal(err)
	}
	if rec := get(s.Handler(), "smartlamp.auth.example.com", "/probe"); rec.Code != 404 {
		t.Fatalf("deleted domain still served: %d", rec.Code)
	}
}

func TestDatabaseDown(t *testing.T) {
	s, st, p := newServer(t)
	st.Close()
	if rec := get(s.Handler(), "id.example.com", "/readyz"); rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("readyz with the database down: %d", rec.Code)
	}
	if rec := get(s.Handler(), "id.example.com", "/healthz"); rec.Code != 200 {
		t.Fatalf("healthz must not depend on the database: %d", rec.Code)
	}
	if rec := get(s.Handler(), "id.example.com", "/"+p.ID+"/probe"); rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("pool route with the database down: %d", rec.Code)
	}
	if rec := get(s.AdminHandler(), "x", "/readyz"); rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("admin readyz: %d", rec.Code)
	}
}

func TestMetricsRouteLabelsAreBounded(t *testing.T) {
	s, _, p := newServer(t)
	for i := 0; i < 20; i++ {
		get(s.Handler(), "id.example.com", "/random/"+strings.Repeat("x", i))
	}
	get(s.Handler(), "id.example.com", "/"+p.ID+"/oauth2/token")
	rec := get(s.AdminHandler(), "x", "/metrics")
	body := rec.Body.String()
	if !strings.Contains(body, `route="other"`) || !strings.Contains(body, `route="/oauth2/token"`) {
		t.Fatalf("metrics:\n%s", body)
	}
	if strings.Contains(body, "xxxx") || strings.Contains(body, p.ID) {
		t.Fatal("request paths or pool ids leak into metric labels")
	}
}

func TestPublicURLValidation(t *testing.T) {
	for _, u := range []string{"", "ftp://x", "https://x/?q=1", "/relative"} {
		if _, err := server.New(server.Config{PublicURL: u}); err == nil {
			t.Errorf("%q accepted", u)
		}
	}
}

// TestPathCleaningStaysInsidePoolPrefix: a pool path with dot segments or
// doubled slashes is redirected to its clean form under the same pool
// prefix, never to a path outside it.
func TestPathCleaningStaysInsidePoolPrefix(t *testing.T) {
	s, _, p := newServer(t)
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	prefix := "/" + p.ID
	tests := []struct{ path, want string }{
		{prefix + "/static/style.css/../brand.css", prefix + "/static/brand.css"},
		{prefix + "/static/style.css/../probe", prefix + "/static/probe"},
		{prefix + "/x/../probe", prefix + "/probe"},
		{prefix + "//probe", prefix + "/probe"},
		{prefix + "/a/./probe?x=1", prefix + "/a/probe?x=1"},
	}
	for _, tc := range tests {
		req, err := http.NewRequest(http.MethodGet, srv.URL+tc.path, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Host = "id.example.com"
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		loc := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusTemporaryRedirect || loc != tc.want {
			t.Errorf("%s: %d Location %q, want 307 to %q", tc.path, resp.StatusCode, loc, tc.want)
		}
	}
	// The clean path is served as before.
	req, _ := http.NewRequest(http.MethodGet, srv.URL+prefix+"/probe", nil)
	req.Host = "id.example.com"
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("clean path: %d", resp.StatusCode)
	}
}

// TestDatabaseDownAnswersInEndpointFormat: once the pool cannot be
// looked up, the OAuth API endpoints still answer as they do in an outage,
// 503 JSON temporarily_unavailable, in both the path and the host form,
// and every other pool route an HTML page; all with Retry-After.
func TestDatabaseDownAnswersInEndpointFormat(t *testing.T) {
	s, st, p := newServer(t)
	st.Close()
	cases := []struct{ host, path, contentType string }{
		{"id.example.com", "/" + p.ID + "/oauth2/token", "application/json"},
		{"smartlamp.auth.example.com", "/oauth2/token", "application/json"},
		{"id.example.com", "/" + p.ID + "/oauth2/revoke", "application/json"},
		{"id.example.com", "/" + p.ID + "/oauth2/userInfo", "application/json"},
		{"id.example.com", "/" + p.ID + "/.well-known/jwks.json", "application/json"},
		{"id.example.com", "/" + p.ID + "/oauth2/authorize", "text/html"},
		{"login.lamp.example", "/login", "text/html"},
	}
	for _, tc := range cases {
		rec := get(s.Handler(), tc.host, tc.path)
		ct := rec.Header().Get("Content-Type")
		if rec.Code != http.StatusServiceUnavailable || !strings.HasPrefix(ct, tc.contentType) || rec.Header().Get("Retry-After") == "" {
			t.Errorf("%s%s: %d %s (Retry-After %q), want 503 %s with Retry-After", tc.host, tc.path, rec.Code, ct, rec.Header().Get("Retry-After"), tc.contentType)
			continue
		}
		if tc.contentType == "application/json" && !strings.Contains(rec.Body.String(), `"error":"temporarily_unavailable"`) {
			t.Errorf("%s%s: body %q", tc.host, tc.path, rec.Body)
		}
	}
}

// TestOAuthEndpointsHaveDeadline: requests to the OAuth endpoints, in the
// path and the host form, reach their handlers with the OAuthTimeout
// deadline, which bounded their pool lookup too; hosted pages and global
// routes have none.
func TestOAuthEndpointsHaveDeadline(t *testing.T) {
	_, st, p := newServer(t)
	deadline := func(w http.ResponseWriter, r *http.Request) {
		if _, ok := r.Context().Deadline(); ok {
			io.WriteString(w, "deadline")
		}
	}
	s, err := server.New(server.Config{
		PublicURL: "https://id.example.com", AuthDomain: "auth.example.com", Store: st, Cache: newCache(t, st), OAuthTimeout: time.Hour,
		Mount: []func(*http.ServeMux){func(m *http.ServeMux) {
			for _, p := range []string{"/oauth2/token", "/oauth2/revoke", "/oauth2/userInfo", "/oauth2/authorize", "/.well-known/jwks.json", "/login"} {
				m.HandleFunc("GET "+p, deadline)
			}
		}},
		Global: []func(*http.ServeMux){func(m *http.ServeMux) { m.HandleFunc("GET /global", deadline) }},
	})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		host, path string
		want       bool
	}{
		{"id.example.com", "/" + p.ID + "/oauth2/token", true},
		{"smartlamp.auth.example.com", "/oauth2/token", true},
		{"login.lamp.example", "/oauth2/revoke", true},
		{"id.example.com", "/" + p.ID + "/oauth2/userInfo", true},
		{"id.example.com", "/" + p.ID + "/oauth2/authorize", true},
		{"id.example.com", "/" + p.ID + "/.well-known/jwks.json", true},
		{"id.example.com", "/" + p.ID + "/login", false},
		{"id.example.com", "/global", false},
	}
	for _, tc := range cases {
		rec := get(s.Handler(), tc.host, tc.path)
		if rec.Code != 200 || (rec.Body.String() == "deadline") != tc.want {
			t.Errorf("%s%s: %d %q, want a deadline: %v", tc.host, tc.path, rec.Code, rec.Body, tc.want)
		}
	}
}
