package cluster_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/apptest"
	"github.com/linkpool/linkpool/internal/benchreport"
	"github.com/linkpool/linkpool/internal/loadtest"
	pwhash "github.com/linkpool/linkpool/internal/password"
)

var (
	signInDuration = flag.Duration("signin.duration", 10*time.Second, "BenchmarkSignIn: length of the measured link load")
	signInWorkers  = flag.Int("signin.workers", 8, "BenchmarkSignIn: load-generator workers")
	signInEnv      = flag.String("signin.env", "", "BenchmarkSignIn: comma-separated NAME=value pairs added to the server's environment (GOGC, GODEBUG, GOMEMLIMIT)")
	signInLog      = flag.String("signin.log", "", "BenchmarkSignIn: write the server's log (with GODEBUG=gctrace=1 its collections) to this file")
)

// BenchmarkSignIn measures sign-in at the argon2id bound in bounded
// memory: one `linkpool serve` on SQLite with default settings, driven
// by the link workload of `make bench-report` (browser-like hosted
// sign-in, then the code exchange), with the argon2id bound measured in
// this process just before. It runs once, whatever b.N, and reports
//
//   - links/s and pct_of_bound: the rate and its share of the argon2id
//     verifies per second with --hash-concurrency at once;
//   - rss_MB: the server's peak resident set (VmHWM), which must stay
//     under 150 MB at default settings;
//   - hash_cpu_ms: the CPU time of one verify in this process, with as
//     many at once as the server runs, before and after the load, the
//     lower of the two; server_cpu_ms/link and loadgen_cpu_ms/link: the
//     CPU time the server and this process spend per link. hash_cpu_ms
//     over their sum estimates the share of the bound the link workload
//     can reach on this machine. CPU time moves less than rates when
//     other processes share the machine, but it moves too (they share
//     the caches), so compare runs interleaved;
//   - machine_idle_pct: the machine's idle CPU time during the load; with
//     enough workers a link's waits (fsync, the network) leave no core
//     idle;
//   - server_minflt/link: the server's minor page faults per link, about
//     4,900 when every hash's 19 MiB comes fresh from the kernel.
//
// Run it with
//
//	go test -run '^$' -bench SignIn -benchtime 1x ./test/cluster -args -signin.duration 20s
func BenchmarkSignIn(b *testing.B) {
	ctx := context.Background()
	dep, dir := sqliteDeployment(b)
	for kv := range strings.SplitSeq(*signInEnv, ",") {
		if kv != "" {
			dep.env = append(dep.env, kv)
		}
	}
	hashCPU, err := verifyCPU(ctx, 10)
	if err != nil {
		b.Fatal(err)
	}
	bounds, err := benchreport.MeasureBounds(ctx, benchreport.BoundsConfig{Dir: dir, Duration: 2 * time.Second})
	if err != nil {
		b.Fatal(err)
	}
	bound := bounds.Argon2.AllCores

	dep.addr = apptest.FreeAddr(b)
	dep.publicURL = "http://" + dep.addr
	setup := dep.initAlexa(b)
	dep.cli(b, "pool", "update", "--pool", setup.PoolID, "--auto-confirm=true")
	// Rate limits are policy, not capacity; everything else is default.
	dep.serveFlags = []string{"--login-rate-limit", "0", "--token-rate-limit", "0"}
	in := dep.start(b, "signin")
	pid := in.cmd.Process.Pid
	logf(b, "server pid %d", pid)

	tg := target(dep.publicURL, setup)
	tg.Transport = loadtest.NewTransport(2 * *signInWorkers)
	var srv0, srv1 procStat
	var self0, self1 time.Duration
	var idle0, idle1 cpuTimes
	rep, err := loadtest.Run(ctx, loadtest.Config{
		Target: tg, Users: *signInWorkers, Concurrency: *signInWorkers, Duration: *signInDuration,
		Mix: loadtest.Mix{Code: 100}, ClientAddresses: true,
		Progress: func(line string) {
			if strings.HasPrefix(line, "prepared") {
				var err error
				if srv0, err = readProcStat(pid); err != nil {
					b.Error(err)
				}
				self0 = selfCPU()
				if idle0, err = readCPUTimes(); err != nil {
					b.Error(err)
				}
			}
		},
	})
	self1 = selfCPU()
	if err != nil {
		b.Fatal(err)
	}
	if idle1, err = readCPUTimes(); err != nil {
		b.Fatal(err)
	}
	if srv1, err = readProcStat(pid); err != nil {
		b.Fatal(err)
	}
	hwm, err := procField(fmt.Sprintf("/proc/%d/status", pid), "VmHWM")
	if err != nil {
		b.Fatal(err)
	}
	in.kill()
	if after, err := verifyCPU(ctx, 10); err != nil {
		b.Fatal(err)
	} else {
		hashCPU = min(hashCPU, after)
	}
	if *signInLog != "" {
		if err := os.WriteFile(*signInLog, []byte(in.log.String()), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	var text strings.Builder
	_ = rep.WriteText(&text)
	logf(b, "link load:\n%s", text.String())
	if rep.ErrorCount() > 0 {
		b.Errorf("%d operations failed", rep.ErrorCount())
	}
	var links float64
	var n int
	for _, o := range rep.Ops {
		if o.Op == loadtest.OpCode {
			links, n = o.PerSecond, o.OK
		}
	}
	if n == 0 {
		b.Fatal("no link completed")
	}
	kib, err := strconv.ParseFloat(strings.TrimSuffix(hwm, " kB"), 64)
	if err != nil {
		b.Fatalf("VmHWM %q: %v", hwm, err)
	}
	perLink := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 / float64(n) }
	srvCPU, genCPU := perLink(srv1.cpu-srv0.cpu), perLink(self1-self0)
	hashMS := float64(hashCPU.Microseconds()) / 1000
	b.ReportMetric(links, "links/s")
	b.ReportMetric(100*links/bound, "pct_of_bound")
	b.ReportMetric(kib*1024/1e6, "rss_MB")
	b.ReportMetric(hashMS, "hash_cpu_ms")
	b.ReportMetric(srvCPU, "server_cpu_ms/link")
	b.ReportMetric(genCPU, "loadgen_cpu_ms/link")
	b.ReportMetric(100*float64(idle1.idle-idle0.idle)/float64(idle1.total-idle0.total), "machine_idle_pct")
	b.ReportMetric(float64(srv1.minflt-srv0.minflt)/float64(n), "server_minflt/link")
	b.ReportMetric(0, "ns/op") // one run, not a per-operation time
}

// verifyCPU returns the CPU time this process spends on one argon2id
// verify at the default parameters with GOMAXPROCS verifies at once (the
// server's default hash concurrency), n per worker.
func verifyCPU(ctx context.Context, n int) (time.Duration, error) {
	workers := runtime.GOMAXPROCS(0)
	h := pwhash.NewHasher(pwhash.DefaultParams, workers)
	const pw = "Bench-Passw0rd!"
	stored, err := h.Hash(ctx, pw)
	if err != nil {
		return 0, err
	}
	errs := make(chan error, workers)
	t0 := selfCPU()
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range n {
				if ok, err := h.Verify(ctx, stored, pw); err != nil || !ok {
					errs <- errors.Join(err, errors.New("the password does not verify"))
					return
				}
			}
		})
	}
	wg.Wait()
	cpu := selfCPU() - t0
	close(errs)
	if err := <-errs; err != nil {
		return 0, err
	}
	return cpu / time.Duration(workers*n), nil
}

