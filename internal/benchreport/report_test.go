package benchreport_test

import (
	"context"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/benchreport"
	"github.com/linkpool/linkpool/internal/loadtest"
	"github.com/linkpool/linkpool/internal/password"
)

func ms(f float64) time.Duration { return time.Duration(f * float64(time.Millisecond)) }

func ok(perSec, p99 float64, n int) benchreport.Achieved {
	return benchreport.Achieved{Count: n, OK: n, PerSecond: perSec, P99: ms(p99)}
}

func fixedReport() *benchreport.Report {
	return &benchreport.Report{
		Date:    time.Date(2026, 12, 3, 17, 5, 59, 0, time.FixedZone("CET", 3600)),
		Commit:  "d71fb81",
		Go:      "go1.26.8 linux/amd64",
		CPU:     "AMD EPYC 7B13",
		Cores:   2,
		LoadAvg: "0.97 2.82 5.58",

		Concurrency: 8, Duration: 10 * time.Second, BoundTime: 2 * time.Second,
		Bounds: benchreport.Bounds{
			Cores: 2, HashConcurrency: 4, Argon2Params: password.DefaultParams,
			SignRS256:   benchreport.Rate{OneCore: 1010.4, AllCores: 1960},
			SignES256:   benchreport.Rate{OneCore: 21000, AllCores: 40000},
			VerifyRS256: benchreport.Rate{OneCore: 30000, AllCores: 58000},
			Argon2:      benchreport.Rate{OneCore: 38.46, AllCores: 72.04},
			Fsync:       1250, Commit: 700,
		},
		Refresh:     [2][2]benchreport.Achieved{{ok(800, 23.14, 8000), ok(530, 52.3, 5300)}, {ok(2400, 7.8, 24000), ok(650, 27.3, 6500)}},
		Link:        ok(27.1, 413.8, 271),
		ReportState: ok(2994.4, 6.04, 29944),
		TurnOn:      benchreport.Achieved{Count: 6800, OK: 6797, PerSecond: 679.7, P99: ms(22.03)},
		RefreshNoID: ok(1650, 11.2, 16500),
	}
}

const fixedMarkdown = "Measured with `make bench-report`: 8 workers for 10s per workload, each bound for 2s.\n" + `
- Date: 2026-12-03 16:05 UTC
- Commit: d71fb81
- Go: go1.26.8 linux/amd64
- CPU: AMD EPYC 7B13, 2 cores
- Load average before the run: 0.97 2.82 5.58

Bounds, measured in the load generator's process before and after the load (the server idle), the higher of the two:

| Bound | one core | all cores |
|---|---|---|
| RS256 signature (token signer) | 1010/s | 1960/s |
| ES256 signature (token signer) | 21000/s | 40000/s |
| RS256 verification | 30000/s | 58000/s |
| argon2id verify (m=19456 KiB, t=2, p=1; all cores: 4 at once) | 38.5/s | 72.0/s |
| write+fsync of 512 bytes in the data directory | 1250/s | — |
| SQLite commit in the data directory (WAL, synchronous=FULL) | 700/s | — |

Achieved through HTTP: one ` + "`linkpool serve`" + ` on SQLite, the load generator in a separate process:

| Workload | achieved/s | p99 | limited by | bound/s | of bound |
|---|---|---|---|---|---|
| Refresh, RS256, rotation off | 800 | 23.1 ms | two RS256 signatures | 980 | 82 % |
| Refresh, RS256, rotation on | 530 | 52.3 ms | one SQLite commit | 700 | 76 % |
| Refresh, ES256, rotation off | 2400 | 7.8 ms | two ES256 signatures | 20000 | 12 % |
| Refresh, ES256, rotation on | 650 | 27.3 ms | one SQLite commit | 700 | 93 % |
| Link (hosted sign-in, code exchange) | 27.1 | 413.8 ms | one argon2id verify, 4 at once | 72.0 | 38 % |
| ReportState directive | 2994 | 6.0 ms | one RS256 verification | 58000 | 5 % |
| TurnOn directive | 680 | 22.0 ms | one SQLite commit | 700 | 97 % |
| Refresh, RS256, no ID token (init alexa's client) | 1650 | 11.2 ms | one RS256 signature | 1960 | 84 % |

Failed requests: TurnOn directive: 3 of 6800.
`

func TestWriteMarkdown(t *testing.T) {
	var b strings.Builder
	if err := fixedReport().WriteMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	if b.String() != fixedMarkdown {
		t.Errorf("markdown:\n%s\nwant:\n%s", b.String(), fixedMarkdown)
	}
	if err := benchreport.CheckMarkdown(strings.TrimSuffix(b.String(), "\n")); err != nil {
		t.Errorf("the checker rejects what WriteMarkdown prints: %v", err)
	}

	r := fixedReport()
	r.TurnOn.Count = r.TurnOn.OK
	b.Reset()
	if err := r.WriteMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(b.String(), "\n\nNo request failed.\n") {
		t.Errorf("without failures the block ends:\n%s", b.String()[len(b.String())-100:])
	}
	if err := benchreport.CheckMarkdown(strings.TrimSuffix(b.String(), "\n")); err != nil {
		t.Errorf("the checker rejects what WriteMarkdown prints: %v", err)
	}
}

