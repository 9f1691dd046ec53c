package pgtest_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/linkpool/linkpool/internal/store/postgres/pgtest"
)

// TestCluster: a private cluster answers at its URL, refuses connections
// while stopped, and after a restart still holds what was committed
// before the (immediate) stop.
func TestCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("private PostgreSQL cluster: -short")
	}
	c := pgtest.StartCluster(t)
	ctx := t.Context()
	connect := func() (*pgx.Conn, error) {
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		return pgx.Connect(ctx, c.URL())
	}
	conn, err := connect()
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	var fsync string
	if err := conn.QueryRow(ctx, `SHOW fsync`).Scan(&fsync); err != nil || fsync != "on" {
		t.Errorf("fsync = %q, %v; want on", fsync, err)
	}
	if _, err := conn.Exec(ctx, `CREATE TABLE t (v int); INSERT INTO t VALUES (42)`); err != nil {
		t.Fatal(err)
	}
	url := c.URL()

	c.Stop()
	if _, err := conn.Exec(ctx, `SELECT 1`); err == nil {
		t.Error("a connection still works after Stop")
	}
	conn.Close(ctx)
	if conn, err := connect(); err == nil {
		conn.Close(ctx)
		t.Fatal("a new connection succeeded while the cluster is stopped")
	}

	c.Start()
	if c.URL() != url {
		t.Fatalf("URL changed from %s to %s", url, c.URL())
	}
	conn, err = connect()
	if err != nil {
		t.Fatalf("connect after Start: %v", err)
	}
	defer conn.Close(ctx)
	var v int
	if err := conn.QueryRow(ctx, `SELECT v FROM t`).Scan(&v); err != nil || v != 42 {
		t.Fatalf("after the restart: %d, %v; want the committed 42", v, err)
	}
}

// TestClusterMissing: without server programs StartCluster skips locally
// and fails under CI=true.
func TestClusterMissing(t *testing.T) {
	t.Setenv(pgtest.EnvBin, t.TempDir())
	for _, ci := range []string{"", "true"} {
		t.Run(fmt.Sprintf("CI=%q", ci), func(t *testing.T) {
			t.Setenv("CI", ci)
			rec := &recordingTB{TB: t}
			if c := pgtest.StartCluster(rec); c != nil {
				t.Fatal("StartCluster returned a cluster without server programs")
			}
			got, other := rec.skip, rec.fatal
			if ci == "true" {
				got, other = rec.fatal, rec.skip
			}
			if got == "" || other != "" {
				t.Fatalf("skip %q, fatal %q", rec.skip, rec.fatal)
			}
		})
	}
}
