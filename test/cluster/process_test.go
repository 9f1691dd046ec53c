package cluster_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/apptest"
)

// deployment is where instances keep their data: a PostgreSQL database
// and a shared master key file, or a SQLite data directory. Every
// instance and command of a deployment gets the same storage settings
// through the environment, as a deployment's configuration would.
type deployment struct {
	env       []string
	publicURL string
	smtpURL   string
	// extra flags for every `serve`.
	serveFlags []string
	// addr, if set, is the address `serve` listens on, for a deployment
	// whose public URL is the instance itself rather than the proxy.
	addr string
}

// postgresDeployment uses the database at url, with a new master key
// shared by all instances.
func postgresDeployment(t testing.TB, url string) *deployment {
	t.Helper()
	key := filepath.Join(t.TempDir(), "master.key")
	d := &deployment{env: []string{"LINKPOOL_DATABASE_URL=" + url, "LINKPOOL_MASTER_KEY_FILE=" + key}}
	d.cli(t, "keys", "master-key", "--out", key)
	return d
}

// sqliteDeployment uses a data directory of its own; the first command
// creates the database and the master key in it.
func sqliteDeployment(t testing.TB) (*deployment, string) {
	t.Helper()
	dir := t.TempDir()
	return &deployment{env: []string{"LINKPOOL_DATA=" + dir}}, dir
}

// cli runs a linkpool command to completion and returns its standard
// output; the test fails if the command does.
func (d *deployment) cli(t testing.TB, args ...string) string {
	t.Helper()
	var out, errb bytes.Buffer
	cmd := exec.Command(binary, args...)
	cmd.Env = append(os.Environ(), d.env...)
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("linkpool %s: %v\n%s", strings.Join(args, " "), err, errb.String())
	}
	return out.String()
}

// alexaSetup is the JSON `linkpool init alexa --json` prints.
type alexaSetup struct {
	PoolID           string   `json:"pool_id"`
	ClientID         string   `json:"client_id"`
	ClientSecret     string   `json:"client_secret"`
	AuthorizationURI string   `json:"authorization_uri"`
	AccessTokenURI   string   `json:"access_token_uri"`
	Scopes           []string `json:"scopes"`
	RedirectURLs     []string `json:"alexa_redirect_urls"`
}

// initAlexa creates a pool with an Alexa client, as an operator would.
func (d *deployment) initAlexa(t testing.TB, extra ...string) alexaSetup {
	t.Helper()
	args := append([]string{"init", "alexa", "--vendor-id", "M2CLUSTERTEST", "--public-url", d.publicURL, "--json"}, extra...)
	var s alexaSetup
	if err := json.Unmarshal([]byte(d.cli(t, args...)), &s); err != nil {
		t.Fatalf("init alexa output: %v", err)
	}
	return s
}

// instance is one running `linkpool serve` process.
type instance struct {
	name  string
	addr  string // main listener, host:port
	admin string // admin listener
	cmd   *exec.Cmd
	log   *apptest.Log
	done  chan struct{} // closed when the process has exited
}

// start runs `linkpool serve` on free loopback ports and waits until it
// is ready. A port taken between choosing and binding it is retried.
func (d *deployment) start(t testing.TB, name string) *instance {
	t.Helper()
	for attempt := 0; ; attempt++ {
		addr := d.addr
		if addr == "" {
			addr = apptest.FreeAddr(t)
		}
		in := &instance{name: name, addr: addr, admin: apptest.FreeAddr(t), log: &apptest.Log{}, done: make(chan struct{})}
		args := []string{"serve", "--addr", in.addr, "--admin-addr", in.admin, "--public-url", d.publicURL,
			"--log-format", "text", "--hash-concurrency", "2", "--shutdown-timeout", "5s",
			// The proxy is trusted to report the client address, so per
			// address limits apply to each simulated user.
			"--trusted-proxies", "127.0.0.1"}
		if d.smtpURL != "" {
			args = append(args, "--smtp-url", d.smtpURL)
		}
		args = append(args, d.serveFlags...)
		in.cmd = exec.Command(binary, args...)
		in.cmd.Env = append(os.Environ(), d.env...)
		in.cmd.Stdout, in.cmd.Stderr = in.log, in.log
		if err := in.cmd.Start(); err != nil {
			t.Fatalf("start %s: %v", name, err)
		}
		go func() {
			_ = in.cmd.Wait()
			close(in.done)
		}()
		t.Cleanup(func() {
			in.kill()
			if t.Failed() {
				t.Logf("log of %s:\n%s", in.name, in.log.String())
			}
		})
		err := in.waitReady(60 * time.Second)
		if err == nil {
			return in
		}
		in.kill()
		if attempt < 3 && strings.Contains(in.log.String(), "address already in use") {
			continue
		}
		t.Fatalf("%s did not become ready: %v\n%s", name, err, in.log.String())
	}
}

// waitReady polls /readyz until it answers 200, the process exits or
// the deadline passes.
func (in *instance) waitReady(within time.Duration) error {
	deadline := time.Now().Add(within)
	for {
		select {
		case <-in.done:
			return errExited
		default:
		}
		if code, _ := in.readyz(); code == http.StatusOK {
			return nil
		}
		if time.Now().After(deadline) {
			return errNotReady
		}
		time.Sleep(50 * time.Millisecond)
	}
}

var (
	errExited   = &stateError{"the process exited"}
	errNotReady = &stateError{"not ready before the deadline"}
)

type stateError struct{ s string }

func (e *stateError) Error() string { return e.s }

// readyz returns the status of the admin listener's /readyz.
func (in *instance) readyz() (int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+in.admin+"/readyz", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

// kill ends the process with SIGKILL, as a crash or an OOM kill would,
// and waits for it.
func (in *instance) kill() {
	select {
	case <-in.done:
		return
	default:
	}
	_ = in.cmd.Process.Signal(syscall.SIGKILL)
	<-in.done
}
