package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// DefaultURL is the administrative connection used to create and drop
// test databases: the local server with trust authentication.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// EnvURL names the environment variable that overrides DefaultURL.
const EnvURL = "LINKPOOL_TEST_POSTGRES_URL"

// adminTimeout bounds each administrative step (connect, create, drop).
const adminTimeout = 30 * time.Second

// URL creates a fresh, empty database for t and returns its connection
// URL; t.Cleanup drops it, terminating connections left open. It skips t
// (fails it under CI=true) when PostgreSQL is unreachable.
func URL(t testing.TB) string {
	t.Helper()
	admin := AdminURL()
	ctx, cancel := context.WithTimeout(context.Background(), adminTimeout)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		unreachable(t, admin, err)
		return ""
	}
	defer conn.Close(context.Background())

	name := "linkpool_test_" + randomHex(8)
	ident := pgx.Identifier{name}.Sanitize()
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+ident); err != nil {
		t.Fatalf("pgtest: create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), adminTimeout)
		defer cancel()
		conn, err := pgx.Connect(ctx, admin)
		if err != nil {
			t.Errorf("pgtest: drop database %s: %v", name, err)
			return
		}
		defer conn.Close(context.Background())
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+ident+" WITH (FORCE)"); err != nil {
			t.Errorf("pgtest: drop database %s: %v", name, err)
		}
	})
	u, err := withDatabase(admin, name)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	return u
}

// AdminURL returns the administrative connection URL: EnvURL if set,
// otherwise DefaultURL.
func AdminURL() string {
	if u := os.Getenv(EnvURL); u != "" {
		return u
	}
	return DefaultURL
}

// unreachable fails t under CI=true and skips it otherwise.
func unreachable(t testing.TB, admin string, err error) {
	t.Helper()
	where := redact(admin)
	if os.Getenv("CI") == "true" {
		t.Fatalf("pgtest: PostgreSQL not reachable at %s (CI=true, so this fails instead of skipping): %v", where, err)
		return
	}
	t.Skipf("PostgreSQL not reachable at %s: start it or set %s (%v)", where, EnvURL, err)
}

// withDatabase returns admin with its database replaced by name. It
// accepts URLs (postgres://...) and keyword/value strings
// ("host=... user=...").
func withDatabase(admin, name string) (string, error) {
	if strings.HasPrefix(admin, "postgres://") || strings.HasPrefix(admin, "postgresql://") {
		u, err := url.Parse(admin)
		if err != nil {
			return "", err
		}
		u.Path = "/" + name
		u.RawPath = ""
		q := u.Query()
		q.Del("dbname")
		u.RawQuery = q.Encode()
		return u.String(), nil
	}
	return admin + " dbname=" + name, nil
}

// redact hides the password of a URL for messages. A keyword/value
// string may hold one too, so it is not shown at all.
func redact(admin string) string {
	u, err := url.Parse(admin)
	if err != nil || u.Scheme == "" {
		return "the server named by " + EnvURL
	}
	return u.Redacted()
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b)
}
