package oidcflow_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
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

// TestSubjectBounds: a subject longer than pool.MaxSubjectLen bytes or
// with a control character is refused (it would exceed the stores' key
// limits and Cognito's 128-character usernames).
func TestSubjectBounds(t *testing.T) {
	for name, sub := range map[string]string{
		"too long":          strings.Repeat("s", pool.MaxSubjectLen+1),
		"3 KB":              strings.Repeat("s", 3000),
		"control character": "fed\x01user",
		"newline":           "fed\nuser",
	} {
		t.Run(name, func(t *testing.T) {
			g := fedtest.NewGoogle(t, redirectURI)
			u := fedtest.DefaultUser
			u.Subject = sub
			g.SetUser(u)
			res, _, err := signIn(t, oidcflow.New(nil), cfg(pool.ProviderGoogle, g.Details()))
			if e := wantKind(t, err, upstream.Invalid); !strings.Contains(e.Description, "subject") {
				t.Errorf("Description = %q, want the subject", e.Description)
			}
			if res.Subject != "" {
				t.Errorf("Subject = %q", res.Subject)
			}
		})
	}
	t.Run("128 bytes", func(t *testing.T) {
		g := fedtest.NewGoogle(t, redirectURI)
		u := fedtest.DefaultUser
		u.Subject = strings.Repeat("s", pool.MaxSubjectLen)
		g.SetUser(u)
		if _, _, err := signIn(t, oidcflow.New(nil), cfg(pool.ProviderGoogle, g.Details())); err != nil {
			t.Fatal(err)
		}
	})
}
