package cli

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"html"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/apptest"
	"github.com/linkpool/linkpool/internal/pool"
)

// server is `linkpool serve` running in process.
type server struct {
	t      *testing.T
	url    string
	admin  string
	stdout *apptest.Log
	stderr *apptest.Log
	cancel context.CancelFunc
	done   chan int
}

// startServe runs `linkpool serve` with args plus --addr, --admin-addr and
// --public-url on free loopback ports, and waits until it is ready.
func startServe(t *testing.T, scheme string, envm map[string]string, args ...string) *server {
	t.Helper()
	addr, admin := apptest.FreeAddr(t), apptest.FreeAddr(t)
	s := &server{t: t, url: scheme + "://" + addr, admin: "http://" + admin, stdout: &apptest.Log{}, stderr: &apptest.Log{}, done: make(chan int, 1)}
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	e := &env{stdin: strings.NewReader(""), stdout: s.stdout, stderr: s.stderr, getenv: func(k string) string { return envm[k] }}
	all := append([]string{"serve", "--addr", addr, "--admin-addr", admin, "--public-url", s.url, "--log-format", "text"}, args...)
	go func() { s.done <- e.main(ctx, all) }()
	t.Cleanup(func() { s.stop() })
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(s.admin + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return s
			}
		}
		select {
		case code := <-s.done:
			t.Fatalf("serve exited with %d\nstdout:%s\nstderr:%s", code, s.stdout, s.stderr)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve not ready\nstderr:%s", s.stderr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stop cancels the server as SIGTERM does and returns its exit code.
func (s *server) stop() int {
	if s.cancel == nil {
		return 0
	}
	s.cancel()
	s.cancel = nil
	select {
	case code := <-s.done:
		return code
	case <-time.After(60 * time.Second):
		s.t.Fatal("serve did not stop")
		return -1
	}
}

var (
	formActionRe = regexp.MustCompile(`<form method="post" action="([^"]+)"`)
	csrfRe       = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)
)

