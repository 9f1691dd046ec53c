package loadtest_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/loadtest"
)

func ms(f float64) time.Duration { return time.Duration(f * float64(time.Millisecond)) }

// refreshOnly is a run of refreshes only.
func refreshOnly(perSec, p50, p95, p99 float64, count, ok int) *loadtest.Report {
	o := loadtest.OpReport{Op: loadtest.OpRefresh, Count: count, OK: ok, PerSecond: perSec, P50: ms(p50), P95: ms(p95), P99: ms(p99)}
	return &loadtest.Report{Ops: []loadtest.OpReport{o}, Total: o}
}

// mixed is a run of the default mix.
func mixed(total, ref, refP99, code, codeP99, sign, signP99 float64) *loadtest.Report {
	return &loadtest.Report{
		Ops: []loadtest.OpReport{
			{Op: loadtest.OpRefresh, Count: 100, OK: 100, PerSecond: ref, P99: ms(refP99)},
			{Op: loadtest.OpCode, Count: 20, OK: 20, PerSecond: code, P99: ms(codeP99)},
			{Op: loadtest.OpSignUp, Count: 5, OK: 5, PerSecond: sign, P99: ms(signP99)},
		},
		Total: loadtest.OpReport{Op: "total", Count: 125, OK: 125, PerSecond: total},
	}
}

func fixedScaling() *loadtest.Scaling {
	return &loadtest.Scaling{
		Date:        time.Date(2026, 12, 3, 14, 2, 59, 0, time.FixedZone("CET", 3600)),
		Commit:      "fa5538f+dirty",
		Machine:     "AMD EPYC 7B13, 2 CPUs, 7.8 GiB memory, Ubuntu 24.04.1 LTS, Linux 6.8.0-1012-gcp x86_64",
		Go:          "go1.26.8 linux/amd64",
		PostgreSQL:  "15.10 (Ubuntu 15.10-0ubuntu0.23.10.1)",
		Users:       200,
		Concurrency: 8,
		Duration:    30 * time.Second,
		Refresh: [3]*loadtest.Report{
			refreshOnly(432.4, 18.84, 32.8, 42.9, 100, 100),
			refreshOnly(376.6, 20.2, 37.1, 46.1, 100, 100),
			refreshOnly(361, 19.9, 43.76, 58.8, 100, 100),
		},
		RefreshRotate: [3]*loadtest.Report{
			refreshOnly(384, 17.1, 46.7, 68.9, 100, 100),
			refreshOnly(362, 21.2, 34.7, 43.1, 100, 100),
			refreshOnly(392, 18.9, 37.1, 47.5, 100, 100),
		},
		Mix: [3]*loadtest.Report{
			mixed(152.3, 121.4, 65.4, 22.94, 361, 8.1, 309.2),
			mixed(148, 118, 78, 21.7, 270, 8.3, 253),
			mixed(134, 107, 97, 19.7, 362, 7.1, 348),
		},
	}
}

const fixedMarkdown = "Measured with `make scaling-tables`: 200 users prepared and 8 workers for 30s in each run.\n" +
	`
- Date: 2026-12-03 13:02 UTC
- Commit: fa5538f+dirty
- Machine: AMD EPYC 7B13, 2 CPUs, 7.8 GiB memory, Ubuntu 24.04.1 LTS, Linux 6.8.0-1012-gcp x86_64
- Go: go1.26.8 linux/amd64
- PostgreSQL: 15.10 (Ubuntu 15.10-0ubuntu0.23.10.1)

Refreshes only, rotation off (Alexa's steady state):

| Store, instances | refreshes/s | p50 | p95 | p99 |
|---|---|---|---|---|
| SQLite, 1 | 432 | 18.8 ms | 32.8 ms | 42.9 ms |
| PostgreSQL, 1 | 377 | 20.2 ms | 37.1 ms | 46.1 ms |
| PostgreSQL, 2 | 361 | 19.9 ms | 43.8 ms | 58.8 ms |

Refreshes only, rotation on (every refresh writes):

| Store, instances | refreshes/s | p50 | p95 | p99 |
|---|---|---|---|---|
| SQLite, 1 | 384 | 17.1 ms | 46.7 ms | 68.9 ms |
| PostgreSQL, 1 | 362 | 21.2 ms | 34.7 ms | 43.1 ms |
| PostgreSQL, 2 | 392 | 18.9 ms | 37.1 ms | 47.5 ms |

Default mix (refresh 80, sign-in and code exchange 15, sign-up and code exchange 5), per operation
successes per second and p99; a sign-in or sign-up spans the whole flow (two or three pages and the code
exchange):

| Store, instances | total/s | refresh/s (p99) | sign-in/s (p99) | sign-up/s (p99) |
|---|---|---|---|---|
| SQLite, 1 | 152 | 121 (65 ms) | 22.9 (361 ms) | 8.1 (309 ms) |
| PostgreSQL, 1 | 148 | 118 (78 ms) | 21.7 (270 ms) | 8.3 (253 ms) |
| PostgreSQL, 2 | 134 | 107 (97 ms) | 19.7 (362 ms) | 7.1 (348 ms) |

No request failed in any run.
`

func TestScalingMarkdown(t *testing.T) {
	var b strings.Builder
	if err := fixedScaling().WriteMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	if b.String() != fixedMarkdown {
		t.Errorf("markdown:\n%s\nwant:\n%s", b.String(), fixedMarkdown)
	}
	if err := loadtest.CheckScalingMarkdown(strings.TrimSuffix(b.String(), "\n")); err != nil {
		t.Errorf("the checker rejects what WriteMarkdown prints: %v", err)
	}
}

