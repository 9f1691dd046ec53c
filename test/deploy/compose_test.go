package deploy

import (
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

const composePath = "../../deploy/compose.yaml"

var (
	envNameRe  = regexp.MustCompile(`(?m)^\s+(LINKPOOL_[A-Z0-9_]+):`)
	flagNameRe = regexp.MustCompile(`(?m)^\s+-([a-z0-9-]+)`)
)

// serveFlags returns the flag names `linkpool serve -h` lists.
func serveFlags(t *testing.T, bin string) map[string]bool {
	t.Helper()
	out, _ := exec.Command(bin, "serve", "-h").CombinedOutput()
	flags := map[string]bool{}
	for _, m := range flagNameRe.FindAllStringSubmatch(string(out), -1) {
		flags[m[1]] = true
	}
	if !flags["database-url"] || !flags["public-url"] {
		t.Fatalf("linkpool serve -h lists no --database-url or --public-url:\n%s", out)
	}
	return flags
}

// TestCompose checks deploy/compose.yaml's structure without a YAML
// parser: the two services, PostgreSQL's health check that linkpool waits
// for, the secrets as files, and that every LINKPOOL_* variable it sets is
// a flag of `linkpool serve` (or the _FILE form of one).
func TestCompose(t *testing.T) {
	b, err := os.ReadFile(composePath)
	if err != nil {
		t.Fatal(err)
	}
	compose := string(b)
	if strings.Contains(compose, "\t") {
		t.Errorf("%s: YAML is indented with spaces, not tabs", composePath)
	}
	for _, want := range []string{
		"\n  postgres:\n    image: postgres:17\n",
		"\n    healthcheck:\n      test: [\"CMD\", \"pg_isready\", \"-U\", \"linkpool\", \"-d\", \"linkpool\"]\n",
		"\n      - postgres-data:/var/lib/postgresql/data\n",
		"\n  linkpool:\n",
		"\n    depends_on:\n      postgres:\n        condition: service_healthy\n",
		"\n      LINKPOOL_DATABASE_URL_FILE: /run/secrets/database_url\n",
		"\n      LINKPOOL_MASTER_KEY_FILE: /run/secrets/master_key\n",
		"\n      POSTGRES_PASSWORD_FILE: /run/secrets/postgres_password\n",
		"\n  master_key:\n    file: ./secrets/master.key\n",
		"\n  database_url:\n    file: ./secrets/database-url\n",
		"\n  postgres_password:\n    file: ./secrets/postgres-password\n",
		"\n      - \"8080:8080\"\n",
		"\n      - \"127.0.0.1:9090:9090\"\n",
		"\nvolumes:\n  postgres-data:\n",
	} {
		if !strings.Contains(compose, want) {
			t.Errorf("%s lacks %q", composePath, want)
		}
	}
	if strings.Contains(compose, "postgres://linkpool:") && !strings.Contains(compose, "%s@postgres:5432") {
		t.Errorf("%s holds a database password; it belongs in the secrets", composePath)
	}

	flags := serveFlags(t, buildLinkpool(t))
	vars := envNameRe.FindAllStringSubmatch(compose, -1)
	if len(vars) < 3 {
		t.Fatalf("%s sets %d LINKPOOL_* variables", composePath, len(vars))
	}
	for _, m := range vars {
		name := strings.TrimPrefix(m[1], "LINKPOOL_")
		flag := strings.ReplaceAll(strings.ToLower(name), "_", "-")
		if !flags[flag] && !flags[strings.TrimSuffix(flag, "-file")] {
			t.Errorf("%s sets %s, which is no flag of linkpool serve (--%s)", composePath, m[1], flag)
		}
	}
}