// signInThrough follows start to the hosted login form, signs in and
// returns the last response (redirects inside the server are followed,
// redirects to stopAt are not).
func signInThrough(t *testing.T, c *http.Client, start, username, password string) *http.Response {
	t.Helper()
	resp, err := c.Get(start)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	a, k := formActionRe.FindSubmatch(body), csrfRe.FindSubmatch(body)
	if a == nil || k == nil {
		t.Fatalf("no login form at %s: %d %s", resp.Request.URL, resp.StatusCode, body)
	}
	target, _ := resp.Request.URL.Parse(html.UnescapeString(string(a[1])))
	resp, err = c.PostForm(target.String(), url.Values{"_csrf": {html.UnescapeString(string(k[1]))}, "username": {username}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func TestServeDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("serve end-to-end test: -short")
	}
	data := t.TempDir()
	s := startServe(t, "http", map[string]string{"LINKPOOL_DATA": data}, "--demo")
	out := s.stdout.String()
	for _, want := range []string{"linkpool demo is ready", "Demo password", "Your Web Authorization URI", "Access Token URI", "Your Client ID", "Your Secret", "HTTP Basic", "/lamps"} {
		if !strings.Contains(out, want) {
			t.Fatalf("demo output lacks %q:\n%s", want, out)
		}
	}
	var st demoState
	b, err := os.ReadFile(filepath.Join(data, "demo.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(filepath.Join(data, "demo.json")); fi.Mode().Perm() != 0o600 {
		t.Errorf("demo.json mode %v", fi.Mode().Perm())
	}
	password, _ := demoSecrets(t, out)
	if !pool.ValidPoolID(st.PoolID) {
		t.Fatalf("demo state %+v", st)
	}

	// A new user's first visit: /lamps sends them through the hosted login
	// of the demo pool and shows their default lamp.
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	resp := signInThrough(t, c, s.url+"/lamps", st.Username, password)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "Desk Lamp") {
		t.Fatalf("lamps page after sign-in: %d %s", resp.StatusCode, body)
	}

	// Metrics on the admin listener count the requests.
	mresp, err := http.Get(s.admin + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(mresp.Body)
	mresp.Body.Close()
	for _, want := range []string{`linkpool_http_requests_total{code="200",route="/login"}`, "linkpool_token_grants_total", "linkpool_password_hashes_in_flight", "linkpool_mail_pending", "linkpool_trigger_in_flight",
		"linkpool_sqlite_commits_total", "linkpool_sqlite_commit_batch_size_bucket"} {
		if !strings.Contains(string(metrics), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	// Metrics are not on the public listener.
	if r, err := http.Get(s.url + "/metrics"); err == nil {
		r.Body.Close()
		if r.StatusCode == 200 {
			t.Error("/metrics served on the public listener")
		}
	}
	if code := s.stop(); code != 0 {
		t.Fatalf("exit %d: %s", code, s.stderr)
	}
}

var demoPasswordRe = regexp.MustCompile(`Demo password:\s+(\S+)`)

// demoSecrets returns the demo password and client secret that the first
// start printed.
func demoSecrets(t *testing.T, stdout string) (password, secret string) {
	t.Helper()
	p, s := demoPasswordRe.FindStringSubmatch(stdout), demoSecretRe.FindStringSubmatch(stdout)
	if p == nil || s == nil {
		t.Fatalf("no demo password or secret in:\n%s", stdout)
	}
	return p[1], s[1]
}

// TestServeDemoPrintsSecretsOnceAtCreation: the demo password and client
// secret are printed when the demo is created and never again, nor kept
// in demo.json; a restart reuses the demo and says how to show or reset
// them.
func TestServeDemoPrintsSecretsOnceAtCreation(t *testing.T) {
	data := t.TempDir()
	s := startServe(t, "http", map[string]string{"LINKPOOL_DATA": data}, "--demo")
	password, secret := demoSecrets(t, s.stdout.String())
	if code := s.stop(); code != 0 {
		t.Fatalf("exit %d: %s", code, s.stderr)
	}
	b, err := os.ReadFile(filepath.Join(data, "demo.json"))
	if err != nil {
		t.Fatal(err)
	}
	var st demoState
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatal(err)
	}
	checkAbsent(t, "demo.json", string(b), password, secret)

	s2 := startServe(t, "http", map[string]string{"LINKPOOL_DATA": data}, "--demo")
	out := s2.stdout.String()
	checkAbsent(t, "restart output", out, password, secret)
	for _, want := range []string{st.ClientID, st.PoolID, "linkpool client show --client " + st.ClientID + " --reveal-secret",
		"linkpool user set-password --pool " + st.PoolID + " --username demo --password-stdin --permanent"} {
		if !strings.Contains(out, want) {
			t.Errorf("restart output lacks %q:\n%s", want, out)
		}
	}
}

func checkAbsent(t *testing.T, where, text string, secrets ...string) {
	t.Helper()
	for _, v := range secrets {
		if strings.Contains(text, v) {
			t.Errorf("%s contains a secret (%.4s...)", where, v)
		}
	}
}

// TestServeLogsNoSecrets signs in and exchanges a code, then checks that
// no password, code, token or secret appears in the server's log.
func TestServeLogsNoSecrets(t *testing.T) {
	data := t.TempDir()
	s := startServe(t, "http", map[string]string{"LINKPOOL_DATA": data}, "--demo", "--log-level", "debug")
	var st demoState
	b, _ := os.ReadFile(filepath.Join(data, "demo.json"))
	_ = json.Unmarshal(b, &st)
	password, secret := demoSecrets(t, s.stdout.String())
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(r *http.Request, via []*http.Request) error {
		if r.URL.Host == "pitangui.amazon.com" {
			return http.ErrUseLastResponse
		}
		return nil
	}}
	redirect := AlexaRedirectURLs(demoVendorID)[0]
	start := s.url + "/" + st.PoolID + "/oauth2/authorize?" + url.Values{"client_id": {st.ClientID}, "response_type": {"code"}, "redirect_uri": {redirect}, "state": {"s1"}, "scope": {"openid"}}.Encode()
	resp := signInThrough(t, c, start, st.Username, password)
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	code := loc.Query().Get("code")
	if code == "" {
		t.Fatalf("no code: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	req, _ := http.NewRequest(http.MethodPost, s.url+"/"+st.PoolID+"/oauth2/token", strings.NewReader(url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirect}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(st.ClientID, secret)
	tr, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var tok map[string]any
	_ = json.NewDecoder(tr.Body).Decode(&tok)
	tr.Body.Close()
	if tok["refresh_token"] == nil {
		t.Fatalf("token response %v", tok)
	}
	s.stop()
	logs := s.stderr.String()
	for name, v := range map[string]string{"password": password, "code": code, "client secret": secret,
		"access token": tok["access_token"].(string), "refresh token": tok["refresh_token"].(string)} {
		if strings.Contains(logs, v) {
			t.Errorf("the log contains the %s", name)
		}
	}
	if !strings.Contains(logs, "request_id=") {
		t.Error("access log lines carry no request id")
	}
}

// TestServeGracefulShutdown starts a request, asks the server to stop while
// the request is in flight, and checks that it is answered.
func TestServeGracefulShutdown(t *testing.T) {
	s := startServe(t, "http", map[string]string{"LINKPOOL_DATA": t.TempDir()})
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	body := "grant_type=client_credentials"
	fmt.Fprintf(conn, "POST /us-east-1_AAAAAAAAA/oauth2/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n%s", len(body), body[:5])
	time.Sleep(100 * time.Millisecond) // let the server start reading the request
	stopped := make(chan int, 1)
	go func() { stopped <- s.stop() }()
	time.Sleep(100 * time.Millisecond) // shutdown has begun; the request is still open
	if _, err := conn.Write([]byte(body[5:])); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("in-flight request not answered: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if code := <-stopped; code != 0 {
		t.Fatalf("exit %d: %s", code, s.stderr)
	}
	if _, err := http.Get(s.url + "/healthz"); err == nil {
		t.Fatal("server still accepting after shutdown")
	}
}

func TestServeTLS(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile, pemCert := selfSigned(t, dir)
	s := startServe(t, "https", map[string]string{"LINKPOOL_DATA": dir, "LINKPOOL_TLS_CERT": certFile, "LINKPOOL_TLS_KEY": keyFile})
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(pemCert)
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}}
	resp, err := c.Get(s.url + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.TLS == nil {
		t.Fatalf("https healthz: %d", resp.StatusCode)
	}
}

func selfSigned(t *testing.T, dir string) (certFile, keyFile string, certPEM []byte) {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, _ := x509.MarshalPKCS8PrivateKey(key)
	certPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	_ = os.WriteFile(certFile, certPEM, 0o600)
	_ = os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}), 0o600)
	return certFile, keyFile, certPEM
}

