package cluster_test

import (
	"bufio"
	"context"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/store"
	"github.com/linkpool/linkpool/internal/store/postgres"
	"github.com/linkpool/linkpool/internal/store/sqlite"
)

// configSeen waits until every instance has read the database's current
// configuration version (the metric linkpool_config_version), so that a
// setting just changed with the CLI is what each of them serves next: an
// instance's configuration cache reads the version once a second.
func (d *deployment) configSeen(t testing.TB, insts ...*instance) {
	t.Helper()
	want := d.configVersion(t)
	deadline := time.Now().Add(15 * time.Second)
	for _, in := range insts {
		for {
			got, err := in.configVersion()
			if err == nil && got >= want {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("instance %s has not read configuration version %d in 15 s: at %d, %v", in.name, want, got, err)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}

// configVersion reads the deployment's configuration version from its
// database.
func (d *deployment) configVersion(t testing.TB) int64 {
	t.Helper()
	ctx := context.Background()
	var st store.Store
	var err error
	for _, kv := range d.env {
		if url, ok := strings.CutPrefix(kv, "LINKPOOL_DATABASE_URL="); ok {
			st, err = postgres.Open(ctx, url)
		} else if dir, ok := strings.CutPrefix(kv, "LINKPOOL_DATA="); ok {
			st, err = sqlite.Open(ctx, filepath.Join(dir, "linkpool.db"))
		}
	}
	if st == nil && err == nil {
		t.Fatal("the deployment names no database")
	}
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	v, err := st.ConfigVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// configVersion is the instance's linkpool_config_version.
func (in *instance) configVersion() (int64, error) {
	resp, err := http.Get("http://" + in.admin + "/metrics")
	if err != nil {
		return -1, err
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "linkpool_config_version "); ok {
			f, err := strconv.ParseFloat(v, 64)
			return int64(f), err
		}
	}
	if err := sc.Err(); err != nil {
		return -1, err
	}
	return -1, nil
}
