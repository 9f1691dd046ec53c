package oidcflow_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/linkpool/linkpool/internal/federation/oidcflow"
	"github.com/linkpool/linkpool/internal/federation/upstream"
	"github.com/linkpool/linkpool/internal/pool"
)

// discoveryServer serves a discovery document that names itself as
// issuer; edit changes the document before it is served.
func discoveryServer(t *testing.T, edit func(issuer string, doc map[string]any)) string {
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/.well-known/openid-configuration" {
			http.NotFound(w, r)
			return
		}
		doc := map[string]any{
			"issuer":                 srv.URL,
			"authorization_endpoint": srv.URL + "/authorize",
			"token_endpoint":         srv.URL + "/token",
			"userinfo_endpoint":      srv.URL + "/userinfo",
			"jwks_uri":               srv.URL + "/keys",
		}
		edit(srv.URL, doc)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(doc)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func discoveryConfig(issuer string) oidcflow.Config {
	return cfg(pool.ProviderOIDC, map[string]string{
		pool.DetailClientID: "linkpool", pool.DetailClientSecret: "s3cret",
		pool.DetailAuthorizeScopes: "openid", pool.DetailOIDCIssuer: issuer,
	})
}

// TestDiscoveredEndpoints: the endpoints a discovery document names are
// held to the rule of the URL details (https, or http on a loopback
// host); a document pointing one at plain http on another host, or at
// something that is no URL, is refused as Unavailable.
func TestDiscoveredEndpoints(t *testing.T) {
	for _, key := range []string{"authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri"} {
		for _, bad := range []string{"http://10.0.0.5/x", "http://metadata.internal/latest", "file:///etc/passwd", "https://user:pw@idp.example.com/x", "/relative"} {
			t.Run(key+" "+bad, func(t *testing.T) {
				issuer := discoveryServer(t, func(_ string, doc map[string]any) { doc[key] = bad })
				_, _, err := oidcflow.New(nil).Begin(context.Background(), discoveryConfig(issuer))
				wantKind(t, err, upstream.Unavailable)
			})
		}
	}
	t.Run("acceptable", func(t *testing.T) {
		issuer := discoveryServer(t, func(_ string, doc map[string]any) {
			doc["token_endpoint"] = "https://idp.example.com/token"
			delete(doc, "userinfo_endpoint") // optional
		})
		if _, _, err := oidcflow.New(nil).Begin(context.Background(), discoveryConfig(issuer)); err != nil {
			t.Fatalf("Begin: %v", err)
		}
	})
}

// TestDiscoveryOtherIssuer: a discovery document naming another issuer
// is refused.
func TestDiscoveryOtherIssuer(t *testing.T) {
	issuer := discoveryServer(t, func(_ string, doc map[string]any) { doc["issuer"] = "https://accounts.example.com" })
	_, _, err := oidcflow.New(nil).Begin(context.Background(), discoveryConfig(issuer))
	wantKind(t, err, upstream.Unavailable)
}