func TestServeFlagErrors(t *testing.T) {
	h := newAdminHarness(t)
	h.fails(2, "--tls-cert and --tls-key go together", "serve", "--tls-cert", "x")
	h.fails(2, "--public-url", "serve", "--public-url", "ftp://x", "--addr", apptest.FreeAddr(t), "--admin-addr", "")
	h.fails(2, "flag provided but not defined", "serve", "--nope")
	h.fails(2, "--memory-limit", "serve", "--memory-limit", "-2", "--addr", apptest.FreeAddr(t), "--admin-addr", "")
	h.fails(2, "--rate-limit-ipv6-prefix", "serve", "--rate-limit-ipv6-prefix", "0", "--addr", apptest.FreeAddr(t), "--admin-addr", "")
	h.fails(2, "--trigger-workers", "serve", "--trigger-workers", "0", "--addr", apptest.FreeAddr(t), "--admin-addr", "")
	h.fails(2, "--lambda-endpoint", "serve", "--lambda-endpoint", "lambda.internal:443", "--addr", apptest.FreeAddr(t), "--admin-addr", "")
	h.fails(2, "flag -audit-retention", "serve", "--audit-retention", "-1d", "--addr", apptest.FreeAddr(t), "--admin-addr", "")
	h.fails(2, "flag -audit-retention", "serve", "--audit-retention", "forever", "--addr", apptest.FreeAddr(t), "--admin-addr", "")
	h.env["LINKPOOL_RATE_LIMIT_IPV6_PREFIX"] = "129"
	h.fails(2, "--rate-limit-ipv6-prefix", "serve", "--addr", apptest.FreeAddr(t), "--admin-addr", "")
}

// TestServeRefusesWrongMasterKey starts on a data directory with another
// master key: the start fails with a message naming the master key.
func TestServeRefusesWrongMasterKey(t *testing.T) {
	data := t.TempDir()
	s := startServe(t, "http", map[string]string{"LINKPOOL_DATA": data}, "--demo")
	s.stop()
	if err := os.WriteFile(filepath.Join(data, "master.key"), []byte("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errb apptest.Log
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: func(k string) string {
		return map[string]string{"LINKPOOL_DATA": data}[k]
	}}
	code := e.main(context.Background(), []string{"serve", "--addr", apptest.FreeAddr(t), "--admin-addr", ""})
	if code != 1 || !strings.Contains(errb.String(), "master key") {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
}
