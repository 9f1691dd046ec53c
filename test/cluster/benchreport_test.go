package cluster_test

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/alexasim"
	"github.com/linkpool/linkpool/internal/apptest"
	"github.com/linkpool/linkpool/internal/benchreport"
	"github.com/linkpool/linkpool/internal/loadtest"
	"github.com/linkpool/linkpool/internal/smarthome/smarthometest"
)

var (
	reportDuration    = flag.Duration("report.duration", 10*time.Second, "BenchmarkReport: length of each workload")
	reportBoundTime   = flag.Duration("report.bound-duration", 2*time.Second, "BenchmarkReport: length of each bound measurement")
	reportConcurrency = flag.Int("report.concurrency", 8, "BenchmarkReport: load-generator workers")
	reportMarkdown    = flag.String("report.markdown", "", "BenchmarkReport: write the report's Markdown block to this file")
)

// BenchmarkReport measures linkpool against the physical bounds of this
// machine (internal/benchreport): the bounds in this process, then the
// workloads through HTTP against a `linkpool serve` process, this test
// binary generating the load. It runs once, whatever b.N, logs the
// Markdown block and, with -report.markdown FILE, writes it there;
// `make bench-report` runs it.
func BenchmarkReport(b *testing.B) {
	rep := benchReport(b, *reportDuration, *reportBoundTime, *reportConcurrency)
	var md strings.Builder
	if err := rep.WriteMarkdown(&md); err != nil {
		b.Fatal(err)
	}
	b.Logf("\n%s", md.String())
	if *reportMarkdown != "" {
		if err := os.WriteFile(*reportMarkdown, []byte(md.String()), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(0, "ns/op") // one run, not a per-operation time
}

// TestBenchReport runs the whole report for 1 s per workload and checks
// that every line is there with a positive rate and no request failed.
// It asserts nothing about speed.
func TestBenchReport(t *testing.T) {
	if testing.Short() {
		t.Skip("bench report: -short")
	}
	rep := benchReport(t, time.Second, 100*time.Millisecond, 4)
	var md strings.Builder
	if err := rep.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	if err := benchreport.CheckMarkdown(strings.TrimSuffix(md.String(), "\n")); err != nil {
		t.Errorf("%v\n%s", err, md.String())
	}
	for _, row := range rep.Rows() {
		if row.Achieved.OK == 0 || row.Achieved.PerSecond <= 0 || row.Bound <= 0 || row.Achieved.P99 <= 0 {
			t.Errorf("%s: %+v, bound %v (%s): want successes, a positive rate, p99 and bound", row.Workload, row.Achieved, row.Bound, row.Limit)
		}
		if n := row.Achieved.Failed(); n > 0 {
			t.Errorf("%s: %d of %d requests failed", row.Workload, n, row.Achieved.Count)
		}
	}
	t.Logf("\n%s", md.String())
}

// benchReport measures the bounds, starts one `linkpool serve` on SQLite
// with an RS256 and an ES256 pool, each with an Alexa client without and
// one with refresh-token rotation, and the SmartLamp skill on the RS256
// pool, then runs every workload for d with the given workers.
func benchReport(t testing.TB, d, boundTime time.Duration, workers int) *benchreport.Report {
	t.Helper()
	ctx := context.Background()
	rep := &benchreport.Report{
		Date: time.Now().UTC(), Go: runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH,
		Cores: runtime.NumCPU(), Concurrency: workers, Duration: d, BoundTime: boundTime,
	}
	var err error
	if rep.Commit, err = gitCommit(); err != nil {
		t.Fatal(err)
	}
	rep.CPU = cpuModel()
	load, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(load)); err != nil || len(f) < 3 {
		t.Fatalf("/proc/loadavg: %q, %v", load, err)
	} else {
		rep.LoadAvg = strings.Join(f[:3], " ")
	}

	dep, dir := sqliteDeployment(t)
	hashConcurrency := runtime.GOMAXPROCS(0) // serve's default
	boundsConfig := benchreport.BoundsConfig{Dir: dir, Duration: boundTime, HashConcurrency: hashConcurrency}
	before, err := benchreport.MeasureBounds(ctx, boundsConfig)
	if err != nil {
		t.Fatal(err)
	}

	dep.addr = apptest.FreeAddr(t)
	dep.publicURL = "http://" + dep.addr
	rs := dep.initAlexa(t)
	dep.cli(t, "pool", "update", "--pool", rs.PoolID, "--auto-confirm=true")
	var es struct{ Id string }
	out := dep.cli(t, "pool", "create", "--name", "SmartLamp ES256", "--signing-alg", "ES256", "--alias-attributes", "email",
		"--auto-confirm=true", "--json")
	if err := json.Unmarshal([]byte(out), &es); err != nil || es.Id == "" {
		t.Fatalf("pool create: %v\n%s", err, out)
	}
	redirect := rs.RedirectURLs[0]
	// clients[alg][rotation]
	// init alexa's client leaves the ID token out of refreshes; the
	// others are created with the default, which includes it.
	var clients [2][2]*loadtest.Target
	alexaClient := &loadtest.Target{Base: dep.publicURL + "/" + rs.PoolID, ClientID: rs.ClientID, ClientSecret: rs.ClientSecret, RedirectURI: redirect}
	for i, poolID := range []string{rs.PoolID, es.Id} {
		for rot := range 2 {
			args := []string{"client", "create", "--pool", poolID, "--name", "alexa-" + strconv.Itoa(rot), "--generate-secret",
				"--callback-url", redirect, "--flows", "code", "--scopes", "openid", "--json"}
			if rot == 1 {
				args = append(args, "--rotate-refresh-tokens=true", "--retry-grace-seconds", "60")
			}
			var c struct{ ClientId, ClientSecret string }
			out := dep.cli(t, args...)
			if err := json.Unmarshal([]byte(out), &c); err != nil || c.ClientSecret == "" {
				t.Fatalf("client create: %v\n%s", err, out)
			}
			clients[i][rot] = &loadtest.Target{Base: dep.publicURL + "/" + poolID, ClientID: c.ClientId, ClientSecret: c.ClientSecret, RedirectURI: redirect}
		}
	}
	const user, password = "lamp-owner", "Lamp-Passw0rd!"
	dep.cli(t, "user", "create", "--pool", rs.PoolID, "--username", user, "--email", "owner@example.com",
		"--email-verified", "--permanent", "--password", password)
	// The rate limits are policy, not capacity: off, so that the load
	// generator's few users measure the server.
	dep.serveFlags = []string{"--hash-concurrency", strconv.Itoa(hashConcurrency),
		"--login-rate-limit", "0", "--token-rate-limit", "0",
		"--skill-pool", rs.PoolID, "--skill-client-id", rs.ClientID}
	in := dep.start(t, "report")

	run := func(name string, tg *loadtest.Target, mix loadtest.Mix, users int) *loadtest.Report {
		tg.Transport = loadtest.NewTransport(2 * workers)
		r, err := loadtest.Run(ctx, loadtest.Config{Target: tg, Users: users, Concurrency: workers, Duration: d, Mix: mix, ClientAddresses: true})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var text strings.Builder
		_ = r.WriteText(&text)
		logf(t, "%s:\n%s", name, text.String())
		return r
	}
	for i := range 2 {
		for rot := range 2 {
			name := benchreport.Workloads[2*i+rot]
			rep.Refresh[i][rot] = benchreport.FromLoad(run(name, clients[i][rot], loadtest.Mix{Refresh: 100}, 2*workers), loadtest.OpRefresh)
		}
	}
	rep.RefreshNoID = benchreport.FromLoad(run(benchreport.Workloads[7], alexaClient, loadtest.Mix{Refresh: 100}, 2*workers), loadtest.OpRefresh)
	rep.Link = benchreport.FromLoad(run(benchreport.Workloads[4], alexaClient, loadtest.Mix{Code: 100}, workers), loadtest.OpCode)

	// The skill's user links as with Alexa; its lamp is discovered.
	schema, err := alexasim.LoadSchema(filepath.Join(smarthometest.DataDir(t), "schema", alexasim.SchemaFile))
	if err != nil {
		t.Fatal(err)
	}
	skillURL := dep.publicURL + "/alexa/smart-home"
	res, err := alexasim.LinkAccount(ctx, alexasim.LinkOptions{
		Name: "owner",
		Console: alexasim.Console{
			AuthorizationURI: rs.AuthorizationURI, AccessTokenURI: rs.AccessTokenURI,
			ClientID: rs.ClientID, ClientSecret: rs.ClientSecret, Scheme: alexasim.SchemeHTTPBasic,
			Scopes: rs.Scopes, VendorID: skillVendorID, Region: alexasim.RegionNA,
		},
		SignIn:   alexasim.FormSignIn{Username: user, Password: password},
		Env:      alexasim.Env{Schema: schema, Skill: &alexasim.HTTPSkill{URL: skillURL}},
		SkillURL: skillURL,
	})
	if err != nil || !res.OK || len(res.Link.Endpoints) == 0 {
		var steps []string
		if res != nil {
			for _, s := range res.Steps {
				steps = append(steps, s.Name+": "+s.Detail)
			}
		}
		t.Fatalf("link the skill: %v\n%s", err, strings.Join(steps, "\n"))
	}
	client := &http.Client{Transport: loadtest.NewTransport(2 * workers), Timeout: 30 * time.Second}
	for _, dl := range []struct {
		into                  *benchreport.Achieved
		namespace, name, want string
	}{
		{&rep.ReportState, "Alexa", "ReportState", "StateReport"},
		{&rep.TurnOn, "Alexa.PowerController", "TurnOn", "Response"},
	} {
		*dl.into, err = benchreport.RunDirectives(ctx, benchreport.DirectiveLoad{
			URL: skillURL, Token: res.Link.Tokens.AccessToken, Endpoint: res.Link.Endpoints[0].ID,
			Namespace: dl.namespace, Name: dl.name, Want: dl.want, Concurrency: workers, Duration: d, Client: client,
		})
		if err != nil {
			t.Fatal(err)
		}
		logf(t, "%s: %+v", dl.name, *dl.into)
	}
	in.kill()
	after, err := benchreport.MeasureBounds(ctx, boundsConfig)
	if err != nil {
		t.Fatal(err)
	}
	rep.Bounds = before.Max(*after)
	return rep
}

// logf logs to the test, or for a benchmark to standard error: the
// testing package cuts a benchmark's log short.
func logf(t testing.TB, format string, args ...any) {
	t.Helper()
	if _, ok := t.(*testing.B); ok {
		fmt.Fprintf(os.Stderr, format+"\n", args...)
		return
	}
	t.Logf(format, args...)
}
