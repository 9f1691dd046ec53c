package alexasim_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html"
	"image/png"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/alexasim"
	"github.com/linkpool/linkpool/internal/apptest"
)

// loginSite is a login page on a loopback port with the misbehaviours
// Amazon forbids on demand. The redirect target is a second loopback
// server standing in for Alexa, which must never be requested.
type loginSite struct {
	srv   *httptest.Server
	alexa *httptest.Server

	mu      sync.Mutex
	langs   []string
	narrow  bool
	reached int
}

const (
	siteUser     = "alice@example.com"
	sitePassword = "S3cret-Passw0rd!"
)

func newLoginSite(t testing.TB) *loginSite {
	t.Helper()
	s := &loginSite{}
	s.alexa = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.reached++
		s.mu.Unlock()
		fmt.Fprint(w, "Alexa")
	}))
	t.Cleanup(s.alexa.Close)
	mux := http.NewServeMux()
	// /authorize bounces twice on the same origin before the form, as
	// authorization servers do (authorize → login).
	mux.HandleFunc("GET /authorize", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("mode") == "error-redirect" {
			// RFC 6749 §4.1.2.1: an error goes back to the client at once.
			q := url.Values{"error": {"invalid_scope"}, "state": {r.URL.Query().Get("state")}}
			http.Redirect(w, r, s.alexa.URL+"/api/skill/link/M2AAAAAAAAAAAA?"+q.Encode(), http.StatusFound)
			return
		}
		http.Redirect(w, r, "/bounce?"+r.URL.RawQuery, http.StatusFound)
	})
	mux.HandleFunc("GET /bounce", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/login?"+r.URL.RawQuery, http.StatusFound)
	})
	mux.HandleFunc("GET /login", func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.langs = append(s.langs, r.Header.Get("Accept-Language"))
		s.mu.Unlock()
		s.form(w, r, "")
	})
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		switch {
		case q.Get("mode") == "stuck":
			fmt.Fprint(w, `<!DOCTYPE html><html lang="en"><title>Welcome</title><h1>Welcome back</h1>`)
		case r.PostFormValue("username") != siteUser || r.PostFormValue("password") != sitePassword:
			w.WriteHeader(http.StatusBadRequest)
			s.form(w, r, "Incorrect username or password.")
		default:
			target := s.alexa.URL + "/api/skill/link/M2AAAAAAAAAAAA?" + url.Values{"state": {q.Get("state")}, "code": {"c0de"}}.Encode()
			http.Redirect(w, r, target, http.StatusFound)
		}
	})
	mux.HandleFunc("GET /narrow.png", func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.narrow = true
		s.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	})
	s.srv = httptest.NewServer(mux)
	t.Cleanup(s.srv.Close)
	return s
}

// form writes the login page. The mode query parameter picks a
// misbehaviour.
func (s *loginSite) form(w http.ResponseWriter, r *http.Request, errText string) {
	mode := r.URL.Query().Get("mode")
	var script, extra, errHTML string
	switch mode {
	case "alert":
		script = `<script>document.addEventListener('submit', e => { e.preventDefault(); alert('Wrong password'); });</script>`
	case "alert-on-load":
		script = `<script>alert('Welcome');</script>`
	case "popup":
		script = `<script>document.addEventListener('submit', e => { e.preventDefault(); window.open('/help', 'help'); });</script>`
	case "noform":
		fmt.Fprint(w, `<!DOCTYPE html><html lang="en"><title>Maintenance</title><h1>Back soon</h1>`)
		return
	case "honeypot":
		extra = `<input name="website" type="text" style="display:none">`
	}
	if errText != "" {
		errHTML = `<p class="error" role="alert">` + html.EscapeString(errText) + `</p>`
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, `<!DOCTYPE html><html lang="en"><head><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in</title><style>@media (max-width: 400px) { body { background: url(/narrow.png); } }</style>%s</head>
<body><h1>Sign in</h1>%s<form method="post" action="/login?%s">
<label for="u">Email</label><input id="u" name="username" type="email">%s
<label for="p">Password</label><input id="p" name="password" type="password">
<button type="submit">Sign in</button></form></body></html>`, script, errHTML, html.EscapeString(r.URL.RawQuery), extra)
}

func (s *loginSite) authURL(mode string) string {
	q := url.Values{"client_id": {"alexa"}, "state": {"st-42"}, "response_type": {"code"}}
	if mode != "" {
		q.Set("mode", mode)
	}
	return s.srv.URL + "/authorize?" + q.Encode()
}

