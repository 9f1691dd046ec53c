package cluster_test

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/linkpool/linkpool/internal/loadtest"
	"github.com/linkpool/linkpool/internal/store/postgres/pgtest"
)

// scalingTables measures the three workloads of docs/scaling.md on each
// deployment and writes the doc's tables block, with the date, commit
// and machine, to the file out.
func scalingTables(b *testing.B, out string) {
	flag.Visit(func(f *flag.Flag) {
		if f.Name == "load.mix" || f.Name == "load.rotate" {
			b.Fatalf("-load.markdown measures the workloads of docs/scaling.md; -%s does not apply", f.Name)
		}
	})
	s := scalingHeader(b)
	workloads := []struct {
		name    string
		mix     loadtest.Mix
		rotate  bool
		reports *[3]*loadtest.Report
	}{
		{"refresh", loadtest.Mix{Refresh: 100}, false, &s.Refresh},
		{"refresh-rotate", loadtest.Mix{Refresh: 100}, true, &s.RefreshRotate},
		{"mix", loadtest.DefaultMix, false, &s.Mix},
	}
	for _, w := range workloads {
		for i, c := range loadCases {
			if !b.Run(w.name+"/"+c.name, func(b *testing.B) {
				w.reports[i] = loadRun(b, c, w.mix, w.rotate, loadtest.ScalingDeployments[i])
			}) && w.reports[i] == nil {
				b.Fatalf("%s on %s did not complete; no tables written", w.name, loadtest.ScalingDeployments[i])
			}
		}
	}
	var md strings.Builder
	if err := s.WriteMarkdown(&md); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(out, []byte(md.String()), 0o644); err != nil {
		b.Fatal(err)
	}
}

// scalingHeader starts a measurement: now, the commit, the machine, Go
// and the PostgreSQL server, and the load flags.
func scalingHeader(t testing.TB) *loadtest.Scaling {
	t.Helper()
	s := &loadtest.Scaling{
		Date: time.Now().UTC(), Go: runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH,
		Users: *loadUsers, Concurrency: *loadConcurrency, Duration: *loadDuration,
	}
	var err error
	if s.Commit, err = gitCommit(); err != nil {
		t.Fatal(err)
	}
	if s.Machine, err = machine(); err != nil {
		t.Fatal(err)
	}
	if s.PostgreSQL, err = postgresVersion(pgtest.URL(t)); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestScalingHeader renders this machine's header with made-up reports
// and checks that docs/scaling.md would accept the block: what
// `make scaling-tables` prints, without the load.
func TestScalingHeader(t *testing.T) {
	s := scalingHeader(t)
	for _, set := range []*[3]*loadtest.Report{&s.Refresh, &s.RefreshRotate, &s.Mix} {
		for i := range set {
			set[i] = &loadtest.Report{
				Ops:   []loadtest.OpReport{{Op: loadtest.OpRefresh, Count: 1, OK: 1, PerSecond: 1, P99: time.Millisecond}},
				Total: loadtest.OpReport{Op: "total", Count: 1, OK: 1, PerSecond: 1},
			}
		}
	}
	var md strings.Builder
	if err := s.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	if err := loadtest.CheckScalingMarkdown(strings.TrimSuffix(md.String(), "\n")); err != nil {
		t.Errorf("%v\n%s", err, md.String())
	}
	t.Logf("\n%s", md.String())
}

// gitCommit is the short hash of HEAD, with "+dirty" when the tree has
// changes, tracked or not.
func gitCommit() (string, error) {
	hash, err := exec.Command("git", "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return "", fmt.Errorf("git rev-parse: %w", err)
	}
	status, err := exec.Command("git", "status", "--porcelain").Output()
	if err != nil {
		return "", fmt.Errorf("git status: %w", err)
	}
	c := strings.TrimSpace(string(hash))
	if len(strings.TrimSpace(string(status))) > 0 {
		c += "+dirty"
	}
	return c, nil
}

// machine describes the CPU, memory, OS and kernel, from /proc and
// /etc/os-release.
func machine() (string, error) {
	cpu := cpuModel()
	mem, err := procField("/proc/meminfo", "MemTotal")
	if err != nil {
		return "", err
	}
	kb, err := strconv.ParseFloat(strings.TrimSuffix(mem, " kB"), 64)
	if err != nil {
		return "", fmt.Errorf("/proc/meminfo: MemTotal %q: %w", mem, err)
	}
	kernel, err := os.ReadFile("/proc/sys/kernel/osrelease")
	if err != nil {
		return "", err
	}
	osName, err := procField("/etc/os-release", "PRETTY_NAME")
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s, %d CPUs, %.1f GiB memory, %s, Linux %s %s", strings.Join(strings.Fields(cpu), " "), runtime.NumCPU(),
		kb/(1<<20), strings.Trim(osName, `"`), strings.TrimSpace(string(kernel)), runtime.GOARCH), nil
}

// procField returns the value of the first "key: value" or "key=value"
// line of a file.
func procField(path, key string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		for _, sep := range []string{":", "="} {
			if k, v, ok := strings.Cut(sc.Text(), sep); ok && strings.TrimSpace(k) == key {
				return strings.TrimSpace(v), nil
			}
		}
	}
	if err := sc.Err(); err != nil {
		return "", err
	}
	return "", fmt.Errorf("%s: no %s", path, key)
}

// cpuModel names the CPU from /proc/cpuinfo: x86 kernels give a "model
// name" per core, many arm64 kernels only "Model" or "Hardware", some
// nothing readable; then the architecture stands in.
func cpuModel() string {
	for _, key := range []string{"model name", "Model", "Hardware", "cpu model"} {
		if v, err := procField("/proc/cpuinfo", key); err == nil && v != "" {
			return strings.Join(strings.Fields(v), " ")
		}
	}
	return runtime.GOARCH
}

// postgresVersion asks the server at url for its version.
func postgresVersion(url string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return "", fmt.Errorf("postgres version: %w", err)
	}
	defer conn.Close(ctx)
	var v string
	if err := conn.QueryRow(ctx, "SHOW server_version").Scan(&v); err != nil {
		return "", fmt.Errorf("postgres version: %w", err)
	}
	if v == "" {
		return "", errors.New("postgres version: empty")
	}
	return v, nil
}
