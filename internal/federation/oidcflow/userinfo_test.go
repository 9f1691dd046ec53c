package oidcflow_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/linkpool/linkpool/internal/federation/fedtest"
	"github.com/linkpool/linkpool/internal/federation/oidcflow"
	"github.com/linkpool/linkpool/internal/federation/upstream"
	"github.com/linkpool/linkpool/internal/pool"
)

// TestUserInfoWithoutSubject: user info that does not name the ID
// token's subject is not merged (OpenID Connect Core 5.3.2: the sub
// must be present and equal).
func TestUserInfoWithoutSubject(t *testing.T) {
	for name, info := range map[string]map[string]any{
		"no sub":     {"email": "mallory@example.com"},
		"empty sub":  {"sub": "", "email": "mallory@example.com"},
		"number sub": {"sub": 42, "email": "mallory@example.com"},
	} {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				_ = json.NewEncoder(w).Encode(info)
			}))
			t.Cleanup(srv.Close)
			conf := opConfig(fedtest.NewOP(t), map[string]string{pool.DetailAttributesURL: srv.URL + "/userinfo"})
			res, _, err := signIn(t, oidcflow.New(nil), conf)
			if res.Claims["email"] == "mallory@example.com" {
				t.Errorf("the user info without the subject was merged: %v", res.Claims)
			}
			wantKind(t, err, upstream.Invalid)
		})
	}
}
