package pgtest_test

import (
	"context"
	"fmt"
	"net"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/linkpool/linkpool/internal/store/postgres/pgtest"
)

// databaseExists reports whether the server at the admin URL has the
// database.
func databaseExists(t *testing.T, name string) bool {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), pgtest.AdminURL())
	if err != nil {
		t.Fatalf("admin connection: %v", err)
	}
	defer conn.Close(context.Background())
	var ok bool
	if err := conn.QueryRow(t.Context(), `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&ok); err != nil {
		t.Fatal(err)
	}
	return ok
}

// TestURL: each call yields a new, usable database, and the test's
// cleanup drops it even while a connection to it is still open.
func TestURL(t *testing.T) {
	if testing.Short() {
		t.Skip("slow PostgreSQL setup test: -short")
	}
	tests := []struct {
		name  string
		admin string // "" keeps the environment's setting
	}{
		{name: "default URL"},
		{name: "keyword/value string", admin: "host=127.0.0.1 port=5432 user=postgres dbname=postgres sslmode=disable"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.admin != "" {
				t.Setenv(pgtest.EnvURL, tc.admin)
			}
			var names []string
			for i := range 2 {
				t.Run(fmt.Sprint(i), func(t *testing.T) {
					u := pgtest.URL(t)
					conn, err := pgx.Connect(t.Context(), u)
					if err != nil {
						t.Fatalf("connect to %s: %v", u, err)
					}
					// Left open on purpose: the drop must terminate it.
					var name string
					if err := conn.QueryRow(t.Context(), `SELECT current_database()`).Scan(&name); err != nil {
						t.Fatal(err)
					}
					if !strings.HasPrefix(name, "linkpool_test_") {
						t.Fatalf("database %q lacks the linkpool_test_ prefix", name)
					}
					if _, err := conn.Exec(t.Context(), `CREATE TABLE probe (id int)`); err != nil {
						t.Fatalf("database is not writable: %v", err)
					}
					names = append(names, name)
				})
			}
			if len(names) != 2 || names[0] == names[1] {
				t.Fatalf("databases %v, want two distinct ones", names)
			}
			for _, name := range names {
				if databaseExists(t, name) {
					t.Errorf("database %s survived its test", name)
				}
			}
		})
	}
}

// recordingTB stands in for a test so that URL's skip or failure can be
// observed instead of ending the calling test.
type recordingTB struct {
	testing.TB
	fatal, skip string
}

func (r *recordingTB) Helper()                   {}
func (r *recordingTB) Cleanup(func())            {}
func (r *recordingTB) Fatalf(f string, a ...any) { r.fatal = fmt.Sprintf(f, a...) }
func (r *recordingTB) Skipf(f string, a ...any)  { r.skip = fmt.Sprintf(f, a...) }

// TestURLUnreachable: without a server, URL skips locally and fails under
// CI=true, naming the server without its password.
func TestURLUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	const password = "hunter2-secret"
	t.Setenv(pgtest.EnvURL, "postgres://postgres:"+password+"@"+addr+"/postgres?sslmode=disable")
	tests := []struct {
		name      string
		ci        string
		wantFatal bool
	}{
		{name: "local", ci: ""},
		{name: "CI", ci: "true", wantFatal: true},
		{name: "CI other value", ci: "1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("CI", tc.ci)
			rec := &recordingTB{TB: t}
			if u := pgtest.URL(rec); u != "" {
				t.Fatalf("URL returned %q for an unreachable server", u)
			}
			got, other := rec.skip, rec.fatal
			if tc.wantFatal {
				got, other = rec.fatal, rec.skip
			}
			if got == "" || other != "" {
				t.Fatalf("skip %q, fatal %q; want only the %s", rec.skip, rec.fatal, map[bool]string{true: "failure", false: "skip"}[tc.wantFatal])
			}
			for _, want := range []string{"not reachable", addr} {
				if !strings.Contains(got, want) {
					t.Errorf("message %q does not mention %q", got, want)
				}
			}
			if !tc.wantFatal && !strings.Contains(got, pgtest.EnvURL) {
				t.Errorf("skip message %q does not say how to point at a server", got)
			}
			if strings.Contains(got, password) {
				t.Errorf("message reveals the password: %q", got)
			}
		})
	}
}
