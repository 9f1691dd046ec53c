package cli

import (
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/linkpool/linkpool/internal/apptest"
	"github.com/linkpool/linkpool/internal/console"
)

// get answers a GET without following redirects.
func getNoFollow(t *testing.T, c *http.Client, u string) (*http.Response, string) {
	t.Helper()
	nc := *c
	nc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	res, err := nc.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

// TestServeConsole: serve mounts the console on the admin listener only,
// creates the system pool once however often it starts, and an operator
// made with `admin create` signs in to it through the system pool's
// hosted sign-in page.
func TestServeConsole(t *testing.T) {
	if testing.Short() {
		t.Skip("serve end-to-end test: -short")
	}
	data := t.TempDir()
	envm := map[string]string{"LINKPOOL_DATA": data}
	s := startServe(t, "http", envm)
	anon := &http.Client{}
	for _, path := range []string{"/console", "/console/", "/console/signin", "/console/callback"} {
		if res, _ := getNoFollow(t, anon, s.url+path); res.StatusCode != http.StatusNotFound {
			t.Errorf("public listener %s: %d, want 404", path, res.StatusCode)
		}
	}
	if res, _ := getNoFollow(t, anon, s.admin+"/console/"); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/console/signin") {
		t.Errorf("admin listener /console/: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	if res, _ := getNoFollow(t, anon, s.admin+"/metrics"); res.StatusCode != http.StatusOK {
		t.Errorf("admin listener /metrics: %d", res.StatusCode)
	}

	h := &adminHarness{t: t, dir: data, env: envm}
	pwFile := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(pwFile, []byte("Operat0r-Passw0rd!\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out := h.ok("admin", "create", "--username", "root", "--email", "root@example.com", "--password-file", pwFile)
	if !strings.Contains(out, "group admin") || strings.Contains(out, "Operat0r") {
		t.Errorf("admin create printed:\n%s", out)
	}
	out = h.ok("admin", "create", "--username", "viewer", "--email", "viewer@example.com", "--read-only")
	if !strings.Contains(out, "group read-only") || !strings.Contains(out, "Temporary password (shown once): ") {
		t.Errorf("admin create --read-only printed:\n%s", out)
	}
	h.fails(1, "UsernameExistsException", "admin", "create", "--username", "root", "--email", "x@example.com")
	// Two operators made, one refused: each attempt is recorded once, by
	// the command line.
	for action, want := range map[string]int{"AdminCreateUser": 3, "AdminAddUserToGroup": 2} {
		recs := okJSON[[]auditRecord](h, "audit", "list", "--action", action, "--pool", console.SystemPoolID, "--actor", "cli")
		if len(recs) != want {
			t.Errorf("%d %s records by the command line, want %d: %+v", len(recs), action, want, recs)
		}
	}
	h.fails(2, "--email is required", "admin", "create", "--username", "x")

	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, CheckRedirect: func(r *http.Request, _ []*http.Request) error {
		if strings.HasPrefix(r.URL.String(), s.admin) {
			return http.ErrUseLastResponse
		}
		return nil
	}}
	res, _ := getNoFollow(t, browser, s.admin+"/console/signin")
	authURL := res.Header.Get("Location")
	if !strings.HasPrefix(authURL, s.url+"/"+console.SystemPoolID+"/oauth2/authorize?") {
		t.Fatalf("sign-in sends to %q", authURL)
	}
	res = signInThrough(t, browser, authURL, "root", "Operat0r-Passw0rd!")
	res.Body.Close()
	callback := res.Header.Get("Location")
	if !strings.HasPrefix(callback, s.admin+"/console/callback?") {
		t.Fatalf("sign-in ends at %d %q", res.StatusCode, callback)
	}
	res, body := getNoFollow(t, browser, callback)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("callback: %d: %s", res.StatusCode, body)
	}
	res, body = getNoFollow(t, browser, s.admin+"/console/pools")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, console.SystemPoolID) || !strings.Contains(body, "root") {
		t.Fatalf("pools page: %d: %s", res.StatusCode, body)
	}
	// The dashboard draws the counters the sampler wrote to the database
	// from start, this instance reporting; /metrics exports the sign-in
	// counters it charts.
	if res, body = getNoFollow(t, browser, s.admin+"/console/"); res.StatusCode != http.StatusOK || !strings.Contains(body, `id="chart-links"`) || !strings.Contains(body, `id="chart-sign-in"`) ||
		!strings.Contains(body, "1 instance reporting in the last 5 minutes.") {
		t.Errorf("dashboard: %d: %s", res.StatusCode, body)
	}
	if _, body = getNoFollow(t, anon, s.admin+"/metrics"); !strings.Contains(body, "linkpool_sign_in_failures_total{reason=\"wrong_password\"} 0") || !strings.Contains(body, "linkpool_lockouts_total 0") {
		t.Errorf("/metrics lacks the sign-in counters")
	}

	// A second start finds the system pool and creates nothing; its admin
	// listener has another port, so it corrects the callback URL once.
	if code := s.stop(); code != 0 {
		t.Fatalf("serve exited with %d", code)
	}
	startServe(t, "http", envm).stop()
	for action, want := range map[string]int{"CreateUserPool": 1, "CreateGroup": 2, "CreateUserPoolClient": 1, "UpdateUserPoolClient": 1} {
		recs := okJSON[[]auditRecord](h, "audit", "list", "--action", action, "--pool", console.SystemPoolID)
		if len(recs) != want {
			t.Errorf("%d %s records, want %d: %+v", len(recs), action, want, recs)
		}
	}
}

