package alexasim_test

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/alexasim"
	"github.com/linkpool/linkpool/internal/smarthome/alexa"
)

// fakeAS is a small authorization server that misbehaves on request: it
// serves a login form, redirects back to Alexa and issues opaque tokens,
// each step adjustable by the test.
type fakeAS struct {
	srv *httptest.Server

	mu sync.Mutex
	// loginPage replaces the login page body; loginStatus answers the
	// authorization request with an error page of that status.
	loginPage   string
	loginStatus int
	// redirect rewrites the successful redirect (default: redirect_uri
	// with code and state).
	redirect func(redirectURI, state, code string) string
	// token adjusts the token response fields (nil deletes a field).
	token       map[string]any
	tokenStatus int
	tokenCT     string
	tokenRaw    string
	tokenDelay  time.Duration
	// tokenLocation is a Location header for the token response.
	tokenLocation string
	bodyOnly      bool
	// refreshStatuses are answered to refresh requests in order, then 200.
	refreshStatuses []int
	refreshes       int
	origins         []string
}

const fakeUser, fakePassword = "dave", "s3cret-Pass"

func newFakeAS(t *testing.T) *fakeAS { return newFakeASB(t) }

// newFakeASB starts a fake authorization server for a test or benchmark.
func newFakeASB(t testing.TB) *fakeAS {
	t.Helper()
	f := &fakeAS{}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /authorize", f.authorize)
	mux.HandleFunc("POST /login", f.login)
	mux.HandleFunc("POST /token", f.tokenEndpoint)
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeAS) console() alexasim.Console {
	return alexasim.Console{
		AuthorizationURI: f.srv.URL + "/authorize",
		AccessTokenURI:   f.srv.URL + "/token",
		ClientID:         "alexa-client",
		ClientSecret:     "alexa-secret",
		Scheme:           alexasim.SchemeHTTPBasic,
		Scopes:           []string{"lamp:control"},
		VendorID:         vendorID,
		Region:           alexasim.RegionNA,
	}
}

func (f *fakeAS) loginForm(q url.Values, errText string) string {
	var alert string
	if errText != "" {
		alert = `<div role="alert" class="banner">` + html.EscapeString(errText) + `</div>`
	}
	return `<!doctype html><html><head><meta name="viewport" content="width=device-width, initial-scale=1"><title>Sign in</title></head><body>` +
		alert + `<form method="post" action="/login?` + html.EscapeString(q.Encode()) + `">` +
		`<input type="hidden" name="csrf" value="tok-123">` +
		`<label for=u>Email</label><input id=u type="email" name="login_email">` +
		`<label for=p>Password</label><input id=p type="password" name="pw">` +
		`<button type="submit" name="action" value="signin">Sign in</button></form></body></html>`
}

func (f *fakeAS) authorize(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if f.loginStatus != 0 {
		w.WriteHeader(f.loginStatus)
		fmt.Fprint(w, `<html><head><title>Error</title></head><body><p id="error">redirect_mismatch: unknown redirect_uri</p></body></html>`)
		return
	}
	if f.loginPage != "" {
		fmt.Fprint(w, f.loginPage)
		return
	}
	fmt.Fprint(w, f.loginForm(r.URL.Query(), ""))
}

func (f *fakeAS) login(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	_ = r.ParseForm()
	f.origins = append(f.origins, r.Header.Get("Origin")+" "+r.Header.Get("Sec-Fetch-Site"))
	q := r.URL.Query()
	if r.PostForm.Get("csrf") != "tok-123" || r.PostForm.Get("action") != "signin" ||
		r.PostForm.Get("login_email") != fakeUser || r.PostForm.Get("pw") != fakePassword {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, f.loginForm(q, "Wrong email or password."))
		return
	}
	target := q.Get("redirect_uri") + "?" + url.Values{"code": {"code-1"}, "state": {q.Get("state")}}.Encode()
	if f.redirect != nil {
		target = f.redirect(q.Get("redirect_uri"), q.Get("state"), "code-1")
	}
	http.Redirect(w, r, target, http.StatusFound)
}

