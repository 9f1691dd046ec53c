package server_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/linkpool/linkpool/internal/server"
)

// TestAPIRoute checks that POST / reaches the Cognito JSON API on the
// public host and on every pool domain host, and that nothing else does.
func TestAPIRoute(t *testing.T) {
	st, p := seedPool(t)
	s, err := server.New(server.Config{
		PublicURL: "https://id.example.com", AuthDomain: "auth.example.com", Store: st, Cache: newCache(t, st),
		API: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "api") }),
		Mount: []func(*http.ServeMux){func(m *http.ServeMux) {
			m.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "pool root") })
			m.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "login") })
		}},
		Global: []func(*http.ServeMux){func(m *http.ServeMux) {
			m.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "home") })
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ method, host, path, want string }{
		{"POST", "id.example.com", "/", "api"},
		{"POST", "id.example.com:443", "/", "api"},
		{"POST", "smartlamp.auth.example.com", "/", "api"},
		{"POST", "login.lamp.example", "/", "api"},
		{"GET", "id.example.com", "/", "home"},
		{"GET", "smartlamp.auth.example.com", "/", "pool root"},
		{"POST", "smartlamp.auth.example.com", "/login", "login"},
		{"POST", "id.example.com", "/" + p.ID + "/login", "login"},
		{"POST", "id.example.com", "/" + p.ID + "/", "Method Not Allowed\n"}, // the pool's own root, not the API
	}
	for _, tt := range tests {
		r := httptest.NewRequest(tt.method, tt.path, nil)
		r.Host = tt.host
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, r)
		if got := rec.Body.String(); got != tt.want {
			t.Errorf("%s %s%s = %q, want %q", tt.method, tt.host, tt.path, got, tt.want)
		}
	}
}