// TestServeConsoleOwnListener: with --console-addr the console has a
// listener of its own and leaves the admin listener.
func TestServeConsoleOwnListener(t *testing.T) {
	if testing.Short() {
		t.Skip("serve end-to-end test: -short")
	}
	addr := apptest.FreeAddr(t)
	s := startServe(t, "http", map[string]string{"LINKPOOL_DATA": t.TempDir()}, "--console-addr", addr)
	anon := &http.Client{}
	if res, _ := getNoFollow(t, anon, s.admin+"/console/"); res.StatusCode != http.StatusNotFound {
		t.Errorf("admin listener /console/: %d, want 404", res.StatusCode)
	}
	if res, _ := getNoFollow(t, anon, s.url+"/console/"); res.StatusCode != http.StatusNotFound {
		t.Errorf("public listener /console/: %d, want 404", res.StatusCode)
	}
	res, _ := getNoFollow(t, anon, "http://"+addr+"/console/signin")
	if want := "redirect_uri=" + "http%3A%2F%2F127.0.0.1%3A"; res.StatusCode != http.StatusSeeOther || !strings.Contains(res.Header.Get("Location"), want) {
		t.Errorf("console listener sign-in: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
}

// TestAdminCreateBeforeServe: `admin create` on a new data directory
// creates the system pool itself; `serve` then finds it.
func TestAdminCreateBeforeServe(t *testing.T) {
	h := newAdminHarness(t)
	out := h.ok("admin", "create", "--username", "first", "--email", "first@example.com")
	if !strings.Contains(out, "Temporary password (shown once): ") {
		t.Errorf("admin create printed:\n%s", out)
	}
	u := okJSON[userView](h, "user", "show", "--pool", console.SystemPoolID, "--username", "first@example.com")
	if u.Username != "first" || u.Status != "FORCE_CHANGE_PASSWORD" || len(u.Groups) != 1 || u.Groups[0] != console.GroupAdmin || !u.EmailVerified() {
		t.Errorf("operator %+v", u)
	}
	h.fails(2, "--password-file", "admin", "create", "--username", "x", "--email", "x@example.com", "--password-file", filepath.Join(t.TempDir(), "absent"))
	empty := filepath.Join(t.TempDir(), "empty")
	if err := os.WriteFile(empty, []byte("\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	h.fails(2, "holds no password", "admin", "create", "--username", "x", "--email", "x@example.com", "--password-file", empty)
	h.fails(1, "InvalidPasswordException", "admin", "create", "--username", "x", "--email", "x@example.com", "--password-file", writeFile(t, "short\n"))
	if recs := okJSON[[]auditRecord](h, "audit", "list", "--pool", console.SystemPoolID, "--action", "AdminCreateUser"); len(recs) != 2 {
		t.Errorf("AdminCreateUser records %+v, want the created and the refused one", recs)
	}
}

func writeFile(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestServeConsoleFlagErrors(t *testing.T) {
	h := newAdminHarness(t)
	h.fails(2, "--console-url", "serve", "--console-url", "ftp://x", "--addr", apptest.FreeAddr(t), "--admin-addr", "")
	h.fails(2, "--console-url", "serve", "--console-url", "https://console.example.com/path", "--addr", apptest.FreeAddr(t), "--admin-addr", "")
}

func TestConsoleURLFromListener(t *testing.T) {
	for addr, want := range map[string]string{
		"127.0.0.1:9090": "http://127.0.0.1:9090",
		"0.0.0.0:9090":   "http://127.0.0.1:9090",
		"[::]:9191":      "http://127.0.0.1:9191",
		"[::1]:9090":     "http://127.0.0.1:9090",
		"10.0.1.5:9090":  "",
	} {
		ln := tcpAddrListener{addr: mustTCPAddr(t, addr)}
		var f operatorConsoleFlags
		got, err := f.consoleURL(ln)
		if want == "" {
			if !errors.Is(err, errNoConsoleURL) {
				t.Errorf("%s: %q, %v; want errNoConsoleURL", addr, got, err)
			}
			continue
		}
		if err != nil || got != want {
			t.Errorf("%s: %q, %v; want %q", addr, got, err, want)
		}
		f.url = "https://console.example.com"
		if got, err := f.consoleURL(ln); err != nil || got != f.url {
			t.Errorf("%s with --console-url: %q, %v", addr, got, err)
		}
	}
}

// tcpAddrListener is a listener that only has an address.
type tcpAddrListener struct {
	net.Listener
	addr *net.TCPAddr
}

func (l tcpAddrListener) Addr() net.Addr { return l.addr }

func mustTCPAddr(t *testing.T, s string) *net.TCPAddr {
	t.Helper()
	a, err := net.ResolveTCPAddr("tcp", s)
	if err != nil {
		t.Fatal(err)
	}
	return a
}