// selfCPU returns the user and system CPU time of this process.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// procStat is the CPU time and minor page faults of a process.
type procStat struct {
	cpu    time.Duration
	minflt int64
}

// readProcStat reads /proc/PID/stat (proc(5)): minflt is field 10,
// utime and stime fields 14 and 15, in clock ticks of 1/100 s.
func readProcStat(pid int) (procStat, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return procStat{}, err
	}
	// The command name, field 2, is in parentheses and may hold spaces.
	_, rest, ok := strings.Cut(string(raw), ") ")
	f := strings.Fields(rest)
	if !ok || len(f) < 13 {
		return procStat{}, fmt.Errorf("/proc/%d/stat: %q", pid, raw)
	}
	num := func(i int) int64 { v, _ := strconv.ParseInt(f[i-3], 10, 64); return v }
	const tick = 10 * time.Millisecond
	return procStat{cpu: time.Duration(num(14)+num(15)) * tick, minflt: num(10)}, nil
}

// cpuTimes are the machine's CPU times from the first line of
// /proc/stat (proc(5)), in clock ticks: idle (idle and iowait) and the
// total of user, nice, system, idle, iowait, irq, softirq and steal.
type cpuTimes struct{ idle, total int64 }

func readCPUTimes() (cpuTimes, error) {
	raw, err := os.ReadFile("/proc/stat")
	if err != nil {
		return cpuTimes{}, err
	}
	line, _, _ := strings.Cut(string(raw), "\n")
	f := strings.Fields(line)
	if len(f) < 9 || f[0] != "cpu" {
		return cpuTimes{}, fmt.Errorf("/proc/stat: %q", line)
	}
	var t cpuTimes
	for i, v := range f[1:9] {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return cpuTimes{}, fmt.Errorf("/proc/stat: %q: %w", line, err)
		}
		t.total += n
		if i == 3 || i == 4 {
			t.idle += n
		}
	}
	return t, nil
}
