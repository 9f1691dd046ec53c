package oauth_test

import (
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/linkpool/linkpool/internal/apptest"
	"github.com/linkpool/linkpool/internal/oauth"
	"github.com/linkpool/linkpool/internal/web"
)

// FuzzTokenEndpoint feeds arbitrary bodies, content types and
// Authorization headers to POST /oauth2/token, with and without the
// client address over its rate limit. The endpoint must never panic, never
// answer 5xx for bad input (the store is healthy), and always answer JSON
// with no caching; over the address limit, only a request with the
// client's secret may get past 429.
func FuzzTokenEndpoint(f *testing.F) {
	h := newHarness(f)
	f.Add("grant_type=authorization_code&code=x&redirect_uri=https%3A%2F%2Fa", "application/x-www-form-urlencoded", "Basic "+base64.StdEncoding.EncodeToString([]byte(h.client.ID+":"+h.secret)))
	f.Add("grant_type=refresh_token&refresh_token=AAAAAAAAAAAAAAAAAAAAAA.BBBB", "application/x-www-form-urlencoded", "")
	f.Add("grant_type=client_credentials&client_id="+h.client.ID+"&client_secret=%ZZ", "application/x-www-form-urlencoded; charset=utf-8", "Basic %%%")
	f.Add("", "text/plain", "Bearer x")
	f.Add("grant_type=a&grant_type=b", "application/x-www-form-urlencoded", "Basic Og==")
	mux := http.NewServeMux()
	h.svc.Mount(mux)
	// flooded refuses every address: no key has any budget.
	flooded := http.NewServeMux()
	oauth.New(oauth.Config{Store: h.st, Keys: h.keys, Box: h.box, Now: h.clock.Now, TokenLimiter: web.NewLimiter(1e-9, 0), Cache: apptest.ConfigCache(f, h.st)}).Mount(flooded)
	f.Fuzz(func(t *testing.T, body, contentType, auth string) {
		post := func(m *http.ServeMux) *httptest.ResponseRecorder {
			req := httptest.NewRequest(http.MethodPost, "/oauth2/token", strings.NewReader(body))
			req.Header.Set("Content-Type", contentType)
			if auth != "" {
				req.Header.Set("Authorization", auth)
			}
			req = req.WithContext(web.WithTarget(req.Context(), h.target()))
			rec := httptest.NewRecorder()
			m.ServeHTTP(rec, req)
			return rec
		}
		if rec := post(flooded); rec.Code != http.StatusTooManyRequests && !carriesSecret(body, auth, h.secret) || rec.Code >= 500 {
			t.Fatalf("over the address limit: status %d for body %q auth %q: %s", rec.Code, body, auth, rec.Body)
		}
		rec := post(mux)
		if rec.Code >= 500 {
			t.Fatalf("status %d for body %q auth %q: %s", rec.Code, body, auth, rec.Body)
		}
		if !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") || rec.Header().Get("Cache-Control") != "no-store" {
			t.Fatalf("headers %v", rec.Header())
		}
		if rec.Code == 200 && !strings.Contains(rec.Body.String(), "access_token") {
			t.Fatalf("200 without a token: %s", rec.Body)
		}
	})
}

// carriesSecret reports whether a token request with body and
// Authorization header auth presents secret.
func carriesSecret(body, auth, secret string) bool {
	if q, err := url.ParseQuery(body); err == nil && q.Get("client_secret") == secret {
		return true
	}
	r := &http.Request{Header: http.Header{"Authorization": {auth}}}
	_, s, ok := r.BasicAuth()
	s, _ = url.QueryUnescape(s)
	return ok && s == secret
}

// FuzzParseAuthorize checks that arbitrary authorization queries never
// redirect anywhere but the registered URI. The query is parsed as
// net/http parses a request's (url.URL.Query keeps what parses and drops
// the rest), so any byte string is a valid input.
func FuzzParseAuthorize(f *testing.F) {
	h := newHarness(f)
	f.Add("client_id=" + h.client.ID + "&redirect_uri=" + alexaRedirect + "&response_type=code&state=x")
	f.Add("client_id=" + h.client.ID + "&redirect_uri=https://evil/&response_type=code")
	f.Add("client_id=" + h.client.ID + "&redirect_uri=" + alexaRedirect + "&response_type=token&scope=%00")
	f.Fuzz(func(t *testing.T, rawQuery string) {
		q, _ := url.ParseQuery(rawQuery)
		ar, err := h.svc.ParseAuthorize(t.Context(), h.pool, q)
		if err == nil {
			if !slices.Contains(h.client.CallbackURLs, ar.RedirectURI) {
				t.Fatalf("accepted redirect_uri %q", ar.RedirectURI)
			}
			return
		}
		var loc string
		if oe := asOAuthError(err); oe != nil {
			loc = oe.Redirect
		}
		if loc != "" && !strings.HasPrefix(loc, alexaRedirect+"?") && !strings.HasPrefix(loc, "http://localhost:3000/cb?") && !strings.HasPrefix(loc, alexaRedirect+"#") && !strings.HasPrefix(loc, "http://localhost:3000/cb#") {
			t.Fatalf("error redirects to %q", loc)
		}
	})
}
