package oidcflow_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/linkpool/linkpool/internal/federation/fedtest"
	"github.com/linkpool/linkpool/internal/federation/oidcflow"
	"github.com/linkpool/linkpool/internal/federation/upstream"
	"github.com/linkpool/linkpool/internal/pool"
)

// elsewhere is a second loopback server that records what reaches it.
type elsewhere struct {
	*httptest.Server
	mu   sync.Mutex
	seen []string
}

func newElsewhere(t *testing.T) *elsewhere {
	e := &elsewhere{}
	e.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		e.mu.Lock()
		e.seen = append(e.seen, r.Method+" "+r.URL.String()+" "+r.Header.Get("Authorization")+" "+string(body))
		e.mu.Unlock()
		http.Error(w, "nothing here", http.StatusNotFound)
	}))
	t.Cleanup(e.Close)
	return e
}

func (e *elsewhere) requests() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.seen...)
}

// redirector answers every request with status to target.
func redirector(t *testing.T, status int, target string) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", target)
		w.WriteHeader(status)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestTokenEndpointRedirect: a token endpoint that redirects (307/308
// re-send the POST body) must not make the client send the code and
// the client secret to another server, whichever client
// authentication the provider uses, with the package's own client or
// the caller's.
func TestTokenEndpointRedirect(t *testing.T) {
	for _, status := range []int{http.StatusTemporaryRedirect, http.StatusPermanentRedirect, http.StatusFound} {
		for _, typ := range []string{pool.ProviderGoogle, pool.ProviderOIDC} {
			for _, own := range []bool{true, false} {
				name := typ + "/" + http.StatusText(status)
				if !own {
					name += "/caller's client"
				}
				t.Run(name, func(t *testing.T) {
					other := newElsewhere(t)
					var conf oidcflow.Config
					if typ == pool.ProviderGoogle {
						g := fedtest.NewGoogle(t, redirectURI)
						conf = cfg(pool.ProviderGoogle, g.Details())
					} else {
						conf = opConfig(fedtest.NewOP(t), nil)
					}
					conf.Details[pool.DetailTokenURL] = redirector(t, status, other.URL+"/steal")
					hc := (*http.Client)(nil)
					if !own {
						hc = &http.Client{}
					}
					_, _, err := signIn(t, oidcflow.New(hc), conf)
					for _, r := range other.requests() {
						if strings.Contains(r, "s3cret") || strings.Contains(r, conf.Details[pool.DetailClientSecret]) || strings.Contains(r, "Basic") || strings.Contains(r, "code=") {
							t.Errorf("the redirect target received %q", r)
						}
					}
					if got := other.requests(); len(got) != 0 {
						t.Errorf("the token request was redirected: %v", got)
					}
					wantKind(t, err, upstream.Unavailable)
				})
			}
		}
	}
}

// TestUserInfoRedirect: the user-info endpoint's redirect is not
// followed (the access token would go along).
func TestUserInfoRedirect(t *testing.T) {
	other := newElsewhere(t)
	op := fedtest.NewOP(t)
	conf := opConfig(op, map[string]string{pool.DetailAttributesURL: redirector(t, http.StatusTemporaryRedirect, other.URL+"/steal")})
	_, _, err := signIn(t, oidcflow.New(nil), conf)
	if got := other.requests(); len(got) != 0 {
		t.Errorf("the user-info request was redirected: %v", got)
	}
	wantKind(t, err, upstream.Unavailable)
}

// TestDiscoveryRedirect: public documents follow redirects to https or
// loopback http only, at most three.
func TestDiscoveryRedirect(t *testing.T) {
	op := fedtest.NewOP(t)
	// Loopback http: followed; the document then names the OP, not the
	// redirector, as issuer, which discovery refuses.
	conf := opConfig(op, nil)
	conf.Details[pool.DetailOIDCIssuer] = redirector(t, http.StatusFound, op.Issuer()+"/.well-known/openid-configuration")
	_, _, err := oidcflow.New(nil).Begin(context.Background(), conf)
	wantKind(t, err, upstream.Unavailable)

	// To plain http on another host: not followed.
	conf = opConfig(op, nil)
	conf.Details[pool.DetailOIDCIssuer] = redirector(t, http.StatusFound, "http://example.invalid/.well-known/openid-configuration")
	_, _, err = oidcflow.New(nil).Begin(context.Background(), conf)
	if e := wantKind(t, err, upstream.Unavailable); e.Err == nil || !strings.Contains(e.Err.Error(), "not https") {
		t.Errorf("error %v: want the refused redirect", e)
	}

	// A loop: stopped.
	var loop string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, loop, http.StatusFound)
	}))
	t.Cleanup(srv.Close)
	loop = srv.URL + "/again"
	conf = opConfig(op, nil)
	conf.Details[pool.DetailOIDCIssuer] = srv.URL
	_, _, err = oidcflow.New(&http.Client{}).Begin(context.Background(), conf)
	if e := wantKind(t, err, upstream.Unavailable); e.Err == nil || !strings.Contains(e.Err.Error(), "too many redirects") {
		t.Errorf("error %v (%v): want too many redirects", e, e.Err)
	}
}