func TestScalingMarkdownFailures(t *testing.T) {
	s := fixedScaling()
	s.RefreshRotate[2] = refreshOnly(392, 18.9, 37.1, 47.5, 103, 100)
	var b strings.Builder
	if err := s.WriteMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	want := "Failed requests (the benchmark's log has their errors): refreshes only, rotation on, PostgreSQL, 2: 3 of 103.\n"
	if !strings.HasSuffix(b.String(), "\n\n"+want) || strings.Contains(b.String(), "No request failed") {
		t.Errorf("markdown ends:\n%s\nwant it to end with %q", b.String()[len(b.String())-200:], want)
	}
	if err := loadtest.CheckScalingMarkdown(strings.TrimSuffix(b.String(), "\n")); err != nil {
		t.Errorf("the checker rejects what WriteMarkdown prints: %v", err)
	}

	s.Mix[1] = nil
	if err := s.WriteMarkdown(&b); err == nil || !strings.Contains(err.Error(), "PostgreSQL, 1") {
		t.Errorf("a missing report: err = %v, want one naming PostgreSQL, 1", err)
	}
}

func TestCheckScalingMarkdownRejects(t *testing.T) {
	good := strings.TrimSuffix(fixedMarkdown, "\n")
	for name, edit := range map[string]func(string) string{
		"empty":       func(string) string { return "" },
		"placeholder": func(string) string { return "Run `make scaling-tables` and paste its output here." },
		"no date":     func(s string) string { return strings.Replace(s, "- Date: 2026-12-03 13:02 UTC\n", "", 1) },
		"bad date":    func(s string) string { return strings.Replace(s, "2026-12-03 13:02", "2026-13-03 13:02", 1) },
		"no commit":   func(s string) string { return strings.Replace(s, "- Commit: fa5538f+dirty\n", "", 1) },
		"bad commit":  func(s string) string { return strings.Replace(s, "fa5538f+dirty", "HEAD", 1) },
		"no machine":  func(s string) string { return strings.Replace(s, "AMD EPYC 7B13, 2 CPUs, 7.8 GiB memory, ", "", 1) },
		"no postgres": func(s string) string {
			return strings.Replace(s, "- PostgreSQL: 15.10 (Ubuntu 15.10-0ubuntu0.23.10.1)\n", "", 1)
		},
		"rows swapped": func(s string) string { return strings.Replace(s, "| SQLite, 1 | 432", "| PostgreSQL, 9 | 432", 1) },
		"missing row": func(s string) string {
			return strings.Replace(s, "| PostgreSQL, 2 | 392 | 18.9 ms | 37.1 ms | 47.5 ms |\n", "", 1)
		},
		"old latency format": func(s string) string { return strings.Replace(s, "18.8 ms", "18.8ms", 1) },
		"mix p99 decimals":   func(s string) string { return strings.Replace(s, "121 (65 ms)", "121 (65.4 ms)", 1) },
		"no mix table":       func(s string) string { s, _, _ = strings.Cut(s, "\nDefault mix"); return s },
		"no failures line":   func(s string) string { return strings.TrimSuffix(s, "\n\nNo request failed in any run.") },
		"trailing prose":     func(s string) string { return s + "\nSQLite is faster." },
		"other command": func(s string) string {
			return strings.Replace(s, "`make scaling-tables`", "`go test -bench Load`", 1)
		},
	} {
		if err := loadtest.CheckScalingMarkdown(edit(good)); err == nil {
			t.Errorf("%s: the checker accepts it", name)
		}
	}
}

func TestScalingBlock(t *testing.T) {
	doc := "intro\n" + loadtest.ScalingBegin + "\nline 1\nline 2\n" + loadtest.ScalingEnd + "\nafter\n"
	if b, err := loadtest.ScalingBlock(doc); err != nil || b != "line 1\nline 2" {
		t.Errorf("ScalingBlock = %q, %v", b, err)
	}
	for _, bad := range []string{
		"no markers",
		loadtest.ScalingBegin + "\nunterminated\n",
		loadtest.ScalingBegin + "\na\n" + loadtest.ScalingEnd + "\n" + loadtest.ScalingBegin + "\nb\n" + loadtest.ScalingEnd + "\n",
	} {
		if _, err := loadtest.ScalingBlock(bad); err == nil {
			t.Errorf("ScalingBlock(%q) accepted", bad)
		}
	}
}

// TestScalingDoc checks that docs/scaling.md shows the throughput
// tables as `make scaling-tables` prints them: with the date, commit
// and machine they were measured on. Paste the command's output between
// the markers to satisfy it.
func TestScalingDoc(t *testing.T) {
	doc, err := os.ReadFile("../../docs/scaling.md")
	if err != nil {
		t.Fatal(err)
	}
	block, err := loadtest.ScalingBlock(string(doc))
	if err != nil {
		t.Fatalf("docs/scaling.md: %v", err)
	}
	if err := loadtest.CheckScalingMarkdown(block); err != nil {
		t.Errorf("docs/scaling.md, between %s and %s: %v\nrun `%s` and paste its output between the markers",
			loadtest.ScalingBegin, loadtest.ScalingEnd, err, loadtest.ScalingCommand)
	}
}