func TestRowsPickTheTightestBound(t *testing.T) {
	r := fixedReport()
	// A commit faster than the signatures: rotation is bounded by signing.
	r.Bounds.Commit = 5000
	rows := r.Rows()
	if len(rows) != len(benchreport.Workloads) {
		t.Fatalf("%d rows, want %d", len(rows), len(benchreport.Workloads))
	}
	for i, want := range []struct {
		limit string
		bound float64
	}{
		{"two RS256 signatures", 980},
		{"two RS256 signatures", 980},
		{"two ES256 signatures", 20000},
		{"one SQLite commit", 5000},
		{"one argon2id verify, 4 at once", 72.04},
		{"one RS256 verification", 58000},
		{"one SQLite commit", 5000},
		{"one RS256 signature", 1960},
	} {
		if rows[i].Workload != benchreport.Workloads[i] || rows[i].Limit != want.limit || rows[i].Bound != want.bound {
			t.Errorf("row %d: %s limited by %q at %v, want %s by %q at %v", i, rows[i].Workload, rows[i].Limit, rows[i].Bound,
				benchreport.Workloads[i], want.limit, want.bound)
		}
	}
	if got := rows[0].Percent(); math.Abs(got-100*800/980.0) > 1e-9 {
		t.Errorf("percent = %v", got)
	}
}

func TestPercentAndFormatRate(t *testing.T) {
	for _, c := range []struct {
		achieved, bound, want float64
	}{{50, 200, 25}, {300, 200, 150}, {0, 200, 0}, {10, 0, 0}, {10, -1, 0}} {
		r := benchreport.Row{Achieved: benchreport.Achieved{PerSecond: c.achieved}, Bound: c.bound}
		if got := r.Percent(); got != c.want {
			t.Errorf("Percent(%v of %v) = %v, want %v", c.achieved, c.bound, got, c.want)
		}
	}
	for v, want := range map[float64]string{0: "0.0", 0.04: "0.0", 9.96: "10.0", 27.14: "27.1", 99.94: "99.9", 99.96: "100", 1959.5: "1960", 21000.4: "21000"} {
		if got := benchreport.FormatRate(v); got != want {
			t.Errorf("FormatRate(%v) = %q, want %q", v, got, want)
		}
	}
}

func TestFromLoad(t *testing.T) {
	rep := &loadtest.Report{Ops: []loadtest.OpReport{
		{Op: loadtest.OpRefresh, Count: 10, OK: 9, PerSecond: 4.5, P99: ms(3)},
		{Op: loadtest.OpCode, Count: 2, OK: 2, PerSecond: 1, P99: ms(300)},
	}}
	if got := benchreport.FromLoad(rep, loadtest.OpRefresh); got != (benchreport.Achieved{Count: 10, OK: 9, PerSecond: 4.5, P99: ms(3)}) || got.Failed() != 1 {
		t.Errorf("refresh: %+v", got)
	}
	if got := benchreport.FromLoad(rep, loadtest.OpSignUp); got != (benchreport.Achieved{}) {
		t.Errorf("an operation the run did not have: %+v", got)
	}
}

func TestCheckMarkdownRejects(t *testing.T) {
	good := strings.TrimSuffix(fixedMarkdown, "\n")
	for name, edit := range map[string]func(string) string{
		"empty":         func(string) string { return "" },
		"placeholder":   func(string) string { return "Run `make bench-report` and paste its output here." },
		"other command": func(s string) string { return strings.Replace(s, "`make bench-report`", "`go test`", 1) },
		"no date":       func(s string) string { return strings.Replace(s, "- Date: 2026-12-03 16:05 UTC\n", "", 1) },
		"bad date":      func(s string) string { return strings.Replace(s, "2026-12-03 16:05", "2026-12-33 16:05", 1) },
		"bad commit":    func(s string) string { return strings.Replace(s, "d71fb81", "HEAD", 1) },
		"no cores":      func(s string) string { return strings.Replace(s, ", 2 cores", "", 1) },
		"no load": func(s string) string {
			return strings.Replace(s, "- Load average before the run: 0.97 2.82 5.58\n", "", 1)
		},
		"no go":      func(s string) string { return strings.Replace(s, "- Go: go1.26.8 linux/amd64\n", "", 1) },
		"zero bound": func(s string) string { return strings.Replace(s, "| 700/s | — |", "| 0.0/s | — |", 1) },
		"missing bound": func(s string) string {
			return strings.Replace(s, "| RS256 verification | 30000/s | 58000/s |\n", "", 1)
		},
		"fsync all core": func(s string) string { return strings.Replace(s, "| 1250/s | — |", "| 1250/s | 1250/s |", 1) },
		"zero rate": func(s string) string {
			return strings.Replace(s, "| ReportState directive | 2994 |", "| ReportState directive | 0.0 |", 1)
		},
		"missing workload": func(s string) string {
			return strings.Replace(s, "| Refresh, ES256, rotation off | 2400 | 7.8 ms | two ES256 signatures | 20000 | 12 % |\n", "", 1)
		},
		"workloads swapped": func(s string) string {
			return strings.Replace(s, "Refresh, RS256, rotation off", "Refresh, RS256, rotation on", 1)
		},
		"no failures line": func(s string) string { s, _, _ = strings.Cut(s, "\n\nFailed requests"); return s },
		"trailing prose":   func(s string) string { return s + "\nES256 is faster." },
	} {
		if err := benchreport.CheckMarkdown(edit(good)); err == nil {
			t.Errorf("%s: the checker accepts it", name)
		}
	}
}