// TestBrowserSignIn drives real Chromium through good and bad login pages.
func TestBrowserSignIn(t *testing.T) {
	if testing.Short() {
		t.Skip("browser end-to-end test: -short")
	}
	apptest.RequireChromium(t)
	down, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	downURL := "http://" + down.Addr().String() + "/authorize"
	down.Close()
	tests := []struct {
		name     string
		mode     string
		password string
		// url replaces the site's authorization URL.
		url       string
		wantErr   error
		wantText  string
		wantQuery url.Values
	}{
		{name: "redirect-with-code-and-state", password: sitePassword, wantQuery: url.Values{"code": {"c0de"}, "state": {"st-42"}}},
		{name: "error-redirect-before-the-form", mode: "error-redirect", password: sitePassword, wantQuery: url.Values{"error": {"invalid_scope"}, "state": {"st-42"}}},
		{name: "server-down", url: downURL, password: sitePassword, wantText: "ERR_CONNECTION_REFUSED"},
		{name: "hidden-honeypot-field-left-alone", mode: "honeypot", password: sitePassword, wantQuery: url.Values{"code": {"c0de"}, "state": {"st-42"}}},
		{name: "wrong-password-inline-error", password: "wrong-Passw0rd!", wantText: "Incorrect username or password."},
		{name: "alert-on-submit", mode: "alert", password: sitePassword, wantErr: alexasim.ErrLoginDialog},
		{name: "alert-on-load", mode: "alert-on-load", password: sitePassword, wantErr: alexasim.ErrLoginDialog},
		{name: "window-open", mode: "popup", password: sitePassword, wantErr: alexasim.ErrLoginPopup},
		{name: "no-password-form", mode: "noform", password: sitePassword, wantErr: alexasim.ErrNoLoginForm},
		{name: "no-redirect-no-error", mode: "stuck", password: sitePassword, wantErr: alexasim.ErrNoRedirect},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			site := newLoginSite(t)
			shots := t.TempDir()
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			authURL := site.authURL(tc.mode)
			if tc.url != "" {
				authURL = tc.url
			}
			u, err := alexasim.BrowserSignIn(ctx, authURL, siteUser, tc.password, alexasim.BrowserOptions{ScreenshotDir: shots, Lang: "zh-CN, zh;q=0.9"})
			site.mu.Lock()
			reached := site.reached
			site.mu.Unlock()
			if reached != 0 {
				t.Errorf("the redirect target was requested %d times; it must be intercepted", reached)
			}
			switch {
			case tc.wantErr != nil:
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("got %v, want %v", err, tc.wantErr)
				}
			case tc.url != "":
				if err == nil || !strings.Contains(err.Error(), tc.wantText) {
					t.Fatalf("got %v, want an error containing %q", err, tc.wantText)
				}
				return
			case tc.wantText != "":
				var le *alexasim.LoginPageError
				if !errors.As(err, &le) || le.Text != tc.wantText {
					t.Fatalf("got %v, want a LoginPageError %q", err, tc.wantText)
				}
			default:
				if err != nil {
					t.Fatal(err)
				}
				want := site.alexa.URL + "/api/skill/link/M2AAAAAAAAAAAA"
				if got := u.Scheme + "://" + u.Host + u.Path; got != want || u.Query().Encode() != tc.wantQuery.Encode() {
					t.Fatalf("redirect %s, want %s?%s", u, want, tc.wantQuery.Encode())
				}
			}
			if err != nil && strings.Contains(err.Error(), tc.password) {
				t.Fatalf("the error reveals the password: %v", err)
			}
			if tc.mode == "noform" || tc.mode == "alert-on-load" || tc.mode == "error-redirect" {
				return
			}
			site.mu.Lock()
			langs, narrow := site.langs, site.narrow
			site.mu.Unlock()
			// Chromium adds the q-values itself; given twice they would make
			// the header malformed.
			if len(langs) == 0 || langs[0] != "zh-CN,zh;q=0.9" {
				t.Errorf("Accept-Language %q, want zh-CN,zh;q=0.9", langs)
			}
			if !narrow {
				t.Error("the page was not laid out at a phone-sized width (max-width: 400px did not match)")
			}
			checkScreenshot(t, filepath.Join(shots, "01-login.png"))
		})
	}
}

// checkScreenshot asserts a PNG as wide as the phone viewport at the
// device scale.
func checkScreenshot(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("screenshot %s is not a PNG: %v", path, err)
	}
	if cfg.Width != 2*390 {
		t.Errorf("screenshot width %d, want %d", cfg.Width, 2*390)
	}
}

// TestBrowserSignInRejectsBadInput covers arguments that fail before a
// browser starts.
func TestBrowserSignInRejectsBadInput(t *testing.T) {
	tests := []struct {
		name    string
		authURL string
		opts    alexasim.BrowserOptions
		want    string
	}{
		{name: "relative-url", authURL: "/oauth2/authorize", want: "absolute http(s) URL"},
		{name: "other-scheme", authURL: "file:///etc/passwd", want: "absolute http(s) URL"},
		{name: "missing-browser", authURL: "http://127.0.0.1:1/authorize", opts: alexasim.BrowserOptions{ChromiumPath: filepath.Join(t.TempDir(), "chromium")}, want: "no Chromium at"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := alexasim.BrowserSignIn(context.Background(), tc.authURL, "u", "p4ssword", tc.opts)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

// BenchmarkBrowserSignIn measures a whole browser sign-in: Chromium's
// start, the login page, typing, the redirect.
func BenchmarkBrowserSignIn(b *testing.B) {
	if _, err := os.Stat(alexasim.DefaultChromiumPath); err != nil {
		b.Skipf("no Chromium at %s", alexasim.DefaultChromiumPath)
	}
	site := newLoginSite(b)
	for b.Loop() {
		if _, err := alexasim.BrowserSignIn(context.Background(), site.authURL(""), siteUser, sitePassword, alexasim.BrowserOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
