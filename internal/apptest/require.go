package apptest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/linkpool/linkpool/internal/store/postgres/pgtest"
)

// ChromiumPath is where the browser tests expect Chromium (Debian's
// chromium package).
const ChromiumPath = "/usr/bin/chromium"

// Missing reports a dependency the test cannot run without: it skips
// the test, except under CI=true, where it fails it, so that CI never
// passes by skipping. what says what is missing and how to get it.
func Missing(t testing.TB, format string, args ...any) {
	t.Helper()
	what := fmt.Sprintf(format, args...)
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s (CI=true, so this fails instead of skipping)", what)
		return
	}
	t.Skipf("%s", what)
}

// RequireChromium returns the path of Chromium, or reports it missing.
func RequireChromium(t testing.TB) string {
	t.Helper()
	if _, err := os.Stat(ChromiumPath); err != nil {
		Missing(t, "no Chromium at %s: install the Debian package chromium (plus fonts-noto-cjk) to run the browser tests: %v", ChromiumPath, err)
	}
	return ChromiumPath
}

// RequireNode returns the path of node and the directory test/cognitojs
// (found from dir, the test's package directory's path to it) with
// amazon-cognito-identity-js and aws-amplify installed, or reports them
// missing.
func RequireNode(t testing.TB, cognitojs string) (node, dir string) {
	t.Helper()
	dir, err := filepath.Abs(cognitojs)
	if err != nil {
		t.Fatal(err)
	}
	node, err = exec.LookPath("node")
	for _, pkg := range []string{"amazon-cognito-identity-js", "aws-amplify"} {
		if err == nil {
			_, err = os.Stat(filepath.Join(dir, "node_modules", pkg, "package.json"))
		}
	}
	if err != nil {
		Missing(t, "Node.js, amazon-cognito-identity-js or aws-amplify is missing (%v): install nodejs and npm, then run `make cognitojs` (npm ci in test/cognitojs)", err)
	}
	return node, dir
}

// RequireAWSCLI returns the path of the AWS CLI (`aws`, Debian's awscli),
// or reports it missing.
func RequireAWSCLI(t testing.TB) string {
	t.Helper()
	bin, err := exec.LookPath("aws")
	if err != nil {
		Missing(t, "the AWS CLI is not installed (Debian package awscli): %v", err)
	}
	return bin
}

// RequirePostgres returns the URL of a new, empty PostgreSQL database
// that is dropped when the test ends, or reports the server missing
// (pgtest.URL).
func RequirePostgres(t testing.TB) string {
	t.Helper()
	return pgtest.URL(t)
}

// Immutable makes files (or directories) immutable with chattr +i until
// mutable is called or the test ends. Where chattr, root or a file
// system with the i attribute is missing, it reports that missing.
func Immutable(t testing.TB, files ...string) (mutable func()) {
	t.Helper()
	if out, err := exec.Command("chattr", append([]string{"+i"}, files...)...).CombinedOutput(); err != nil {
		Missing(t, "cannot make %v immutable here (needs chattr, root and a file system with the i attribute): %v: %s", files, err, out)
	}
	done := false
	mutable = func() {
		t.Helper()
		if done {
			return
		}
		done = true
		if out, err := exec.Command("chattr", append([]string{"-i"}, files...)...).CombinedOutput(); err != nil {
			t.Errorf("chattr -i %v: %v: %s", files, err, out)
		}
	}
	t.Cleanup(mutable)
	return mutable
}

// FreeAddr returns a loopback address whose port was free a moment ago,
// for a server the test starts as a separate program or command. It
// never returns an address it returned before in this process: the
// system may offer a port it has just freed again, and a server given
// one port for two listeners would fail to start.
func FreeAddr(t testing.TB) string {
	t.Helper()
	freeAddrs.Lock()
	defer freeAddrs.Unlock()
	for range 1000 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		a := l.Addr().String()
		l.Close()
		if !freeAddrs.given[a] {
			freeAddrs.given[a] = true
			return a
		}
	}
	t.Fatal("FreeAddr: no loopback port left that was not handed out before")
	return ""
}

// freeAddrs are the addresses FreeAddr has handed out.
var freeAddrs = struct {
	sync.Mutex
	given map[string]bool
}{given: map[string]bool{}}