func (f *fakeAS) tokenEndpoint(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	delay := f.tokenDelay
	f.mu.Unlock()
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	_ = r.ParseForm()
	id, secret, basic := r.BasicAuth()
	if !basic {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if f.bodyOnly && basic || id != "alexa-client" || secret != "alexa-secret" {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"error":"invalid_client","error_description":"client authentication failed"}`)
		return
	}
	if r.PostForm.Get("grant_type") == "refresh_token" {
		f.refreshes++
		if len(f.refreshStatuses) > 0 {
			st := f.refreshStatuses[0]
			f.refreshStatuses = f.refreshStatuses[1:]
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(st)
			if st == http.StatusBadRequest {
				fmt.Fprint(w, `{"error":"invalid_grant"}`)
			} else {
				fmt.Fprint(w, `{"error":"temporarily_unavailable"}`)
			}
			return
		}
	}
	ct := f.tokenCT
	if ct == "" {
		ct = "application/json;charset=UTF-8"
	}
	w.Header().Set("Content-Type", ct)
	if f.tokenLocation != "" {
		w.Header().Set("Location", f.tokenLocation)
	}
	if f.tokenStatus != 0 {
		w.WriteHeader(f.tokenStatus)
	}
	if f.tokenRaw != "" || f.tokenLocation != "" {
		fmt.Fprint(w, f.tokenRaw)
		return
	}
	body := map[string]any{
		"access_token": fmt.Sprintf("at-%d", time.Now().UnixNano()), "token_type": "Bearer",
		"expires_in": 3600, "refresh_token": "rt-1",
	}
	for k, v := range f.token {
		if v == nil {
			delete(body, k)
		} else {
			body[k] = v
		}
	}
	_ = json.NewEncoder(w).Encode(body)
}

// stubSkill is a minimal skill built on the alexa router: discovery
// returns one lamp, and controllers answer Response with powerState.
func stubSkill() alexasim.LambdaSkill {
	r := alexa.NewRouter(slog.New(slog.DiscardHandler))
	r.Handle(alexa.NamespaceDiscovery, "Discover", func(ctx context.Context, d *alexa.Directive) (alexa.Message, error) {
		return d.DiscoverResponse([]alexa.DiscoveryEndpoint{{
			EndpointID: "lamp-1", ManufacturerName: "Test", FriendlyName: "Desk Lamp", Description: "a lamp",
			DisplayCategories: []string{alexa.DisplayCategoryLight},
			Capabilities:      []alexa.Capability{alexa.AlexaInterface(), alexa.Interface(alexa.NamespacePowerController, false, true, alexa.PropPowerState)},
		}}), nil
	})
	r.Handle(alexa.NamespacePowerController, "TurnOn", func(ctx context.Context, d *alexa.Directive) (alexa.Message, error) {
		return d.Response(alexa.PowerState(true, time.Now(), 0)), nil
	})
	return func(ctx context.Context, b []byte) ([]byte, error) { return r.Serve(ctx, b), nil }
}

// tamper rewrites the replies of a skill to the directive named name.
func tamper(s alexasim.Skill, name string, fn func(doc map[string]any)) alexasim.LambdaSkill {
	return func(ctx context.Context, in []byte) ([]byte, error) {
		out, err := s.Invoke(ctx, in)
		if err != nil {
			return nil, err
		}
		var d struct {
			Directive alexa.Directive `json:"directive"`
		}
		if json.Unmarshal(in, &d) != nil || d.Directive.Header.Name != name {
			return out, nil
		}
		var doc map[string]any
		if err := json.Unmarshal(out, &doc); err != nil {
			return nil, err
		}
		fn(doc)
		return json.Marshal(doc)
	}
}

// event returns doc.event as a map.
func event(doc map[string]any) map[string]any { return doc["event"].(map[string]any) }
