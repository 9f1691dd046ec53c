package cluster_test

import (
	"context"
	"flag"
	"strings"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/loadtest"
	"github.com/linkpool/linkpool/internal/store/postgres/pgtest"
)

var (
	loadDuration    = flag.Duration("load.duration", 20*time.Second, "BenchmarkLoad: length of each measured run")
	loadUsers       = flag.Int("load.users", 200, "BenchmarkLoad: users prepared before each run")
	loadConcurrency = flag.Int("load.concurrency", 8, "BenchmarkLoad: workers")
	loadMix         = flag.String("load.mix", loadtest.DefaultMix.String(), "BenchmarkLoad: operation weights")
	loadRotate      = flag.Bool("load.rotate", false, "BenchmarkLoad: the client rotates refresh tokens, so every refresh writes")
	loadMarkdown    = flag.String("load.markdown", "", "BenchmarkLoad: measure the three workloads of docs/scaling.md and write its tables block to this file")
)

// BenchmarkLoad measures whole deployments: real `linkpool serve`
// processes on SQLite or PostgreSQL behind the round-robin proxy, driven
// by the load generator (refresh-dominated, as Alexa's traffic is). Each
// case runs once, whatever b.N; the figures are reported as metrics and
// the full report is logged. Run it with
//
//	go test -run '^$' -bench Load -benchtime 1x ./test/cluster -args -load.duration 30s
//
// With -load.markdown FILE it measures the three workloads of
// docs/scaling.md instead (refreshes only without and with rotation,
// and the default mix; -load.mix and -load.rotate do not apply) and
// writes the doc's tables block to FILE; `make scaling-tables` runs it.
//
// Load generator, proxy, instances and PostgreSQL share the machine, so
// two instances on one small machine measure contention, not scale-out.
func BenchmarkLoad(b *testing.B) {
	if *loadMarkdown != "" {
		scalingTables(b, *loadMarkdown)
		return
	}
	mix, err := loadtest.ParseMix(*loadMix)
	if err != nil {
		b.Fatal(err)
	}
	for i, c := range loadCases {
		b.Run(c.name, func(b *testing.B) { loadRun(b, c, mix, *loadRotate, loadtest.ScalingDeployments[i]) })
	}
}

// loadCases are the deployments measured, in the order of
// loadtest.ScalingDeployments.
var loadCases = [3]loadCase{
	{name: "sqlite/instances=1", instances: 1},
	{name: "postgres/instances=1", postgres: true, instances: 1},
	{name: "postgres/instances=2", postgres: true, instances: 2},
}

type loadCase struct {
	name      string
	postgres  bool
	instances int
}

// loadRun measures one deployment with one workload and returns the
// report; the benchmark stops if the run did not complete.
func loadRun(b *testing.B, c loadCase, mix loadtest.Mix, rotation bool, label string) *loadtest.Report {
	px := newProxy(b)
	var d *deployment
	if c.postgres {
		d = postgresDeployment(b, pgtest.URL(b))
	} else {
		d, _ = sqliteDeployment(b)
	}
	d.publicURL = px.URL
	var rotate []string
	if rotation {
		rotate = append(rotate, "--rotate-refresh-tokens")
	}
	setup := d.initAlexa(b, rotate...)
	d.cli(b, "pool", "update", "--pool", setup.PoolID, "--auto-confirm=true")
	var insts []*instance
	for i := range c.instances {
		insts = append(insts, d.start(b, string(rune('a'+i))))
	}
	px.set(insts...)
	tg := target(px.URL, setup)
	tg.Transport = loadtest.NewTransport(2 * *loadConcurrency)
	b.ResetTimer()
	rep, err := loadtest.Run(context.Background(), loadtest.Config{
		Target: tg, Users: *loadUsers, Concurrency: *loadConcurrency, Duration: *loadDuration,
		Mix: mix, ClientAddresses: true,
	})
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	var text strings.Builder
	_ = rep.WriteText(&text)
	b.Logf("%s, rotation %s:\n%s", label, map[bool]string{false: "off", true: "on"}[rotation], text.String())
	if rep.ErrorCount() > 0 {
		b.Errorf("%d operations failed", rep.ErrorCount())
	}
	b.ReportMetric(rep.Total.PerSecond, "ok/s")
	for _, o := range rep.Ops {
		b.ReportMetric(o.PerSecond, o.Op+"/s")
		b.ReportMetric(float64(o.P99.Microseconds())/1000, o.Op+"-p99-ms")
	}
	b.ReportMetric(0, "ns/op") // one run, not a per-operation time
	return rep
}