func TestBlock(t *testing.T) {
	doc := "intro\n" + benchreport.BeginMarker + "\nline 1\nline 2\n" + benchreport.EndMarker + "\nafter\n"
	if b, err := benchreport.Block(doc); err != nil || b != "line 1\nline 2" {
		t.Errorf("Block = %q, %v", b, err)
	}
	for _, bad := range []string{
		"no markers",
		benchreport.BeginMarker + "\nunterminated\n",
		benchreport.BeginMarker + "\na\n" + benchreport.EndMarker + "\n" + benchreport.BeginMarker + "\nb\n" + benchreport.EndMarker + "\n",
	} {
		if _, err := benchreport.Block(bad); err == nil {
			t.Errorf("Block(%q) accepted", bad)
		}
	}
}

// TestMeasureBounds measures every bound briefly in a temporary data
// directory: each comes out positive, and the probe files are gone
// afterwards. It asserts nothing about speed.
func TestMeasureBounds(t *testing.T) {
	dir := t.TempDir()
	b, err := benchreport.MeasureBounds(context.Background(), benchreport.BoundsConfig{Dir: dir, Duration: 50 * time.Millisecond, HashConcurrency: 2})
	if err != nil {
		t.Fatal(err)
	}
	if b.HashConcurrency != 2 || b.Cores <= 0 || b.Argon2Params != password.DefaultParams {
		t.Errorf("bounds %+v", b)
	}
	for name, v := range map[string]float64{
		"RS256 one": b.SignRS256.OneCore, "RS256 all": b.SignRS256.AllCores,
		"ES256 one": b.SignES256.OneCore, "ES256 all": b.SignES256.AllCores,
		"verify one": b.VerifyRS256.OneCore, "verify all": b.VerifyRS256.AllCores,
		"argon2 one": b.Argon2.OneCore, "argon2 all": b.Argon2.AllCores,
		"fsync": b.Fsync, "commit": b.Commit,
	} {
		if !(v > 0) {
			t.Errorf("%s = %v, want a positive rate", name, v)
		}
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		var names []string
		for _, e := range left {
			names = append(names, e.Name())
		}
		t.Errorf("left in the data directory: %v", names)
	}
	if _, err := benchreport.MeasureBounds(context.Background(), benchreport.BoundsConfig{}); err == nil {
		t.Error("no data directory: no error")
	}
}

// TestDoc checks that docs/scaling.md shows the report as `make
// bench-report` prints it. Paste the command's output between the
// markers to satisfy it.
func TestDoc(t *testing.T) {
	doc, err := os.ReadFile("../../docs/scaling.md")
	if err != nil {
		t.Fatal(err)
	}
	block, err := benchreport.Block(string(doc))
	if err != nil {
		t.Fatalf("docs/scaling.md: %v", err)
	}
	if err := benchreport.CheckMarkdown(block); err != nil {
		t.Errorf("docs/scaling.md, between %s and %s: %v\nrun `%s` and paste its output between the markers",
			benchreport.BeginMarker, benchreport.EndMarker, err, benchreport.Command)
	}
}

func TestBoundsMax(t *testing.T) {
	a := benchreport.Bounds{Cores: 2, HashConcurrency: 4, SignRS256: benchreport.Rate{OneCore: 10, AllCores: 15}, Fsync: 5, Commit: 9}
	b := benchreport.Bounds{Cores: 2, HashConcurrency: 4, SignRS256: benchreport.Rate{OneCore: 8, AllCores: 19}, Fsync: 7, Commit: 3,
		Argon2: benchreport.Rate{OneCore: 1, AllCores: 2}}
	want := benchreport.Bounds{Cores: 2, HashConcurrency: 4, SignRS256: benchreport.Rate{OneCore: 10, AllCores: 19}, Fsync: 7, Commit: 9,
		Argon2: benchreport.Rate{OneCore: 1, AllCores: 2}}
	if got := a.Max(b); got != want {
		t.Errorf("Max = %+v, want %+v", got, want)
	}
}
