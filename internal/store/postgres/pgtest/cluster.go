package pgtest

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvBin names the environment variable that points at the directory of
// PostgreSQL's server programs (initdb, pg_ctl), overriding the search
// of /usr/lib/postgresql/*/bin and PATH.
const EnvBin = "LINKPOOL_TEST_POSTGRES_BIN"

// Cluster is a private, throwaway PostgreSQL server for one test: its own
// data directory and port on the loopback interface, trust
// authentication, fsync on. A test may stop and start it at will, to
// see what a client does while the database is down, without
// disturbing other tests that use the machine's shared server.
type Cluster struct {
	t      testing.TB
	bin    string
	data   string
	sock   string
	log    string
	port   int
	asUser string // run the server programs as this user ("" for the current one)

	mu      sync.Mutex
	running bool
}

// StartCluster creates a cluster with initdb in a temporary directory of
// t, starts it and stops it (immediately, as a crash would) when the test
// ends. Without PostgreSQL's server programs it skips t, except under
// CI=true, where it fails. PostgreSQL refuses to run as root: as root the
// programs run as the user postgres, who then owns the directory.
func StartCluster(t testing.TB) *Cluster {
	t.Helper()
	bin, err := serverBin()
	if err != nil {
		missing(t, err)
		return nil
	}
	c := &Cluster{t: t, bin: bin}
	if os.Geteuid() == 0 {
		if err := canRunAsPostgres(); err != nil {
			missing(t, err)
			return nil
		}
		c.asUser = "postgres"
	}
	dir := t.TempDir()
	// t.TempDir's parent is private to its creator; the server's user
	// needs to pass through it.
	if c.asUser != "" {
		if err := os.Chmod(filepath.Dir(dir), 0o711); err != nil {
			t.Fatalf("pgtest: %v", err)
		}
	}
	c.data = filepath.Join(dir, "data")
	c.log = filepath.Join(dir, "postgres.log")
	// Unix socket paths are limited to about 100 bytes, so the socket
	// directory gets a short name of its own.
	c.sock, err = os.MkdirTemp("", "pgs")
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(func() { os.RemoveAll(c.sock) })
	for _, d := range []string{dir, c.sock} {
		if err := c.own(d); err != nil {
			t.Fatalf("pgtest: %v", err)
		}
	}
	if out, err := c.run("initdb", "-D", c.data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"); err != nil {
		t.Fatalf("pgtest: initdb: %v\n%s", err, out)
	}
	t.Cleanup(func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.running {
			if out, err := c.run("pg_ctl", "stop", "-D", c.data, "-m", "immediate", "-w"); err != nil {
				t.Errorf("pgtest: stop the cluster: %v\n%s", err, out)
			}
			c.running = false
		}
	})
	// A free port found by listening can be taken by someone else before
	// the server binds it: try a few.
	for attempt := 0; ; attempt++ {
		c.port = freePort(t)
		err := c.start()
		if err == nil {
			break
		}
		if attempt == 3 {
			t.Fatalf("pgtest: start the cluster: %v", err)
		}
	}
	return c
}

// URL is the connection URL of the cluster's postgres database. It stays
// the same across Stop and Start.
func (c *Cluster) URL() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", c.port)
}

// Stop shuts the server down at once, without waiting for clients
// (pg_ctl stop -m immediate): connections break, new ones are refused.
func (c *Cluster) Stop() {
	c.t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.running {
		return
	}
	if out, err := c.run("pg_ctl", "stop", "-D", c.data, "-m", "immediate", "-w"); err != nil {
		c.t.Fatalf("pgtest: stop the cluster: %v\n%s", err, out)
	}
	c.running = false
}

// Start starts a stopped server again on the same port; it recovers what
// was committed before Stop.
func (c *Cluster) Start() {
	c.t.Helper()
	if err := c.start(); err != nil {
		c.t.Fatalf("pgtest: start the cluster: %v", err)
	}
}

func (c *Cluster) start() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.running {
		return nil
	}
	opts := fmt.Sprintf("-c listen_addresses=127.0.0.1 -p %d -k %s -c fsync=on", c.port, c.sock)
	out, err := c.run("pg_ctl", "start", "-D", c.data, "-l", c.log, "-w", "-t", "60", "-o", opts)
	if err != nil {
		logTail, _ := os.ReadFile(c.log)
		if len(logTail) > 4000 {
			logTail = logTail[len(logTail)-4000:]
		}
		return fmt.Errorf("%v\n%s\nserver log:\n%s", err, out, logTail)
	}
	c.running = true
	// pg_ctl -w returns once the server accepts connections; a first
	// connection confirms it on the address clients use.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		conn, err := pgx.Connect(ctx, c.URL())
		if err == nil {
			conn.Close(ctx)
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("the server started but does not answer on port %d: %w", c.port, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// run runs one of the server programs, as the server's user.
func (c *Cluster) run(program string, args ...string) ([]byte, error) {
	path := filepath.Join(c.bin, program)
	var cmd *exec.Cmd
	if c.asUser != "" {
		cmd = exec.Command("runuser", append([]string{"-u", c.asUser, "--", path}, args...)...)
	} else {
		cmd = exec.Command(path, args...)
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.Dir = os.TempDir()
	err := cmd.Run()
	return out.Bytes(), err
}

// own hands a directory to the server's user.
func (c *Cluster) own(dir string) error {
	if c.asUser == "" {
		return nil
	}
	u, err := user.Lookup(c.asUser)
	if err != nil {
		return err
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return os.Chown(dir, uid, gid)
}

// serverBin finds the directory holding initdb and pg_ctl: EnvBin, the
// newest /usr/lib/postgresql/<version>/bin, or PATH.
func serverBin() (string, error) {
	has := func(dir string) bool {
		for _, p := range []string{"initdb", "pg_ctl"} {
			if fi, err := os.Stat(filepath.Join(dir, p)); err != nil || fi.IsDir() {
				return false
			}
		}
		return true
	}
	if dir := os.Getenv(EnvBin); dir != "" {
		if has(dir) {
			return dir, nil
		}
		return "", fmt.Errorf("%s=%s holds no initdb and pg_ctl", EnvBin, dir)
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, d := range dirs {
		if has(d) {
			return d, nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil && has(filepath.Dir(p)) {
		return filepath.Dir(p), nil
	}
	return "", fmt.Errorf("initdb and pg_ctl not found in /usr/lib/postgresql/*/bin or PATH; install the PostgreSQL server or set %s", EnvBin)
}

// version returns the major version in a /usr/lib/postgresql/<v>/bin path.
func version(dir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
	return v
}

// canRunAsPostgres checks that root can run programs as the user
// postgres.
func canRunAsPostgres() error {
	if _, err := user.Lookup("postgres"); err != nil {
		return fmt.Errorf("running as root, and there is no user postgres to run the server as: %w", err)
	}
	if _, err := exec.LookPath("runuser"); err != nil {
		return fmt.Errorf("running as root, and runuser is missing to run the server as postgres: %w", err)
	}
	return nil
}

// missing skips t, or fails it under CI=true, when a private cluster
// cannot be made on this machine.
func missing(t testing.TB, err error) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("pgtest: cannot run a private PostgreSQL cluster (CI=true, so this fails instead of skipping): %v", err)
		return
	}
	t.Skipf("pgtest: cannot run a private PostgreSQL cluster: %v", err)
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
